/**
 * The DARTS and NAS-Bench-201 supernets: structure (cell plan, parameter shapes, α shapes), forward shapes,
 * finite gradients for every parameter, the gradTarget switch, genotype derivation, determinism by seed, and
 * one first-order DARTS step of each on wasm (every kernel registered, no tensor leak). Small networks: C = 4.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DARTS_OPS, NB201_EDGE_LIST } from '../../shared/genotype/ops.js';
import { deriveNb201Genotype } from '../../shared/genotype/derive.js';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { createOptimizers, firstOrderStep } from '../../main/engine/search/trainer.js';
import { dartsCellPlan } from '../../main/engine/spaces/darts/cells.js';
import { DartsSupernet } from '../../main/engine/spaces/darts/supernet.js';
import { Nb201Supernet } from '../../main/engine/spaces/nb201/supernet.js';
import type { Supernet } from '../../main/engine/spaces/supernet.js';
import { rand, relError } from '../helpers/numeric.js';

const CLASSES = 3;
const OPTIM = { momentum: 0.9, weightDecay: 3e-4, gradClip: 5, alphaWeightDecay: 1e-3 };

function batch(B: number, H: number, seed: number, channels = 1): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  return {
    x: tf.tensor4d(rand(B * H * H * channels, seed), [B, H, H, channels]),
    labels: tf.tensor1d(
      Array.from({ length: B }, (_, i) => i % CLASSES),
      'int32',
    ),
  };
}

function shapes(net: Supernet): Map<string, number[]> {
  return new Map([...net.weights.list, ...net.alphas.list].map((e) => [e.name, e.shape]));
}

/** Mean cross-entropy, differentiated over `which` (the net's gradTarget set to match). */
function gradsOf(net: Supernet, which: 'weights' | 'alphas' | 'both', b: { x: tf.Tensor4D; labels: tf.Tensor1D }) {
  const lists = which === 'weights' ? [net.weights] : which === 'alphas' ? [net.alphas] : [net.weights, net.alphas];
  const entries = lists.flatMap((p) => [...p.list]);
  net.gradTarget = which;
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(tf.oneHot(b.labels, CLASSES), net.logits(b.x)) as tf.Scalar,
    entries.map((e) => e.variable),
  );
  const out = new Map<string, Float32Array | undefined>(
    entries.map((e) => [
      e.name,
      grads[e.variable.name] ? (grads[e.variable.name]!.dataSync() as Float32Array).slice() : undefined,
    ]),
  );
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  net.gradTarget = 'both';
  return { loss, grads: out };
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

describe('DARTS cell plan', () => {
  it('cells = 5: reductions at cells 1 and 3, channels double there', () => {
    const plan = dartsCellPlan(16, 5);
    expect(plan.map((p) => p.reduction)).toEqual([false, true, false, true, false]);
    expect(plan.map((p) => p.reductionPrev)).toEqual([false, false, true, false, true]);
    expect(plan.map((p) => p.c)).toEqual([16, 32, 32, 64, 64]);
    // inputs: the stem's 3C, then 4 concatenated nodes of the previous cells
    expect(plan.map((p) => [p.cPrevPrev, p.cPrev])).toEqual([
      [48, 48],
      [48, 64],
      [64, 128],
      [128, 128],
      [128, 256],
    ]);
  });

  it('cells = 8 (DARTS default): reductions at 2 and 5; cells = 1 and 2: every cell is a reduction', () => {
    expect(dartsCellPlan(16, 8).flatMap((p, i) => (p.reduction ? [i] : []))).toEqual([2, 5]);
    expect(dartsCellPlan(4, 1).map((p) => p.reduction)).toEqual([true]);
    expect(dartsCellPlan(4, 2).map((p) => p.reduction)).toEqual([true, true]);
    expect(dartsCellPlan(4, 3).map((p) => p.reduction)).toEqual([false, true, true]);
  });
});

describe('DARTS supernet (cpu)', () => {
  let net: DartsSupernet;
  const nets: Supernet[] = [];
  beforeAll(async () => {
    await selectBackend('cpu');
    await tf.setBackend('cpu');
    net = new DartsSupernet({ channels: 4, cells: 3, inChannels: 1, classes: CLASSES, seed: 1 });
    nets.push(net);
  });
  afterAll(() => nets.forEach((n) => n.dispose()));

  it('refuses an odd channel count', () => {
    expect(() => new DartsSupernet({ channels: 3, cells: 3, inChannels: 1, classes: CLASSES, seed: 1 })).toThrow(
      /even number of channels/,
    );
  });

  it('parameter shapes follow the plan; α is [14, 8] for normal and reduce', () => {
    const s = shapes(net);
    expect(s.get('stem.conv')).toEqual([3, 3, 1, 12]);
    expect(s.get('cells.0.edges.0.sep_conv_3x3.pw1')).toEqual([1, 1, 4, 4]);
    expect(s.get('cells.1.edges.0.sep_conv_3x3.pw1')).toEqual([1, 1, 8, 8]);
    expect(s.get('cells.2.edges.0.sep_conv_5x5.dw1')).toEqual([5, 5, 16, 1]);
    // reduction cells: FactorizedReduce on the stride-2 edges (inputs 0, 1) only
    expect(s.get('cells.1.edges.0.skip_connect.conv1')).toEqual([1, 1, 8, 4]);
    expect(s.get('cells.1.edges.2.skip_connect.conv1')).toEqual([1, 1, 8, 4]); // node 1, input 0
    expect(s.has('cells.1.edges.4.skip_connect.conv1')).toBe(false); // node 1, input 2 (an intermediate node)
    expect(s.has('cells.0.edges.0.skip_connect.conv1')).toBe(false);
    // after a reduction, the k−2 input is FactorizedReduce'd
    // (cell 2 reads cell 0's 4·4 = 16 channels as its k−2 input and cell 1's 4·8 = 32 as its k−1 input)
    expect(s.get('cells.2.pre0.conv1')).toEqual([1, 1, 16, 8]);
    expect(s.get('cells.2.pre0.conv2')).toEqual([1, 1, 16, 8]);
    expect(s.get('cells.2.pre1.conv')).toEqual([1, 1, 32, 16]);
    expect(s.get('cells.1.pre0.conv')).toEqual([1, 1, 12, 8]);
    expect(s.get('classifier.w')).toEqual([64, CLASSES]);
    expect(net.alphas.list.map((e) => [e.name, e.shape])).toEqual([
      ['alpha.normal', [14, DARTS_OPS.length]],
      ['alpha.reduce', [14, DARTS_OPS.length]],
    ]);
  });

  it('logits are [B, classes], finite', () => {
    tf.tidy(() => {
      const b = batch(2, 16, 3);
      const y = net.logits(b.x);
      expect(y.shape).toEqual([2, CLASSES]);
      expect(allFinite(y.dataSync())).toBe(true);
    });
  });

  it('every weight and α gets a finite gradient; gradTarget weights / alphas give the same gradients as both', () => {
    const b = batch(2, 16, 4);
    try {
      const both = gradsOf(net, 'both', b);
      expect(Number.isFinite(both.loss)).toBe(true);
      for (const [name, g] of both.grads) {
        expect(g, name).toBeDefined();
        expect(allFinite(g!), name).toBe(true);
      }
      // not all zero: α gets a real signal
      expect(Math.max(...Array.from(both.grads.get('alpha.normal')!, Math.abs))).toBeGreaterThan(0);
      expect(Math.max(...Array.from(both.grads.get('alpha.reduce')!, Math.abs))).toBeGreaterThan(0);
      const alphas = gradsOf(net, 'alphas', b);
      for (const name of ['alpha.normal', 'alpha.reduce'])
        expect(relError(alphas.grads.get(name)!, both.grads.get(name)!), name).toBeLessThan(1e-4);
      const weights = gradsOf(net, 'weights', b);
      expect(weights.grads.size).toBe(net.weights.list.length);
      for (const [name, g] of weights.grads) expect(relError(g!, both.grads.get(name)!), name).toBeLessThan(1e-4);
    } finally {
      tf.dispose([b.x, b.labels]);
    }
  });

  it('alphaSnapshot rows are softmaxes (sum to 1); genotype has 8 valid genes per cell', () => {
    const a = net.alphaSnapshot();
    for (const rows of [a.normal, a.reduce!]) {
      expect(rows).toHaveLength(14);
      for (const row of rows) {
        expect(row).toHaveLength(8);
        expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
        for (const v of row) expect(v).toBeGreaterThan(0);
      }
    }
    const g = net.genotype();
    expect(g.space).toBe('darts');
    for (const genes of [g.normal, g.reduce]) {
      expect(genes).toHaveLength(8);
      genes.forEach(([op, input], k) => {
        expect(DARTS_OPS).toContain(op);
        expect(op).not.toBe('none');
        expect(input).toBeGreaterThanOrEqual(0);
        expect(input).toBeLessThan(2 + Math.floor(k / 2));
      });
      // a node's two genes come from two different inputs
      for (let node = 0; node < 4; node++) expect(genes[2 * node]![1]).not.toBe(genes[2 * node + 1]![1]);
    }
    expect(g.normalConcat).toEqual([2, 3, 4, 5]);
    expect(g.reduceConcat).toEqual([2, 3, 4, 5]);
  });

  it.each([1, 2])(
    'cells = %i (reductions only): normal α gets no gradient (undefined), the step leaves it alone',
    (cells) => {
      const small = new DartsSupernet({ channels: 4, cells, inChannels: 1, classes: CLASSES, seed: 2 });
      nets.push(small);
      const b = batch(2, 8, 5);
      try {
        const both = gradsOf(small, 'both', b);
        expect(both.grads.get('alpha.normal')).toBeUndefined();
        expect(allFinite(both.grads.get('alpha.reduce')!)).toBe(true);
        for (const e of small.weights.list) expect(allFinite(both.grads.get(e.name)!), e.name).toBe(true);
        const alphas = gradsOf(small, 'alphas', b);
        expect(alphas.grads.get('alpha.normal')).toBeUndefined();
        expect(alphas.grads.get('alpha.reduce')).toBeDefined();
        // a first-order step: Adam skips the parameter without a gradient, as PyTorch skips .grad = None
        const before = new Map([...small.alphas.snapshot()].map(([k, v]) => [k, Float32Array.from(v)]));
        const opt = createOptimizers(small, OPTIM);
        const out = firstOrderStep(small, opt, b, b, { weights: 0.025, alphas: 3e-2 });
        expect(Number.isFinite(out.train.loss) && Number.isFinite(out.val.loss)).toBe(true);
        const after = small.alphas.snapshot();
        expect(Array.from(after.get('alpha.normal')!)).toEqual(Array.from(before.get('alpha.normal')!));
        expect(Array.from(after.get('alpha.reduce')!)).not.toEqual(Array.from(before.get('alpha.reduce')!));
      } finally {
        tf.dispose([b.x, b.labels]);
      }
    },
  );
});

describe('NAS-Bench-201 supernet (cpu)', () => {
  let net: Nb201Supernet;
  beforeAll(async () => {
    await selectBackend('cpu');
    await tf.setBackend('cpu');
    net = new Nb201Supernet({ channels: 4, cells: 1, inChannels: 3, classes: CLASSES, seed: 1 });
  });
  afterAll(() => net.dispose());

  it('cells = 1: stages of C, 2C, 4C channels with two residual reductions; α is [6, 5]', () => {
    const s = shapes(net);
    expect(s.get('stem.conv')).toEqual([3, 3, 3, 4]);
    expect(s.get('cells.0.edge1<-0.nor_conv_3x3')).toEqual([3, 3, 4, 4]);
    expect(s.get('cells.0.edge3<-2.nor_conv_1x1')).toEqual([1, 1, 4, 4]);
    expect(s.get('cells.1.conv_a')).toEqual([3, 3, 4, 8]);
    expect(s.get('cells.1.downsample')).toEqual([1, 1, 4, 8]);
    expect(s.get('cells.2.edge2<-1.nor_conv_3x3')).toEqual([3, 3, 8, 8]);
    expect(s.get('cells.3.conv_a')).toEqual([3, 3, 8, 16]);
    expect(s.get('cells.4.edge1<-0.nor_conv_3x3')).toEqual([3, 3, 16, 16]);
    expect(s.has('cells.5.edge1<-0.nor_conv_3x3')).toBe(false);
    expect(s.get('lastact.bn.gamma')).toEqual([16]);
    expect(s.get('classifier.w')).toEqual([16, CLASSES]);
    expect(net.alphas.list.map((e) => [e.name, e.shape])).toEqual([['alpha.cell', [6, 5]]]);
  });

  it.each([16, 15])('logits are [B, classes] for H × H inputs, H = %i', (H) => {
    tf.tidy(() => {
      const b = batch(2, H, 6, 3);
      const y = net.logits(b.x);
      expect(y.shape).toEqual([2, CLASSES]);
      expect(allFinite(y.dataSync())).toBe(true);
    });
  });

  it('every weight and α gets a finite gradient; gradTarget alphas gives the same α gradient', () => {
    const b = batch(2, 16, 7, 3);
    try {
      const both = gradsOf(net, 'both', b);
      for (const [name, g] of both.grads) {
        expect(g, name).toBeDefined();
        expect(allFinite(g!), name).toBe(true);
      }
      expect(Math.max(...Array.from(both.grads.get('alpha.cell')!, Math.abs))).toBeGreaterThan(0);
      const alphas = gradsOf(net, 'alphas', b);
      expect(relError(alphas.grads.get('alpha.cell')!, both.grads.get('alpha.cell')!)).toBeLessThan(1e-4);
    } finally {
      tf.dispose([b.x, b.labels]);
    }
  });

  it('genotype is deriveNb201Genotype of the α snapshot; rows sum to 1', () => {
    const a = net.alphaSnapshot();
    expect(a.reduce).toBeUndefined();
    expect(a.normal).toHaveLength(NB201_EDGE_LIST.length);
    for (const row of a.normal) {
      expect(row).toHaveLength(5);
      expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    }
    const g = net.genotype();
    expect(g).toEqual(deriveNb201Genotype(a.normal));
    expect(g.nodes.map((n) => n.map(([, j]) => j))).toEqual([[0], [0, 1], [0, 1, 2]]);
  });
});

describe('determinism by seed', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
    await tf.setBackend('cpu');
  });

  it.each(['darts', 'nb201'] as const)('%s: same seed, same weights and α; another seed differs', (space) => {
    const make = (seed: number): Supernet =>
      space === 'darts'
        ? new DartsSupernet({ channels: 4, cells: 3, inChannels: 1, classes: CLASSES, seed })
        : new Nb201Supernet({ channels: 4, cells: 1, inChannels: 1, classes: CLASSES, seed });
    const [a, b, c] = [make(11), make(11), make(12)];
    try {
      const [wa, wb, wc] = [a.weights.snapshot(), b.weights.snapshot(), c.weights.snapshot()];
      expect([...wa.keys()]).toEqual([...wb.keys()]);
      for (const [k, v] of wa) expect(Array.from(wb.get(k)!), k).toEqual(Array.from(v));
      const [aa, ab, ac] = [a.alphas.snapshot(), b.alphas.snapshot(), c.alphas.snapshot()];
      for (const [k, v] of aa) expect(Array.from(ab.get(k)!), k).toEqual(Array.from(v));
      // a different seed: the random weights and α differ (the BN constants do not)
      const differs = [...wa].filter(([k, v]) => Array.from(wc.get(k)!).some((x, i) => x !== v[i]));
      expect(differs.length).toBeGreaterThan(wa.size / 2);
      for (const [k, v] of aa) expect(Array.from(ac.get(k)!), k).not.toEqual(Array.from(v));
    } finally {
      [a, b, c].forEach((n) => n.dispose());
    }
  });
});

describe('first-order DARTS step on wasm (no unregistered kernel, no leak)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    await tf.setBackend('wasm');
  });

  it.each([
    ['darts', 3, 28],
    ['nb201', 1, 16],
  ] as const)(
    '%s (cells %i, H = %i): three steps run, the tensor count is flat from step 2 to step 3',
    (space, cells, H) => {
      expect(tf.getBackend()).toBe('wasm');
      const config = { channels: 4, cells, inChannels: 1, classes: CLASSES, seed: 3 };
      const net: Supernet = space === 'darts' ? new DartsSupernet(config) : new Nb201Supernet(config);
      const train = batch(4, H, 8);
      const val = batch(4, H, 9);
      try {
        const opt = createOptimizers(net, OPTIM);
        const alpha0 = Float32Array.from(net.alphas.list[0]!.variable.dataSync());
        const counts: number[] = [];
        for (let step = 0; step < 3; step++) {
          const out = firstOrderStep(net, opt, train, val, { weights: 0.025, alphas: 3e-4 });
          expect(Number.isFinite(out.train.loss) && Number.isFinite(out.val.loss)).toBe(true);
          expect(out.train.losses).toHaveLength(4);
          expect(out.val.hits).toHaveLength(4);
          counts.push(tf.memory().numTensors);
        }
        expect(counts[2]).toBe(counts[1]);
        expect(Array.from(net.alphas.list[0]!.variable.dataSync())).not.toEqual(Array.from(alpha0));
        expect(net.gradTarget).toBe('weights');
      } finally {
        tf.dispose([train.x, train.labels, val.x, val.labels]);
        net.dispose();
      }
      // ~4 s alone; under a parallel test run on 2 cores it has taken 50 s
    },
    180_000,
  );
});
