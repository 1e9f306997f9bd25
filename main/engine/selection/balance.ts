/**
 * Class balance of a set of per-class counts, and the per-class counts of a list of rows: every strategy reports
 * them each epoch, and BDP's class balance constraint ([BDP] Sec. 3.3) is built on them.
 */

/**
 * BDP Eq. 5 (after [36]): b = (1 / P) Σ_{i<j} min(|c_i|, |c_j|) / max(|c_i|, |c_j|), P = M(M − 1) / 2 pairs.
 * b ∈ [0, 1]; 1 = every class has as many samples. Two empty classes count as balanced with each other (0/0 → 1),
 * an empty class against a non-empty one as fully unbalanced (0).
 */
export function balanceDegree(counts: readonly number[]): number {
  const m = counts.length;
  if (m < 2) return 1;
  let sum = 0;
  for (let i = 0; i < m - 1; i++) {
    for (let j = i + 1; j < m; j++) {
      const hi = Math.max(counts[i]!, counts[j]!);
      sum += hi === 0 ? 1 : Math.min(counts[i]!, counts[j]!) / hi;
    }
  }
  return sum / ((m * (m - 1)) / 2);
}

/** Images per class among `rows`. */
export function countPerClass(rows: readonly number[], labels: readonly number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const r of rows) counts[labels[r]!]!++;
  return counts;
}
