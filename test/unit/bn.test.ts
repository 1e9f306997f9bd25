/**
 * nn/bn.ts against tfjs autodiff of the textbook formulas: batchNormTrain (batch statistics, biased variance,
 * ε = 1e-5) and weightedBnSum (Σ_p w_p · BN(Y_p)), forward values and every gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { BN_EPS, batchNormTrain, channelMean, scaleShift, weightedBnSum } from '../../main/engine/nn/bn.js';
import { rand, relError, size, type Shape4 } from '../helpers/numeric.js';
import { useBackend } from '../helpers/wasm.js';

/** The reference BN: (x − mean) / √(var + ε) · g + b over [N, H, W], var biased (tf.moments). */
function bnRef(x: tf.Tensor4D, g?: tf.Tensor1D, b?: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS)));
  return (g && b ? tf.add(tf.mul(xhat, g), b) : xhat) as tf.Tensor4D;
}

/** A plain-JS BN, for one independent check of the reference itself. */
function bnJs(x: Float32Array, shape: Shape4): Float32Array {
  const C = shape[3];
  const n = x.length / C;
  const out = new Float32Array(x.length);
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * C + c]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i * C + c]! - m) ** 2;
    v /= n;
    for (let i = 0; i < n; i++) out[i * C + c] = (x[i * C + c]! - m) / Math.sqrt(v + 1e-5);
  }
  return out;
}

/**
 * batchNormTrain(x, γ, β) against bnRef: the forward values, and the gradients into x, γ and β of Σ y·r (r: random
 * weights, so every output matters) against autodiff.
 */
function expectAffineMatchesAutodiff(x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, r: tf.Tensor4D): void {
  expect(relError(batchNormTrain(x, g, b).dataSync(), bnRef(x, g, b).dataSync())).toBeLessThan(1e-5);
  const loss = (f: typeof bnRef) => (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
    tf.sum(tf.mul(f(xx as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D), r));
  const got = tf.grads(loss(batchNormTrain))([x, g, b]);
  const want = tf.grads(loss(bnRef))([x, g, b]);
  expect(got).toHaveLength(3);
  ['x', 'gamma', 'beta'].forEach((name, k) => {
    expect(got[k]!.shape, name).toEqual(want[k]!.shape);
    // dx is a difference of nearly equal terms (dy·s − mean terms): float32 cancellation, hence 1e-4
    expect(relError(got[k]!.dataSync(), want[k]!.dataSync()), name).toBeLessThan(1e-4);
  });
}

const SHAPES: Shape4[] = [
  [2, 5, 5, 3],
  [4, 4, 6, 8],
  [1, 3, 3, 2],
];

describe('batchNormTrain (cpu)', () => {
  useBackend('cpu');

  it('the reference formula agrees with a plain loop', () => {
    const shape: Shape4 = [2, 4, 3, 3];
    const xv = rand(size(shape), 3, 2, 0.5);
    const got = tf.tidy(() => bnRef(tf.tensor4d(xv, shape)).dataSync());
    expect(relError(got, bnJs(xv, shape))).toBeLessThan(1e-5);
  });

  it.each(SHAPES.map((s, i) => [i, s] as const))(
    'affine forward and gradients match autodiff, shape %i %j',
    (i, shape) => {
      const C = shape[3];
      // an offset and a scale so mean and variance matter
      const xv = rand(size(shape), 100 + i, 3, 1.5);
      const gv = rand(C, 200 + i, 0.5, 1);
      const bv = rand(C, 300 + i);
      const rv = rand(size(shape), 400 + i);
      tf.tidy(() => {
        const x = tf.tensor4d(xv, shape);
        const g = tf.tensor1d(gv);
        const b = tf.tensor1d(bv);
        const r = tf.tensor4d(rv, shape);
        expectAffineMatchesAutodiff(x, g, b, r);
      });
    },
  );

  it('affine=false: forward and dx match autodiff', () => {
    const shape: Shape4 = [3, 4, 4, 5];
    const xv = rand(size(shape), 7, 2, -1);
    const rv = rand(size(shape), 8);
    tf.tidy(() => {
      const x = tf.tensor4d(xv, shape);
      const r = tf.tensor4d(rv, shape);
      expect(relError(batchNormTrain(x).dataSync(), bnRef(x).dataSync())).toBeLessThan(1e-5);
      const got = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xx as tf.Tensor4D), r)))(x);
      const want = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(bnRef(xx as tf.Tensor4D), r)))(x);
      expect(relError(got.dataSync(), want.dataSync())).toBeLessThan(1e-4);
    });
  });

  it('a constant channel gives zero output (variance clamped at 0, no NaN)', () => {
    tf.tidy(() => {
      const x = tf.fill([2, 3, 3, 1], 1000.5) as tf.Tensor4D;
      const y = batchNormTrain(x).dataSync();
      for (const v of y) expect(Math.abs(v)).toBeLessThan(1e-2);
      const g = tf
        .grad((xx: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTrain(xx as tf.Tensor4D), tf.range(0, 18).reshape([2, 3, 3, 1]))),
        )(x)
        .dataSync();
      for (const v of g) expect(Number.isFinite(v)).toBe(true);
    });
  });

  it('channelMean and scaleShift', () => {
    tf.tidy(() => {
      const shape: Shape4 = [2, 3, 2, 4];
      const x = tf.tensor4d(rand(size(shape), 9), shape);
      expect(relError(channelMean(x).dataSync(), tf.mean(x, [0, 1, 2]).dataSync())).toBeLessThan(1e-6);
      const s = tf.tensor1d([1, -2, 0.5, 3]);
      const t = tf.tensor1d([0.1, 0.2, -0.3, 0]);
      expect(relError(scaleShift(x, s, t).dataSync(), tf.add(tf.mul(x, s), t).dataSync())).toBeLessThan(1e-6);
      expect(relError(scaleShift(x, s).dataSync(), tf.mul(x, s).dataSync())).toBeLessThan(1e-6);
    });
  });

  it('leaks no tensors', () => {
    const shape: Shape4 = [2, 4, 4, 3];
    const xv = rand(size(shape), 1);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, shape);
        const g = tf.ones([3]) as tf.Tensor1D;
        const b = tf.zeros([3]) as tf.Tensor1D;
        tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.square(batchNormTrain(xx as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D))),
        )([x, g, b]);
      });
    run();
    const before = tf.memory().numTensors;
    run();
    run();
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Σ_p w_p · BN(Y_p) with the reference BN. */
function weightedRef(parts: tf.Tensor4D[], w: tf.Tensor1D): tf.Tensor4D {
  // tf.slice, not tf.split: tfjs' SplitV gradient fails for a single part ("Pass at least one tensor to concat")
  return tf.addN(parts.map((p, k) => tf.mul(bnRef(p), tf.slice(w, k, 1)))) as tf.Tensor4D;
}

function weightedCase(shape: Shape4, P: number, seed: number) {
  const parts = Array.from({ length: P }, (_, p) => rand(size(shape), seed + 10 * p, 1 + p, p - 1));
  const w = rand(P, seed + 999, 0.5, 0.3);
  const r = rand(size(shape), seed + 555);
  return { parts, w, r };
}

function checkWeighted(shape: Shape4, P: number, seed: number): void {
  const data = weightedCase(shape, P, seed);
  tf.tidy(() => {
    const parts = data.parts.map((v) => tf.tensor4d(v, shape));
    const w = tf.tensor1d(data.w);
    const r = tf.tensor4d(data.r, shape);
    expect(relError(weightedBnSum(parts, w).dataSync(), weightedRef(parts, w).dataSync())).toBeLessThan(1e-5);
    const loss =
      (f: typeof weightedRef) =>
      (...xs: tf.Tensor[]) =>
        tf.sum(tf.mul(f(xs.slice(0, P) as tf.Tensor4D[], xs[P] as tf.Tensor1D), r));
    const got = tf.grads(loss(weightedBnSum))([...parts, w]);
    const want = tf.grads(loss(weightedRef))([...parts, w]);
    expect(got).toHaveLength(P + 1);
    for (let k = 0; k <= P; k++) {
      const name = k < P ? `part ${k}` : 'w';
      expect(got[k]!.shape, name).toEqual(want[k]!.shape);
      // as for batchNormTrain: dY is a difference of nearly equal terms, float32 cancellation → 1e-4
      expect(relError(got[k]!.dataSync(), want[k]!.dataSync()), name).toBeLessThan(1e-4);
    }
  });
}

describe('weightedBnSum (cpu)', () => {
  useBackend('cpu');

  it('forward and gradients wrt every part and w match autodiff (7 parts, as a DARTS edge)', () =>
    checkWeighted([2, 4, 4, 3], 7, 1));
  it('one part', () => checkWeighted([3, 3, 5, 2], 1, 2));
  it('two parts, larger channels, batch 1', () => checkWeighted([1, 5, 5, 8], 2, 3));
  it('a zero weight still gives that part a w gradient and a zero part gradient', () => {
    const shape: Shape4 = [2, 3, 3, 2];
    tf.tidy(() => {
      const a = tf.tensor4d(rand(size(shape), 1, 2), shape);
      const b = tf.tensor4d(rand(size(shape), 2, 2), shape);
      const w = tf.tensor1d([0, 1]);
      const r = tf.tensor4d(rand(size(shape), 3), shape);
      const [ga, , gw] = tf.grads((x: tf.Tensor, y: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(weightedBnSum([x as tf.Tensor4D, y as tf.Tensor4D], ww as tf.Tensor1D), r)),
      )([a, b, w]);
      for (const v of ga!.dataSync()) expect(Math.abs(v)).toBeLessThan(1e-6);
      const wantW0 = tf.sum(tf.mul(bnRef(a), r)).dataSync()[0]!;
      expect(gw!.dataSync()[0]).toBeCloseTo(wantW0, 4);
    });
  });
  it('refuses a weight count that does not match the parts', () => {
    tf.tidy(() => {
      const p = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
      expect(() => weightedBnSum([p, p], tf.ones([3]) as tf.Tensor1D)).toThrow(/2 parts but 3 weights/);
    });
  });
});

describe('bn on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    await tf.setBackend('wasm');
  });

  it('batchNormTrain gradients match autodiff on wasm', () => {
    const shape: Shape4 = [2, 5, 4, 3];
    const xv = rand(size(shape), 41, 2, 1);
    const rv = rand(size(shape), 42);
    tf.tidy(() => {
      const x = tf.tensor4d(xv, shape);
      const g = tf.tensor1d([0.5, 1.5, -1]);
      const b = tf.tensor1d([0.1, 0, -0.2]);
      const r = tf.tensor4d(rv, shape);
      expectAffineMatchesAutodiff(x, g, b, r);
    });
  });

  it('weightedBnSum gradients match autodiff on wasm', () => checkWeighted([2, 4, 4, 4], 3, 77));
});
