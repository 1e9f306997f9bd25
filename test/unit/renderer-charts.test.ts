/**
 * The rules every chart of the UI follows (renderer/src/lib/charts.ts): accuracy axes start at a floor (0 or
 * chance) unless zoomed, log axes get readable 1-2-5 ticks, one epoch is not a dot on the axis, and the legend lists
 * only series that draw something.
 */
import { describe, expect, it } from 'vitest';
import {
  accuracyRange,
  drawnCount,
  drawnOnly,
  epochRange,
  formatTick,
  logRange,
  logTicks,
} from '../../renderer/src/lib/charts.js';
import { chartSvg, type ChartSeries } from '../../renderer/src/lib/compress-charts.js';

describe('accuracy axis', () => {
  it('starts at 0 and ends at a round value above the data, so 10.10 vs 10.15 % is not a peak', () => {
    const r = accuracyRange([10.1, 10.15, 10.1]);
    expect(r.min).toBe(0);
    expect(r.max).toBeGreaterThanOrEqual(10.15);
    expect(r.max).toBeLessThanOrEqual(15);
    // the two values are within 1 % of the axis' height
    expect((10.15 - 10.1) / (r.max - r.min)).toBeLessThan(0.01);
  });

  it('starts at chance when every value reaches it, at 0 when one is below', () => {
    expect(accuracyRange([40, 60], { floor: 10 }).min).toBe(10);
    expect(accuracyRange([8, 60], { floor: 10 }).min).toBe(0);
    expect(accuracyRange([99.5], { floor: 10 }).max).toBe(100);
  });

  it('zooms to the data, at least two points tall, within 0..100', () => {
    const z = accuracyRange([10.1, 10.15], { zoom: true });
    expect(z.min).toBeGreaterThan(5);
    expect(z.min).toBeLessThanOrEqual(10.1);
    expect(z.max).toBeGreaterThanOrEqual(10.15);
    expect(z.max - z.min).toBeGreaterThanOrEqual(2);
    const top = accuracyRange([99.9, 100], { zoom: true });
    expect(top.max).toBe(100);
    expect(accuracyRange([0.2], { zoom: true }).min).toBe(0);
  });

  it('ignores non-finite values and has a frame with none', () => {
    expect(accuracyRange([NaN, Infinity])).toEqual({ min: 0, max: 100 });
    expect(accuracyRange([NaN, 50]).max).toBeGreaterThanOrEqual(50);
  });
});

describe('x ranges', () => {
  it('puts a single epoch in the middle, not on the axis', () => {
    expect(epochRange(1, 1, [1])).toEqual({ min: 0.5, max: 1.5 });
    expect(epochRange(1, null, [1])).toEqual({ min: 0.5, max: 1.5 });
  });

  it('spans the planned epochs, or the data when it goes further', () => {
    expect(epochRange(1, 10, [1, 2])).toEqual({ min: 1, max: 10 });
    expect(epochRange(1, 3, [1, 2, 3, 4])).toEqual({ min: 1, max: 4 });
    expect(epochRange(0, null, [0, 5000])).toEqual({ min: 0, max: 5000 });
  });

  it('pads a log range, a single value in the middle', () => {
    const one = logRange([0.4]);
    expect(Math.log(0.4 / one.min)).toBeCloseTo(Math.log(one.max / 0.4), 9);
    const r = logRange([0.41, 0.43, 0.45, 0, -1]);
    expect(r.min).toBeLessThan(0.41);
    expect(r.max).toBeGreaterThan(0.45);
  });
});

describe('log ticks', () => {
  it('are 1-2-5 steps, formatted short, never four labels crowded in 0.41..0.47', () => {
    expect(logTicks(0.05, 1.2)).toEqual([0.05, 0.1, 0.2, 0.5, 1]);
    const r = logRange([0.41, 0.43, 0.45, 0.47]);
    const ticks = logTicks(r.min, r.max);
    expect(ticks.length).toBeLessThanOrEqual(3);
    expect(ticks.map(formatTick).join(' ')).not.toMatch(/\d{4,}/);
    expect(ticks.map(formatTick).every((t) => t.length <= 5)).toBe(true);
  });

  it('formats at most 3 significant digits', () => {
    expect(formatTick(0.4123)).toBe('0.412');
    expect(formatTick(0.5)).toBe('0.5');
    expect(formatTick(1234.5)).toBe('1,235');
    expect(formatTick(0)).toBe('0');
  });
});

describe('legend', () => {
  it('lists only the series that draw something', () => {
    const data = { datasets: [{ data: [1, 2] }, { data: [] }, { data: [3] }, { data: [] }] };
    expect([0, 1, 2, 3].filter((i) => drawnOnly({ datasetIndex: i }, data))).toEqual([0, 2]);
    expect(drawnOnly({}, data)).toBe(false);
    expect(drawnCount([{ points: [1] }, { points: [] }])).toBe(1);
  });
});

describe('compression chart export', () => {
  const series: ChartSeries[] = [
    {
      key: 'test',
      label: 'test',
      points: [
        { x: 50, y: 10.1 },
        { x: 90, y: 10.15 },
      ],
      color: 0,
      line: 'solid',
      marker: 'circle',
    },
  ];
  const spec = { title: 'Accuracy', xLabel: 'q', yLabel: 'acc', yUnit: '%', xScale: 'linear' as const };

  it('draws the y axis over the range the page shows (the floor), not around the data', () => {
    const yTicks = (svg: string) => [...svg.matchAll(/<text x="58" y="[\d.]+">([^<]+)<\/text>/g)].map((m) => m[1]);
    const floored = chartSvg(spec, series, { yRange: accuracyRange([10.1, 10.15]) });
    expect(yTicks(floored)[0]).toBe('0');
    const auto = chartSvg(spec, series);
    expect(Number(yTicks(auto)[0])).toBeGreaterThan(10);
  });
});
