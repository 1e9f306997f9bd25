/**
 * Classification reports: top-1, per-class accuracy, confusion matrix and per-group accuracy with the standard
 * deviation across groups (the thesis' bias measure, [Poyser-thesis] Sec. 3.4; keys: docs/REFERENCES.md). Pure: predictions in, numbers out, so the
 * evaluation and the compression study report the same way.
 */
import type { ClassificationReport, GroupAccuracy } from '../../../shared/evaluate.js';

export interface Predictions {
  /** Predicted class per image. */
  predicted: ArrayLike<number>;
  /** True class per image. */
  labels: ArrayLike<number>;
  /** Group per image (null = none); omit when the dataset has no groups. */
  groups?: ReadonlyArray<string | null>;
  /** Summed cross-entropy over the images (the report's loss is its mean). */
  lossSum: number;
}

/**
 * Sample standard deviation (n − 1), the thesis' bias measure: every STD of its Table 8 is the sample one (e.g.
 * 1.31 for the 21 groups of its "Original" column, where dividing by n gives 1.28). 0 for fewer than 2 values.
 */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

export function classificationReport(p: Predictions, classNames: readonly string[]): ClassificationReport {
  const k = classNames.length;
  const n = p.labels.length;
  if (p.predicted.length !== n) throw new Error(`${p.predicted.length} predictions for ${n} labels`);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = p.labels[i]!;
    const y = p.predicted[i]!;
    confusion[t]![y]!++;
    if (t === y) correct++;
  }
  const perClass = classNames.map((name, label) => {
    const row = confusion[label]!;
    const total = row.reduce((a, b) => a + b, 0);
    const hit = row[label]!;
    return { label, name, correct: hit, total, accuracy: total > 0 ? hit / total : 0 };
  });
  let perGroup: GroupAccuracy[] | null = null;
  if (p.groups && p.groups.some((g) => g !== null)) {
    const byGroup = new Map<string, { correct: number; total: number }>();
    for (let i = 0; i < n; i++) {
      const g = p.groups[i];
      if (g == null) continue;
      const e = byGroup.get(g) ?? { correct: 0, total: 0 };
      e.total++;
      if (p.labels[i] === p.predicted[i]) e.correct++;
      byGroup.set(g, e);
    }
    perGroup = [...byGroup.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, e]) => ({ group, correct: e.correct, total: e.total, accuracy: e.correct / e.total }));
  }
  return {
    images: n,
    loss: n > 0 ? p.lossSum / n : 0,
    accuracy: n > 0 ? correct / n : 0,
    perClass,
    confusion,
    perGroup,
    groupStd: perGroup ? sampleStd(perGroup.map((g) => g.accuracy)) : null,
  };
}
