import { describe, expect, it } from 'vitest';
import { classColor } from '../../shared/class-colors.js';
import {
  accuracyPerCellChart,
  accuracyVsTimeChart,
  compressionStagesChart,
  experimentCharts,
  niceTicks,
} from '../../shared/experiment-charts.js';
import { buildExperimentReport } from '../../shared/experiment-report.js';
import type { ExperimentParamsInput } from '../../shared/experiment.js';
import { experimentFixture } from '../fixtures/experiment-report.js';

const reportOf = (over: Partial<ExperimentParamsInput> = {}) => {
  const f = experimentFixture(over);
  return buildExperimentReport(f.params, f.input, f.datasetName);
};
const ARMS = [5, 50].flatMap((quality) => [
  { quality, stages: ['evaluation' as const] },
  { quality, stages: ['search' as const, 'evaluation' as const] },
]);
const COMPRESSION = {
  strategies: ['dds' as const],
  baselines: [],
  study: null,
  compression: [{ quality: null }, ...ARMS],
};

const attrs = (svg: string, tag: string) =>
  [...svg.matchAll(new RegExp(`<${tag} ([^>]*)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 and covers the range', () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 157.5)).toEqual([0, 50, 100, 150, 200]);
    expect(niceTicks(60, 97)).toEqual([60, 70, 80, 90, 100]);
    expect(niceTicks(60, 97, 8)).toEqual([60, 65, 70, 75, 80, 85, 90, 95, 100]);
    expect(niceTicks(0, 0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });
});

describe('experiment charts', () => {
  const report = reportOf();

  it('draws the scatter and the bars, and no compression chart without compressed arms', () => {
    const charts = experimentCharts(report, { classes: 10 });
    expect(charts.map((c) => c.name)).toEqual(['accuracy-vs-search-time', 'accuracy-per-cell']);
    for (const c of charts) {
      expect(c.svg).toMatch(
        /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="(\d+)" viewBox="0 0 800 \1"/,
      );
      expect(c.svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
    expect(compressionStagesChart(report)).toBeNull();
  });

  it('places each cell at its mean search time and test top-1, coloured as the app colours', () => {
    const svg = accuracyVsTimeChart(report, { classes: 10 })!;
    const circles = attrs(svg, 'circle');
    // baselines have no search: four points. Axes: x 0..150 s over 80..770 px, y 0..100 % over 420..60 px
    expect(circles).toHaveLength(4);
    const dds = circles.find((c) => c.fill === classColor(1))!;
    expect(Number(dds.cx)).toBeCloseTo(80 + (33 / 150) * 690, 1);
    expect(Number(dds.cy)).toBeCloseTo(420 - 0.92 * 360, 1);
    // the reference is ringed
    expect(circles.find((c) => c.fill === classColor(0))!['stroke-width']).toBe('2');
    expect(svg).toContain('>Full data (reference)</text>');
    expect(svg).toContain('>Search time (seconds)</text>');
    expect(svg).toContain('>chance level 10.0 %</text>');
    expect(svg).toContain('Not drawn, as they have no search: Baseline cnn.');
    // ± std on both axes: DDS's search time 33 ± 3 s
    const bars = [...svg.matchAll(/<path d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)/g)].map((m) => m.slice(1).map(Number));
    expect(bars).toContainEqual([
      expect.closeTo(80 + (30 / 150) * 690, 1),
      expect.closeTo(88.8, 1),
      expect.closeTo(80 + (36 / 150) * 690, 1),
      expect.closeTo(88.8, 1),
    ]);
  });

  it('reads long searches in minutes, and draws a lone instant cell without NaN', () => {
    const r = reportOf();
    for (const c of r.cells) if (c.metrics.searchSeconds) c.metrics.searchSeconds.mean *= 10;
    const svg = accuracyVsTimeChart(r)!;
    expect(svg).toContain('>Search time (minutes)</text>');
    // 0..20 min over 80..770 px: DDS at 330 s
    const dds = attrs(svg, 'circle').find((c) => c.fill === classColor(1))!;
    expect(Number(dds.cx)).toBeCloseTo(80 + (5.5 / 20) * 690, 0);

    const one = reportOf({ strategies: ['full'], seeds: [0], baselines: [], study: null });
    one.cells[0]!.metrics.searchSeconds = { mean: 0, std: null, n: 1, values: [0] };
    for (const { svg: s } of experimentCharts(one, { classes: 10 })) expect(s).not.toMatch(/NaN|Infinity/);
  });

  it('draws one bar per cell as long as its mean', () => {
    const svg = accuracyPerCellChart(report)!;
    const rects = attrs(svg, 'rect').filter((r) => r.x === '270');
    expect(rects.map((r) => r.fill)).toEqual([0, 1, 2, 3, 4].map(classColor));
    // 0..100 % over 270..730 px
    expect(rects.map((r) => Number(r.width))).toEqual(
      [0.96, 0.92, 0.11, 0.945, 0.9].map((a) => expect.closeTo(a * 460, 1)),
    );
    expect(svg).not.toContain('chance');
  });

  it('escapes every text', () => {
    const r = reportOf();
    r.cells[1]!.cell = { ...r.cells[1]!.cell, label: `a<b & "c" 'd'` };
    for (const { svg } of experimentCharts(r)) {
      expect(svg).toContain('a&lt;b &amp; &quot;c&quot; &#39;d&#39;');
      expect(svg).not.toContain('a<b');
    }
  });

  it('draws nothing before any child has finished', () => {
    const f = experimentFixture();
    expect(experimentCharts(buildExperimentReport(f.params, { ...f.input, runs: [] }, f.datasetName))).toEqual([]);
  });
});

describe('the compression-stage chart', () => {
  it('groups bars by quality, one per stage set, with the originals as a line', () => {
    const r = reportOf(COMPRESSION);
    const charts = experimentCharts(r);
    expect(charts.map((c) => c.name)).toEqual(['accuracy-vs-search-time', 'accuracy-per-cell', 'compression-stages']);
    const svg = compressionStagesChart(r)!;
    expect(svg).toContain('Test top-1 by where JPEG is applied (DDS, darts)');
    // 0..100 % over 440..100 px; the fixture loses (100 − quality) / 1000 per compressed stage
    const bars = attrs(svg, 'rect').filter((x) => x.width !== '800' && Number(x.height) > 14);
    expect(bars.map((b) => b.fill)).toEqual([classColor(0), classColor(1), classColor(0), classColor(1)]);
    const tops = bars.map((b) => Number(b.y));
    const want = [0.92 - 0.095, 0.92 - 0.19, 0.92 - 0.05, 0.92 - 0.1].map((a) => 440 - a * 340);
    tops.forEach((t, i) => expect(t).toBeCloseTo(want[i]!, 1));
    expect(svg).toContain('>JPEG quality 5</text>');
    expect(svg).toContain('>search + evaluation</text>');
    const line = attrs(svg, 'line').find((l) => l['stroke-dasharray'])!;
    expect(Number(line.y1)).toBeCloseTo(440 - 0.92 * 340, 1);
    expect(svg).toContain('>original images 92.0 %</text>');
  });

  it('draws one chart per searched family and baseline with compressed arms', () => {
    const r = reportOf({ ...COMPRESSION, strategies: ['full', 'dds'], baselines: ['cnn'] });
    const names = experimentCharts(r).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('compression-stages'))).toEqual([
      'compression-stages-1',
      'compression-stages-2',
      'compression-stages-3',
    ]);
    expect(compressionStagesChart(r, 'baseline:cnn')).toContain('(baseline cnn)');
  });
});
