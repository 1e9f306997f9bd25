import { describe, expect, it } from 'vitest';
import { DDS_DEFAULTS, DdsSelection, isEasyWindow, type DdsOptions } from '../../main/engine/selection/dds.js';
import type { SelectionEpochStats, SelectionPools } from '../../main/engine/selection/strategy.js';
import { feedback, labelledPools, randomEmbeddings, sorted, whole } from '../helpers/dds.js';

// ---------------------------------------------------------------------------------------------------------------
// helpers

/** A state with a chosen subset (the replacement tests need a known starting point; restore() validates it). */
function setSubset(sel: DdsSelection, subset: number[]): void {
  const s = sel.state() as { subset: number[]; visited: number[] };
  sel.restore({ ...s, subset, visited: subset });
}

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
