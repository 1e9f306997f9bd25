/**
 * The one chart.js setup of the UI: the parts every chart uses are registered here once (only these are
 * bundled), and `chart` is the Svelte action that draws a chart on a canvas and keeps it current: built when the
 * canvas appears, given new data and options in place when they change (no animation, so nothing jumps), and
 * destroyed with the canvas.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type DefaultDataPoint,
} from 'chart.js';
import type { ThemeColors } from './theme.svelte.js';

Chart.register(
  LineController,
  ScatterController,
  BarController,
  LineElement,
  PointElement,
  BarElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Tooltip,
  Legend,
);

/** What every chart shares: it fills its box (the box sets the height), draws at once and updates in place. */
export const STILL_CHART = { responsive: true, maintainAspectRatio: false, animation: false } as const;

/** Axis ticks, grid lines and the axis line in the theme's colours. */
export function axisColors(c: ThemeColors) {
  return { ticks: { color: c.muted }, grid: { color: c.grid }, border: { color: c.border } };
}

/** Draws `config` on the canvas; a new config (data or options) updates the same chart. */
export function chart<T extends ChartType, D = DefaultDataPoint<T>, L = unknown>(
  canvas: HTMLCanvasElement,
  config: ChartConfiguration<T, D, L>,
) {
  const drawn = new Chart<T, D, L>(canvas, config);
  return {
    update(next: ChartConfiguration<T, D, L>) {
      drawn.data.labels = next.data.labels;
      drawn.data.datasets = next.data.datasets;
      if (next.options) drawn.options = next.options;
      drawn.update('none');
    },
    destroy() {
      drawn.destroy();
    },
  };
}
