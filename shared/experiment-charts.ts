/**
 * The experiment report's charts as SVG text (the report folder renders them to PNG too): test top-1 against search
 * time, test top-1 per cell, and test top-1 per JPEG quality by the stages compressed. Pure; every text is escaped.
 * Drawn 800 wide, readable at 800 × 500; a cell keeps its colour (the app's palette, shared/class-colors.ts) across
 * the charts.
 */
import { classColor } from './class-colors.js';
import { EXPERIMENT_STAGES, STRATEGY_LABELS } from './experiment-defaults.js';
import type { CellReport, ExperimentReport, MetricSummary } from './experiment.js';
import { percent } from './experiment-report.js';

export interface ExperimentChart {
  /** File name without extension. */
  name: string;
  title: string;
  svg: string;
}

/** Options the report does not hold. */
export interface ChartOptions {
  /** The dataset's number of classes: draws chance level and lets the accuracy axis start there. */
  classes?: number;
}

const W = 800;
const H = 500;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const TEXT = '#24292f';
const MUTED = '#57606a';
const GRID = '#d8dee4';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A coordinate with one decimal, no "-0". */
const n1 = (v: number): string => {
  const r = Math.round(v * 10) / 10;
  return String(r === 0 ? 0 : r);
};

/** Tick values at 1-2-5 steps covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step + 1e-9) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < hi - 1e-9) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function svgDoc(title: string, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
    `<text x="24" y="30" font-size="18" font-weight="bold" fill="${TEXT}" ${FONT}>${esc(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** A label cut to two lines of about `chars` characters at word breaks, with an ellipsis past that. */
function wrap(label: string, chars: number): string[] {
  const words = label.split(' ');
  const lines: string[] = [''];
  for (const w of words) {
    const cur = lines[lines.length - 1]!;
    if (!cur) lines[lines.length - 1] = w;
    else if (cur.length + 1 + w.length <= chars) lines[lines.length - 1] = `${cur} ${w}`;
    else lines.push(w);
  }
  if (lines.length <= 2) return lines;
  const second = lines.slice(1).join(' ');
  return [lines[0]!, `${second.slice(0, chars - 1).trimEnd()}…`];
}

/** An error bar from `a` to `b` (pixels) at `at`, with caps; vertical or horizontal. */
function errorBar(at: number, a: number, b: number, vertical: boolean, color: string): string {
  const cap = 5;
  const [x1, y1, x2, y2] = vertical ? [at, a, at, b] : [a, at, b, at];
  const caps = vertical
    ? `M${n1(at - cap)} ${n1(a)}H${n1(at + cap)}M${n1(at - cap)} ${n1(b)}H${n1(at + cap)}`
    : `M${n1(a)} ${n1(at - cap)}V${n1(at + cap)}M${n1(b)} ${n1(at - cap)}V${n1(at + cap)}`;
  return `<path d="M${n1(x1)} ${n1(y1)}L${n1(x2)} ${n1(y2)}${caps}" stroke="${color}" stroke-width="1.5" fill="none"/>`;
}

/** The accuracy axis' range in percent: from chance level or below the lowest value to above the highest. */
function accuracyRange(summaries: MetricSummary[], chance: number | null): { ticks: number[]; lo: number; hi: number } {
  const lows = summaries.map((s) => (s.mean - (s.std ?? 0)) * 100);
  const highs = summaries.map((s) => (s.mean + (s.std ?? 0)) * 100);
  let lo = Math.min(...lows, chance === null ? Infinity : chance * 100);
  let hi = Math.max(...highs);
  const pad = Math.max(2, (hi - lo) * 0.08);
  lo = Math.max(0, Math.floor((lo - pad) / 10) * 10);
  hi = Math.min(100, hi + pad);
  const ticks = niceTicks(lo, hi).filter((t) => t >= 0 && t <= 100);
  return { ticks, lo: ticks[0]!, hi: ticks[ticks.length - 1]! };
}

const chanceOf = (o: ChartOptions): number | null => (o.classes && o.classes > 0 ? 1 / o.classes : null);

/** Horizontal grid lines and labels for a value axis on the left. */
function yAxis(f: Frame, ticks: number[], y: (v: number) => number, label: (v: number) => string, title: string) {
  const out = ticks.map(
    (t) =>
      `<line x1="${f.left}" x2="${f.right}" y1="${n1(y(t))}" y2="${n1(y(t))}" stroke="${GRID}"/>` +
      `<text x="${f.left - 8}" y="${n1(y(t))}" dy="0.35em" text-anchor="end" font-size="13" fill="${MUTED}" ${FONT}>${esc(label(t))}</text>`,
  );
  const mid = (f.top + f.bottom) / 2;
  out.push(
    `<text transform="translate(20 ${n1(mid)}) rotate(-90)" text-anchor="middle" font-size="14" fill="${TEXT}" ${FONT}>${esc(title)}</text>`,
  );
  return out;
}

/** A dashed line across the plot at pixel `at` (horizontal, or vertical), labelled at its end. */
function markLine(f: Frame, at: number, text: string, vertical = false): string {
  const line = vertical
    ? `<line x1="${n1(at)}" x2="${n1(at)}" y1="${f.top}" y2="${f.bottom}" stroke="${MUTED}" stroke-dasharray="6 4"/>`
    : `<line x1="${f.left}" x2="${f.right}" y1="${n1(at)}" y2="${n1(at)}" stroke="${MUTED}" stroke-dasharray="6 4"/>`;
  const label = vertical
    ? `<text x="${n1(at + 4)}" y="${f.top - 6}" font-size="12" fill="${MUTED}" ${FONT}>${esc(text)}</text>`
    : `<text x="${f.right - 4}" y="${n1(at - 5)}" text-anchor="end" font-size="12" fill="${MUTED}" ${FONT}>${esc(text)}</text>`;
  return line + label;
}

const colorOf = (report: ExperimentReport, c: CellReport): string => classColor(report.cells.indexOf(c));

// ---- (a) accuracy against search time ---------------------------------------------------------------------

/** Test top-1 against search time, one point per cell with ± std bars on both; null when no cell has both. */
export function accuracyVsTimeChart(report: ExperimentReport, o: ChartOptions = {}): string | null {
  const cells = report.cells.filter((c) => c.metrics.testAccuracy && c.metrics.searchSeconds);
  if (cells.length === 0) return null;
  const f: Frame = { left: 80, right: W - 30, top: 60, bottom: H - 80 };
  const maxSeconds = Math.max(...cells.map((c) => c.metrics.searchSeconds!.mean + (c.metrics.searchSeconds!.std ?? 0)));
  const [unit, per] = maxSeconds >= 7200 ? ['hours', 3600] : maxSeconds >= 300 ? ['minutes', 60] : ['seconds', 1];
  const xTicks = niceTicks(0, Math.max(1, (maxSeconds / per) * 1.05));
  const xHi = xTicks[xTicks.length - 1]!;
  const chance = chanceOf(o);
  const yr = accuracyRange(
    cells.map((c) => c.metrics.testAccuracy!),
    chance,
  );
  const x = (s: number) => f.left + ((s / per) * (f.right - f.left)) / xHi;
  const y = (pct: number) => f.bottom - ((pct - yr.lo) / (yr.hi - yr.lo)) * (f.bottom - f.top);
  const body = yAxis(f, yr.ticks, y, (t) => `${t} %`, 'Test top-1 (%)');
  for (const t of xTicks)
    body.push(
      `<line x1="${n1(x(t * per))}" x2="${n1(x(t * per))}" y1="${f.top}" y2="${f.bottom}" stroke="${GRID}"/>` +
        `<text x="${n1(x(t * per))}" y="${f.bottom + 20}" text-anchor="middle" font-size="13" fill="${MUTED}" ${FONT}>${t}</text>`,
    );
  body.push(
    `<text x="${n1((f.left + f.right) / 2)}" y="${f.bottom + 44}" text-anchor="middle" font-size="14" fill="${TEXT}" ${FONT}>Search time (${unit})</text>`,
  );
  if (chance !== null && chance * 100 >= yr.lo)
    body.push(markLine(f, y(chance * 100), `chance level ${percent(chance)}`));
  // the points first; then each label beside its point's error bar, moved up or down (with a leader line) until it
  // covers no other label and no point
  const pts = cells.map((c) => {
    const acc = c.metrics.testAccuracy!;
    const sec = c.metrics.searchSeconds!;
    return {
      c,
      px: x(sec.mean),
      py: y(acc.mean * 100),
      x0: x(sec.mean - (sec.std ?? 0)),
      x1: x(sec.mean + (sec.std ?? 0)),
    };
  });
  for (const { c, px, py, x0, x1 } of pts) {
    const acc = c.metrics.testAccuracy!;
    const sec = c.metrics.searchSeconds!;
    const color = colorOf(report, c);
    const ref = c.cell.key === report.reference;
    const g = [`<g><title>${esc(`${c.cell.label}: ${percent(acc.mean)}, ${n1(sec.mean)} s`)}</title>`];
    if (acc.std) g.push(errorBar(px, y((acc.mean - acc.std) * 100), y((acc.mean + acc.std) * 100), true, color));
    if (sec.std) g.push(errorBar(py, x0, x1, false, color));
    g.push(
      `<circle cx="${n1(px)}" cy="${n1(py)}" r="6" fill="${color}" stroke="${ref ? TEXT : '#ffffff'}" stroke-width="${ref ? 2 : 1}"/></g>`,
    );
    body.push(g.join(''));
  }
  const boxes = pts.map((p) => ({ x: p.px - 7, y: p.py - 7, w: 14, h: 14 }));
  const hits = (b: { x: number; y: number; w: number; h: number }) =>
    boxes.some((o) => b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h);
  const labels: string[] = [];
  for (const { c, px, py, x1, x0 } of [...pts].sort((a, b) => a.py - b.py)) {
    const text = c.cell.key === report.reference ? `${c.cell.label} (reference)` : c.cell.label;
    const w = text.length * 7;
    const right = Math.max(px + 8, x1 + 6) + w <= f.right;
    const lx = right ? Math.max(px + 8, x1 + 6) : Math.min(px - 8, x0 - 6) - w;
    let dy = 0;
    for (let k = 1; k < 40 && hits({ x: lx, y: py + dy - 8, w, h: 16 }); k++)
      dy = (k % 2 ? -1 : 1) * Math.ceil(k / 2) * 16;
    const ly = py + dy;
    boxes.push({ x: lx, y: ly - 8, w, h: 16 });
    if (dy !== 0)
      labels.push(
        `<line x1="${n1(px)}" y1="${n1(py)}" x2="${n1(right ? lx - 2 : lx + w + 2)}" y2="${n1(ly)}" stroke="${MUTED}" stroke-width="0.8"/>`,
      );
    labels.push(
      `<text x="${n1(right ? lx : lx + w)}" y="${n1(ly)}" dy="0.35em" text-anchor="${right ? 'start' : 'end'}" font-size="13" fill="${TEXT}" ${FONT}>${esc(text)}</text>`,
    );
  }
  body.push(...labels);
  const left = report.cells.filter((c) => !cells.includes(c) && c.metrics.testAccuracy);
  if (left.length)
    body.push(
      `<text x="24" y="${H - 14}" font-size="12" fill="${MUTED}" ${FONT}>${esc(`Not drawn, as they have no search: ${left.map((c) => c.cell.label).join(', ')}.`)}</text>`,
    );
  return svgDoc('Test top-1 against search time (mean ± std over seeds)', H, body);
}

// ---- (b) accuracy per cell ----------------------------------------------------------------------------------

/** Test top-1 per cell as horizontal bars with ± std; null when no cell has a test top-1 yet. */
export function accuracyPerCellChart(report: ExperimentReport, o: ChartOptions = {}): string | null {
  const cells = report.cells.filter((c) => c.metrics.testAccuracy);
  if (cells.length === 0) return null;
  const row = 36;
  const height = Math.max(H, 110 + cells.length * row);
  const f: Frame = { left: 270, right: W - 70, top: 60, bottom: height - 50 };
  const x = (pct: number) => f.left + (pct / 100) * (f.right - f.left);
  const band = (f.bottom - f.top) / cells.length;
  const body: string[] = [];
  for (const t of niceTicks(0, 100))
    body.push(
      `<line x1="${n1(x(t))}" x2="${n1(x(t))}" y1="${f.top}" y2="${f.bottom}" stroke="${GRID}"/>` +
        `<text x="${n1(x(t))}" y="${f.bottom + 20}" text-anchor="middle" font-size="13" fill="${MUTED}" ${FONT}>${t} %</text>`,
    );
  body.push(
    `<text x="${n1((f.left + f.right) / 2)}" y="${f.bottom + 42}" text-anchor="middle" font-size="14" fill="${TEXT}" ${FONT}>Test top-1 (%)</text>`,
  );
  cells.forEach((c, i) => {
    const acc = c.metrics.testAccuracy!;
    const color = colorOf(report, c);
    const mid = f.top + band * (i + 0.5);
    const h = Math.min(24, band * 0.7);
    const ref = c.cell.key === report.reference;
    const lines = wrap(ref ? `${c.cell.label} (reference)` : c.cell.label, 34);
    const g = [`<g><title>${esc(`${c.cell.label}: ${percent(acc.mean)} over ${acc.n} seeds`)}</title>`];
    g.push(
      `<rect x="${f.left}" y="${n1(mid - h / 2)}" width="${n1(x(acc.mean * 100) - f.left)}" height="${n1(h)}" fill="${color}"/>`,
    );
    if (acc.std)
      g.push(errorBar(mid, x((acc.mean - acc.std) * 100), x(Math.min(1, acc.mean + acc.std) * 100), false, TEXT));
    const end = x(Math.min(1, acc.mean + (acc.std ?? 0)) * 100);
    g.push(
      `<text x="${n1(end + 6)}" y="${n1(mid)}" dy="0.35em" font-size="12" fill="${TEXT}" ${FONT}>${esc(percent(acc.mean))}</text>`,
    );
    lines.forEach((l, k) =>
      g.push(
        `<text x="${f.left - 10}" y="${n1(mid + (k - (lines.length - 1) / 2) * 15)}" dy="0.35em" text-anchor="end" font-size="13" fill="${TEXT}"${ref ? ' font-weight="bold"' : ''} ${FONT}>${esc(l)}</text>`,
      ),
    );
    g.push('</g>');
    body.push(g.join(''));
  });
  const chance = chanceOf(o);
  if (chance !== null) body.push(markLine(f, x(chance * 100), `chance ${percent(chance)}`, true));
  return svgDoc('Test top-1 per cell (mean ± std over seeds)', height, body);
}

// ---- (c) compression stages ---------------------------------------------------------------------------------

/** What a cell is apart from its compression arm: the cells of one family differ only in their JPEG. */
const familyOf = (c: CellReport): string =>
  c.cell.baseline ? `baseline:${c.cell.baseline}` : `${c.cell.strategy}/${c.cell.algorithm}`;
const compressed = (c: CellReport): boolean =>
  c.cell.compression.quality !== null && c.cell.compression.stages.length > 0;
const stageSet = (c: CellReport): string =>
  EXPERIMENT_STAGES.filter((s) => c.cell.compression.stages.includes(s)).join(' + ');

/** The families of cells that have compressed arms, in the grid's order. */
export function compressionFamilies(report: ExperimentReport): string[] {
  return [...new Set(report.cells.filter(compressed).map(familyOf))];
}

/**
 * Test top-1 per JPEG quality, one bar per set of compressed stages, for one family of cells (the first with
 * compressed arms when not named); the originals as a dashed line. Null when the grid has no compressed arm there.
 */
export function compressionStagesChart(report: ExperimentReport, family?: string): string | null {
  const fam = family ?? compressionFamilies(report)[0];
  const cells = report.cells.filter((c) => familyOf(c) === fam);
  const arms = cells.filter(compressed);
  if (arms.length === 0) return null;
  const qualities = [...new Set(arms.map((c) => c.cell.compression.quality!))].sort((a, b) => a - b);
  const sets = [...new Set(arms.map(stageSet))].sort(
    (a, b) => a.split(' + ').length - b.split(' + ').length || a.localeCompare(b),
  );
  const original = cells.find((c) => !compressed(c))?.metrics.testAccuracy ?? null;
  const f: Frame = { left: 80, right: W - 30, top: 100, bottom: H - 60 };
  const y = (pct: number) => f.bottom - (pct / 100) * (f.bottom - f.top);
  const body = yAxis(f, niceTicks(0, 100), y, (t) => `${t} %`, 'Test top-1 (%)');
  const group = (f.right - f.left) / qualities.length;
  const bar = Math.min(48, (group * 0.8) / sets.length);
  // the legend flows left to right, onto a second line where it must
  let lx = f.left + 130;
  let ly = 55;
  body.push(`<text x="${f.left}" y="${ly}" dy="0.35em" font-size="13" fill="${MUTED}" ${FONT}>JPEG applied at:</text>`);
  sets.forEach((s, k) => {
    const w = 20 + s.length * 7.5 + 24;
    if (lx + w > f.right && lx > f.left + 130) {
      lx = f.left + 130;
      ly += 20;
    }
    body.push(
      `<rect x="${n1(lx)}" y="${ly - 7}" width="14" height="14" fill="${classColor(k)}"/>` +
        `<text x="${n1(lx + 20)}" y="${ly}" dy="0.35em" font-size="13" fill="${TEXT}" ${FONT}>${esc(s)}</text>`,
    );
    lx += w;
  });
  qualities.forEach((q, gi) => {
    const g0 = f.left + gi * group + (group - bar * sets.length) / 2;
    body.push(
      `<text x="${n1(f.left + (gi + 0.5) * group)}" y="${f.bottom + 22}" text-anchor="middle" font-size="13" fill="${TEXT}" ${FONT}>JPEG quality ${q}</text>`,
    );
    sets.forEach((s, k) => {
      const acc = arms.find((c) => c.cell.compression.quality === q && stageSet(c) === s)?.metrics.testAccuracy;
      if (!acc) return;
      const bx = g0 + k * bar;
      const g = [`<g><title>${esc(`JPEG ${q} at ${s}: ${percent(acc.mean)} over ${acc.n} seeds`)}</title>`];
      g.push(
        `<rect x="${n1(bx + 2)}" y="${n1(y(acc.mean * 100))}" width="${n1(bar - 4)}" height="${n1(f.bottom - y(acc.mean * 100))}" fill="${classColor(k)}"/>`,
      );
      if (acc.std)
        g.push(
          errorBar(bx + bar / 2, y((acc.mean - acc.std) * 100), y(Math.min(1, acc.mean + acc.std) * 100), true, TEXT),
        );
      g.push('</g>');
      body.push(g.join(''));
    });
  });
  if (original) body.push(markLine(f, y(original.mean * 100), `original images ${percent(original.mean)}`));
  const who = cells[0]!.cell;
  const name = who.baseline ? `baseline ${who.baseline}` : `${STRATEGY_LABELS[who.strategy!]}, ${who.algorithm}`;
  return svgDoc(`Test top-1 by where JPEG is applied (${name})`, H, body);
}

/** Every chart the report has data for, in reading order. */
export function experimentCharts(report: ExperimentReport, o: ChartOptions = {}): ExperimentChart[] {
  const out: ExperimentChart[] = [];
  const scatter = accuracyVsTimeChart(report, o);
  if (scatter) out.push({ name: 'accuracy-vs-search-time', title: 'Test top-1 against search time', svg: scatter });
  const bars = accuracyPerCellChart(report, o);
  if (bars) out.push({ name: 'accuracy-per-cell', title: 'Test top-1 per cell', svg: bars });
  const families = compressionFamilies(report);
  families.forEach((fam, i) => {
    const svg = compressionStagesChart(report, fam);
    if (svg)
      out.push({
        name: families.length > 1 ? `compression-stages-${i + 1}` : 'compression-stages',
        title: 'Test top-1 by where JPEG is applied',
        svg,
      });
  });
  return out;
}
