/** Choosing rows by class: at most a cap of each class, seeded, in row order; every row without a cap. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { capPerClass } from '../../main/engine/rows.js';
import { classifierFacts } from '../../main/jobs/classifier-estimate.js';

// rows 0..11, classes 0,1,2 in turn; class 2 has only the rows given
const labels = Array.from({ length: 12 }, (_, i) => i % 3);
const rows = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11];

describe('capPerClass', () => {
  it('keeps every row, sorted, without a cap', () => {
    expect(capPerClass([5, 1, 3], labels, 3, null, mulberry32(1))).toEqual([1, 3, 5]);
  });

  it('keeps at most the cap of each class, a seeded choice in row order', () => {
    const a = capPerClass(rows, labels, 3, 2, mulberry32(7));
    expect(a).toEqual([...a].sort((x, y) => x - y));
    const perClass = [0, 1, 2].map((c) => a.filter((r) => labels[r] === c).length);
    expect(perClass).toEqual([2, 2, 2]);
    expect(a.every((r) => rows.includes(r))).toBe(true);
    expect(capPerClass(rows, labels, 3, 2, mulberry32(7))).toEqual(a);
    // another seed chooses other rows somewhere (4 rows a class, 6 ways to keep 2)
    const others = [1, 2, 3, 4, 5].map((s) => capPerClass(rows, labels, 3, 2, mulberry32(s)).join());
    expect(new Set([a.join(), ...others]).size).toBeGreaterThan(1);
  });

  it('keeps a class with fewer rows than the cap whole', () => {
    expect(capPerClass([2, 5, 8], labels, 3, 10, mulberry32(3))).toEqual([2, 5, 8]);
  });
});

describe('classifierFacts', () => {
  const c = {
    labels: [0, 1, 0, 1, 0, 1, 0, 0],
    splits: ['train', 'train', 'test', 'test', 'test', 'test', 'test', 'train'] as ('train' | 'test')[],
    classNames: ['a', 'b'],
  };
  it('counts the test images the job tests on: all, or at most the limit of each class', () => {
    expect(classifierFacts(c)).toEqual({ perClassTrain: [2, 1], testImages: 5 });
    expect(classifierFacts(c, 2).testImages).toBe(4);
    expect(classifierFacts(c, 1).testImages).toBe(2);
  });
});
