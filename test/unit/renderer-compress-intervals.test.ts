/**
 * The compression charts' 95% intervals (each accuracy point's Wilson interval, the y range, the SVG's bars), the
 * "±" the table shows, and the notes on a stored model that the compression form reads from its report.json.
 */
import { describe, expect, it } from 'vitest';
import type { CompressRow } from '../../shared/compress.js';
import { accuracyByQuality, accuracyPoint, chartSvg, yExtent } from '../../renderer/src/lib/compress-charts.js';
import { intervalText, storedModelNotes } from '../../renderer/src/lib/meaning.js';

const row = (quality: number, accuracy: number, n: number): CompressRow => ({
  protocol: 'test',
  quality,
  subsampling: '4:2:0',
  accuracy,
  loss: 1,
  perClass: [
    { label: 0, name: 'a', correct: 0, total: n / 2, accuracy: 0 },
    { label: 1, name: 'b', correct: 0, total: n - n / 2, accuracy: 0 },
  ],
  perGroup: null,
  groupStd: null,
  trainSeconds: 0,
});

describe('accuracy intervals on the compression charts', () => {
  it('a point carries its Wilson interval in %, narrower with more images', () => {
    const p = accuracyPoint(50, row(50, 0.5, 100));
    expect(p.y).toBe(50);
    expect(p.low).toBeCloseTo(40.38, 1);
    expect(p.high).toBeCloseTo(59.62, 1);
    const wide = accuracyPoint(50, row(50, 0.5, 20));
    expect(wide.high! - wide.low!).toBeGreaterThan(p.high! - p.low!);
    // no per-class counts (nothing to size the interval by): no interval
    expect(accuracyPoint(5, { accuracy: 0.4, perClass: [] })).toEqual({ x: 5, y: 40 });
  });

  it('the y extent includes the interval ends, so the bars are not cut off', () => {
    const s = accuracyByQuality([row(5, 0.1, 40), row(95, 0.12, 40)], null);
    const ys = yExtent(s);
    expect(Math.min(...ys)).toBeLessThan(10);
    expect(Math.max(...ys)).toBeGreaterThan(20);
  });

  it('the SVG draws one bar per point with an interval, none for the reference line', () => {
    const s = accuracyByQuality([row(5, 0.1, 40), row(95, 0.12, 40)], {
      accuracy: 0.11,
      perGroup: null,
      groupStd: null,
      referenceBytes: 1,
    });
    const svg = chartSvg({ title: 't', xLabel: 'q', yLabel: 'a', yUnit: '%', xScale: 'linear' }, s);
    expect(svg.match(/class="interval"/g)).toHaveLength(2);
  });
});

describe('interval and stored-model notes as the views show them', () => {
  it('"±" is half the Wilson interval in points; the title gives its ends and the images', () => {
    expect(intervalText(0.5, 100)).toEqual({ pm: '±9.6', title: '95% interval 40.4–59.6 % over 100 test images' });
    expect(intervalText(0.5, 0)).toBeNull();
  });

  it("a stored model's report.json text: its test report's notes, none without a test or when unreadable", () => {
    const confusion = [
      [10, 0],
      [10, 0],
    ];
    const report = { test: { accuracy: 0.5, images: 20, confusion } };
    expect(storedModelNotes(JSON.stringify(report)).map((n) => n.code)).toEqual(['one-class', 'chance-level']);
    expect(storedModelNotes(JSON.stringify({ test: null }))).toEqual([]);
    expect(storedModelNotes('{not json')).toEqual([]);
  });
});
