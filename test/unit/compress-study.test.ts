/**
 * The compression study's pure parts: the grid it runs (grey datasets collapse the subsampling), the evenly
 * spaced sample, the CSV table, the difference heat map, the CLI lines, and the parameter schema's refusals.
 */
import { describe, expect, it } from 'vitest';
import { CompressParams, compressTableCsv, expectedRows, gridKey } from '../../shared/compress.js';
import { differenceHeatmap } from '../../main/api/compressions.js';
import { compressPointLine, compressResultRows } from '../../main/cli/compress.js';
import { evenlySpaced, studyGrid } from '../../main/engine/compress/context.js';
import { codecPoint as codec, compressRow as row } from '../fixtures/compress.js';

describe('the study grid', () => {
  it('runs qualities high to low, 4:2:0 before 4:4:4, every pair once', () => {
    expect(
      studyGrid({ qualities: [5, 95, 50], subsampling: ['4:4:4', '4:2:0'] }, 3).map((p) =>
        gridKey(p.quality, p.subsampling),
      ),
    ).toEqual(['q95-420', 'q95-444', 'q50-420', 'q50-444', 'q5-420', 'q5-444']);
    expect(
      expectedRows({ qualities: [5, 95, 50], subsampling: ['4:4:4', '4:2:0'], protocols: ['test', 'retrain'] }, 3),
    ).toBe(12);
  });

  it('runs one subsampling for grey images (a grey JPEG has no chroma), 4:4:4 when asked for', () => {
    expect(studyGrid({ qualities: [10, 50], subsampling: ['4:2:0', '4:4:4'] }, 1)).toEqual([
      { quality: 50, subsampling: '4:4:4' },
      { quality: 10, subsampling: '4:4:4' },
    ]);
    expect(studyGrid({ qualities: [10], subsampling: ['4:2:0'] }, 1)).toEqual([{ quality: 10, subsampling: '4:2:0' }]);
    expect(expectedRows({ qualities: [10, 50], subsampling: ['4:2:0', '4:4:4'], protocols: ['test'] }, 1)).toBe(2);
  });

  it('samples evenly over rows stored class by class', () => {
    const rows = Array.from({ length: 100 }, (_, i) => i + 1000);
    expect(evenlySpaced(rows, 4)).toEqual([1000, 1025, 1050, 1075]);
    expect(evenlySpaced(rows.slice(0, 3), 4)).toEqual([1000, 1001, 1002]);
  });
});

describe('the parameters', () => {
  it("default to the thesis' qualities, both subsamplings and the test protocol", () => {
    const p = CompressParams.parse({ datasetId: 1, model: { kind: 'baseline', name: 'cnn' } });
    expect(p).toMatchObject({
      qualities: [5, 10, 15, 50, 75, 95],
      subsampling: ['4:2:0', '4:4:4'],
      protocols: ['test'],
      mozjpeg: false,
      epochs: 5,
    });
  });

  it('refuse repeated, out-of-range and empty grids', () => {
    const base = { datasetId: 1, model: { kind: 'baseline', name: 'cnn' } };
    expect(CompressParams.safeParse({ ...base, qualities: [50, 50] }).success).toBe(false);
    expect(CompressParams.safeParse({ ...base, qualities: [0] }).success).toBe(false);
    expect(CompressParams.safeParse({ ...base, qualities: [101] }).success).toBe(false);
    expect(CompressParams.safeParse({ ...base, qualities: [] }).success).toBe(false);
    expect(CompressParams.safeParse({ ...base, subsampling: ['4:2:2'] }).success).toBe(false);
    expect(CompressParams.safeParse({ ...base, protocols: ['test', 'test'] }).success).toBe(false);
  });
});

describe('the CSV table', () => {
  it('has one line per protocol × point beside its codec numbers, the original first, groups as columns', () => {
    const csv = compressTableCsv({
      reference: { accuracy: 0.95, perGroup: [{ group: 'A', accuracy: 0.9 }], groupStd: 0.05 },
      codec: [codec(95, '4:2:0', 1000), codec(5, '4:4:4', 250)],
      rows: [row('test', 95, '4:2:0', 0.94, { A: 0.9, B: 1 }), row('retrain', 5, '4:4:4', 0.5, { A: 0.4, B: 0.6 })],
    });
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      'protocol,quality,subsampling,accuracy,loss,group_std,mean_bytes,bits_per_pixel,compression_rate,psnr_db,ssim,train_seconds,class_red,"class_blue, dark",group_A,group_B',
    );
    expect(lines[1]).toBe('original,,,0.95,,0.05,,,,,,,,,0.9,');
    expect(lines[2]!.split(',').slice(0, 9)).toEqual([
      'test',
      '95',
      '4:2:0',
      '0.94',
      '0.06',
      '0.05',
      '1000',
      '7.8125',
      '1',
    ]);
    expect(lines[3]!.split(',').slice(0, 9)).toEqual([
      'retrain',
      '5',
      '4:4:4',
      '0.5',
      '0.5',
      '0.1',
      '250',
      '1.95313',
      '0.25',
    ]);
    expect(lines[3]!.split(',').slice(-2)).toEqual(['0.4', '0.6']);
  });
});

describe('the difference heat map', () => {
  it('is black where nothing changed and brightens with the error (×4, mean over channels)', () => {
    const shape = { width: 3, height: 1, channels: 3 as const };
    const original = new Uint8Array([10, 10, 10, 100, 100, 100, 0, 0, 0]);
    const decoded = new Uint8Array([10, 10, 10, 100, 100, 121, 255, 255, 255]);
    const { pixels, maxDiff } = differenceHeatmap(original, decoded, shape);
    expect(maxDiff).toBe(255);
    expect(Array.from(pixels.subarray(0, 3))).toEqual([0, 0, 0]);
    // mean error 7 → ×4 = 28 of 255 = 0.11: dark red
    expect(pixels[3]).toBe(Math.round(255 * 3 * (28 / 255)));
    expect(pixels[4]).toBe(0);
    // saturated: white
    expect(Array.from(pixels.subarray(6, 9))).toEqual([255, 255, 255]);
  });
});

describe('the CLI lines', () => {
  it('say each piece in one line', () => {
    expect(compressPointLine({ kind: 'codec', point: codec(50, '4:2:0', 812) })).toBe(
      'q  50 4:2:0  812 B/image  6.34 bpp  rate 0.812  PSNR 30.0 dB  SSIM 0.750',
    );
    expect(compressPointLine({ kind: 'accuracy', row: row('retrain', 5, '4:4:4', 0.912, { A: 0.8, B: 1 }) })).toBe(
      'retrain  q   5 4:4:4  accuracy 91.2%  group std 10.00 pts',
    );
    const rows = compressResultRows({
      model: 'm',
      network: null,
      notes: [],
      reference: { accuracy: 0.95, perGroup: null, groupStd: null, referenceBytes: 1000 },
      codec: [codec(5, '4:4:4', 250)],
      rows: [row('test', 5, '4:4:4', 0.5)],
      seconds: 1,
      backend: 'wasm',
    });
    expect(rows[0]).toMatchObject({
      protocol: 'test',
      accuracy: '50.0%',
      'Δ vs original': '-45.0 pts',
      'B/image': 250,
      rate: '0.250',
    });
  });
});
