/** Choosing a dataset's rows by class: what a per-class limit keeps. */
import { shuffleInPlace } from './nn/prng.js';

/**
 * At most `cap` of each class's rows (a seeded choice, returned in row order); every row when `cap` is null. Rows
 * are drawn class by class from `rng`, so the same rows, labels and stream give the same choice.
 */
export function capPerClass(
  rows: readonly number[],
  labels: ArrayLike<number>,
  classes: number,
  cap: number | null,
  rng: () => number,
): number[] {
  if (cap === null) return [...rows].sort((a, b) => a - b);
  const byClass = Array.from({ length: classes }, () => [] as number[]);
  for (const row of rows) byClass[labels[row]!]!.push(row);
  return byClass
    .flatMap((list) => (list.length > cap ? (shuffleInPlace([...list], rng) as number[]).slice(0, cap) : list))
    .sort((a, b) => a - b);
}
