/**
 * The autoencoder's losses on hand-computed cases (wasm backend, as training runs here), their gradients,
 * Kendall weighting, and the fast 4×4 stride-2 convolutions against tfjs's own conv2d/conv2dTranspose.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { conv4s2, convT4s2 } from '../../main/engine/embed/autoencoder.js';
import {
  circleLoss,
  contractiveLoss,
  contractivePenaltyFromPair,
  cosineEmbeddingLoss,
  kendallWeighted,
  mseLoss,
  tripletMarginLoss,
} from '../../main/engine/nn/losses.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { useBackend } from '../helpers/wasm.js';

useBackend('wasm');

const val = (t: tf.Tensor): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};
const allFinite = (ts: tf.Tensor[]): boolean => ts.every((t) => Array.from(t.dataSync()).every(Number.isFinite));

describe('mseLoss', () => {
  it('is the mean of squared differences', () => {
    expect(val(mseLoss(tf.tensor([1, 2, 3, 4]), tf.tensor([1, 0, 3, 0])))).toBeCloseTo((4 + 16) / 4, 6);
  });
});

describe('contractive penalty', () => {
  it('finite difference of a linear encoder: ‖z(x+σε) − z(x)‖²/σ² = ‖Aε‖², and E over ε is ‖A‖²_F', () => {
    // z = A x with A = [[1, 2], [0, 3]] (‖A‖²_F = 14), x flattened from a [B, 1, 2, 1] image
    const a = tf.tensor2d([
      [1, 0],
      [2, 3],
    ]); // z = x·A (row vectors) so J = Aᵀ, same Frobenius norm
    const encode = (x: tf.Tensor4D) => tf.matMul(tf.reshape(x, [x.shape[0], 2]), a) as tf.Tensor2D;
    const b = 4096;
    const x = tf.zeros([b, 1, 2, 1]) as tf.Tensor4D;
    const { penalty, z } = contractiveLoss(encode, x, { sigma: 0.01, seed: 3 });
    expect(z.shape).toEqual([b, 2]);
    expect(val(penalty)).toBeCloseTo(14, 0); // Monte Carlo over 4096 draws: ±0.4
    // the pair form on a hand case: differences (0.01, 0.02) and (0, 0) → (1e-4 + 4e-4) / 2 / 1e-4 = 2.5
    const p = contractivePenaltyFromPair(
      tf.tensor2d([
        [0, 0],
        [1, 1],
      ]),
      tf.tensor2d([
        [0.01, 0.02],
        [1, 1],
      ]),
      0.01,
    );
    expect(val(p)).toBeCloseTo(2.5, 3);
    tf.dispose([a, x, z]);
  });

  it('has finite gradients with respect to the encoder weights', () => {
    const w = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 1));
    const x = tf.randomUniform([8, 2, 2, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const { value, grads } = tf.variableGrads(() => {
      const { penalty } = contractiveLoss(
        (xx) => tf.tanh(tf.matMul(tf.reshape(xx, [xx.shape[0], 4]), w)) as tf.Tensor2D,
        x,
        { seed: 5 },
      );
      return penalty;
    }, [w]);
    expect(Number.isFinite(val(value))).toBe(true);
    expect(allFinite(Object.values(grads))).toBe(true);
    tf.dispose([w, x, ...Object.values(grads)]);
  });
});

describe('tripletMarginLoss', () => {
  // 1-D codes: class 0 at 0 and 1, class 1 at 3
  const z = () => tf.tensor2d([[0], [1], [3]]);
  const labels = [0, 0, 1];

  it('batch-hard: mean over anchors with a positive and a negative of [d(a,p) − d(a,n) + m]₊', () => {
    // anchor 0: dp = 1, dn = 3 → [1 − 3 + 2]₊ = 0; anchor 1: dp = 1, dn = 2 → 1; anchor 2: no positive
    expect(val(tripletMarginLoss(z(), labels, 2, { mode: 'batch-hard' }))).toBeCloseTo(0.5, 5);
  });

  it('random: with one positive and one negative per anchor the draw is forced, same value', () => {
    expect(val(tripletMarginLoss(z(), labels, 2, { mode: 'random', rng: mulberry32(1) }))).toBeCloseTo(0.5, 5);
  });

  it('random sampling is seeded', () => {
    const zz = tf.randomNormal([16, 4], 0, 1, 'float32', 7) as tf.Tensor2D;
    const ls = Array.from({ length: 16 }, (_, i) => i % 3);
    const a = val(tripletMarginLoss(zz, ls, 1, { rng: mulberry32(9) }));
    const b = val(tripletMarginLoss(zz, ls, 1, { rng: mulberry32(9) }));
    expect(a).toBe(b);
    zz.dispose();
  });

  it('is 0 when no anchor has a positive, and has finite gradients (coincident points too)', () => {
    expect(val(tripletMarginLoss(tf.tensor2d([[0], [1]]), [0, 1], 1))).toBe(0);
    const v = tf.variable(
      tf.tensor2d([
        [0, 0],
        [0, 0],
        [1, 1],
        [2, 0],
      ]),
    );
    for (const mode of ['random', 'batch-hard'] as const) {
      const { grads } = tf.variableGrads(
        () => tripletMarginLoss(v, [0, 0, 1, 1], 1, { mode, rng: mulberry32(2) }),
        [v],
      );
      expect(allFinite(Object.values(grads))).toBe(true);
      tf.dispose(Object.values(grads));
    }
    v.dispose();
  });
});

describe('cosineEmbeddingLoss', () => {
  it('mean over pairs of 1 − cos (same class) and [cos − margin]₊ (different class)', () => {
    // z0 = (1, 0), z1 = (1, 1)/√2·k, z2 = (0, 1); labels 0, 0, 1
    // pair (0,1) same: 1 − cos45 = 1 − 0.70711; pair (0,2) diff: [0 − 0]₊ = 0; pair (1,2) diff: cos45 = 0.70711
    const z = tf.tensor2d([
      [1, 0],
      [2, 2],
      [0, 1],
    ]);
    expect(val(cosineEmbeddingLoss(z, [0, 0, 1]))).toBeCloseTo((1 - Math.SQRT1_2 + Math.SQRT1_2) / 3, 5);
    // margin 0.5: (1 − 0.70711 + 0.20711) / 3
    expect(val(cosineEmbeddingLoss(z, [0, 0, 1], 0.5))).toBeCloseTo((1 - Math.SQRT1_2 + (Math.SQRT1_2 - 0.5)) / 3, 5);
  });
});

describe('circleLoss', () => {
  it('matches the formula on one positive and one negative pair', () => {
    // z0 = (1, 0), z1 = (1, 1), z2 = (−1, 0), labels 0, 0, 1 → s_p = cos(z0,z1) = 0.70711;
    // negatives: s(z0,z2) = −1, s(z1,z2) = −0.70711
    const m = 0.25;
    const gamma = 4;
    const sp = Math.SQRT1_2;
    const sns = [-1, -Math.SQRT1_2];
    const ap = Math.max(1 + m - sp, 0);
    const lp = -gamma * ap * (sp - (1 - m));
    const ln = sns.map((sn) => gamma * Math.max(sn + m, 0) * (sn - m));
    const lse = (xs: number[]) => {
      const mx = Math.max(...xs);
      return mx + Math.log(xs.reduce((s, x) => s + Math.exp(x - mx), 0));
    };
    const want = Math.log1p(Math.exp(lse(ln) + lp));
    const z = tf.tensor2d([
      [1, 0],
      [1, 1],
      [-1, 0],
    ]);
    expect(val(circleLoss(z, [0, 0, 1], m, gamma))).toBeCloseTo(want, 5);
  });

  it('has finite gradients with the paper default γ = 256', () => {
    const v = tf.variable(tf.randomNormal([12, 8], 0, 1, 'float32', 4));
    const { value, grads } = tf.variableGrads(
      () =>
        circleLoss(
          v as tf.Variable<tf.Rank.R2>,
          Array.from({ length: 12 }, (_, i) => i % 4),
        ),
      [v],
    );
    expect(Number.isFinite(val(value))).toBe(true);
    expect(allFinite(Object.values(grads))).toBe(true);
    tf.dispose([v, ...Object.values(grads)]);
  });
});

describe('kendallWeighted', () => {
  it('L = Σ exp(−s_i)·L_i + s_i and dL/ds_i = 1 − exp(−s_i)·L_i', () => {
    const s = tf.variable(tf.tensor1d([0, 1, -0.5]));
    const terms = [2, 0.5, 3];
    const want = terms.reduce((acc, l, i) => acc + Math.exp(-[0, 1, -0.5][i]!) * l + [0, 1, -0.5][i]!, 0);
    const { value, grads } = tf.variableGrads(
      () =>
        kendallWeighted(
          terms.map((t) => tf.scalar(t)),
          s as tf.Variable<tf.Rank.R1>,
        ),
      [s],
    );
    expect(val(value)).toBeCloseTo(want, 5);
    const g = Array.from(Object.values(grads)[0]!.dataSync());
    [0, 1, -0.5].forEach((si, i) => expect(g[i]).toBeCloseTo(1 - Math.exp(-si) * terms[i]!, 5));
    tf.dispose([s, ...Object.values(grads)]);
  });
});

describe('fast 4×4 stride-2 convolutions (custom gradients)', () => {
  it('match tf.conv2d / tf.conv2dTranspose and their gradients', () => {
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([4, 4, 3, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const g = tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 3) as tf.Tensor4D;
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => val(tf.max(tf.abs(tf.sub(a, b))));
    // conv
    expect(maxDiff(conv4s2(x, w), tf.conv2d(x, w, 2, 'same'))).toBeLessThan(1e-4);
    const [gx1, gw1] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(conv4s2(a as tf.Tensor4D, b as tf.Tensor4D), g)),
    )([x, w]);
    const [gx2, gw2] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), g)),
    )([x, w]);
    expect(maxDiff(gx1!, gx2!)).toBeLessThan(1e-4);
    expect(maxDiff(gw1!, gw2!)).toBeLessThan(1e-3);
    // transposed: [2, 4, 4, 5] → [2, 8, 8, 3] with the same [4, 4, 3, 5] filter
    const gy = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4);
    expect(maxDiff(convT4s2(g, w), tf.conv2dTranspose(g, w, [2, 8, 8, 3], 2, 'same'))).toBeLessThan(1e-4);
    const [gh1, gf1] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(convT4s2(a as tf.Tensor4D, b as tf.Tensor4D), gy)),
    )([g, w]);
    const [gh2, gf2] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 8, 8, 3], 2, 'same'), gy)),
    )([g, w]);
    expect(maxDiff(gh1!, gh2!)).toBeLessThan(1e-4);
    expect(maxDiff(gf1!, gf2!)).toBeLessThan(1e-3);
    tf.dispose([x, w, g, gy, gx1!, gw1!, gx2!, gw2!, gh1!, gf1!, gh2!, gf2!]);
  });
});
