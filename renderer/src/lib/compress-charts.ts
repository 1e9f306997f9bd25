/**
 * The charts of a compression study: the series (accuracy against quality and against compression rate, per group,
 * bias) and the same charts as SVG documents for export (black on white, so they read in a paper).
 */
import type {
  CodecPoint,
  CompressProtocol,
  CompressReference,
  CompressRow,
  Subsampling,
} from '../../../shared/compress.js';
import { PROTOCOLS, SUBSAMPLINGS, gridKey } from '../../../shared/compress-defaults.js';
import { rowImages, wilsonInterval } from '../../../shared/meaning.js';
import { formatTick, logRange, logTicks, niceTicks, type Range } from './charts.js';
import { PROTOCOL_SHORT } from './compress.js';

export interface ChartPoint {
  x: number;
  y: number;
  /** The 95% interval around y (accuracy charts: Wilson, over the row's test images), in y's unit; drawn as a bar. */
  low?: number;
  high?: number;
}

export type LineStyle = 'solid' | 'dotted' | 'dashed';

export interface ChartSeries {
  key: string;
  label: string;
  points: ChartPoint[];
  /** Index into CHART_PALETTE; null: the neutral colour of reference lines. */
  color: number | null;
  line: LineStyle;
  marker: 'circle' | 'square' | 'none';
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** After y values in tooltips and the SVG's axis title ("%", "pp"). */
  yUnit: string;
  xScale: 'linear' | 'log';
  /** Ticks to put on x (e.g. the qualities); nice ticks when absent. */
  xTicks?: number[];
  /** y is an accuracy in %: its axis starts at `floor` (0, or chance when known) unless the user zooms to the data. */
  accuracy?: { floor: number };
}

/** Series colours that read on light and dark backgrounds; the SVG and the canvas use the same. */
export const CHART_PALETTE = [
  '#1f5bd8',
  '#d97706',
  '#16a34a',
  '#9333ea',
  '#dc2626',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
];
export const REFERENCE_COLOR = '#6b7280';
/** Dash patterns (canvas and SVG). */
export const LINE_DASH: Record<LineStyle, number[]> = { solid: [], dotted: [2, 3], dashed: [7, 4] };

const protocolColor = (p: CompressProtocol): number => PROTOCOLS.indexOf(p);
const subsamplingLine = (s: Subsampling): LineStyle => (s === '4:4:4' ? 'dotted' : 'solid');
const subsamplingMarker = (s: Subsampling): 'circle' | 'square' => (s === '4:4:4' ? 'square' : 'circle');
const finitePoint = (p: ChartPoint): boolean => Number.isFinite(p.x) && Number.isFinite(p.y);

/** The protocol × subsampling pairs present in `rows`, protocols in their order, 4:2:0 first. */
function linesOf(rows: readonly CompressRow[]): Array<{ protocol: CompressProtocol; subsampling: Subsampling }> {
  const out: Array<{ protocol: CompressProtocol; subsampling: Subsampling }> = [];
  for (const protocol of PROTOCOLS) {
    for (const subsampling of SUBSAMPLINGS) {
      if (rows.some((r) => r.protocol === protocol && r.subsampling === subsampling))
        out.push({ protocol, subsampling });
    }
  }
  return out;
}

const lineLabel = (protocol: CompressProtocol, subsampling: Subsampling, single: boolean): string =>
  single ? PROTOCOL_SHORT[protocol] : `${PROTOCOL_SHORT[protocol]}, ${subsampling}`;

function referenceSeries(label: string, y: number | null | undefined, xs: readonly number[]): ChartSeries[] {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (y == null || !Number.isFinite(y) || finite.length === 0) return [];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return [
    {
      key: 'reference',
      label,
      points: [
        { x: lo, y },
        { x: hi, y },
      ],
      color: null,
      line: 'dashed',
      marker: 'none',
    },
  ];
}

const byX = (a: ChartPoint, b: ChartPoint) => a.x - b.x;

/**
 * An accuracy row as a point (%) with its 95% Wilson interval over the row's test images (shared/meaning.ts): a
 * difference between two points inside their bars may be noise. No interval when the row holds no per-class counts.
 */
export function accuracyPoint(x: number, r: Pick<CompressRow, 'accuracy' | 'perClass'>): ChartPoint {
  const n = rowImages(r);
  if (!(n > 0)) return { x, y: r.accuracy * 100 };
  const { low, high } = wilsonInterval(r.accuracy, n);
  return { x, y: r.accuracy * 100, low: low * 100, high: high * 100 };
}

/** The y values a chart must show: every point and the ends of its interval. */
export function yExtent(series: readonly ChartSeries[]): number[] {
  return series.flatMap((s) =>
    s.points.filter(finitePoint).flatMap((p) => [p.y, ...(p.low != null && p.high != null ? [p.low, p.high] : [])]),
  );
}

/**
 * One line per protocol × subsampling of `rows` (colour = protocol; 4:4:4 dotted with square marks) through each row's
 * `point` (none where it gives null), finite points only, in x order.
 */
function protocolSeries(rows: readonly CompressRow[], point: (r: CompressRow) => ChartPoint | null): ChartSeries[] {
  const lines = linesOf(rows);
  const single = new Set(lines.map((l) => l.subsampling)).size <= 1;
  return lines.map(({ protocol, subsampling }) => ({
    key: `${protocol}-${subsampling}`,
    label: lineLabel(protocol, subsampling, single),
    points: rows
      .filter((r) => r.protocol === protocol && r.subsampling === subsampling)
      .flatMap((r) => {
        const p = point(r);
        return p && finitePoint(p) ? [p] : [];
      })
      .sort(byX),
    color: protocolColor(protocol),
    line: subsamplingLine(subsampling),
    marker: subsamplingMarker(subsampling),
  }));
}

/** `series`, then the model on the original images (`y`, none when null) as a dashed line across `xs`. */
const withOriginal = (series: ChartSeries[], y: number | null, xs: number[]): ChartSeries[] => [
  ...series,
  ...referenceSeries('original images', y, xs),
];

/**
 * Accuracy (%) vs JPEG quality: one line per protocol × subsampling, and the model on the original images as a dashed
 * line across the qualities.
 */
export function accuracyByQuality(rows: readonly CompressRow[], reference: CompressReference | null): ChartSeries[] {
  return withOriginal(
    protocolSeries(rows, (r) => accuracyPoint(r.quality, r)),
    reference ? reference.accuracy * 100 : null,
    rows.map((r) => r.quality),
  );
}

/** Accuracy (%) vs compression rate (file size relative to quality 95, 4:2:0): the rows joined with their codec point. */
export function accuracyByRate(
  rows: readonly CompressRow[],
  codec: readonly CodecPoint[],
  reference: CompressReference | null,
): ChartSeries[] {
  const rate = new Map(codec.map((c) => [gridKey(c.quality, c.subsampling), c.compressionRate]));
  const series = protocolSeries(rows, (r) => {
    const x = rate.get(gridKey(r.quality, r.subsampling));
    return x != null && x > 0 ? accuracyPoint(x, r) : null;
  });
  return withOriginal(
    series.filter((s) => s.points.length > 0),
    reference ? reference.accuracy * 100 : null,
    series.flatMap((s) => s.points.map((p) => p.x)),
  );
}

/** Whether any row (or the reference) carries per-group accuracy. */
export function hasGroups(rows: readonly CompressRow[], reference: CompressReference | null): boolean {
  return rows.some((r) => (r.perGroup?.length ?? 0) > 0) || (reference?.perGroup?.length ?? 0) > 0;
}

/** The groups of a study, sorted by name. */
export function groupNames(rows: readonly CompressRow[], reference: CompressReference | null): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const g of r.perGroup ?? []) names.add(g.group);
  for (const g of reference?.perGroup ?? []) names.add(g.group);
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** Per-group accuracy (%) vs quality for one protocol at one subsampling: one line per group. */
export function groupAccuracyByQuality(
  rows: readonly CompressRow[],
  protocol: CompressProtocol,
  subsampling: Subsampling,
  reference: CompressReference | null = null,
): ChartSeries[] {
  const chosen = rows.filter((r) => r.protocol === protocol && r.subsampling === subsampling);
  return groupNames(chosen, reference).map((group, i) => ({
    key: `group-${group}`,
    label: group,
    points: chosen
      .flatMap((r) => {
        const g = r.perGroup?.find((x) => x.group === group);
        return g ? [{ x: r.quality, y: g.accuracy * 100 }] : [];
      })
      .filter(finitePoint)
      .sort(byX),
    color: i,
    line: 'solid',
    marker: 'circle',
  }));
}

/** Bias — the std of the per-group accuracies, in percentage points — vs quality, per protocol × subsampling. */
export function biasByQuality(rows: readonly CompressRow[], reference: CompressReference | null): ChartSeries[] {
  return withOriginal(
    protocolSeries(
      rows.filter((r) => r.groupStd != null),
      (r) => ({ x: r.quality, y: (r.groupStd ?? NaN) * 100 }),
    ),
    reference?.groupStd != null ? reference.groupStd * 100 : null,
    rows.map((r) => r.quality),
  );
}

/** The x ticks of the quality charts: the qualities measured. */
export function qualityTicks(rows: readonly CompressRow[]): number[] {
  return [...new Set(rows.map((r) => r.quality))].sort((a, b) => a - b);
}
/** `compression-study-12-accuracy-quality.svg`. */
export function chartFilename(jobId: number, name: string, ext: 'svg' | 'png'): string {
  return `compression-study-${jobId}-${name}.${ext}`;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export interface SvgOptions {
  width?: number;
  /** Height of the plot area (the legend adds its rows below). */
  plotHeight?: number;
  background?: string;
  /** The y range the page shows (its floor or zoom), so the export matches it; else round values around the data. */
  yRange?: Range;
}

/**
 * A chart as a standalone SVG document (the export; the page draws the same series with chart.js): a white
 * background, the title, axes with ticks and titles, a grid, one polyline per series (with its marks), dashed
 * reference lines, and a legend below. Black on white, fixed colours: it reads the same in any theme and document.
 */
export function chartSvg(spec: ChartSpec, series: readonly ChartSeries[], opts: SvgOptions = {}): string {
  const W = opts.width ?? 640;
  const plotH = opts.plotHeight ?? 300;
  const m = { left: 64, right: 20, top: 40, bottom: 52 };
  const plotW = W - m.left - m.right;
  const shown = series.map((s) => ({
    ...s,
    points: s.points.filter((p) => finitePoint(p) && (spec.xScale !== 'log' || p.x > 0)),
  }));
  const xs = shown.flatMap((s) => s.points.map((p) => p.x));
  const ys = yExtent(shown);

  // x domain
  let xTicks: number[];
  let xLo: number;
  let xHi: number;
  if (spec.xScale === 'log') {
    ({ min: xLo, max: xHi } = logRange(xs));
    xTicks = logTicks(xLo, xHi);
  } else if (spec.xTicks && spec.xTicks.length > 0) {
    xTicks = [...spec.xTicks].sort((a, b) => a - b);
    const lo = Math.min(...xTicks, ...xs);
    const hi = Math.max(...xTicks, ...xs);
    const pad = lo === hi ? 1 : (hi - lo) * 0.03;
    xLo = lo - pad;
    xHi = hi + pad;
  } else {
    xTicks = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6);
    xLo = xTicks[0]!;
    xHi = xTicks[xTicks.length - 1]!;
  }
  // y domain
  const yTicks = opts.yRange
    ? niceTicks(opts.yRange.min, opts.yRange.max, 5).filter((t) => t >= opts.yRange!.min && t <= opts.yRange!.max)
    : niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 5);
  const yLo = opts.yRange?.min ?? yTicks[0]!;
  const yHi = opts.yRange?.max ?? yTicks[yTicks.length - 1]!;

  const fx = (x: number): number => {
    const t =
      spec.xScale === 'log'
        ? (Math.log(x) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo))
        : (x - xLo) / (xHi - xLo || 1);
    return m.left + t * plotW;
  };
  const fy = (y: number): number => m.top + plotH - ((y - yLo) / (yHi - yLo || 1)) * plotH;
  const n = (v: number) => v.toFixed(1);

  // legend layout: items in rows of what fits
  const legendItems = shown.map((s) => ({ s, w: 34 + Math.min(30, s.label.length) * 6.6 + 18 }));
  const legendRows: (typeof legendItems)[] = [];
  let row: typeof legendItems = [];
  let used = 0;
  for (const item of legendItems) {
    if (row.length > 0 && used + item.w > plotW) {
      legendRows.push(row);
      row = [];
      used = 0;
    }
    row.push(item);
    used += item.w;
  }
  if (row.length > 0) legendRows.push(row);
  const legendTop = m.top + plotH + m.bottom;
  const H = legendTop + legendRows.length * 20 + (legendRows.length ? 8 : 0);

  const colorOf = (s: ChartSeries) =>
    s.color == null ? REFERENCE_COLOR : CHART_PALETTE[s.color % CHART_PALETTE.length]!;
  const dashOf = (s: ChartSeries) =>
    LINE_DASH[s.line].length ? ` stroke-dasharray="${LINE_DASH[s.line].join(' ')}"` : '';
  const mark = (s: ChartSeries, x: number, y: number) => {
    const c = colorOf(s);
    if (s.marker === 'circle') return `<circle cx="${n(x)}" cy="${n(y)}" r="3" fill="${c}"/>`;
    if (s.marker === 'square') return `<rect x="${n(x - 3)}" y="${n(y - 3)}" width="6" height="6" fill="${c}"/>`;
    return '';
  };

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="${opts.background ?? '#ffffff'}"/>`,
    `<text x="${m.left}" y="24" font-size="14" font-weight="600" fill="#1b1f24">${escapeXml(spec.title)}</text>`,
  );
  // grid and ticks
  out.push('<g class="grid" stroke="#e5e7eb" stroke-width="1">');
  for (const t of yTicks) out.push(`<line x1="${m.left}" y1="${n(fy(t))}" x2="${m.left + plotW}" y2="${n(fy(t))}"/>`);
  for (const t of xTicks) out.push(`<line x1="${n(fx(t))}" y1="${m.top}" x2="${n(fx(t))}" y2="${m.top + plotH}"/>`);
  out.push('</g>');
  out.push('<g class="axes" stroke="#6b7280" stroke-width="1">');
  out.push(`<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}"/>`);
  out.push('</g>');
  out.push('<g class="x-ticks" fill="#4b5563" text-anchor="middle">');
  for (const t of xTicks)
    out.push(`<text x="${n(fx(t))}" y="${m.top + plotH + 16}">${escapeXml(formatTick(t))}</text>`);
  out.push('</g>');
  out.push('<g class="y-ticks" fill="#4b5563" text-anchor="end">');
  for (const t of yTicks) out.push(`<text x="${m.left - 6}" y="${n(fy(t) + 4)}">${escapeXml(formatTick(t))}</text>`);
  out.push('</g>');
  const xTitle = spec.xScale === 'log' ? `${spec.xLabel} (log scale)` : spec.xLabel;
  out.push(
    `<text class="x-label" x="${n(m.left + plotW / 2)}" y="${m.top + plotH + 38}" text-anchor="middle" fill="#1b1f24">${escapeXml(xTitle)}</text>`,
  );
  const yTitle = spec.yUnit ? `${spec.yLabel} (${spec.yUnit})` : spec.yLabel;
  out.push(
    `<text class="y-label" x="16" y="${n(m.top + plotH / 2)}" text-anchor="middle" fill="#1b1f24" transform="rotate(-90 16 ${n(m.top + plotH / 2)})">${escapeXml(yTitle)}</text>`,
  );
  // series
  for (const s of shown) {
    if (s.points.length === 0) continue;
    const pts = s.points.map((p) => `${n(fx(p.x))},${n(fy(p.y))}`).join(' ');
    out.push(`<g class="series" data-key="${escapeXml(s.key)}">`);
    out.push(
      `<polyline fill="none" stroke="${colorOf(s)}" stroke-width="2"${dashOf(s)} points="${pts}"><title>${escapeXml(s.label)}</title></polyline>`,
    );
    for (const p of s.points) out.push(mark(s, fx(p.x), fy(p.y)));
    for (const p of s.points) {
      if (p.low == null || p.high == null) continue;
      const [x, y1, y2] = [fx(p.x), fy(p.low), fy(p.high)];
      out.push(
        `<path class="interval" d="M${n(x)} ${n(y1)}V${n(y2)}M${n(x - 3)} ${n(y1)}h6M${n(x - 3)} ${n(y2)}h6" stroke="${colorOf(s)}" stroke-width="1" stroke-opacity="0.7" fill="none"/>`,
      );
    }
    out.push('</g>');
  }
  // legend
  out.push('<g class="legend" fill="#1b1f24">');
  legendRows.forEach((items, r) => {
    let x = m.left;
    const y = legendTop + r * 20 + 10;
    for (const { s, w } of items) {
      out.push(
        `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${colorOf(s)}" stroke-width="2"${dashOf(s)}/>`,
      );
      out.push(mark(s, x + 12, y));
      out.push(`<text x="${x + 30}" y="${y + 4}">${escapeXml(s.label)}</text>`);
      x += w;
    }
  });
  out.push('</g>');
  out.push('</svg>');
  return out.filter((l) => l.length > 0).join('\n');
}
