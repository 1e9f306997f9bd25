/** BDP's class balance degree ([BDP] Eq. 5) and per-class counts, which every selection strategy reports. */
import { describe, expect, it } from 'vitest';
import { balanceDegree, countPerClass } from '../../main/engine/selection/balance.js';
import { FullSelection } from '../../main/engine/selection/full.js';

describe('balanceDegree (Eq. 5)', () => {
  it('is 1 for equal classes and the mean over pairs of min / max otherwise', () => {
    expect(balanceDegree([5, 5, 5])).toBe(1);
    // pairs: 10/10 = 1, 5/10 = 0.5, 5/10 = 0.5 → 2 / 3
    expect(balanceDegree([10, 10, 5])).toBeCloseTo(2 / 3, 12);
    // pairs: 8/20, 8/20, 20/20 → (0.4 + 0.4 + 1) / 3 = 0.6
    expect(balanceDegree([8, 20, 20])).toBeCloseTo(0.6, 12);
  });

  it('counts an empty class as unbalanced against a non-empty one, balanced against another empty one; one class is balanced', () => {
    expect(balanceDegree([0, 4])).toBe(0);
    expect(balanceDegree([0, 0])).toBe(1);
    expect(balanceDegree([7])).toBe(1);
  });
});

describe('countPerClass and FullSelection.epochStats', () => {
  it('counts rows per class and reports the full pools with their balance', () => {
    const labels = [0, 1, 1, 2, 0, 1, 2, 2, 2];
    expect(countPerClass([0, 1, 2, 3, 4], labels, 3)).toEqual([2, 2, 1]);
    const full = new FullSelection({ train: [0, 1, 2, 3], val: [4, 5, 6, 7, 8], labels, classes: 3 }, 1);
    full.select(0);
    const s = full.epochStats();
    expect(s).toEqual({
      trainSize: 4,
      valSize: 5,
      perClass: { train: [1, 2, 1], val: [1, 1, 3] },
      balance: (0.5 + 1 + 0.5) / 3,
    });
  });
});
