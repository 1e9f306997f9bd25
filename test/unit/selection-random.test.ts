import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { RandomSubsetSelection } from '../../main/engine/selection/random.js';
import type { SelectionPools } from '../../main/engine/selection/strategy.js';
import { classBalancedDraw, classQuotas, rowsByClass } from '../../main/engine/selection/subset.js';

/** Rows 0..n-1 with the given per-class counts for train and val (train rows first, then val rows). */
function makePools(trainPerClass: number[], valPerClass: number[]): SelectionPools {
  const labels: number[] = [];
  const train: number[] = [];
  const val: number[] = [];
  trainPerClass.forEach((n, c) => {
    for (let i = 0; i < n; i++) {
      train.push(labels.length);
      labels.push(c);
    }
  });
  valPerClass.forEach((n, c) => {
    for (let i = 0; i < n; i++) {
      val.push(labels.length);
      labels.push(c);
    }
  });
  return { train, val, labels, classes: trainPerClass.length };
}

const counts = (rows: readonly number[], labels: readonly number[], classes: number): number[] => {
  const out = new Array<number>(classes).fill(0);
  for (const r of rows) out[labels[r]!]!++;
  return out;
};

describe('classQuotas', () => {
  it('splits evenly when the size divides by the classes', () => {
    expect(classQuotas([50, 50, 50, 50], 100)).toEqual([25, 25, 25, 25]);
  });

  it('gives the remainder S mod M to the first classes, one each', () => {
    expect(classQuotas([50, 50, 50], 10)).toEqual([4, 3, 3]);
    expect(classQuotas([50, 50, 50, 50], 10)).toEqual([3, 3, 2, 2]);
    expect(classQuotas([50, 50, 50], 2)).toEqual([1, 1, 0]);
  });

  it('takes all of a short class and shares its unused budget among the others', () => {
    expect(classQuotas([2, 100, 100], 30)).toEqual([2, 14, 14]);
    // the remainder of the re-shared budget goes to the lowest class index that can still take images
    expect(classQuotas([2, 100, 100], 31)).toEqual([2, 15, 14]);
    // cascading: class 1 becomes short once class 0's share is handed on
    expect(classQuotas([1, 5, 100], 21)).toEqual([1, 5, 15]);
    // a class with no images at all
    expect(classQuotas([0, 10, 10], 10)).toEqual([0, 5, 5]);
  });

  it('takes the whole pool when the budget exceeds it', () => {
    expect(classQuotas([3, 1, 2], 100)).toEqual([3, 1, 2]);
    expect(classQuotas([3, 1, 2], 0)).toEqual([0, 0, 0]);
  });

  it('rejects a negative or fractional size', () => {
    expect(() => classQuotas([3], -1)).toThrow(/whole number/);
    expect(() => classQuotas([3], 1.5)).toThrow(/whole number/);
  });
});

describe('classBalancedDraw', () => {
  const pools = makePools([30, 20, 7, 40], []);

  it('draws the quota of each class, from that class, without repeats', () => {
    const rows = classBalancedDraw(pools.train, pools.labels, pools.classes, 30, mulberry32(1));
    expect(rows).toHaveLength(30);
    expect(new Set(rows).size).toBe(30);
    expect(counts(rows, pools.labels, pools.classes)).toEqual(classQuotas([30, 20, 7, 40], 30));
    expect(counts(rows, pools.labels, pools.classes)).toEqual([8, 8, 7, 7]);
    for (const r of rows) expect(pools.train).toContain(r);
    // grouped by class, class 0 first
    const labelsInOrder = rows.map((r) => pools.labels[r]!);
    expect(labelsInOrder).toEqual([...labelsInOrder].sort((a, b) => a - b));
  });

  it('is a function of the generator: same seed, same rows; another seed, other rows', () => {
    const a = classBalancedDraw(pools.train, pools.labels, pools.classes, 12, mulberry32(7));
    const b = classBalancedDraw(pools.train, pools.labels, pools.classes, 12, mulberry32(7));
    const c = classBalancedDraw(pools.train, pools.labels, pools.classes, 12, mulberry32(8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('groups rows by class and rejects labels outside the classes', () => {
    expect(rowsByClass([0, 3, 1, 2], [1, 0, 1, 0], 2)).toEqual([
      [3, 1],
      [0, 2],
    ]);
    expect(() => rowsByClass([0], [5], 2)).toThrow(/outside the 2 classes/);
  });
});

describe('RandomSubsetSelection', () => {
  const pools = makePools([40, 40, 40], [20, 20, 20]);

  it('uses one class-balanced subset of S for the whole search, in a new order each epoch', () => {
    const sel = new RandomSubsetSelection(pools, 3, { size: 10, valMode: 'fixed' });
    expect(sel.name).toBe('random');
    const first = sel.select(0);
    expect(first.train).toHaveLength(10);
    expect(counts(first.train, pools.labels, 3)).toEqual([4, 3, 3]);
    for (const r of first.train) expect(pools.train).toContain(r);
    let reordered = false;
    for (let e = 1; e < 20; e++) {
      const s = sel.select(e);
      expect([...s.train].sort((a, b) => a - b)).toEqual([...first.train].sort((a, b) => a - b));
      expect([...s.val].sort((a, b) => a - b)).toEqual([...first.val].sort((a, b) => a - b));
      if (s.train.join() !== first.train.join()) reordered = true;
      expect(s.resetLr).toBeUndefined();
    }
    expect(reordered).toBe(true);
    expect('weightLr' in sel).toBe(false); // the search's own schedule
  });

  it("redraws the validation subset every epoch by default, as dds does ('resample-each-epoch')", () => {
    const sel = new RandomSubsetSelection(pools, 3, { size: 10 });
    const vals = Array.from({ length: 5 }, (_, e) => [...sel.select(e).val].sort((a, b) => a - b).join());
    expect(new Set(vals).size).toBe(5);
  });

  it('draws an equally sized class-balanced validation subset from train_α', () => {
    const sel = new RandomSubsetSelection(pools, 3, { size: 10 });
    const { val } = sel.select(0);
    expect(val).toHaveLength(10);
    expect(counts(val, pools.labels, 3)).toEqual([4, 3, 3]);
    for (const r of val) expect(pools.val).toContain(r);
  });

  it('reports what the epoch used', () => {
    const sel = new RandomSubsetSelection(pools, 3, { size: 9 });
    sel.select(0);
    const stats = sel.epochStats(0);
    expect(stats).toEqual({ trainSize: 9, valSize: 9, perClass: { train: [3, 3, 3], val: [3, 3, 3] }, balance: 1 });
    expect(stats.dds).toBeUndefined();
  });

  it('keeps a short class whole and hands its share on (balance < 1 only then)', () => {
    const short = makePools([2, 40, 40], [20, 20, 20]);
    const sel = new RandomSubsetSelection(short, 1, { size: 30 });
    const stats = sel.epochStats(0);
    expect(stats.perClass.train).toEqual([2, 14, 14]);
    expect(stats.trainSize).toBe(30);
    expect(stats.balance).toBeLessThan(1);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = new RandomSubsetSelection(pools, 11, { size: 12 });
    const b = new RandomSubsetSelection(pools, 11, { size: 12 });
    const c = new RandomSubsetSelection(pools, 12, { size: 12 });
    for (let e = 0; e < 3; e++) expect(a.select(e)).toEqual(b.select(e));
    expect(a.select(0)).not.toEqual(c.select(0));
  });

  it('continues exactly after restore(state()) through JSON', () => {
    const a = new RandomSubsetSelection(pools, 5, { size: 12 });
    for (let e = 0; e <= 4; e++) a.select(e);
    const b = new RandomSubsetSelection(pools, 5, { size: 12 });
    b.restore(JSON.parse(JSON.stringify(a.state())));
    for (let e = 5; e < 10; e++) {
      expect(b.select(e)).toEqual(a.select(e));
      expect(b.epochStats(e)).toEqual(a.epochStats(e));
    }
  });

  it('refuses a state from another seed, size or strategy', () => {
    const a = new RandomSubsetSelection(pools, 5, { size: 12 });
    expect(() => new RandomSubsetSelection(pools, 6, { size: 12 }).restore(a.state())).toThrow(/seed/);
    expect(() => new RandomSubsetSelection(pools, 5, { size: 9 }).restore(a.state())).toThrow(/size/);
    expect(() => a.restore({ seed: 5 })).toThrow(/random-subset state/);
    expect(() => new RandomSubsetSelection(pools, 5, { size: 0 })).toThrow(/size/);
  });
});
