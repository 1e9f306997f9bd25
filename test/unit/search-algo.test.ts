/**
 * The search algorithms' distinctive rules on hand-built cases (main/engine/search/algorithms/): second-order
 * DARTS' finite-difference Hessian-vector product and unrolled α gradient, GDAS' straight-through Gumbel sample,
 * its temperature schedule and its single-operation forward pass, PC-DARTS' channel shuffle, partial channels and
 * β in the derivation, β-DARTS' regulariser, and the refusals.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DARTS_OPS, DARTS_STEPS } from '../../shared/genotype/ops.js';
import { deriveDartsGenotype } from '../../shared/genotype/derive.js';
import { SearchParams } from '../../shared/search.js';
import { betaDecay, betaDecayLambda } from '../../main/engine/search/algorithms/beta-decay.js';
import { gdasTau, gumbelHard, gumbelNoise, gumbelSampler } from '../../main/engine/search/algorithms/gdas.js';
import { algorithmRefusal, supernetOptions, warmupEpochs } from '../../main/engine/search/algorithms/index.js';
import { finiteDifferenceHvp, unrolledAlphaGradient } from '../../main/engine/search/algorithms/second-order.js';
import { searchRefusal } from '../../main/engine/search/context.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { DartsSupernet, channelShuffle, scaleRows } from '../../main/engine/spaces/darts/supernet.js';
import { Nb201Supernet } from '../../main/engine/spaces/nb201/supernet.js';
import type { PathSampler, Supernet } from '../../main/engine/spaces/supernet.js';
import { rand } from '../helpers/numeric.js';
import { datasetFacts } from '../fixtures/dataset-facts.js';
import { useBackend } from '../helpers/wasm.js';

useBackend('cpu');

const arr = (t: tf.Tensor) => Array.from(t.dataSync());

describe('second-order DARTS', () => {
  it('the finite-difference Hessian-vector product matches the exact one on a quadratic', () => {
    // L_train(w, α) = ½ wᵀAw + αᵀBw: ∇α L = Bw, so ∇²α,w L · v = Bv exactly
    const A = tf.tensor2d([
      [2, 0.5, 0],
      [0.5, 1, 0.2],
      [0, 0.2, 3],
    ]);
    const B = tf.tensor2d([
      [1, -2, 0.5],
      [0.3, 0.7, -1],
    ]);
    const w = tf.variable(tf.tensor1d([0.3, -0.2, 0.9]), true, 'hvp.w');
    const a = tf.variable(tf.tensor1d([0.1, -0.4]), true, 'hvp.a');
    const col = (x: tf.Tensor) => tf.reshape(x, [-1, 1]);
    const trainLoss = () =>
      tf.add(
        tf.mul(0.5, tf.sum(tf.mul(col(w), tf.matMul(A, col(w))))),
        tf.sum(tf.mul(col(a), tf.matMul(B, col(w)))),
      ) as tf.Scalar;
    const v = tf.tensor1d([1, 2, -0.5]);
    const at = [tf.clone(w)];
    const { hvp, epsilon } = finiteDifferenceHvp({ weights: [w], alphas: [a], trainLoss, valLoss: trainLoss }, at, [v]);
    const exact = arr(tf.matMul(B, col(v)));
    arr(hvp[0]!).forEach((x, i) => expect(x).toBeCloseTo(exact[i]!, 3));
    expect(epsilon).toBeCloseTo(0.01 / Math.sqrt(1 + 4 + 0.25), 8);
    // the weights end where they began, exactly
    expect(arr(w)).toEqual(arr(at[0]!));
  });

  it('the unrolled α gradient is the hypergradient through one weight step; first order sees none', () => {
    // L_train = ½‖w − α‖², L_val = ½‖w − c‖²: w' = w − ξ(w − α), dL_val(w'(α))/dα = ξ (w' − c); ∇α L_val = 0
    const w = tf.variable(tf.tensor1d([1, -1]), true, 'unroll.w');
    const a = tf.variable(tf.tensor1d([0.5, 0.25]), true, 'unroll.a');
    const c = tf.tensor1d([2, 3]);
    const xi = 0.1;
    const problem = {
      weights: [w],
      alphas: [a],
      trainLoss: () => tf.mul(0.5, tf.sum(tf.square(tf.sub(w, a)))) as tf.Scalar,
      valLoss: () => tf.mul(0.5, tf.sum(tf.square(tf.sub(w, c)))) as tf.Scalar,
    };
    const { grads } = unrolledAlphaGradient(problem, { xi, momentum: 0, weightDecay: 0 });
    const w0 = [1, -1];
    const a0 = [0.5, 0.25];
    const wPrime = w0.map((x, i) => x - xi * (x - a0[i]!));
    const want = wPrime.map((x, i) => xi * (x - [2, 3][i]!));
    arr(grads[0]!).forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 3));
    // it points where a step on α lowers L_val after the weight step; first order (∇α L_val at w) is zero here
    expect(() => tf.variableGrads(problem.valLoss, [a])).toThrow(/connection/);
    expect(arr(w)).toEqual(w0);
    // momentum and weight decay enter the virtual step as the optimiser would take it
    const buf = new Float32Array([0.5, -0.5]);
    const withMomentum = unrolledAlphaGradient(problem, {
      xi,
      momentum: 0.9,
      weightDecay: 0.01,
      momentumBuffers: [buf],
    });
    const wm = w0.map((x, i) => x - xi * (0.9 * buf[i]! + (x - a0[i]!) + 0.01 * x));
    arr(withMomentum.grads[0]!).forEach((g, i) => expect(g).toBeCloseTo(xi * (wm[i]! - [2, 3][i]!), 3));
  });
});

describe('GDAS', () => {
  it('the hard sample is one-hot, the argmax of the perturbed logits, with the soft gradient', () => {
    const alpha = tf.tensor2d([
      [0.1, 0.5, -0.3, 0.2],
      [1, 0, 0, 0],
      [-2, 0.3, 0.3, 0.1],
    ]);
    const noise = gumbelNoise(3, 4, mulberry32(5));
    const tau = 2;
    const { index, hard } = gumbelHard(alpha, noise, tau);
    const h = arr(hard);
    for (let r = 0; r < 3; r++) {
      const row = h.slice(4 * r, 4 * r + 4);
      row.forEach((x, c) => expect(x).toBeCloseTo(c === index[r] ? 1 : 0, 6));
      const perturbed = [0, 1, 2, 3].map((c) => alpha.arraySync()[r]![c]! + noise[4 * r + c]!);
      expect(index[r]).toBe(perturbed.indexOf(Math.max(...perturbed)));
    }
    // gradient: that of p = softmax((log_softmax(α) + g) / τ), not zero
    const up = tf.tensor2d(rand(12, 3), [3, 4]);
    const gHard = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(gumbelHard(a as tf.Tensor2D, noise, tau).hard, up)))(alpha);
    const gSoft = tf.grad((a: tf.Tensor) =>
      tf.sum(tf.mul(tf.softmax(tf.div(tf.add(tf.logSoftmax(a as tf.Tensor2D), tf.tensor2d(noise, [3, 4])), tau)), up)),
    )(alpha);
    const gh = arr(gHard);
    arr(gSoft).forEach((x, i) => expect(gh[i]).toBeCloseTo(x, 6));
    expect(gh.some((x) => Math.abs(x) > 1e-4)).toBe(true);
  });

  it('anneals τ linearly from τ_max in the first epoch to τ_min in the last', () => {
    expect(gdasTau(0, 5, 10, 0.1)).toBe(10);
    expect(gdasTau(4, 5, 10, 0.1)).toBeCloseTo(0.1, 12);
    expect(gdasTau(2, 5, 10, 0.1)).toBeCloseTo(5.05, 12);
    expect(gdasTau(0, 1, 10, 0.1)).toBe(10);
  });

  it('the same stream samples the same path; α receives a gradient through the sampled forward pass', () => {
    const net = new Nb201Supernet({ channels: 4, cells: 1, inChannels: 1, classes: 3, seed: 1 });
    try {
      const x = tf.tensor4d(rand(2 * 8 * 8, 4), [2, 8, 8, 1]);
      const s1 = gumbelSampler(3, 'gdas:0:0:a', 10)(net.archMatrices[0]!, 0);
      const s2 = gumbelSampler(3, 'gdas:0:0:a', 10)(net.archMatrices[0]!, 0);
      expect(Array.from(s1.index)).toEqual(Array.from(s2.index));
      net.sampler = gumbelSampler(3, 'gdas:0:0:a', 10);
      net.gradTarget = 'alphas';
      const { grads } = tf.variableGrads(() => tf.sum(net.logits(x)) as tf.Scalar, [net.archMatrices[0]!]);
      const g = arr(grads[net.archMatrices[0]!.name]!);
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g.some((v) => Math.abs(v) > 0)).toBe(true);
    } finally {
      net.dispose();
    }
  });

  /** Kernel calls of one forward pass, by name. */
  async function kernels(net: Supernet, x: tf.Tensor4D): Promise<Map<string, number>> {
    const info = await tf.profile(() => {
      net.logits(x).dispose();
    });
    const counts = new Map<string, number>();
    for (const k of info.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
    return counts;
  }

  /** Every edge of every cell takes operation `op`. */
  const always =
    (op: number): PathSampler =>
    (alpha) => {
      const [rows, cols] = alpha.shape as [number, number];
      const onehot = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) onehot[r * cols + op] = 1;
      return { index: new Int32Array(rows).fill(op), hard: tf.tensor2d(onehot, [rows, cols]) };
    };

  it('computes only the sampled operation: a sampled sep_conv_3x3 everywhere runs its two depthwise kernels per edge', async () => {
    const cells = 3;
    const net = new DartsSupernet({ channels: 4, cells, inChannels: 1, classes: 3, seed: 2 });
    try {
      const x = tf.tensor4d(rand(2 * 8 * 8, 7), [2, 8, 8, 1]);
      const mixture = await kernels(net, x);
      net.sampler = always(DARTS_OPS.indexOf('sep_conv_3x3'));
      const sep = await kernels(net, x);
      net.sampler = always(DARTS_OPS.indexOf('max_pool_3x3'));
      const pool = await kernels(net, x);
      const depthwise = (m: Map<string, number>) =>
        [...m].filter(([k]) => k.startsWith('Depthwise')).reduce((a, [, n]) => a + n, 0);
      const edges = 14 * cells;
      expect(depthwise(sep)).toBe(2 * edges);
      expect(depthwise(pool)).toBe(0);
      expect(pool.get('MaxPool')).toBe(edges);
      // the mixture runs all four convolutions (2 + 2 + 1 + 1 depthwise kernels) on every edge
      expect(depthwise(mixture)).toBeGreaterThanOrEqual(6 * edges);
    } finally {
      net.dispose();
    }
  });
});

describe('PC-DARTS', () => {
  it('shuffles channels in K groups as the NCHW view-transpose does', () => {
    // 8 channels, 4 groups of 2: out[i·4 + g] = in[g·2 + i]
    const x = tf.tensor4d(
      Array.from({ length: 8 }, (_, c) => c),
      [1, 1, 1, 8],
    );
    expect(arr(channelShuffle(x, 4))).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    expect(arr(channelShuffle(x, 2))).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
  });

  it("builds each edge's operations for C/K channels and keeps the cell's output shape", () => {
    const full = new DartsSupernet({ channels: 8, cells: 3, inChannels: 1, classes: 3, seed: 1 });
    const pc = new DartsSupernet({
      channels: 8,
      cells: 3,
      inChannels: 1,
      classes: 3,
      seed: 1,
      partialChannels: 4,
      edgeNormalisation: true,
    });
    try {
      const shape = (n: DartsSupernet, name: string) => n.weights.list.find((e) => e.name === name)!.shape;
      expect(shape(full, 'cells.0.edges.0.sep_conv_3x3.pw1')).toEqual([1, 1, 8, 8]);
      expect(shape(pc, 'cells.0.edges.0.sep_conv_3x3.pw1')).toEqual([1, 1, 2, 2]);
      // a reduction cell (cells.1) doubles C: 16 / 4
      expect(shape(pc, 'cells.1.edges.0.sep_conv_3x3.pw1')).toEqual([1, 1, 4, 4]);
      expect(pc.alphas.list.map((e) => e.name)).toEqual(['alpha.normal', 'alpha.reduce', 'beta.normal', 'beta.reduce']);
      // α is drawn as DARTS draws it (β comes after)
      expect(arr(pc.archMatrices[0]!)).toEqual(arr(full.archMatrices[0]!));
      const x = tf.tensor4d(rand(2 * 8 * 8, 3), [2, 8, 8, 1]);
      expect(pc.logits(x).shape).toEqual([2, 3]);
      const snap = pc.alphaSnapshot();
      // β: a softmax over each node's incoming edges (2, 3, 4, 5)
      let offset = 0;
      for (let node = 0; node < DARTS_STEPS; node++) {
        const sum = snap.edges!.normal.slice(offset, offset + node + 2).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 6);
        offset += node + 2;
      }
    } finally {
      full.dispose();
      pc.dispose();
    }
  });

  it('weighs each edge by β in the derivation', () => {
    // node 1 (edges 2, 3, 4): edges 2 and 3 have the strongest operation, but β favours edges 3 and 4
    const rows = Array.from({ length: 14 }, () => [0.02, 0.1, 0.1, 0.1, 0.3, 0.18, 0.1, 0.1]);
    rows[2] = [0, 0, 0, 0, 0.6, 0.2, 0.1, 0.1];
    rows[3] = [0, 0, 0, 0, 0.5, 0.3, 0.1, 0.1];
    rows[4] = [0, 0, 0, 0, 0.4, 0.4, 0.1, 0.1];
    const beta = Array.from({ length: 14 }, () => 0.5);
    beta[2] = 0.1;
    beta[3] = 0.45;
    beta[4] = 0.45;
    const plain = deriveDartsGenotype(rows, rows);
    const weighted = deriveDartsGenotype(scaleRows(rows, beta), scaleRows(rows, beta));
    expect(plain.normal.slice(2, 4).map(([, i]) => i)).toEqual([0, 1]);
    expect(weighted.normal.slice(2, 4).map(([, i]) => i)).toEqual([1, 2]);
  });
});

describe('β-DARTS', () => {
  it('the Beta-Decay regulariser: mean log-sum-exp of the rows, gradient softmax / rows', () => {
    const a = tf.tensor2d([
      [0, Math.log(3)],
      [0, 0],
    ]);
    const b = tf.tensor2d([[Math.log(2), Math.log(2)]]);
    // rows: ln 4, ln 2, ln 4 -> mean
    expect(betaDecay([a, b]).dataSync()[0]).toBeCloseTo((2 * Math.log(4) + Math.log(2)) / 3, 6);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => betaDecay([x, y]))([a, b]);
    arr(ga!).forEach((g, i) => expect(g).toBeCloseTo([0.25, 0.75, 0.5, 0.5][i]! / 3, 6));
    arr(gb!).forEach((g) => expect(g).toBeCloseTo(0.5 / 3, 6));
  });

  it('raises λ linearly from 0 (its code: 50·epoch/100 over 50 epochs)', () => {
    expect(betaDecayLambda(0, 50, 25)).toBe(0);
    expect(betaDecayLambda(49, 50, 25)).toBeCloseTo((50 * 49) / 100, 12);
  });
});

describe('algorithm parameters and refusals', () => {
  const params = (p: Record<string, unknown>) => SearchParams.parse({ datasetId: 1, ...p });

  it('defaults to first-order DARTS on the plain supernet', () => {
    const p = params({});
    expect(p.algorithm).toBe('darts');
    expect(supernetOptions(p)).toEqual({});
    expect(warmupEpochs(p)).toBe(0);
    expect(algorithmRefusal(p)).toBeNull();
  });

  it('pc-darts (and beta-darts on it) use partial channels and the paper warm-up share', () => {
    expect(supernetOptions(params({ algorithm: 'pc-darts' }))).toEqual({ partialChannels: 4, edgeNormalisation: true });
    expect(supernetOptions(params({ algorithm: 'beta-darts', betaDecayOn: 'pc-darts' }))).toEqual({
      partialChannels: 4,
      edgeNormalisation: true,
    });
    expect(warmupEpochs(params({ algorithm: 'pc-darts', epochs: 50 }))).toBe(15);
    expect(warmupEpochs(params({ algorithm: 'pc-darts', epochs: 50, alphaWarmupEpochs: 3 }))).toBe(3);
  });

  it('refuses what an algorithm does not define, saying why', () => {
    expect(algorithmRefusal(params({ algorithm: 'pc-darts', space: 'nb201' }))).toMatch(/DARTS space/);
    expect(algorithmRefusal(params({ algorithm: 'pc-darts', channels: 12 }))).toMatch(/multiple of 8/);
    expect(algorithmRefusal(params({ algorithm: 'gdas', tauMax: 1, tauMin: 2 }))).toMatch(/tau-min/);
    expect(algorithmRefusal(params({ algorithm: 'gdas', space: 'nb201' }))).toBeNull();
    expect(algorithmRefusal(params({ algorithm: 'darts2', space: 'nb201' }))).toBeNull();
  });

  it("the search's refusal (what jobs.start checks up front) includes the algorithm's", () => {
    const d = datasetFacts(3, { w: 50, a: 50 });
    expect(searchRefusal(params({ algorithm: 'pc-darts', space: 'nb201' }), d)).toMatch(/defined on the DARTS space/);
    expect(searchRefusal(params({ algorithm: 'gdas', space: 'nb201' }), d)).toBeNull();
  });
});
