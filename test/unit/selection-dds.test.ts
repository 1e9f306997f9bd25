import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32 } from '../../main/engine/nn/prng.js';
import {
  DDS_DEFAULTS,
  DdsSelection,
  cyclicLr,
  isEasyWindow,
  type DdsOptions,
} from '../../main/engine/selection/dds.js';
import { RandomSubsetSelection } from '../../main/engine/selection/random.js';
import type { SelectionEpochStats, SelectionPools, StepFeedback } from '../../main/engine/selection/strategy.js';

// ---------------------------------------------------------------------------------------------------------------
// helpers

/** Feedback with a true-class probability per row; correct = probability > 0.5 unless `hit` says otherwise. */
function feedback(
  rows: readonly number[],
  conf: (row: number) => number,
  split: 'train' | 'val' = 'train',
  hit?: (row: number) => boolean,
): StepFeedback {
  const n = rows.length;
  const trueProb = Float32Array.from(rows, conf);
  return {
    split,
    rows,
    losses: Float32Array.from(trueProb, (p) => -Math.log(Math.max(p, 1e-7))),
    correct: hit ? Uint8Array.from(rows, (r) => (hit(r) ? 1 : 0)) : Uint8Array.from(trueProb, (p) => (p > 0.5 ? 1 : 0)),
    trueProb,
    errorNorm: new Float32Array(n),
  };
}

/** One epoch as the search runs it: select, per-batch observe (train and val; every image, the last batch smaller), stats. */
function epoch(
  sel: DdsSelection,
  e: number,
  conf: (row: number, epoch: number) => number,
  batch = 4,
): { train: number[]; val: number[]; resetLr?: boolean; stats: SelectionEpochStats } {
  const s = sel.select(e);
  const steps = Math.max(1, Math.ceil(s.train.length / batch));
  for (let i = 0; i < steps; i++) {
    sel.observe(feedback(s.train.slice(i * batch, (i + 1) * batch), (r) => conf(r, e)));
    sel.observe(feedback(s.val.slice(0, batch), () => 0.01, 'val'));
  }
  return { ...s, stats: sel.epochStats(e) };
}

/** Every subset image gets its whole-epoch feedback (batch = subset size). */
const whole = (sel: DdsSelection, e: number, conf: (row: number, epoch: number) => number) =>
  epoch(sel, e, conf, 1_000_000);

function labelledPools(trainPerClass: number[], valPerClass: number[]): SelectionPools {
  const labels: number[] = [];
  // rows are numbered in order: the training rows class by class, then the validation rows
  const rowsOf = (perClass: number[]) =>
    perClass.flatMap((n, c) => Array.from({ length: n }, () => labels.push(c) - 1));
  const train = rowsOf(trainPerClass);
  return { train, val: rowsOf(valPerClass), labels, classes: trainPerClass.length };
}

function randomEmbeddings(rows: number, dim: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: rows * dim }, () => rng() * 2 - 1);
}

/** A state with a chosen subset (the replacement tests need a known starting point; restore() validates it). */
function setSubset(sel: DdsSelection, subset: number[]): void {
  const s = sel.state() as { subset: number[]; visited: number[] };
  sel.restore({ ...s, subset, visited: subset });
}

const sorted = (rows: readonly number[]) => [...rows].sort((a, b) => a - b);

/** Deterministic pseudo-random confidence per (row, epoch): mostly easy, some hard. */
const mixed = (row: number, e: number) => (mulberry32(deriveSeed(row, `conf:${e}`))() < 0.75 ? 0.97 : 0.2);

// ---------------------------------------------------------------------------------------------------------------

describe('hardness, easy and mastery', () => {
  it('easy ⇔ mean true-class confidence over the window ≥ h; no history = hard', () => {
    expect(isEasyWindow(undefined, 0.85)).toBe(false);
    expect(isEasyWindow([], 0.85)).toBe(false);
    expect(isEasyWindow([0.85], 0.85)).toBe(true);
    expect(isEasyWindow([0.849], 0.85)).toBe(false);
    expect(isEasyWindow([0.8, 0.9, 0.85], 0.85)).toBe(true);
    // float32 feedback whose mean is 0.85 (each value rounded to float32)
    expect(isEasyWindow(Array.from(Float32Array.of(0.8, 0.9, 0.85)), 0.85)).toBe(true);
    expect(isEasyWindow(Array.from(Float32Array.of(0.7, 0.95, 0.9)), 0.85)).toBe(true);
    expect(isEasyWindow([0.7, 0.95, 0.89], 0.85)).toBe(false);
    expect(isEasyWindow([1, 1, 0.549], 0.85)).toBe(false);
  });

  // 2 classes × 4 train images, subset 4 (2 per class): the whole subset is trained every epoch
  const pools = labelledPools([4, 4], [2, 2]);
  const emb = randomEmbeddings(12, 2, 1);
  const opts: Partial<DdsOptions> = { size: 4, warmupEpochs: 100 };

  it('averages the last W epochs an image was trained on, through float32 trueProb', () => {
    const sel = new DdsSelection(pools, 1, emb, 2, opts);
    // epoch 0: 0.1 (hard); epochs 1-3: 0.9 → with W = 3 the 0.1 has left the window by epoch 3
    const confs = [0.1, 0.9, 0.9, 0.9];
    const hard: number[] = [];
    confs.forEach((c, e) => hard.push(whole(sel, e, () => c).stats.dds!.hard));
    // means: 0.1 | 0.5 | 0.633 | 0.9
    expect(hard).toEqual([4, 4, 4, 0]);

    const w4 = new DdsSelection(pools, 1, emb, 2, { ...opts, window: 4 });
    confs.forEach((c, e) => whole(w4, e, () => c));
    expect(w4.epochStats(3).dds!.hard).toBe(4); // mean 0.7 over 4 epochs
  });

  it('a window whose float32 values average exactly h counts as easy; just below is hard', () => {
    const sel = new DdsSelection(pools, 1, emb, 2, { ...opts, masteryBy: 'easy' });
    const subset = sel.epochStats(0).dds!.subset;
    const edge = [0.8, 0.9, 0.85];
    const below = [0.8, 0.9, 0.849];
    edge.forEach((c, e) => whole(sel, e, (r) => (r === subset[0] ? c : r === subset[1] ? below[e]! : 0.85)));
    const stats = sel.epochStats(2).dds!;
    expect(stats.hardRows).toEqual([subset[1]]);
    expect(stats.easy).toBe(3);
    expect(stats.mastery).toBe(0.75);
  });

  it('an epoch in which an image got no feedback adds nothing to its window', () => {
    const sel = new DdsSelection(pools, 1, emb, 2, { ...opts, window: 2 });
    const subset = sel.epochStats(0).dds!.subset;
    const x = subset[0]!;
    whole(sel, 0, () => 0.9);
    // epoch 1: x is not observed, the others are hard
    sel.select(1);
    sel.observe(feedback(subset.slice(1), () => 0.1));
    const s1 = sel.epochStats(1).dds!;
    expect(s1.hardRows).toEqual(subset.slice(1));
    // epoch 2: x at 0.8 → window [0.9, 0.8] = 0.85 → easy (the missing epoch 1 was skipped, not counted as 0)
    sel.select(2);
    sel.observe(feedback([x], () => 0.8));
    expect(sel.epochStats(2).dds!.hardRows).not.toContain(x);
  });

  it('averages several observations within one epoch into one window value', () => {
    const sel = new DdsSelection(pools, 1, emb, 2, { ...opts, window: 1 });
    const x = sel.epochStats(0).dds!.subset[0]!;
    sel.select(0);
    sel.observe(feedback([x], () => 1));
    sel.observe(feedback([x], () => 0.7));
    expect(sel.epochStats(0).dds!.hardRows).not.toContain(x); // (1 + 0.7) / 2 = 0.85
  });

  it('ignores validation feedback and rows outside the subset', () => {
    const sel = new DdsSelection(pools, 1, emb, 2, opts);
    const s = sel.select(0);
    sel.observe(feedback(s.train, () => 1, 'val'));
    const outside = pools.train.filter((r) => !s.train.includes(r));
    sel.observe(feedback(outside, () => 1));
    expect(sel.epochStats(0).dds!.easy).toBe(0);
    expect((sel.state() as { windows: unknown[] }).windows).toEqual([]);
  });

  it('mastery: resamples when the easy fraction reaches m exactly, not below', () => {
    const run = (easyCount: number) => {
      const sel = new DdsSelection(pools, 2, emb, 2, { size: 4, warmupEpochs: 0, masteryBy: 'easy' });
      const subset = sel.epochStats(0).dds!.subset;
      const easy = new Set(subset.slice(0, easyCount));
      const s0 = whole(sel, 0, (r) => (easy.has(r) ? 0.9 : 0.5));
      const s1 = whole(sel, 1, () => 0.5);
      return { s0: s0.stats.dds!, s1: s1.stats.dds! };
    };
    const at = run(2); // 2 / 4 = 0.5 = m
    expect(at.s0.mastery).toBe(0.5);
    expect(at.s1.replaced).toBe(2);
    const below = run(1);
    expect(below.s0.mastery).toBe(0.25);
    expect(below.s1.replaced).toBe(0);
    expect(below.s1.replacedRows).toEqual([]);
  });

  it("mastery by correctness (default): the latest epoch's top-1 over the subset, not the easy fraction", () => {
    expect(DDS_DEFAULTS.masteryBy).toBe('correct');
    // a hand-built subset of 4: one easy image, one right but unsure (not easy), two wrong
    const run = (masteryBy?: 'correct' | 'easy') => {
      const sel = new DdsSelection(pools, 2, emb, 2, {
        size: 4,
        warmupEpochs: 0,
        window: 1,
        ...(masteryBy ? { masteryBy } : {}),
      });
      const [easy, unsure] = sel.epochStats(0).dds!.subset;
      const s = sel.select(0);
      sel.observe(
        feedback(
          s.train,
          (r) => (r === easy ? 0.99 : r === unsure ? 0.6 : 0.3),
          'train',
          (r) => r === easy || r === unsure,
        ),
      );
      const s0 = sel.epochStats(0).dds!;
      return { s0, s1: whole(sel, 1, () => 0.3).stats.dds!, easy };
    };
    const byCorrect = run();
    expect(byCorrect.s0.mastery).toBe(0.5); // 2 of 4 right in the latest epoch
    expect(byCorrect.s0.easy).toBe(1);
    expect(byCorrect.s1.replacedRows).toHaveLength(1); // mastered: the easy image is replaced, the others stay
    expect(byCorrect.s1.subset).not.toContain(byCorrect.easy);
    const byEasy = run('easy');
    expect(byEasy.s0.mastery).toBe(0.25);
    expect(byEasy.s1.replaced).toBe(0);
  });

  it('mastery by correctness counts only the latest epoch, and a member without feedback in it as wrong', () => {
    const sel = new DdsSelection(pools, 2, emb, 2, { size: 4, warmupEpochs: 100, window: 3 });
    const subset = sel.epochStats(0).dds!.subset;
    whole(sel, 0, () => 0.99); // all right
    expect(sel.epochStats(0).dds!.mastery).toBe(1);
    const s = sel.select(1);
    sel.observe(
      feedback(
        s.train.filter((r) => r !== subset[0]),
        () => 0.99,
        'train',
        (r) => r === subset[1],
      ),
    );
    // latest epoch: subset[1] right, two wrong, subset[0] not trained → 1 / 4
    expect(sel.epochStats(1).dds!.mastery).toBe(0.25);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('replacement rule on a hand-built latent space', () => {
  // class 0: rows 0-5, class 1: rows 6-8 (three images), validation rows 9-12
  const pools: SelectionPools = {
    train: [0, 1, 2, 3, 4, 5, 6, 7, 8],
    val: [9, 10, 11, 12],
    labels: [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1],
    classes: 2,
  };
  // 2-D points; class 1 sits far away, so a class-blind search would always pick it
  const points: [number, number][] = [
    [0, 0], // 0
    [1, 0], // 1
    [10, 0], // 2
    [0, 5], // 3
    [3, 0], // 4
    [-4, 0], // 5
    [100, 100], // 6
    [100, 101], // 7
    [103, 100], // 8
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  const emb = Float32Array.from(points.flat());
  const options: Partial<DdsOptions> = { size: 4, window: 1, warmupEpochs: 0, replacePool: 'unseen-first' };
  const easy = () => 0.99;

  it('replaces each easy image with the furthest unvisited image of its class, then revisits the least recently used', () => {
    const sel = new DdsSelection(pools, 1, emb, 2, options);
    setSubset(sel, [0, 1, 6, 7]);
    // epoch 0 trains the chosen subset; everything is easy
    expect(whole(sel, 0, easy).stats.dds!.subset).toEqual([0, 1, 6, 7]);

    // epoch 1: slot of 0 first: furthest unvisited from (0,0) is row 2 (10); then from 1 = (1,0) among {3,4,5}: row 3
    // (√26; row 2 would be further but is now a member). Class 1: 6 → 8 (the only unvisited), 7 keeps its slot:
    // its only other candidate, row 6, is leaving in this same pass.
    const e1 = whole(sel, 1, easy);
    expect(e1.stats.dds!.subset).toEqual([2, 3, 8, 7]);
    expect(e1.stats.dds!.replacedRows).toEqual([2, 3, 8]);
    expect(e1.stats.dds!.replaced).toBe(3);
    expect(e1.resetLr).toBe(true);

    // epoch 2: from 2 = (10,0) among unvisited {4,5}: 5 (14 > 7); from 3: 4. Class 1 has no unvisited image: 8 → 6
    // (left at epoch 1), and 7 → nothing left before this epoch (8 leaves now): stays.
    const e2 = whole(sel, 2, easy);
    expect(e2.stats.dds!.subset).toEqual([5, 4, 6, 7]);
    expect(e2.stats.dds!.uniqueSeen).toBe(9);

    // epoch 3: class 0 exhausted → least recently used. Left at epoch 1: {0, 1}; at epoch 2: {2, 3}.
    // From 5 = (-4,0): 0 and 1 tie on age, 1 is further (5 > 4) → 1. From 4: {0} is now the oldest → 0.
    const e3 = whole(sel, 3, easy);
    expect(e3.stats.dds!.subset.slice(0, 2)).toEqual([1, 0]);

    // epoch 4: left at 2: {2, 3}, at 3: {4, 5}. From 1 = (1,0): 2 (9) beats 3 (√26); from 0: 3.
    const e4 = whole(sel, 4, easy);
    expect(e4.stats.dds!.subset.slice(0, 2)).toEqual([2, 3]);

    // per-class counts never change
    for (const e of [e1, e2, e3, e4]) expect(e.stats.perClass.train).toEqual([2, 2]);
  });

  it('keeps hard images and images with no possible replacement', () => {
    const sel = new DdsSelection(pools, 1, emb, 2, options);
    setSubset(sel, [0, 1, 6, 7]);
    // 0 and 6 easy, 1 and 7 hard → mastery 0.5
    whole(sel, 0, (r) => (r === 0 || r === 6 ? 0.99 : 0.1));
    const e1 = whole(sel, 1, easy);
    expect(e1.stats.dds!.subset).toEqual([2, 1, 8, 7]);
    expect(e1.stats.dds!.replacedRows).toEqual([2, 8]);

    // a class whose every image is in the subset keeps its (easy) images
    const full: SelectionPools = { train: [0, 1, 6, 7], val: [9, 11], labels: pools.labels, classes: 2 };
    const f = new DdsSelection(full, 1, emb, 2, options);
    whole(f, 0, easy);
    const f1 = whole(f, 1, easy);
    expect(f1.stats.dds!.replaced).toBe(0);
    expect(f1.resetLr).toBeUndefined();
    expect(sorted(f1.stats.dds!.subset)).toEqual([0, 1, 6, 7]);
  });

  /** From the subset {0, 3, 6, 7}: 3 and 7 easy (giving {0, 2, 6, 8}), then 0 and 2 easy; the next epoch's stats. */
  function twoReplacementRounds(sel: DdsSelection): NonNullable<SelectionEpochStats['dds']> {
    setSubset(sel, [0, 3, 6, 7]);
    whole(sel, 0, (r) => (r === 3 || r === 7 ? 0.99 : 0.1));
    expect(whole(sel, 1, () => 0.1).stats.dds!.subset).toEqual([0, 2, 6, 8]);
    whole(sel, 2, (r) => (r === 0 || r === 2 ? 0.99 : 0.1));
    return whole(sel, 3, () => 0.1).stats.dds!;
  }

  it('prefers unvisited images even when a visited one is further', () => {
    const sel = new DdsSelection(pools, 1, emb, 2, options);
    // 3 and 7 easy → mastery 0.5. From 3 = (0,5), unvisited {1, 2, 4, 5}: 2 (√125); class 1: 7 → 8; then 0 and 2
    // easy. From 0 = (0,0): row 3 (visited, left at epoch 1) is at 5, but the furthest UNVISITED is 5 (at 4); then
    // from 2 = (10,0): unvisited {1, 4} → 1 (9 > 7)
    const e3 = twoReplacementRounds(sel);
    expect(e3.subset).toEqual([5, 1, 6, 8]);
    expect(e3.replacedRows).toEqual([5, 1]);
    expect(e3.hardRows).toEqual([5, 1, 6, 8]);
  });

  it("'global' (default): the furthest image not in the subset, a previously visited one included", () => {
    expect(DDS_DEFAULTS.replacePool).toBe('global');
    const { replacePool: _, ...byDefault } = options;
    const sel = new DdsSelection(pools, 1, emb, 2, byDefault);
    // as above: 3 → 2 (√125), 7 → 8; then from 0 = (0,0) among the non-members {1, 3, 4, 5}: row 3 (visited, at 5)
    // is the furthest and is taken; then from 2 = (10,0) among {1, 4, 5} (0 leaves in this pass): 5 (14)
    const e3 = twoReplacementRounds(sel);
    expect(e3.subset).toEqual([3, 5, 6, 8]);
    expect(e3.replacedRows).toEqual([3, 5]);
    expect(e3.uniqueSeen).toBe(7); // 0, 3, 6, 7, then 2, 8, then 5
    // it continues exactly from a checkpoint taken now
    const copy = new DdsSelection(pools, 1, emb, 2, byDefault);
    copy.restore(JSON.parse(JSON.stringify(sel.state())));
    whole(sel, 4, easy);
    whole(copy, 4, easy);
    expect(whole(copy, 5, easy).stats).toEqual(whole(sel, 5, easy).stats);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('schedule: warm-up, mastery gate, class balance', () => {
  // 4 classes with uneven pools, one of them short: S = 10 → quotas [3, 3, 2, 2] before shortages
  const pools = labelledPools([30, 25, 2, 40], [10, 10, 10, 10]);
  const emb = randomEmbeddings(pools.labels.length, 4, 3);

  it('does not resample during the warm-up epochs, then does once mastered', () => {
    const sel = new DdsSelection(pools, 4, emb, 4, { size: 10 });
    const first = sel.epochStats(0).dds!.subset;
    for (let e = 0; e < 10; e++) {
      const r = whole(sel, e, () => 0.99);
      expect(r.stats.dds!.replaced).toBe(0);
      expect(r.stats.dds!.subset).toEqual(first);
      expect(r.resetLr).toBeUndefined();
      expect(r.stats.dds!.mastery).toBe(1);
    }
    const e10 = whole(sel, 10, () => 0.99);
    // every image is easy; the short class (2 images, both in the subset) cannot change
    expect(e10.stats.dds!.replaced).toBe(8);
    expect(e10.resetLr).toBe(true);
    // the new images have no history yet... but were trained in epoch 10, so mastery is measured after it
    expect(e10.stats.dds!.mastery).toBe(1);
  });

  it('warmupEpochs is configurable', () => {
    const sel = new DdsSelection(pools, 4, emb, 4, { size: 10, warmupEpochs: 3 });
    const replaced = Array.from({ length: 5 }, (_, e) => whole(sel, e, () => 0.99).stats.dds!.replaced);
    expect(replaced).toEqual([0, 0, 0, 8, 8]);
  });

  it('never resamples a subset that is not mastered', () => {
    const sel = new DdsSelection(pools, 4, emb, 4, { size: 10, warmupEpochs: 0 });
    const first = sel.epochStats(0).dds!.subset;
    for (let e = 0; e < 30; e++) {
      // 4 of 10 easy: 0.4 < 0.5
      const r = whole(sel, e, (row) => (first.indexOf(row) < 4 ? 0.99 : 0.3));
      expect(r.stats.dds!.replaced).toBe(0);
      expect(r.stats.dds!.mastery).toBeCloseTo(0.4);
      expect(r.stats.dds!.subset).toEqual(first);
    }
  });

  it('keeps every class count exactly, with S not divisible by M and a short class', () => {
    const sel = new DdsSelection(pools, 9, emb, 4, {
      size: 10,
      warmupEpochs: 2,
      window: 2,
      replacePool: 'unseen-first',
    });
    // [30, 25, 2, 40] and S = 10: share 2 (10 / 4), class 2 gives its 2, the other 8 go 3/3/2 (remainder first)
    const expected = [3, 3, 2, 2];
    let replacedTotal = 0;
    let seen = 0;
    for (let e = 0; e < 60; e++) {
      const r = epoch(sel, e, mixed, 3);
      const d = r.stats.dds!;
      expect(r.stats.perClass.train).toEqual(expected);
      expect(r.stats.trainSize).toBe(10);
      expect(new Set(d.subset).size).toBe(10);
      for (const row of d.subset) expect(pools.train).toContain(row);
      for (const row of d.replacedRows) expect(d.subset).toContain(row);
      expect(d.easy + d.hard).toBe(10);
      expect(d.uniqueSeen).toBeGreaterThanOrEqual(seen);
      seen = d.uniqueSeen;
      replacedTotal += d.replaced;
      // the validation subset: equally sized, class balanced, from train_α
      expect(r.stats.valSize).toBe(10);
      expect(r.stats.perClass.val).toEqual([3, 3, 2, 2]);
      for (const row of r.val) expect(pools.val).toContain(row);
    }
    expect(replacedTotal).toBeGreaterThan(50);
    // classes 0, 1, 3 went through every image: revisiting happened
    expect(seen).toBe(30 + 25 + 2 + 40);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('cyclic learning rate', () => {
  const pools = labelledPools([20, 20], [5, 5]);
  const emb = randomEmbeddings(50, 3, 5);

  it('is triangular between base and max with a half-cycle of `step` epochs', () => {
    const lr = (t: number) => cyclicLr(t, 0.001, 0.01, 10);
    expect(lr(0)).toBeCloseTo(0.001, 12);
    expect(lr(5)).toBeCloseTo(0.0055, 12);
    expect(lr(10)).toBeCloseTo(0.01, 12);
    expect(lr(13)).toBeCloseTo(0.0073, 12);
    expect(lr(20)).toBeCloseTo(0.001, 12);
    expect(lr(30)).toBeCloseTo(0.01, 12);
  });

  it('follows the cycle from epoch 0 and restarts it at max when a new subset comes in', () => {
    const sel = new DdsSelection(pools, 1, emb, 3, { size: 4, warmupEpochs: 12, window: 1 });
    const lrs: number[] = [];
    const resets: number[] = [];
    for (let e = 0; e < 40; e++) {
      // mastered only at the end of epoch 11 → resample (and reset) at epoch 12, never again
      const r = whole(sel, e, () => (e === 11 ? 0.99 : 0.2));
      if (r.resetLr) resets.push(e);
      lrs.push(sel.weightLr(e));
    }
    expect(resets).toEqual([12]);
    expect(lrs[0]).toBeCloseTo(0.001, 12);
    expect(lrs[10]).toBeCloseTo(0.01, 12);
    expect(lrs[11]).toBeCloseTo(0.0091, 12);
    expect(lrs[12]).toBeCloseTo(0.01, 12); // reset: would be 0.0082 without
    expect(lrs[13]).toBeCloseTo(0.0091, 12);
    expect(lrs[22]).toBeCloseTo(0.001, 12);
    expect(lrs[32]).toBeCloseTo(0.01, 12);
    // earlier epochs keep their values
    expect(sel.weightLr(11)).toBeCloseTo(0.0091, 12);
  });

  it('base, max, step and the reset are options', () => {
    const options = { size: 4, warmupEpochs: 14, window: 1, lrBase: 0.002, lrMax: 0.02, lrStep: 4 };
    const conf = (_r: number, e: number) => (e === 13 ? 0.99 : 0.2);
    const off = new DdsSelection(pools, 1, emb, 3, { ...options, lrReset: false });
    const on = new DdsSelection(pools, 1, emb, 3, options);
    const resets: number[] = [];
    const replaced: number[] = [];
    for (let e = 0; e < 18; e++) {
      const r = whole(off, e, conf);
      if (r.resetLr) resets.push(e);
      replaced.push(r.stats.dds!.replaced);
      whole(on, e, conf);
    }
    expect(resets).toEqual([]);
    expect(replaced[14]).toBe(4); // the subset did change at 14
    expect(off.epochStats(14).dds!.replaced).toBe(0); // not the current epoch any more
    expect(off.weightLr(2)).toBeCloseTo(0.011, 12);
    expect(off.weightLr(4)).toBeCloseTo(0.02, 12);
    expect(off.weightLr(8)).toBeCloseTo(0.002, 12);
    expect(off.weightLr(14)).toBeCloseTo(0.011, 12); // no reset: t = 14, 6 into the 8-epoch cycle
    expect(on.weightLr(14)).toBeCloseTo(0.02, 12); // reset
    expect(on.weightLr(16)).toBeCloseTo(0.011, 12);
    expect(on.weightLr(13)).toBeCloseTo(0.0155, 12);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('one validation policy for dds, dds-untrained and random', () => {
  const pools = labelledPools([20, 20, 20], [15, 15, 15]);
  const emb = randomEmbeddings(105, 3, 2);
  for (const valMode of ['resample-each-epoch', 'fixed', 'with-subset'] as const) {
    it(`${valMode}: the same validation rows, in the same order, every epoch, for one seed`, () => {
      const dds = new DdsSelection(pools, 4, emb, 3, { size: 6, valMode, warmupEpochs: 100 });
      const untrained = new DdsSelection(pools, 4, emb, 3, {
        size: 6,
        valMode,
        warmupEpochs: 100,
        name: 'dds-untrained',
      });
      const random = new RandomSubsetSelection(pools, 4, { size: 6, valMode });
      for (let e = 0; e < 5; e++) {
        const v = whole(dds, e, () => 0.2).val;
        expect(whole(untrained, e, () => 0.2).val).toEqual(v);
        expect(random.select(e).val).toEqual(v);
        expect(random.epochStats(e).perClass.val).toEqual([2, 2, 2]);
      }
    });
  }

  it('the schema gives all three the same default', () => {
    expect(DDS_DEFAULTS.valMode).toBe('resample-each-epoch');
    const random = new RandomSubsetSelection(pools, 4, { size: 6 });
    const dds = new DdsSelection(pools, 4, emb, 3, { size: 6, warmupEpochs: 100 });
    for (let e = 0; e < 3; e++) expect(random.select(e).val).toEqual(whole(dds, e, () => 0.2).val);
  });
});

describe('validation subset', () => {
  const pools = labelledPools([20, 20, 20], [15, 15, 15]);
  const emb = randomEmbeddings(105, 3, 2);
  const valOf = (sel: DdsSelection, e: number, conf: (r: number, e: number) => number) =>
    sorted(whole(sel, e, conf).val);

  it("'resample-each-epoch' (default) draws a fresh class-balanced subset of train_α every epoch", () => {
    expect(DDS_DEFAULTS.valMode).toBe('resample-each-epoch');
    const sel = new DdsSelection(pools, 1, emb, 3, { size: 6 });
    const vals = Array.from({ length: 5 }, (_, e) => valOf(sel, e, () => 0.2));
    expect(new Set(vals.map((v) => v.join())).size).toBe(5);
    for (let e = 0; e < 5; e++) expect(sel.epochStats(e).perClass.val).toEqual([2, 2, 2]);
  });

  it("'fixed' keeps one draw; 'with-subset' redraws only when the training subset changes", () => {
    const fixed = new DdsSelection(pools, 1, emb, 3, { size: 6, valMode: 'fixed', warmupEpochs: 0 });
    const f = Array.from({ length: 4 }, (_, e) => valOf(fixed, e, () => 0.99));
    expect(new Set(f.map((v) => v.join())).size).toBe(1);

    const withSubset = new DdsSelection(pools, 1, emb, 3, {
      size: 6,
      valMode: 'with-subset',
      warmupEpochs: 0,
      window: 1,
    });
    // epoch 0 easy → resample at 1; epoch 1 hard → none at 2; epoch 2 easy → resample at 3
    const conf = (_r: number, e: number) => (e === 1 ? 0.2 : 0.99);
    const w = Array.from({ length: 4 }, (_, e) => valOf(withSubset, e, conf));
    expect(w[1]).not.toEqual(w[0]);
    expect(w[2]).toEqual(w[1]);
    expect(w[3]).not.toEqual(w[2]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('determinism and checkpoints', () => {
  const pools = labelledPools([25, 18, 30], [12, 12, 12]);
  const emb = randomEmbeddings(pools.labels.length, 5, 8);
  const options: Partial<DdsOptions> = { size: 9, warmupEpochs: 3, window: 2 };

  function runFrom(sel: DdsSelection, from: number, to: number) {
    const out: unknown[] = [];
    for (let e = from; e < to; e++) {
      const r = epoch(sel, e, mixed, 4);
      out.push({ ...r, lr: sel.weightLr(e) });
    }
    return out;
  }

  it('is deterministic for a seed', () => {
    const a = runFrom(new DdsSelection(pools, 21, emb, 5, options), 0, 25);
    const b = runFrom(new DdsSelection(pools, 21, emb, 5, options), 0, 25);
    expect(a).toEqual(b);
    const c = new DdsSelection(pools, 22, emb, 5, options);
    expect(c.epochStats(0).dds!.subset).not.toEqual(
      new DdsSelection(pools, 21, emb, 5, options).epochStats(0).dds!.subset,
    );
  });

  it('select(epoch) twice returns the same selection and resamples only once', () => {
    const sel = new DdsSelection(pools, 21, emb, 5, { ...options, warmupEpochs: 0 });
    whole(sel, 0, () => 0.99);
    const a = sel.select(1);
    const b = sel.select(1);
    expect(b).toEqual(a);
    expect(a.resetLr).toBe(true);
    expect(sel.epochStats(1).dds!.replaced).toBe(9);
  });

  it('continues exactly after restore(state()) at the end of epoch k', () => {
    const straight = runFrom(new DdsSelection(pools, 21, emb, 5, options), 0, 30);
    for (const k of [0, 2, 3, 7, 15]) {
      const first = new DdsSelection(pools, 21, emb, 5, options);
      const head = runFrom(first, 0, k + 1);
      const resumed = new DdsSelection(pools, 21, emb, 5, options);
      resumed.restore(JSON.parse(JSON.stringify(first.state())));
      const tail = runFrom(resumed, k + 1, 30);
      expect([...head, ...tail]).toEqual(straight);
    }
  });

  it('continues exactly from a state taken mid-epoch (pending feedback) and before epochStats', () => {
    const a = new DdsSelection(pools, 21, emb, 5, options);
    runFrom(a, 0, 6);
    const s = a.select(6);
    a.observe(feedback(s.train.slice(0, 4), (r) => mixed(r, 6)));
    const b = new DdsSelection(pools, 21, emb, 5, options);
    b.restore(JSON.parse(JSON.stringify(a.state())));
    for (const sel of [a, b]) sel.observe(feedback(s.train.slice(4, 8), (r) => mixed(r, 6)));
    expect(b.epochStats(6)).toEqual(a.epochStats(6));
    expect(runFrom(b, 7, 20)).toEqual(runFrom(a, 7, 20));
  });

  it('refuses a state from another seed, size or strategy, and malformed subsets', () => {
    const a = new DdsSelection(pools, 21, emb, 5, options);
    expect(() => new DdsSelection(pools, 22, emb, 5, options).restore(a.state())).toThrow(/seed/);
    expect(() => new DdsSelection(pools, 21, emb, 5, { ...options, size: 6 }).restore(a.state())).toThrow(/size/);
    expect(() => a.restore({ kind: 'random' })).toThrow(/not a dds state/);
    const s = a.state() as { subset: number[] };
    expect(() => a.restore({ ...s, subset: [...s.subset, 9999] })).toThrow(/subset/);
  });
});

describe('construction', () => {
  const pools = labelledPools([6, 6], [2, 2]);

  it('uses DDS_DEFAULTS and reports its name', () => {
    expect(DDS_DEFAULTS).toMatchObject({
      size: 100,
      window: 3,
      hardness: 0.85,
      mastery: 0.5,
      warmupEpochs: 10,
      lrBase: 0.001,
      lrMax: 0.01,
      lrStep: 10,
      lrReset: true,
    });
    const sel = new DdsSelection(pools, 1, randomEmbeddings(16, 2, 1), 2);
    expect(sel.name).toBe('dds');
    expect(sel.options).toEqual(DDS_DEFAULTS);
    // S = 100 > the 12 training images: the whole pool
    expect(sel.epochStats(0).trainSize).toBe(12);
    expect(new DdsSelection(pools, 1, randomEmbeddings(16, 2, 1), 2, { name: 'dds-untrained' }).name).toBe(
      'dds-untrained',
    );
  });

  it('rejects embeddings that do not cover the training rows, and bad options', () => {
    expect(() => new DdsSelection(pools, 1, randomEmbeddings(10, 2, 1), 2)).toThrow(/has no embedding/);
    expect(() => new DdsSelection(pools, 1, new Float32Array(33), 2)).toThrow(/whole number/);
    const emb = randomEmbeddings(16, 2, 1);
    expect(() => new DdsSelection(pools, 1, emb, 2, { hardness: 1.5 })).toThrow(/hardness/);
    expect(() => new DdsSelection(pools, 1, emb, 2, { window: 0 })).toThrow(/window/);
    expect(() => new DdsSelection(pools, 1, emb, 2, { lrBase: 0.1, lrMax: 0.01 })).toThrow(/lrBase/);
    expect(() => new DdsSelection(pools, 1, emb, 2, { valMode: 'never' as never })).toThrow(/valMode/);
  });
});
