import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32 } from '../../main/engine/nn/prng.js';
import { DDS_DEFAULTS, DdsSelection, cyclicLr, type DdsOptions } from '../../main/engine/selection/dds.js';
import { RandomSubsetSelection } from '../../main/engine/selection/random.js';
import { epoch, feedback, labelledPools, randomEmbeddings, sorted, whole } from '../helpers/dds.js';

/** Deterministic pseudo-random confidence per (row, epoch): mostly easy, some hard. */
const mixed = (row: number, e: number) => (mulberry32(deriveSeed(row, `conf:${e}`))() < 0.75 ? 0.97 : 0.2);

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
