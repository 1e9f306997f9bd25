/**
 * Training batches (data/batches.ts): per-channel statistics, normalisation, and the crop + flip augmentation with a
 * scripted rng, all checked against values worked out by hand.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelStats, cropPadding, normalizedBatch, type ImageSource } from '../../main/data/batches.js';
import type { ImageShape } from '../../main/data/tensor-store.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Images held as one packed array; records what it was asked for. */
function source(shape: ImageShape, images: number[][]): ImageSource & { asked: number[][] } {
  const asked: number[][] = [];
  return {
    shape,
    asked,
    gather(indices) {
      const idx = Array.from(indices);
      asked.push(idx);
      return Uint8Array.from(idx.flatMap((i) => images[i]!));
    },
  };
}

/** An rng that returns `values` in order and fails when asked for more. */
function scripted(values: number[]): { rng: () => number; calls: () => number } {
  let i = 0;
  return {
    rng: () => {
      if (i >= values.length) throw new Error('rng asked too often');
      return values[i++]!;
    },
    calls: () => i,
  };
}

function expectClose(got: ArrayLike<number>, want: number[], tol = 1e-6): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i]! - want[i]!), `value ${i}: ${got[i]} vs ${want[i]}`).toBeLessThan(tol);
}

describe('cropPadding', () => {
  it('is the smaller side / 8, rounded, at least 1', () => {
    expect(cropPadding({ width: 32, height: 32, channels: 3 })).toBe(4);
    expect(cropPadding({ width: 28, height: 28, channels: 1 })).toBe(4); // round(3.5)
    expect(cropPadding({ width: 8, height: 8, channels: 1 })).toBe(1);
    expect(cropPadding({ width: 64, height: 40, channels: 3 })).toBe(5);
    expect(cropPadding({ width: 2, height: 2, channels: 1 })).toBe(1); // round(0.25) = 0 → 1
  });
});

describe('channelStats', () => {
  it('computes the per-channel mean and population std of pixel / 255 over `limit` rows evenly spaced over the list', () => {
    // 2x1 RGB images. Channel 0 over images 0, 1: 51, 102, 153, 204 → 0.2, 0.4, 0.6, 0.8: mean 0.5, var 0.05.
    // Channel 1: 0, 255, 0, 255 → mean 0.5, var 0.25. Channel 2: all 255 → var 0, clamped to 1e-6 → std 0.001.
    const images = [
      [51, 0, 255, 102, 255, 255],
      [153, 0, 255, 204, 255, 255],
      [0, 0, 0, 0, 0, 0],
    ];
    const src = source({ width: 2, height: 1, channels: 3 }, images);
    // 3 rows, limit 2: every second row of the list (positions 0 and 2), i.e. images 0 and 1
    const s = channelStats(src, [0, 2, 1], 2);
    expect(src.asked).toEqual([[0, 1]]);
    expectClose(s.mean, [0.5, 0.5, 1], 1e-12);
    expectClose(s.std, [Math.sqrt(0.05), 0.5, 0.001], 1e-9);
  });
});

describe('normalizedBatch', () => {
  it('maps each value to (p / 255 − mean[c]) / std[c] and gathers labels by row', () => {
    const images = [
      [0, 10, 20, 30, 40, 50],
      [255, 128, 1, 60, 70, 80],
    ];
    const norm = { mean: [0.1, 0.5, 0.3], std: [0.25, 0.2, 0.4] };
    const src = source({ width: 2, height: 1, channels: 3 }, images);
    const { x, labels } = normalizedBatch(src, [1, 0], [7, 3], norm);
    expect(x.shape).toEqual([2, 1, 2, 3]);
    const want = [...images[1]!, ...images[0]!].map((p, i) => (p / 255 - norm.mean[i % 3]!) / norm.std[i % 3]!);
    // e.g. the first value: (1 − 0.1) / 0.25 = 3.6; a zero pixel in channel 1: −0.5 / 0.2 = −2.5
    expect(want[0]).toBeCloseTo(3.6, 12);
    expect(want[7]).toBeCloseTo(-2.5 + 10 / 255 / 0.2, 12);
    expectClose(x.dataSync(), want);
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.dataSync())).toEqual([3, 7]);
    tf.dispose([x, labels]);
  });

  // a 3x3 grey image, pixels 10..90 row by row; with mean 0.2 and std 0.5 a pixel maps to (p / 255 − 0.2) / 0.5
  const grid = [10, 20, 30, 40, 50, 60, 70, 80, 90];
  const shape: ImageShape = { width: 3, height: 3, channels: 1 };
  const norm = { mean: [0.2], std: [0.5] };
  const BORDER = -0.4; // a zero pixel: (0 − 0.2) / 0.5
  const n = (p: number): number => (p === 0 ? BORDER : (p / 255 - 0.2) / 0.5);

  it('shifts by [−pad, pad] from the rng with zero borders, and never mirrors when flip is off', () => {
    const src = source(shape, [grid, grid.map((p) => p + 1)]);
    // image 0: dy = floor(0.7·3) − 1 = +1, dx = floor(0.1·3) − 1 = −1 → out[y][x] = in[y + 1][x − 1]
    // image 1: dy = floor(0.0·3) − 1 = −1, dx = floor(0.5·3) − 1 = 0  → out[y][x] = in[y − 1][x]
    const r = scripted([0.7, 0.1, 0.0, 0.5]);
    const { x, labels } = normalizedBatch(src, [0, 1], [4, 9], norm, { pad: 1, flip: false, rng: r.rng });
    expect(r.calls()).toBe(4); // two draws per image, none for a mirror
    const image0 = [0, 40, 50, 0, 70, 80, 0, 0, 0];
    const image1 = [0, 0, 0, 11, 21, 31, 41, 51, 61];
    expectClose(x.dataSync(), [...image0, ...image1].map(n));
    expect(x.dataSync()[0]).toBeCloseTo(BORDER, 6);
    expect(Array.from(labels.dataSync())).toEqual([4, 9]);
    tf.dispose([x, labels]);
  });

  it('mirrors when flip is on and the third draw is below ½, before the shift', () => {
    const src = source(shape, [grid]);
    const cases: Array<[number[], number[]]> = [
      // no shift, mirror
      [
        [0.5, 0.5, 0.2],
        [30, 20, 10, 60, 50, 40, 90, 80, 70],
      ],
      // no shift, 0.7 ≥ ½: no mirror
      [[0.5, 0.5, 0.7], grid],
      // dx = +1 without mirror: out[y][x] = in[y][x + 1]
      [
        [0.5, 0.99, 0.9],
        [20, 30, 0, 50, 60, 0, 80, 90, 0],
      ],
      // dx = +1 with mirror: out[y][x] = in[y][(2 − x) + 1]
      [
        [0.5, 0.99, 0.49],
        [0, 30, 20, 0, 60, 50, 0, 90, 80],
      ],
    ];
    for (const [draws, want] of cases) {
      const r = scripted(draws);
      const { x, labels } = normalizedBatch(src, [0], [2], norm, { pad: 1, flip: true, rng: r.rng });
      expect(r.calls()).toBe(3);
      expectClose(x.dataSync(), want.map(n));
      tf.dispose([x, labels]);
    }
  });

  it('shifts up to pad = 2 on each axis', () => {
    // 5 choices per axis: floor(0.0·5) − 2 = −2, floor(0.99·5) − 2 = +2 → out[y][x] = in[y − 2][x + 2]
    const big = Array.from({ length: 16 }, (_, i) => i + 1); // 4x4
    const src = source({ width: 4, height: 4, channels: 1 }, [big]);
    const r = scripted([0.0, 0.99]);
    const { x, labels } = normalizedBatch(src, [0], [0], norm, { pad: 2, flip: false, rng: r.rng });
    const want = [0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 7, 8, 0, 0];
    expectClose(x.dataSync(), want.map(n));
    tf.dispose([x, labels]);
  });
});
