/**
 * search/optim.ts against hand computations of PyTorch's semantics: SGD with momentum, weight decay and global
 * gradient-norm clipping (clip_grad_norm_ then optim.SGD), Adam with L2 weight decay (optim.Adam(weight_decay)),
 * skipped parameters, state()/restore(), and the cosine schedule.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { ParamStore } from '../../main/engine/nn/params.js';
import { Adam, SgdMomentum, cosineLr, type OptimizerState } from '../../main/engine/nn/optim.js';

function rand(n: number, seed: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = ((s / 2 ** 31) * 2 - 1) * scale;
  }
  return out;
}

/** A copy of a variable's values (on cpu, dataSync() returns the tensor's own buffer). */
const valuesOf = (v: tf.Variable): number[] => Array.from(v.dataSync());

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i]! - want[i]!), `index ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(want[i]!)),
    );
}

/** Two parameters ([2, 3] and [4]) with seeded values, and their initial values in float64. */
function store(seed = 5): { p: ParamStore; init: number[][] } {
  const p = new ParamStore(seed);
  p.uniform('a', [2, 3], 4);
  p.uniform('b', [4], 2);
  return { p, init: p.list.map((e) => valuesOf(e.variable)) };
}

const stores: ParamStore[] = [];
function tracked(seed?: number) {
  const s = store(seed);
  stores.push(s.p);
  return s;
}

function gradTensors(gs: Array<ArrayLike<number> | undefined>, p: ParamStore): Array<tf.Tensor | undefined> {
  return gs.map((g, i) => (g ? tf.tensor(Float32Array.from(g), p.list[i]!.shape) : undefined));
}

function applyGrads(
  opt: SgdMomentum | Adam,
  p: ParamStore,
  gs: Array<ArrayLike<number> | undefined>,
  lr: number,
): void {
  const t = gradTensors(gs, p);
  try {
    opt.apply(t, lr);
  } finally {
    tf.dispose(t.filter((x): x is tf.Tensor => x !== undefined));
  }
}

/** torch: clip_grad_norm_(params, clip); g += wd·w; buf = m·buf + g; w −= lr·buf. Float64 throughout. */
function sgdRef(
  w: number[][],
  steps: Array<Array<ArrayLike<number> | undefined>>,
  lr: number,
  o: { momentum: number; weightDecay: number; clip: number },
): { w: number[][]; norms: number[] } {
  const cur = w.map((a) => [...a]);
  const buf = w.map((a) => a.map(() => 0));
  const norms: number[] = [];
  for (const gs of steps) {
    let sq = 0;
    for (const g of gs) if (g) for (let i = 0; i < g.length; i++) sq += g[i]! ** 2;
    const norm = Math.sqrt(sq);
    norms.push(norm);
    const coef = o.clip / (norm + 1e-6);
    const scale = coef < 1 ? coef : 1;
    gs.forEach((g, k) => {
      if (!g) return;
      for (let i = 0; i < g.length; i++) {
        const d = g[i]! * scale + o.weightDecay * cur[k]![i]!;
        buf[k]![i] = o.momentum * buf[k]![i]! + d;
        cur[k]![i] = cur[k]![i]! - lr * buf[k]![i]!;
      }
    });
  }
  return { w: cur, norms };
}

/** torch.optim.Adam(weight_decay=wd): g += wd·w; m, v moving averages; w −= lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε). */
function adamRef(
  w: number[][],
  steps: Array<Array<ArrayLike<number> | undefined>>,
  lr: number,
  o: { beta1: number; beta2: number; weightDecay: number; eps: number },
): number[][] {
  const cur = w.map((a) => [...a]);
  const m = w.map((a) => a.map(() => 0));
  const v = w.map((a) => a.map(() => 0));
  steps.forEach((gs, s) => {
    const t = s + 1;
    gs.forEach((g, k) => {
      if (!g) return;
      for (let i = 0; i < g.length; i++) {
        const d = g[i]! + o.weightDecay * cur[k]![i]!;
        m[k]![i] = o.beta1 * m[k]![i]! + (1 - o.beta1) * d;
        v[k]![i] = o.beta2 * v[k]![i]! + (1 - o.beta2) * d * d;
        const denom = Math.sqrt(v[k]![i]!) / Math.sqrt(1 - o.beta2 ** t) + o.eps;
        cur[k]![i] = cur[k]![i]! - ((lr / (1 - o.beta1 ** t)) * m[k]![i]!) / denom;
      }
    });
  });
  return cur;
}

function copyState(s: OptimizerState): OptimizerState {
  return {
    step: s.step,
    buffers: Object.fromEntries(Object.entries(s.buffers).map(([k, v]) => [k, Float32Array.from(v)])),
  };
}

/** One step must not change a snapshot or a clone taken before it (the values are copied, not shared). */
function expectSnapshotAndCloneKept(): void {
  const p = new ParamStore(1);
  stores.push(p);
  const v = p.constant('a', [3], 1);
  const snap = p.snapshot();
  const clone = tf.clone(v);
  try {
    const opt = new SgdMomentum(p, { momentum: 0, weightDecay: 0, clip: 100 });
    applyGrads(opt, p, [[1, 1, 1]], 0.5);
    expect(valuesOf(v)).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(snap.get('a')!)).toEqual([1, 1, 1]);
    expect(Array.from(clone.dataSync())).toEqual([1, 1, 1]);
  } finally {
    clone.dispose();
  }
}

/** Runs the enclosing block's tests on `backend`, disposing the parameter stores each test made. */
function runsOn(backend: 'cpu' | 'wasm'): void {
  beforeAll(async () => {
    await selectBackend(backend);
    await tf.setBackend(backend);
  });
  afterEach(() => {
    stores.splice(0).forEach((p) => p.dispose());
  });
}

describe('search optimisers (cpu)', () => {
  runsOn('cpu');

  const steps = [
    [rand(6, 1), rand(4, 2)],
    [rand(6, 3), rand(4, 4)],
  ];

  it.each([
    ['no clipping', 100],
    ['clipping (clip 0.5 below the norm)', 0.5],
  ] as const)('SgdMomentum matches PyTorch over 2 steps, %s', (_, clip) => {
    const opts = { momentum: 0.9, weightDecay: 0.01, clip };
    const { p, init } = tracked();
    const opt = new SgdMomentum(p, opts);
    const want = sgdRef(init, steps, 0.1, opts);
    if (clip < 1)
      expect(Math.min(...want.norms)).toBeGreaterThan(clip); // the clip kicks in on both steps
    else expect(Math.max(...want.norms)).toBeLessThan(clip);
    const norms: number[] = [];
    for (const gs of steps) {
      applyGrads(opt, p, gs, 0.1);
      norms.push(opt.lastGradNorm);
    }
    expectClose(norms, want.norms);
    p.list.forEach((e, k) => expectClose(valuesOf(e.variable), want.w[k]!));
  });

  it('SgdMomentum: clipping is over the global norm (both parameters scaled by the same factor)', () => {
    const opts = { momentum: 0, weightDecay: 0, clip: 1 };
    const { p, init } = tracked();
    const opt = new SgdMomentum(p, opts);
    // norm 5: scale 1/5 for both
    applyGrads(
      opt,
      p,
      [
        [3, 0, 0, 0, 0, 0],
        [0, 4, 0, 0],
      ],
      1,
    );
    expectClose(
      valuesOf(p.list[0]!.variable),
      init[0]!.map((v, i) => (i === 0 ? v - 3 / (5 + 1e-6) : v)),
    );
    expectClose(
      valuesOf(p.list[1]!.variable),
      init[1]!.map((v, i) => (i === 1 ? v - 4 / (5 + 1e-6) : v)),
    );
    expect(opt.lastGradNorm).toBeCloseTo(5, 6);
  });

  it('Adam matches PyTorch over 3 steps (bias-corrected, L2 weight decay added to the gradient)', () => {
    const opts = { beta1: 0.5, beta2: 0.999, weightDecay: 1e-3, eps: 1e-8 };
    const { p, init } = tracked();
    const opt = new Adam(p, { beta1: opts.beta1, beta2: opts.beta2, weightDecay: opts.weightDecay });
    const three = [...steps, [rand(6, 9, 0.01), rand(4, 10, 0.01)]];
    for (const gs of three) applyGrads(opt, p, gs, 3e-2);
    const want = adamRef(init, three, 3e-2, opts);
    p.list.forEach((e, k) => expectClose(valuesOf(e.variable), want[k]!));
    // the first step moves every weight by ≈ lr (Adam's normalised step), so the values really changed
    expect(Math.abs(valuesOf(p.list[0]!.variable)[0]! - init[0]![0]!)).toBeGreaterThan(1e-2);
  });

  it('an undefined gradient leaves that parameter (and its momentum) unchanged', () => {
    const opts = { momentum: 0.9, weightDecay: 0.1, clip: 100 };
    const { p, init } = tracked();
    const sgd = new SgdMomentum(p, opts);
    const partial = [
      [rand(6, 1), undefined],
      [rand(6, 3), undefined],
    ];
    for (const gs of partial) applyGrads(sgd, p, gs, 0.1);
    expect(valuesOf(p.list[1]!.variable)).toEqual(init[1]);
    const want = sgdRef(init, partial, 0.1, opts);
    expectClose(valuesOf(p.list[0]!.variable), want.w[0]!);
    expect(Array.from(sgd.state().buffers['momentum:b']!)).toEqual([0, 0, 0, 0]);

    const q = tracked(6);
    const adam = new Adam(q.p, { beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 });
    applyGrads(adam, q.p, [undefined, rand(4, 2)], 1e-2);
    expect(valuesOf(q.p.list[0]!.variable)).toEqual(q.init[0]);
    expect(valuesOf(q.p.list[1]!.variable)).not.toEqual(q.init[1]);
  });

  it.each(['sgd', 'adam'] as const)('%s: state()/restore() after step 1 continues identically at step 2', (kind) => {
    const make = (p: ParamStore) =>
      kind === 'sgd'
        ? new SgdMomentum(p, { momentum: 0.9, weightDecay: 3e-4, clip: 1 })
        : new Adam(p, { beta1: 0.5, beta2: 0.999, weightDecay: 1e-3 });
    const a = tracked(7);
    const optA = make(a.p);
    applyGrads(optA, a.p, steps[0]!, 0.05);
    // a second network and optimiser, resumed from A's values and state (copies, as a checkpoint holds)
    const b = tracked(99);
    b.p.restore(new Map([...a.p.snapshot()].map(([k, v]) => [k, Float32Array.from(v)])));
    const optB = make(b.p);
    optB.restore(copyState(optA.state()));
    expect(optB.state().step).toBe(1);
    applyGrads(optA, a.p, steps[1]!, 0.05);
    applyGrads(optB, b.p, steps[1]!, 0.05);
    a.p.list.forEach((e, k) => expect(valuesOf(b.p.list[k]!.variable)).toEqual(valuesOf(e.variable)));
    // and both equal two uninterrupted steps computed by hand
    const want =
      kind === 'sgd'
        ? sgdRef(a.init, steps, 0.05, { momentum: 0.9, weightDecay: 3e-4, clip: 1 }).w
        : adamRef(a.init, steps, 0.05, { beta1: 0.5, beta2: 0.999, weightDecay: 1e-3, eps: 1e-8 });
    a.p.list.forEach((e, k) => expectClose(valuesOf(e.variable), want[k]!));
  });

  it('restore refuses a state written for another network', () => {
    const { p } = tracked();
    const sgd = new SgdMomentum(p, { momentum: 0.9, weightDecay: 0, clip: 1 });
    expect(() => sgd.restore({ step: 1, buffers: { 'momentum:a': new Float32Array(6) } })).toThrow(/momentum:b/);
    expect(() =>
      sgd.restore({ step: 1, buffers: { 'momentum:a': new Float32Array(5), 'momentum:b': new Float32Array(4) } }),
    ).toThrow(/momentum:a/);
    const adam = new Adam(p, { beta1: 0.5, beta2: 0.999, weightDecay: 0 });
    expect(() => adam.restore({ step: 1, buffers: {} })).toThrow(/m:a/);
  });

  // Regression: on the cpu backend dataSync() returns the tensor's own buffer; the optimiser and snapshot() must copy
  // it, or a step edits a snapshot (or a clone) taken before it.
  it('a snapshot and a clone taken before a step keep their values (cpu)', expectSnapshotAndCloneKept);
});

describe('search optimisers (wasm)', () => {
  runsOn('wasm');

  it('a snapshot and a clone taken before a step keep their values', expectSnapshotAndCloneKept);

  it('SgdMomentum with clipping matches PyTorch on wasm too', () => {
    const opts = { momentum: 0.9, weightDecay: 0.01, clip: 0.5 };
    const { p, init } = tracked();
    const opt = new SgdMomentum(p, opts);
    const gs = [
      [rand(6, 1), rand(4, 2)],
      [rand(6, 3), rand(4, 4)],
    ];
    for (const g of gs) applyGrads(opt, p, g, 0.1);
    const want = sgdRef(init, gs, 0.1, opts);
    p.list.forEach((e, k) => expectClose(valuesOf(e.variable), want.w[k]!));
  });
});

describe('cosineLr', () => {
  it('starts at lr, ends at lrMin, halfway is the mean, and decreases monotonically', () => {
    expect(cosineLr(0, 50, 0.025, 0.001)).toBeCloseTo(0.025, 12);
    expect(cosineLr(50, 50, 0.025, 0.001)).toBeCloseTo(0.001, 12);
    expect(cosineLr(25, 50, 0.025, 0.001)).toBeCloseTo(0.013, 12);
    // CosineAnnealingLR's closed form
    expect(cosineLr(10, 50, 0.025, 0.001)).toBeCloseTo(0.001 + (0.024 * (1 + Math.cos(Math.PI / 5))) / 2, 12);
    let prev = Infinity;
    for (let e = 0; e <= 50; e++) {
      const lr = cosineLr(e, 50, 0.025, 0.001);
      expect(lr).toBeLessThanOrEqual(prev);
      prev = lr;
    }
    expect(cosineLr(0, 1, 0.1, 0)).toBeCloseTo(0.1, 12);
  });
});
