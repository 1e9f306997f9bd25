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

// ---- axes, legends and lone points: the rules every chart follows -----------------------------------------

/** Round tick values covering [min, max]: steps of 1, 2, 2.5 or 5 × 10^k, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.05 : 1;
    min -= pad;
    max += pad;
  }
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Ticks of a log axis over [min, max] (both > 0): 1, 2 and 5 × 10^k, and the ends when fewer than two fall inside. */
export function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  }
  if (out.length < 2) return [Number(min.toPrecision(3)), Number(max.toPrecision(3))];
  return out;
}

/** A tick label: up to 3 significant digits, no trailing zeros ("0.41", "1,200"). */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

export interface Range {
  min: number;
  max: number;
}

/**
 * The y range of an accuracy axis (values in %). By default it starts at `floor` (chance, 100 / classes, when
 * known; else 0; 0 when a value lies below chance) and ends at a round value above the data, so a difference of one
 * test image stays as small as it is. `zoom` fits the data instead, still at least `minSpan` points tall so a flat
 * series is not drawn as a peak.
 */
export function accuracyRange(
  values: readonly number[],
  { floor = 0, zoom = false, minSpan = 2 }: { floor?: number | null; zoom?: boolean; minSpan?: number } = {},
): Range {
  const ys = values.filter((v) => Number.isFinite(v));
  if (ys.length === 0) return { min: 0, max: 100 };
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  if (!zoom) {
    const base = floor != null && lo >= floor ? floor : 0;
    const top = niceTicks(base, Math.max(hi, base + minSpan), 5);
    return { min: base, max: Math.min(100, top[top.length - 1]!) };
  }
  const half = Math.max(hi - lo, minSpan) / 2;
  const mid = (lo + hi) / 2;
  const t = niceTicks(Math.max(0, mid - half * 1.1), Math.min(100, mid + half * 1.1), 5);
  return { min: Math.max(0, t[0]!), max: Math.min(100, t[t.length - 1]!) };
}

/**
 * The x range of a per-epoch chart: `from`..`epochs` (the frame the line grows into) or up to the data, whichever
 * is further; a single epoch sits in the middle (half an epoch either side), not as a dot on the axis.
 */
export function epochRange(from: number, epochs: number | null, xs: readonly number[]): Range {
  const max = Math.max(from, epochs ?? from, ...xs.filter((x) => Number.isFinite(x)));
  return max <= from ? { min: from - 0.5, max: from + 0.5 } : { min: from, max };
}

/** The x range of a log axis over positive `xs`, with room either side (a single value in the middle). */
export function logRange(xs: readonly number[]): Range {
  const pos = xs.filter((x) => Number.isFinite(x) && x > 0);
  if (pos.length === 0) return { min: 0.1, max: 1 };
  const lo = Math.min(...pos);
  const hi = Math.max(...pos);
  return lo === hi ? { min: lo / 1.5, max: hi * 1.5 } : { min: lo / 1.1, max: hi * 1.1 };
}

/** Ticks of an axis that counts (epochs, steps): whole numbers only, and no extra label at a padded end. */
export const WHOLE_TICKS = { precision: 0, includeBounds: false } as const;

/** The legend's filter: only series that draw something (an empty dataset gets no legend entry). */
export function drawnOnly(
  item: { datasetIndex?: number },
  data: { datasets: readonly { data: readonly unknown[] }[] },
): boolean {
  return (data.datasets[item.datasetIndex ?? -1]?.data.length ?? 0) > 0;
}

/** How many series draw something (a legend is worth showing from two). */
export const drawnCount = (series: readonly { points: readonly unknown[] }[]): number =>
  series.filter((s) => s.points.length > 0).length;

/** A dataset's own formatter for the label of its only point (on the raw dataset: chart.js would call a function
 * given in its options as a scriptable option). */
export interface PointLabelled {
  pointLabel?: (y: number) => string;
}

/**
 * A series with a single point is drawn as a labelled point: its value written above it (a line needs two
 * points, so otherwise one epoch or one quality shows as a lone dot nobody can read).
 */
export const POINT_LABEL_PLUGIN = {
  id: 'pointLabel',
  afterDatasetsDraw(c: Chart) {
    const ctx = c.ctx;
    c.data.datasets.forEach((d, i) => {
      const meta = c.getDatasetMeta(i);
      if (meta.hidden || d.data.length !== 1) return;
      const format = (d as PointLabelled).pointLabel ?? formatTick;
      const el = meta.data[0];
      const p = d.data[0] as { y?: number } | number | null;
      const y = typeof p === 'number' ? p : p?.y;
      if (!el || y == null || !Number.isFinite(y)) return;
      ctx.save();
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillStyle = typeof d.borderColor === 'string' ? d.borderColor : '#1f5bd8';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.fillText(format(y), el.x, el.y - 7);
      ctx.restore();
    });
  },
};
