/**
 * The evaluation's classification report (engine/evaluate/report.ts) on hand-built predictions: confusion matrix,
 * per-class, overall and per-group accuracy, mean loss, and the population std across groups.
 */
import { describe, expect, it } from 'vitest';
import { classificationReport, populationStd } from '../../main/engine/evaluate/report.js';

const CLASSES = ['cat', 'dog', 'fox'];
// 8 images: true class, predicted class, group (null = none). Hits at 0, 2, 3, 4, 6.
const LABELS = [0, 0, 0, 1, 1, 1, 2, 2];
const PREDICTED = [0, 1, 0, 1, 1, 2, 2, 0];
const GROUPS = ['b', 'a', 'b', null, 'a', 'c', 'a', 'b'];

describe('classificationReport', () => {
  it('counts the confusion matrix, per-class and overall accuracy and the mean loss', () => {
    const r = classificationReport({ predicted: Int32Array.from(PREDICTED), labels: Int32Array.from(LABELS), lossSum: 4 }, CLASSES);
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

  it('reports per-group accuracy sorted by group name with the population std; null groups are left out', () => {
    const r = classificationReport({ predicted: PREDICTED, labels: LABELS, groups: GROUPS, lossSum: 1 }, CLASSES);
    // a: images 1 (miss), 4, 6 (hits); b: 0, 2 (hits), 7 (miss); c: 5 (miss); image 3 (a hit) has no group
    expect(r.perGroup).toEqual([
      { group: 'a', correct: 2, total: 3, accuracy: 2 / 3 },
      { group: 'b', correct: 2, total: 3, accuracy: 2 / 3 },
      { group: 'c', correct: 0, total: 1, accuracy: 0 },
    ]);
    // mean 4/9; deviations 2/9, 2/9, −4/9; variance (4 + 4 + 16) / 81 / 3 = 8/81
    expect(r.groupStd).toBeCloseTo(Math.sqrt(8) / 9, 12);
    // the overall numbers still count every image, grouped or not
    expect(r.accuracy).toBe(5 / 8);
    expect(r.perGroup!.reduce((a, g) => a + g.total, 0)).toBe(7);
  });

  it('has no groups when every image has group null', () => {
    const r = classificationReport({ predicted: PREDICTED, labels: LABELS, groups: LABELS.map(() => null), lossSum: 0 }, CLASSES);
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
    expect(empty).toMatchObject({ images: 0, loss: 0, accuracy: 0, confusion: [[0, 0], [0, 0]], perGroup: null, groupStd: null });
  });

  it('refuses predictions and labels of different lengths', () => {
    expect(() => classificationReport({ predicted: [0, 1, 0], labels: [0, 1, 0, 1], lossSum: 0 }, ['a', 'b'])).toThrow('3 predictions for 4 labels');
  });
});

describe('populationStd', () => {
  it('divides by n, not n − 1', () => {
    // mean 5, squared deviations sum to 32, 32 / 8 = 4
    expect(populationStd([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(populationStd([0, 1])).toBe(0.5);
    expect(populationStd([0.3])).toBe(0);
    expect(populationStd([])).toBe(0);
  });
});
