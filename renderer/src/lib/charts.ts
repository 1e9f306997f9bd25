/**
 * The one chart.js setup of the UI (chart-setup.ts registers the parts every chart uses), and `chart` is the Svelte
 * action that draws a chart on a canvas and keeps it current: built when the
 * canvas appears, given new data and options in place when they change (no animation, so nothing jumps), and
 * destroyed with the canvas.
 */
import type { Chart, ChartConfiguration, ChartType, DefaultDataPoint } from 'chart.js';
import type { ThemeColors } from './theme.svelte.js';

/**
 * chart.js (about 170 KB, the largest part of the UI) loads with the first chart drawn, not with the page: a page's
 * text and tables show at once, and each page stays within its budget (scripts/bundle-budget.ts).
 */
let loading: Promise<{ Chart: typeof Chart }> | null = null;
const loadChartJs = () => (loading ??= import('./chart-setup.js'));

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
  // until chart.js has loaded, the latest config waits; a canvas gone by then never gets a chart
  let latest = config;
  let drawn: Chart<T, D, L> | null = null;
  let destroyed = false;
  void loadChartJs().then((m) => {
    if (!destroyed) drawn = new m.Chart<T, D, L>(canvas, latest);
  });
  return {
    update(next: ChartConfiguration<T, D, L>) {
      latest = next;
      if (!drawn) return;
      drawn.data.labels = next.data.labels;
      drawn.data.datasets = next.data.datasets;
      if (next.options) drawn.options = next.options;
      drawn.update('none');
    },
    destroy() {
      destroyed = true;
      drawn?.destroy();
    },
  };
}
