import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32 } from '../../main/engine/nn/prng.js';
import { countPerClass } from '../../main/engine/selection/balance.js';
import {
  BDP_DEFAULTS,
  BdpSelection,
  classLimits,
  pruneByVoE,
  pruneCount,
  pruningTimes,
  varianceOfError,
  voeHistogram,
  type BdpOptions,
} from '../../main/engine/selection/bdp.js';
import type { SelectionEpochStats, SelectionPools, StepFeedback } from '../../main/engine/selection/strategy.js';

/** Rows 0…: per class, `train` train_w rows then `val` train_α rows. */
function makePools(perClass: { train: number; val: number }[]): SelectionPools {
  const labels: number[] = [];
  const train: number[] = [];
  const val: number[] = [];
  perClass.forEach(({ train: t, val: v }, c) => {
    for (let i = 0; i < t; i++) train.push(labels.push(c) - 1);
    for (let i = 0; i < v; i++) val.push(labels.push(c) - 1);
  });
  return { train, val, labels, classes: perClass.length };
}

type ErrorFn = (split: 'train' | 'val', row: number, epoch: number) => number;

function feedback(split: 'train' | 'val', rows: number[], errors: number[]): StepFeedback {
  const n = rows.length;
  return {
    split,
    rows,
    losses: new Float32Array(n),
    correct: new Uint8Array(n),
    trueProb: new Float32Array(n),
    errorNorm: Float32Array.from(errors),
  };
}

/** One search epoch as darts.ts runs it: full batches only, α batches cycled; then the stats. */
function runEpoch(
  sel: BdpSelection,
  epoch: number,
  batch: number,
  err: ErrorFn,
): { train: number[]; val: number[]; stats: SelectionEpochStats } {
  const picked = sel.select(epoch);
  const steps = Math.max(1, Math.floor(picked.train.length / batch));
  const valBatches = Math.max(1, Math.floor(picked.val.length / batch));
  for (let s = 0; s < steps; s++) {
    const tr = picked.train.slice(s * batch, (s + 1) * batch);
    const vb = s % valBatches;
    const va = picked.val.slice(vb * batch, (vb + 1) * batch);
    sel.observe(
      feedback(
        'train',
        tr,
        tr.map((r) => err('train', r, epoch)),
      ),
    );
    sel.observe(
      feedback(
        'val',
        va,
        va.map((r) => err('val', r, epoch)),
      ),
    );
  }
  return { train: picked.train, val: picked.val, stats: sel.epochStats(epoch) };
}

/** Seeded noisy errors in [0, 1.4). */
const noisy =
  (seed: number): ErrorFn =>
  (split, row, epoch) =>
    1.4 * mulberry32(deriveSeed(seed, `${split}:${row}:${epoch}`))();

const opts = (o: Partial<BdpOptions> & { epochs: number }): BdpOptions => ({ ...BDP_DEFAULTS, ...o });

describe('bdp: pure pieces', () => {
  it('VoE is the population variance of the per-epoch errors (Eq. 4)', () => {
    // mean 0.5, squared deviations 0, 1/16, 1/16, 0 → 1/8 / 4
    expect(varianceOfError([0.5, 0.25, 0.75, 0.5])).toBe(0.03125);
    // ÷ count, not count − 1: [1, 3] → 1, not 2
    expect(varianceOfError([1, 3])).toBe(1);
    expect(varianceOfError([0.2, 0.2, 0.2, 0.2, 0.2])).toBe(0);
    expect(varianceOfError([0.7])).toBe(0);
    expect(varianceOfError([])).toBeNaN();
    // 5 epochs: mean 0.4, deviations −0.3, 0.1, 0.3, −0.1, 0 → (0.09 + 0.01 + 0.09 + 0.01) / 5 = 0.04
    expect(varianceOfError([0.1, 0.5, 0.7, 0.3, 0.4])).toBeCloseTo(0.04, 12);
  });

  it('b, N and the per-class limits (Eq. 5–6) on hand-computed counts', () => {
    // b = (1/3)(10/10 + 5/10 + 5/10) = 2/3; N = 4(1 − 4/9) + 1 = 29/9; L = floor(90/29), floor(90/29), floor(45/29)
    const c = classLimits([10, 10, 5], 4);
    expect(c.balance).toBeCloseTo(2 / 3, 12);
    expect(c.intensity).toBeCloseTo(29 / 9, 12);
    expect(c.limits).toEqual([3, 3, 1]);
    // balanced: b = 1 → N = 1 → free pruning (limit = the whole class)
    expect(classLimits([7, 7, 7], 10)).toEqual({ balance: 1, intensity: 1, limits: [7, 7, 7] });
    // [8, 20, 20]: b = (0.4 + 0.4 + 1) / 3 = 0.6; N = 4 · 0.64 + 1 = 3.56 → floor(8/3.56) = 2, floor(20/3.56) = 5
    const d = classLimits([8, 20, 20], 4);
    expect(d.balance).toBeCloseTo(0.6, 12);
    expect(d.intensity).toBeCloseTo(3.56, 12);
    expect(d.limits).toEqual([2, 5, 5]);
    // an empty class against full ones: b = (0 + 0 + 1)/3, and it has nothing to give
    expect(classLimits([0, 9, 9], 2).limits[0]).toBe(0);
    // n = floor(E / T); p% of the remaining, floored
    expect(pruningTimes(50, 5)).toBe(10);
    expect(pruningTimes(12, 5)).toBe(2);
    expect(pruningTimes(4, 5)).toBe(0);
    expect(pruneCount(48, 0.2)).toBe(9);
    expect(pruneCount(50, 0.2)).toBe(10);
    expect(pruneCount(9, 0.1)).toBe(0);
  });

  it('prunes the lowest VoE from training and the highest from validation, within the limits', () => {
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0];
    const cand = [10, 11, 12, 13];
    const voe = [0.3, 0.1, 0.4, 0.2];
    expect(pruneByVoE(cand, voe, labels, 2, 'lowest', null)).toEqual([11, 13]);
    expect(pruneByVoE(cand, voe, labels, 2, 'highest', null)).toEqual([12, 10]);
    // rows 11 and 12 are class 1 with a limit of 1: the walk skips the second and goes on down the ranking
    expect(pruneByVoE(cand, voe, labels, 3, 'lowest', [5, 1])).toEqual([11, 13, 10]);
    expect(pruneByVoE(cand, voe, labels, 3, 'highest', [5, 1])).toEqual([12, 10, 13]);
    // the ranking runs out: fewer than asked
    expect(pruneByVoE(cand, voe, labels, 4, 'lowest', [1, 1])).toEqual([11, 13]);
    expect(pruneByVoE(cand, voe, labels, 4, 'lowest', [0, 0])).toEqual([]);
    expect(pruneByVoE(cand, voe, labels, 0, 'lowest', null)).toEqual([]);
    // ties keep the candidates' order
    expect(pruneByVoE([5, 3, 9], [0, 0, 0], labels, 2, 'lowest', null)).toEqual([5, 3]);
    expect(pruneByVoE([5, 3, 9], [0, 0, 0], labels, 2, 'highest', null)).toEqual([5, 3]);
    expect(() => pruneByVoE(cand, [1], labels, 1, 'lowest', null)).toThrow(RangeError);
  });

  it('histograms: equal-width bins between the smallest and largest VoE', () => {
    const h = voeHistogram([0, 0.1, 0.25, 0.35, 0.4], 4);
    expect(h.edges).toHaveLength(5);
    expect(h.edges[0]).toBe(0);
    expect(h.edges[4]).toBe(0.4);
    expect(h.counts).toEqual([1, 1, 1, 2]); // the largest falls in the last bin
    const d = voeHistogram(Float64Array.from({ length: 100 }, (_, i) => i));
    expect(d.edges).toHaveLength(21);
    expect(d.counts).toHaveLength(20);
    expect(d.counts.reduce((a, b) => a + b)).toBe(100);
    // a value on an edge is counted in the bin the reported edges put it in (0 + 3 · 0.1 = 0.30000000000000004 > 0.3)
    const e = voeHistogram([0, 0.3, 0.4], 4);
    expect(e.edges[3]! > 0.3).toBe(true);
    expect(e.counts).toEqual([1, 0, 1, 1]);
    expect(voeHistogram([0.2, 0.2])).toEqual({ edges: [0.2, 0.2], counts: [2] });
    expect(voeHistogram([])).toEqual({ edges: [], counts: [] });
  });
});

describe('bdp: the strategy', () => {
  it('checks its options', () => {
    const pools = makePools([{ train: 4, val: 4 }]);
    expect(() => new BdpSelection(pools, 1, opts({ epochs: 10, pruneTrain: 1 }))).toThrow(RangeError);
    expect(() => new BdpSelection(pools, 1, opts({ epochs: 10, pruneVal: -0.1 }))).toThrow(RangeError);
    expect(() => new BdpSelection(pools, 1, opts({ epochs: 10, pruneEvery: 0 }))).toThrow(RangeError);
    // over a single epoch every sample's VoE is 0: T = 1 would prune at random
    expect(() => new BdpSelection(pools, 1, opts({ epochs: 10, pruneEvery: 1 }))).toThrow(/≥ 2.*single epoch/);
    expect(() => new BdpSelection(pools, 1, opts({ epochs: 0 }))).toThrow(RangeError);
    expect(BDP_DEFAULTS).toEqual({ pruneEvery: 5, pruneTrain: 0.2, pruneVal: 0.1, balance: true });
  });

  it('end to end: the lowest-VoE training rows and the highest-VoE validation rows go', () => {
    const pools = makePools([
      { train: 10, val: 10 },
      { train: 10, val: 10 },
    ]);
    // e alternates around 0.5 with a per-row amplitude, so VoE over two epochs = amplitude²; amplitudes distinct
    const amp = (row: number) => ((row * 7) % 40) / 100;
    const err: ErrorFn = (_split, row, epoch) => 0.5 + (epoch % 2 === 0 ? 1 : -1) * amp(row);
    for (const balance of [false, true]) {
      const sel = new BdpSelection(
        pools,
        3,
        opts({ epochs: 5, pruneEvery: 2, pruneTrain: 0.2, pruneVal: 0.1, balance }),
      );
      runEpoch(sel, 0, 4, err);
      const { stats } = runEpoch(sel, 1, 4, err);
      const byAmp = (rows: readonly number[]) => [...rows].sort((a, b) => amp(a) - amp(b));
      // 20 % of 20 training rows: the 4 smallest amplitudes; 10 % of 20 validation rows: the 2 largest
      const p = sel.lastPruning()!;
      expect(p.epoch).toBe(1);
      expect(p.train.prunedRows).toEqual(byAmp(pools.train).slice(0, 4));
      expect(p.val.prunedRows).toEqual(byAmp(pools.val).slice(-2).reverse());
      expect(p.train.candidates).toBe(20);
      expect(stats.bdp!.pruning!.train.pruned).toBe(4);
      expect(stats.bdp!.pruning!.val.pruned).toBe(2);
      expect(stats.bdp).toMatchObject({ remainingTrain: 16, remainingVal: 18 });
      // the epoch's own sizes are what it used, before the pruning
      expect(stats.trainSize).toBe(20);
      expect(stats.valSize).toBe(20);
      // histograms of the candidates' VoE: 20 bins from the smallest to the largest amplitude²
      const h = stats.bdp!.pruning!.train;
      expect(h.edges).toHaveLength(21);
      expect(h.counts.reduce((a, b) => a + b)).toBe(20);
      expect(h.edges[0]).toBeCloseTo(Math.min(...pools.train.map(amp)) ** 2, 6);
      expect(h.edges[20]).toBeCloseTo(Math.max(...pools.train.map(amp)) ** 2, 6);
      const next = sel.select(2);
      expect(next.train).toHaveLength(16);
      expect(next.val).toHaveLength(18);
      expect(next.train.some((r) => p.train.prunedRows.includes(r))).toBe(false);
    }
  });

  it('records the mean of an epoch’s passes, and a row seen in fewer than two epochs of the window is no candidate', () => {
    const pools = makePools([{ train: 6, val: 4 }]); // train rows 0–5, val rows 6–9
    const sel = new BdpSelection(
      pools,
      1,
      opts({ epochs: 10, pruneEvery: 3, pruneTrain: 0.5, pruneVal: 0.25, balance: false }),
    );
    const e = (rows: number[], v: number) => rows.map(() => v);
    for (let epoch = 0; epoch < 3; epoch++) {
      sel.select(epoch);
      // rows 0–3 every epoch with VoE 0 except row 3; row 4 only in epoch 0 (a dropped partial batch later); row 5 never
      sel.observe(feedback('train', [0, 1, 2], e([0, 1, 2], 0.5)));
      sel.observe(feedback('train', [3], [epoch === 1 ? 0.75 : 0.25]));
      if (epoch === 0) sel.observe(feedback('train', [4], [0.5]));
      // val row 6 passes twice an epoch: 0.25 and 0.75 → 0.5 each epoch → VoE 0 (the last pass would give 0.75, 0.25, …)
      sel.observe(feedback('val', [6, 7], [0.25, epoch * 0.25]));
      sel.observe(feedback('val', [6, 8], [0.75, 0.5]));
      if (epoch === 0) {
        expect(sel.state().open!.val).toContainEqual([6, 1, 2]);
        sel.epochStats(0);
        expect(sel.state().window.val).toContainEqual([6, 0.5]);
        expect(sel.state().window.train).toContainEqual([4, 0.5]);
      } else sel.epochStats(epoch);
    }
    const p = sel.lastPruning()!;
    expect(p.epoch).toBe(2);
    // rows 4 (one epoch) and 5 (none) are kept; 3 of 6 go from the 4 candidates: the VoE-0 rows 0, 1, 2 (row 3 varies)
    expect(p.train.candidates).toBe(4);
    expect(p.train.target).toBe(3);
    expect([...p.train.prunedRows].sort()).toEqual([0, 1, 2]);
    expect(sel.remainingRows().train).toEqual([3, 4, 5]);
    // val: row 9 never seen; 1 of 4 goes: row 7 (0, 0.25, 0.5) has the highest VoE, row 6 none (mean of its passes)
    expect(p.val.candidates).toBe(3);
    expect(p.val.prunedRows).toEqual([7]);
    // the window starts again after a pruning
    expect(sel.state().window).toEqual({ train: [], val: [] });
  });

  it('keeps each class within its limit when the lowest-VoE rows all belong to one class; without the constraint that class goes', () => {
    const pools = makePools([
      { train: 20, val: 10 },
      { train: 20, val: 10 },
      { train: 20, val: 10 },
    ]);
    const noise = noisy(7);
    // class 0's training rows have a constant error (VoE 0); the others vary
    const err: ErrorFn = (split, row, epoch) =>
      split === 'train' && pools.labels[row] === 0 ? 0.3 : 0.05 + noise(split, row, epoch);
    const run = (balance: boolean) => {
      const sel = new BdpSelection(pools, 11, opts({ epochs: 20, pruneEvery: 5, balance }));
      const prunings: { before: number[]; pruned: number[]; limits: number[] | null }[] = [];
      for (let epoch = 0; epoch < 20; epoch++) {
        const before = countPerClass(sel.remainingRows().train, pools.labels, pools.classes);
        const { stats } = runEpoch(sel, epoch, 5, err);
        if (stats.bdp!.pruning) {
          const p = sel.lastPruning()!;
          prunings.push({
            before,
            pruned: countPerClass(p.train.prunedRows, pools.labels, pools.classes),
            limits: p.train.constraint?.limits ?? null,
          });
        }
      }
      return { sel, prunings, final: countPerClass(sel.remainingRows().train, pools.labels, pools.classes) };
    };

    const on = run(true);
    expect(on.prunings).toHaveLength(3); // after epochs 5, 10, 15; not after 20 (the last)
    for (const p of on.prunings) {
      // the limits are those of Eq. 6 with n = floor(20 / 5) = 4 on the counts before the pruning
      expect(p.limits).toEqual(classLimits(p.before, 4).limits);
      p.pruned.forEach((k, c) => expect(k).toBeLessThanOrEqual(p.limits![c]!));
    }
    // first pruning: balanced (b = 1, N = 1), so the 12 lowest (all class 0) go; then class 0 gives at most 2
    expect(on.prunings[0]!.pruned).toEqual([12, 0, 0]);
    expect(on.prunings[1]!.before).toEqual([8, 20, 20]);
    expect(on.prunings[1]!.limits).toEqual([2, 5, 5]);
    expect(on.prunings[1]!.pruned[0]).toBe(2);
    expect(on.prunings[1]!.pruned.reduce((a, b) => a + b)).toBe(9); // 20 % of 48, reached through the other classes
    expect(on.final[0]).toBeGreaterThan(0);

    const off = run(false);
    expect(off.prunings.every((p) => p.limits === null)).toBe(true);
    expect(off.prunings[0]!.pruned).toEqual([12, 0, 0]);
    expect(off.prunings[1]!.pruned[0]).toBe(8); // the rest of the class, by rank
    expect(off.final[0]).toBe(0);
  });

  it('prunes at the end of epochs T, 2T, … and never after the final epoch', () => {
    const pools = makePools([
      { train: 15, val: 10 },
      { train: 15, val: 10 },
    ]);
    const pruned = (epochs: number, pruneEvery: number) => {
      const sel = new BdpSelection(pools, 5, opts({ epochs, pruneEvery }));
      const at: number[] = [];
      const sizes: number[] = [];
      for (let epoch = 0; epoch < epochs; epoch++) {
        const { train, stats } = runEpoch(sel, epoch, 4, noisy(1));
        sizes.push(train.length);
        expect(stats.trainSize).toBe(train.length);
        if (stats.bdp!.pruning) at.push(epoch + 1);
        else expect(stats.bdp!.remainingTrain).toBe(train.length);
      }
      return { at, sizes, sel };
    };
    expect(pruned(12, 5).at).toEqual([5, 10]);
    const ten = pruned(10, 5);
    expect(ten.at).toEqual([5]); // 10 is the last epoch
    expect(ten.sizes).toEqual([30, 30, 30, 30, 30, 24, 24, 24, 24, 24]);
    expect(ten.sel.remainingRows().train).toHaveLength(24);
    expect(pruned(5, 5).at).toEqual([]);
    expect(pruned(7, 2).at).toEqual([2, 4, 6]);
    // 30 → 24 → 20 (floor(0.2 · 24) = 4) → 16
    expect(pruned(7, 2).sizes).toEqual([30, 30, 24, 24, 20, 20, 16]);
  });

  it('is deterministic given the seed', () => {
    const pools = makePools([
      { train: 12, val: 9 },
      { train: 9, val: 12 },
      { train: 11, val: 8 },
    ]);
    const trace = (seed: number) => {
      const sel = new BdpSelection(pools, seed, opts({ epochs: 9, pruneEvery: 2 }));
      return Array.from({ length: 9 }, (_, epoch) => runEpoch(sel, epoch, 4, noisy(2)));
    };
    const a = trace(42);
    expect(trace(42)).toEqual(a);
    const b = trace(43);
    expect(b[0]!.train).not.toEqual(a[0]!.train);
    // every epoch uses exactly the remaining rows, each once
    for (const e of a) expect(new Set(e.train).size).toBe(e.train.length);
  });

  it('state() survives JSON and restore() on a fresh instance continues exactly', () => {
    const pools = makePools([
      { train: 14, val: 10 },
      { train: 10, val: 14 },
    ]);
    const options = opts({ epochs: 15, pruneEvery: 3 });
    const err = noisy(9);
    const a = new BdpSelection(pools, 8, options);
    for (let epoch = 0; epoch < 7; epoch++) runEpoch(a, epoch, 5, err);
    // mid-window (epoch 7 of the window 6–8 done), with e history and pruned rows
    const saved = JSON.parse(JSON.stringify(a.state())) as unknown;
    const b = new BdpSelection(pools, 8, options);
    b.restore(saved);
    expect(b.state()).toEqual(a.state());
    for (let epoch = 7; epoch < 15; epoch++) {
      const ra = runEpoch(a, epoch, 5, err);
      const rb = runEpoch(b, epoch, 5, err);
      expect(rb).toEqual(ra);
    }
    expect(b.state()).toEqual(a.state());
    expect(a.remainingRows().train.length).toBeLessThan(24);

    // another configuration cannot continue it
    expect(() => new BdpSelection(pools, 8, { ...options, pruneTrain: 0.3 }).restore(saved)).toThrow(/pruneTrain/);
    expect(() => new BdpSelection(pools, 9, options).restore(saved)).toThrow(/seed/);
    expect(() => new BdpSelection(pools, 8, options).restore({ seed: 8 })).toThrow();
  });

  it('a state saved after the steps but before epochStats prunes on the next select, as the original did', () => {
    const pools = makePools([
      { train: 12, val: 12 },
      { train: 12, val: 12 },
    ]);
    const options = opts({ epochs: 10, pruneEvery: 3 });
    const err = noisy(4);
    const a = new BdpSelection(pools, 2, options);
    for (let epoch = 0; epoch < 2; epoch++) runEpoch(a, epoch, 4, err);
    // epoch 2 (the first boundary): steps, then state, then the stats
    const picked = a.select(2);
    for (let s = 0; s < picked.train.length / 4; s++) {
      const tr = picked.train.slice(s * 4, s * 4 + 4);
      const va = picked.val.slice(s * 4, s * 4 + 4);
      a.observe(
        feedback(
          'train',
          tr,
          tr.map((r) => err('train', r, 2)),
        ),
      );
      a.observe(
        feedback(
          'val',
          va,
          va.map((r) => err('val', r, 2)),
        ),
      );
    }
    const saved = JSON.parse(JSON.stringify(a.state())) as unknown;
    expect(a.epochStats(2).bdp!.pruning).toBeDefined();
    const b = new BdpSelection(pools, 2, options);
    b.restore(saved);
    expect(b.select(3)).toEqual(a.select(3));
    expect(b.remainingRows()).toEqual(a.remainingRows());
    expect(a.remainingRows().train).toHaveLength(20);
  });
});
