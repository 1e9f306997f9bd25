/**
 * The NASWOT score (main/engine/naswot/score.ts, [NASWOT]): K_H = N_A − Hamming distance (bit-packed) and log|det K_H| against a
 * hand-computed 4-image case, slogdet's sign, singular and large cases, the score of an untrained NB201 network
 * (finite, repeatable for a seed, different across cells), and the rank helpers (Kendall's τ-b, mean ± std).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { byScore, evenlySpaced, kendallTau, meanStd } from '../../main/engine/naswot/rank.js';
import { hammingKernel, naswotScore, naswotScoreOfCodes, slogdet } from '../../main/engine/naswot/score.js';
import { Nb201SinglePath } from '../../main/engine/spaces/nb201/single-path.js';
import { archFromIndex, indexOfArch } from '../../main/engine/spaces/nb201/space.js';
import { rand } from '../helpers/numeric.js';

beforeAll(async () => {
  await selectBackend('cpu');
  await tf.setBackend('cpu');
});

describe('the NASWOT kernel and its log-determinant', () => {
  // 4 images, N_A = 3 ReLU units. Hamming distances: d12 = 2, d13 = 1, d14 = 1, d23 = 3, d24 = 1, d34 = 2, so
  // K_H = 3 − d (below). Along row 2 = [1, 3, 0, 2], cofactor signs (−, +, −, +):
  //   M21 = det[[1,2,2],[0,3,1],[2,1,3]] = 8 + 4 − 12 = 0,  M22 = det[[3,2,2],[2,3,1],[2,1,3]] = 24 − 8 − 8 = 8,
  //   M24 = det[[3,1,2],[2,0,3],[2,2,1]] = −18 + 4 + 8 = −6,  det K_H = −1·0 + 3·8 − 0 + 2·(−6) = 12.
  const codes = [
    [1, 0, 1],
    [1, 1, 0],
    [0, 0, 1],
    [1, 1, 1],
  ];
  const K = [
    [3, 1, 2, 2],
    [1, 3, 0, 2],
    [2, 0, 3, 1],
    [2, 2, 1, 3],
  ];

  it('K_H counts the units on which two images agree', () => {
    expect(Array.from(hammingKernel(codes.flat(), 4, 3))).toEqual(K.flat());
    // more units than one 32-bit word: 70 units, codes differing in 0, 33 and 70 places
    const a = Array.from({ length: 70 }, (_, k) => k % 2);
    const b = a.map((v, k) => (k < 33 ? 1 - v : v));
    const c = a.map((v) => 1 - v);
    expect(Array.from(hammingKernel([...a, ...b, ...c], 3, 70))).toEqual([70, 37, 0, 37, 70, 33, 0, 33, 70]);
    expect(() => hammingKernel([1, 0, 1], 2, 2)).toThrow(/not 2 codes of 2 units/);
  });

  it('log|det K_H| of the hand-computed case is log 12', () => {
    expect(slogdet(K.flat(), 4)).toEqual({ sign: 1, logAbsDet: expect.closeTo(Math.log(12), 12) as number });
    const c = tf.tensor2d(codes);
    expect(naswotScoreOfCodes(c)).toBeCloseTo(Math.log(12), 10);
    c.dispose();
  });

  it('slogdet: signs, pivoting, singular matrices, and no overflow at batch 128', () => {
    expect(slogdet([0, 1, 1, 0], 2)).toEqual({ sign: -1, logAbsDet: 0 });
    expect(slogdet([2, 0, 0, -3], 2).sign).toBe(-1);
    expect(slogdet([2, 0, 0, -3], 2).logAbsDet).toBeCloseTo(Math.log(6), 12);
    expect(slogdet([1, 2, 2, 4], 2)).toEqual({ sign: 0, logAbsDet: -Infinity });
    // two images with the same code: K_H has two equal rows
    const twins = tf.tensor2d([
      [1, 0, 1],
      [1, 0, 1],
      [0, 1, 1],
    ]);
    expect(naswotScoreOfCodes(twins)).toBe(-Infinity);
    twins.dispose();
    // 1000·I of size 128: det = 1000^128 overflows float64; its log does not
    const n = 128;
    const big = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1000 : 0));
    expect(slogdet(big, n).logAbsDet).toBeCloseTo(n * Math.log(1000), 8);
    expect(() => slogdet([1, 2, 3], 2)).toThrow(/not a 2x2/);
  });
});

describe('the score of an untrained NB201 network', () => {
  const config = { channels: 4, cells: 1, inChannels: 1, classes: 3, seed: 5 };
  const x = () => tf.tensor4d(rand(8 * 8 * 8, 2), [8, 8, 8, 1]);

  it('is finite, identical across runs for one seed, and tells cells apart', () => {
    const input = x();
    const conv = indexOfArch([3, 3, 2, 3, 2, 3]);
    const pools = indexOfArch([4, 1, 4, 1, 4, 1]);
    const scores = [0, 1].map(() => {
      const net = new Nb201SinglePath(config);
      const s = [naswotScore(net, archFromIndex(conv), input), naswotScore(net, archFromIndex(pools), input)];
      net.dispose();
      return s;
    });
    expect(scores[0]![0]).toBe(scores[1]![0]);
    expect(scores[0]![1]).toBe(scores[1]![1]);
    expect(Number.isFinite(scores[0]![0])).toBe(true);
    expect(scores[0]![0]).not.toBe(scores[0]![1]);
    // another seed, another network
    const other = new Nb201SinglePath({ ...config, seed: 6 });
    expect(naswotScore(other, archFromIndex(conv), input)).not.toBe(scores[0]![0]);
    other.dispose();
    input.dispose();
  });

  it('leaves no tensor behind', () => {
    const net = new Nb201SinglePath(config);
    const input = x();
    naswotScore(net, [3, 2, 1, 0, 4, 3], input);
    const before = tf.memory().numTensors;
    naswotScore(net, [3, 2, 1, 0, 4, 3], input);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    input.dispose();
  });
});

describe('rank helpers', () => {
  it("Kendall's τ-b: perfect, reversed, a known case and ties as scipy counts them", () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    // 8 concordant, 2 discordant pairs
    expect(kendallTau([1, 2, 3, 4, 5], [1, 3, 2, 5, 4])).toBeCloseTo(0.6, 12);
    // scipy.stats.kendalltau([1, 1, 2, 3], [1, 2, 2, 3]) = 0.8: C = 4, D = 0, one tie in each list
    expect(kendallTau([1, 1, 2, 3], [1, 2, 2, 3])).toBeCloseTo(4 / Math.sqrt(5 * 5), 12);
    expect(kendallTau([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(kendallTau([-Infinity, 1, 2], [0.1, 0.5, 0.9])).toBe(1);
  });

  it('mean ± population std, null with a −∞ repeat; ranking order; evenly spaced picks', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: Math.sqrt(2 / 3) });
    expect(meanStd([1, -Infinity])).toEqual({ mean: null, std: null });
    const order = [
      { index: 3, mean: 1 },
      { index: 1, mean: null },
      { index: 2, mean: 5 },
      { index: 0, mean: 5 },
    ].sort(byScore);
    expect(order.map((o) => o.index)).toEqual([0, 2, 3, 1]);
    expect(evenlySpaced(10, 4)).toEqual([0, 3, 6, 9]);
    expect(evenlySpaced(3, 5)).toEqual([0, 1, 2]);
  });
});
