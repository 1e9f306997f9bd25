/**
 * The evaluation's classification report (engine/evaluate/report.ts) on hand-built predictions: confusion matrix,
 * per-class, overall and per-group accuracy, mean loss, and the sample std (n − 1) across groups.
 */
import { describe, expect, it } from 'vitest';
import { classificationReport, sampleStd } from '../../main/engine/evaluate/report.js';

const CLASSES = ['cat', 'dog', 'fox'];
// 8 images: true class, predicted class, group (null = none). Hits at 0, 2, 3, 4, 6.
const LABELS = [0, 0, 0, 1, 1, 1, 2, 2];
const PREDICTED = [0, 1, 0, 1, 1, 2, 2, 0];
const GROUPS = ['b', 'a', 'b', null, 'a', 'c', 'a', 'b'];

describe('classificationReport', () => {
  it('counts the confusion matrix, per-class and overall accuracy and the mean loss', () => {
    const r = classificationReport(
      { predicted: Int32Array.from(PREDICTED), labels: Int32Array.from(LABELS), lossSum: 4 },
      CLASSES,
    );
    expect(r.images).toBe(8);
    expect(r.loss).toBe(0.5);
    expect(r.accuracy).toBe(5 / 8);
    // confusion[true][predicted]
    expect(r.confusion).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [1, 0, 1],
    ]);
    expect(r.perClass).toEqual([
      { label: 0, name: 'cat', correct: 2, total: 3, accuracy: 2 / 3 },
      { label: 1, name: 'dog', correct: 2, total: 3, accuracy: 2 / 3 },
      { label: 2, name: 'fox', correct: 1, total: 2, accuracy: 1 / 2 },
    ]);
    expect(r.perGroup).toBeNull();
    expect(r.groupStd).toBeNull();
  });

  it('reports per-group accuracy sorted by group name with the sample std; null groups are left out', () => {
    const r = classificationReport({ predicted: PREDICTED, labels: LABELS, groups: GROUPS, lossSum: 1 }, CLASSES);
    // a: images 1 (miss), 4, 6 (hits); b: 0, 2 (hits), 7 (miss); c: 5 (miss); image 3 (a hit) has no group
    expect(r.perGroup).toEqual([
      { group: 'a', correct: 2, total: 3, accuracy: 2 / 3 },
      { group: 'b', correct: 2, total: 3, accuracy: 2 / 3 },
      { group: 'c', correct: 0, total: 1, accuracy: 0 },
    ]);
    // mean 4/9; deviations 2/9, 2/9, −4/9; sample variance (4 + 4 + 16) / 81 / (3 − 1) = 12/81
    expect(r.groupStd).toBeCloseTo(Math.sqrt(12) / 9, 12);
    // the overall numbers still count every image, grouped or not
    expect(r.accuracy).toBe(5 / 8);
    expect(r.perGroup!.reduce((a, g) => a + g.total, 0)).toBe(7);
  });

  it('has no groups when every image has group null', () => {
    const r = classificationReport(
      { predicted: PREDICTED, labels: LABELS, groups: LABELS.map(() => null), lossSum: 0 },
      CLASSES,
    );
    expect(r.perGroup).toBeNull();
    expect(r.groupStd).toBeNull();
  });

  it('gives a class without test images total 0 and accuracy 0, and an empty set zeros', () => {
    const r = classificationReport({ predicted: [1, 1], labels: [0, 1], lossSum: 3 }, ['a', 'b', 'c']);
    expect(r.perClass.map((c) => [c.correct, c.total, c.accuracy])).toEqual([
      [0, 1, 0],
      [1, 1, 1],
      [0, 0, 0],
    ]);
    expect(r.confusion).toEqual([
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
    expect(r.loss).toBe(1.5);
    const empty = classificationReport({ predicted: [], labels: [], lossSum: 0 }, ['a', 'b']);
    expect(empty).toMatchObject({
      images: 0,
      loss: 0,
      accuracy: 0,
      confusion: [
        [0, 0],
        [0, 0],
      ],
      perGroup: null,
      groupStd: null,
    });
  });

  it('refuses predictions and labels of different lengths', () => {
    expect(() => classificationReport({ predicted: [0, 1, 0], labels: [0, 1, 0, 1], lossSum: 0 }, ['a', 'b'])).toThrow(
      '3 predictions for 4 labels',
    );
  });
});

describe('sampleStd', () => {
  it('divides by n − 1, not n', () => {
    // mean 5, squared deviations sum to 32, 32 / 7
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleStd([0, 1])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(sampleStd([0.3])).toBe(0);
    expect(sampleStd([])).toBe(0);
  });

  it("gives the thesis' Table 8 STD: 1.31 for the Original column's 21 groups (n would give 1.28)", () => {
    const original = [
      93.15, 93.38, 93.3, 94.85, 94.82, 93.73, 93.98, 94.38, 94.07, 92.86, 94.12, 94.43, 93.98, 94.37, 95.83, 95.15,
      96.55, 96.91, 96.33, 96.55, 97.15,
    ];
    expect(sampleStd(original).toFixed(2)).toBe('1.31');
  });
});
