/**
 * The Compression page's results helpers (renderer/src/lib/compress-study.ts, compress-charts.ts, compress-table.ts):
 * the grid as points arrive, the series the charts draw, the table, the SVG export and the image viewer's rows.
 */
import { describe, expect, it } from 'vitest';
import type {
  CodecPoint,
  CompressReference,
  CompressRow,
  CompressionImages,
  Subsampling,
} from '../../shared/compress.js';
import type { PushMessage } from '../../shared/jobs.js';
import {
  accuracyByQuality,
  accuracyByRate,
  biasByQuality,
  chartFilename,
  chartSvg,
  groupAccuracyByQuality,
  groupNames,
  hasGroups,
  qualityTicks,
  type ChartSeries,
  type ChartSpec,
} from '../../renderer/src/lib/compress-charts.js';
import {
  applyPoints,
  compressPointFromPush,
  emptyStudy,
  progressGrid,
  studyOfDetail,
  usedSubsamplings,
} from '../../renderer/src/lib/compress-study.js';
import { defaultZoom, tableRows, viewerQualities, viewerRows } from '../../renderer/src/lib/compress-table.js';
import { formatDelta, formatPsnr, formatRate } from '../../renderer/src/lib/compress.js';
import { svgSize } from '../../renderer/src/lib/download.js';
import { logTicks, niceTicks } from '../../renderer/src/lib/charts.js';
import { codecPoint as codec, compressRow as row } from '../fixtures/compress.js';

// ---- fixtures ------------------------------------------------------------------------------------------------------

const REFERENCE: CompressReference = {
  accuracy: 0.9,
  perGroup: [
    { group: 'm', correct: 92, total: 100, accuracy: 0.92 },
    { group: 'f', correct: 88, total: 100, accuracy: 0.88 },
  ],
  groupStd: 0.02,
  referenceBytes: 1000,
};

const ROWS: CompressRow[] = [
  row('test', 95, '4:2:0', 0.89, { m: 0.9, f: 0.88 }),
  row('test', 50, '4:2:0', 0.85, { m: 0.88, f: 0.82 }),
  row('test', 5, '4:2:0', 0.6, { m: 0.7, f: 0.5 }),
  row('test', 95, '4:4:4', 0.9, { m: 0.91, f: 0.89 }),
  row('test', 50, '4:4:4', 0.86, { m: 0.89, f: 0.83 }),
  row('retrain', 5, '4:2:0', 0.8, { m: 0.82, f: 0.78 }),
];
const CODEC: CodecPoint[] = [
  codec(95, '4:2:0', 1000),
  codec(50, '4:2:0', 400),
  codec(5, '4:2:0', 150),
  codec(95, '4:4:4', 1400),
  codec(50, '4:4:4', 600),
];

// ---- the study as it arrives --------------------------------------------------------------------------------------

describe('study pieces and the grid', () => {
  it('takes compress-point pushes of its own job only, and merges them by point', () => {
    const push = (jobId: number, data: unknown): PushMessage =>
      ({ channel: 'job.event', jobId, seq: 1, ts: 0, event: { type: 'compress-point', data } }) as PushMessage;
    const ref = { kind: 'reference' as const, reference: REFERENCE, model: 'plain CNN' };
    expect(compressPointFromPush(push(5, ref), 5)).toEqual(ref);
    expect(compressPointFromPush(push(6, ref), 5)).toBeNull();
    expect(
      compressPointFromPush(
        { channel: 'job.event', jobId: 5, seq: 2, ts: 0, event: { type: 'log', level: 'info', message: 'x' } },
        5,
      ),
    ).toBeNull();

    let s = applyPoints(emptyStudy(), [ref, { kind: 'codec', point: CODEC[0]! }, { kind: 'accuracy', row: ROWS[0]! }]);
    expect(s.model).toBe('plain CNN');
    expect(s.reference).toEqual(REFERENCE);
    s = applyPoints(s, [
      { kind: 'accuracy', row: { ...ROWS[0]!, accuracy: 0.5 } },
      { kind: 'codec', point: CODEC[1]! },
    ]);
    expect(s.rows).toHaveLength(1);
    expect(s.rows[0]!.accuracy).toBe(0.5);
    expect(s.codec).toHaveLength(2);
    const d = studyOfDetail({ reference: null, codec: CODEC, rows: ROWS, summary: { model: 'x' } });
    expect(d).toEqual({ reference: null, model: 'x', codec: CODEC, rows: ROWS });
  });

  it('knows which subsamplings a study runs (grey: one)', () => {
    const p = {
      qualities: [5, 50, 95],
      subsampling: ['4:4:4', '4:2:0'] as Subsampling[],
      protocols: ['test'] as CompressRow['protocol'][],
    };
    expect(usedSubsamplings(p)).toEqual(['4:2:0', '4:4:4']);
    expect(usedSubsamplings(p, { channels: 3 })).toEqual(['4:2:0', '4:4:4']);
    expect(usedSubsamplings(p, { channels: 1 })).toEqual(['4:4:4']);
    expect(usedSubsamplings(p, { rowsTotal: 3 })).toEqual(['4:4:4']);
    expect(usedSubsamplings(p, { rowsTotal: 6 })).toEqual(['4:2:0', '4:4:4']);
    expect(usedSubsamplings({ ...p, subsampling: ['4:2:0'] }, { channels: 1 })).toEqual(['4:2:0']);
  });

  it('fills the grid: quality columns high to low, subsampling rows, a state per protocol', () => {
    const g = progressGrid(
      { qualities: [5, 50, 95], subsamplings: ['4:2:0', '4:4:4'], protocols: ['test', 'retrain'] },
      { codec: CODEC, rows: ROWS },
    );
    expect(g.qualities).toEqual([95, 50, 5]);
    expect(g.rows.map((r) => r.subsampling)).toEqual(['4:2:0', '4:4:4']);
    expect(g.rowsTotal).toBe(12);
    expect(g.rowsDone).toBe(6);
    const cell = (q: number, s: Subsampling) =>
      g.rows.find((r) => r.subsampling === s)!.cells.find((c) => c.quality === q)!;
    expect(cell(95, '4:2:0').state).toBe('partial');
    expect(cell(95, '4:2:0').protocols).toEqual([
      { protocol: 'test', state: 'done', accuracy: 0.89 },
      { protocol: 'retrain', state: 'pending', accuracy: null },
    ]);
    expect(cell(5, '4:2:0').state).toBe('done');
    expect(cell(5, '4:4:4')).toMatchObject({ state: 'pending', codec: null, key: 'q5-444' });
    expect(cell(50, '4:4:4').codec?.meanBytes).toBe(600);
  });
});

// ---- series -------------------------------------------------------------------------------------------------------

/** A point without its interval (the intervals are tested in renderer-compress-intervals.test.ts). */
const xy = ({ x, y }: { x: number; y: number }) => ({ x, y });

describe('chart series', () => {
  it('accuracy vs quality: one line per protocol × subsampling, in %, and the original dashed', () => {
    const s = accuracyByQuality(ROWS, REFERENCE);
    expect(s.map((x) => x.label)).toEqual(['Test, 4:2:0', 'Test, 4:4:4', 'Retrain, 4:2:0', 'original images']);
    expect(s[0]!.points.map(xy)).toEqual([
      { x: 5, y: 60 },
      { x: 50, y: 85 },
      { x: 95, y: 89 },
    ]);
    expect(s[0]).toMatchObject({ color: 0, line: 'solid', marker: 'circle' });
    expect(s[1]).toMatchObject({ color: 0, line: 'dotted', marker: 'square' });
    expect(s[2]).toMatchObject({ color: 1, line: 'solid' });
    expect(s[3]).toMatchObject({
      key: 'reference',
      color: null,
      line: 'dashed',
      marker: 'none',
      points: [
        { x: 5, y: 90 },
        { x: 95, y: 90 },
      ],
    });
    // one subsampling: the label is the protocol alone
    expect(
      accuracyByQuality(
        ROWS.filter((r) => r.subsampling === '4:2:0' && r.protocol === 'test'),
        null,
      ).map((x) => x.label),
    ).toEqual(['Test']);
    expect(qualityTicks(ROWS)).toEqual([5, 50, 95]);
  });

  it('accuracy vs compression rate: rows joined with their codec point, sorted by rate', () => {
    const s = accuracyByRate(ROWS, CODEC, REFERENCE);
    expect(s.map((x) => x.label)).toEqual(['Test, 4:2:0', 'Test, 4:4:4', 'Retrain, 4:2:0', 'original images']);
    expect(s[0]!.points.map(xy)).toEqual([
      { x: 0.15, y: 60 },
      { x: 0.4, y: 85 },
      { x: 1, y: 89 },
    ]);
    expect(s[1]!.points.map((p) => p.x)).toEqual([0.6, 1.4]);
    expect(s[3]!.points).toEqual([
      { x: 0.15, y: 90 },
      { x: 1.4, y: 90 },
    ]);
    // without codec points, no line and no reference
    expect(accuracyByRate(ROWS, [], null)).toEqual([]);
  });

  it('per-group accuracy for one protocol and subsampling, and the bias in points', () => {
    expect(hasGroups(ROWS, null)).toBe(true);
    expect(hasGroups([row('test', 5, '4:2:0', 0.5)], null)).toBe(false);
    expect(groupNames(ROWS, REFERENCE)).toEqual(['f', 'm']);
    const g = groupAccuracyByQuality(ROWS, 'test', '4:2:0');
    expect(g.map((x) => x.label)).toEqual(['f', 'm']);
    expect(g[0]!.points).toEqual([
      { x: 5, y: 50 },
      { x: 50, y: 82 },
      { x: 95, y: 88 },
    ]);
    expect(g.map((x) => x.color)).toEqual([0, 1]);
    const b = biasByQuality(ROWS, REFERENCE);
    expect(b.map((x) => x.label)).toEqual(['Test, 4:2:0', 'Test, 4:4:4', 'Retrain, 4:2:0', 'original images']);
    expect(b[0]!.points.map((p) => Number(p.y.toFixed(6)))).toEqual([10, 3, 1]);
    expect(b[3]!.points[0]!.y).toBeCloseTo(2);
  });
});

// ---- the table and numbers ----------------------------------------------------------------------------------------

describe('results table', () => {
  it('one line per row: protocol order, 4:2:0 first, high quality first, with codec numbers and Δ', () => {
    const t = tableRows(ROWS, CODEC, REFERENCE);
    expect(t.map((r) => r.key)).toEqual([
      'test-q95-420',
      'test-q50-420',
      'test-q5-420',
      'test-q95-444',
      'test-q50-444',
      'retrain-q5-420',
    ]);
    expect(t[0]).toMatchObject({
      bytes: '1,000 B',
      bpp: '7.81',
      rate: '1.00×',
      psnr: '39.0 dB',
      ssim: '0.9750',
      accuracy: '89.0 %',
      delta: '−1.0 pp',
      groupStd: '1.0 pp',
    });
    expect(t[2]).toMatchObject({ rate: '0.15×', delta: '−30.0 pp', worse: true });
    expect(t[5]).toMatchObject({ key: 'retrain-q5-420', bytes: '150 B', accuracy: '80.0 %' });
    // a row whose point has no codec numbers (yet)
    expect(tableRows([row('test', 10, '4:2:0', 0.7)], CODEC, REFERENCE)[0]).toMatchObject({
      bytes: '—',
      bpp: '—',
      rate: '—',
      psnr: '—',
      ssim: '—',
    });
    expect(tableRows(ROWS, CODEC, null)[0]!.delta).toBe('—');
  });

  it('formats rates, PSNR and differences', () => {
    expect(formatRate(0.05)).toBe('0.050×');
    expect(formatRate(1.4)).toBe('1.40×');
    expect(formatPsnr(99)).toBe('≥ 99 dB');
    expect(formatPsnr(31.26)).toBe('31.3 dB');
    expect(formatDelta(0.004)).toBe('+0.4 pp');
    expect(formatDelta(-0.0001)).toBe('±0.0 pp');
    expect(formatDelta(null)).toBe('—');
  });
});

// ---- SVG export ---------------------------------------------------------------------------------------------------

describe('chartSvg', () => {
  const spec: ChartSpec = {
    title: 'Accuracy vs JPEG quality',
    xLabel: 'JPEG quality',
    yLabel: 'top-1 accuracy',
    yUnit: '%',
    xScale: 'linear',
    xTicks: [5, 50, 95],
  };

  it('draws one polyline per series, the axes with their titles and ticks, and a legend', () => {
    const series = accuracyByQuality(ROWS, REFERENCE);
    const svg = chartSvg(spec, series);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg).toContain('<title>Accuracy vs JPEG quality</title>');
    expect(svg).toContain('>JPEG quality</text>');
    expect(svg).toContain('>top-1 accuracy (%)</text>');
    for (const t of ['5', '50', '95']) expect(svg).toContain(`>${t}</text>`);
    for (const l of ['Test, 4:2:0', 'Test, 4:4:4', 'Retrain, 4:2:0', 'original images'])
      expect(svg).toContain(`>${l}</text>`);
    // the reference is dashed, 4:4:4 dotted
    expect(svg).toMatch(/<polyline [^>]*stroke-dasharray="7 4"/);
    expect(svg).toMatch(/<polyline [^>]*stroke-dasharray="2 3"/);
    // 3 points in the first line; markers: circles for 4:2:0, squares for 4:4:4
    const first = /<g class="series" data-key="test-4:2:0">\n<polyline [^>]*points="([^"]+)"/.exec(svg);
    expect(first?.[1]?.split(' ')).toHaveLength(3);
    expect(svg.match(/<circle /g)!.length).toBeGreaterThanOrEqual(4);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="6"/g)!.length).toBeGreaterThanOrEqual(2);
    // balanced groups, and a size the PNG export can read
    expect(svg.match(/<g[ >]/g)!.length).toBe(svg.match(/<\/g>/g)!.length);
    expect(svgSize(svg)).toMatchObject({ width: 640 });
  });

  /** A solid line through the points (x0, y0, x1, y1, …). */
  const line = (
    key: string,
    label: string,
    xy: number[],
    color: number,
    marker: ChartSeries['marker'],
  ): ChartSeries => ({
    key,
    label,
    points: Array.from({ length: xy.length / 2 }, (_, i) => ({ x: xy[2 * i]!, y: xy[2 * i + 1]! })),
    color,
    line: 'solid',
    marker,
  });

  it('maps x and y onto the plot: higher quality right, higher accuracy up', () => {
    const svg = chartSvg(spec, [line('a', 'a', [5, 60, 95, 90], 0, 'none')]);
    const pts = /<polyline [^>]*points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts[1]![0]!).toBeGreaterThan(pts[0]![0]!);
    expect(pts[1]![1]!).toBeLessThan(pts[0]![1]!);
  });

  it('escapes text, labels a log axis and draws nothing for empty series', () => {
    const series = [line('x', 'A <&> "B"', [0.2, 1, 1, 2], 2, 'circle'), line('e', 'empty', [], 3, 'circle')];
    const svg = chartSvg(
      { ...spec, title: 'Rate & accuracy', xLabel: 'size vs q95', xScale: 'log', xTicks: undefined },
      series,
    );
    expect(svg).toContain('A &lt;&amp;&gt; &quot;B&quot;');
    expect(svg).toContain('Rate &amp; accuracy');
    expect(svg).toContain('>size vs q95 (log scale)</text>');
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(chartSvg(spec, [])).not.toMatch(/NaN|Infinity/);
  });

  it('picks round ticks', () => {
    expect(niceTicks(60, 90, 5)).toEqual([60, 70, 80, 90]);
    expect(niceTicks(61, 89, 6)).toEqual([60, 65, 70, 75, 80, 85, 90]);
    expect(niceTicks(0.3, 9.2, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(50, 50)).toEqual([47, 48, 49, 50, 51, 52, 53]);
    expect(logTicks(0.09, 1.5)).toEqual([0.1, 0.2, 0.5, 1]);
    expect(logTicks(0.3, 0.45)).toEqual([0.3, 0.45]);
    expect(chartFilename(12, 'accuracy-quality', 'svg')).toBe('compression-study-12-accuracy-quality.svg');
  });
});

// ---- viewer, list, settings, route --------------------------------------------------------------------------------

describe('image viewer', () => {
  const point = (quality: number, subsampling: Subsampling) => ({
    quality,
    subsampling,
    image: `img-${quality}-${subsampling}`,
    diff: `diff-${quality}`,
    psnr: 30,
    maxDiff: 4,
  });
  it('rows 4:2:0 above 4:4:4, qualities high to low; a zoom that keeps small images readable', () => {
    const rows = viewerRows([
      point(5, '4:4:4'),
      point(95, '4:2:0'),
      point(5, '4:2:0'),
      point(95, '4:4:4'),
      point(50, '4:2:0'),
    ]);
    expect(rows.map((r) => r.subsampling)).toEqual(['4:2:0', '4:4:4']);
    expect(rows[0]!.points.map((p) => p.quality)).toEqual([95, 50, 5]);
    expect(rows[1]!.points.map((p) => p.quality)).toEqual([95, 5]);
    expect(viewerRows([point(5, '4:4:4')]).map((r) => r.subsampling)).toEqual(['4:4:4']);
    const images: CompressionImages = {
      width: 28,
      height: 28,
      images: [
        {
          index: 1,
          className: 'a',
          group: null,
          original: 'o',
          points: [point(5, '4:2:0'), point(95, '4:2:0'), point(50, '4:4:4')],
        },
      ],
    };
    expect(viewerQualities(images)).toEqual([95, 50, 5]);
    expect(defaultZoom(28)).toBe(4);
    expect(defaultZoom(32)).toBe(3);
    expect(defaultZoom(224)).toBe(1);
  });
});
