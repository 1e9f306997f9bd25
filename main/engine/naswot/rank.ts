/** Summaries of repeated scores and the rank correlation NASWOT is judged by. */

/** Mean and population standard deviation; null for both when a value is not finite (a singular K_H). */
export function meanStd(values: readonly number[]): { mean: number | null; std: number | null } {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * Kendall's τ-b between two paired lists (ties in either list handled as scipy.stats.kendalltau does); 0 when
 * either list is constant. −Infinity compares as the lowest value.
 */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`kendallTau: ${a.length} and ${b.length} values.`);
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i]! === a[j]! ? 0 : a[i]! - a[j]!);
      const db = Math.sign(b[i]! === b[j]! ? 0 : b[i]! - b[j]!);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom === 0 ? 0 : (concordant - discordant) / denom;
}

/** Descending by score, null (−∞) last, ties by index: the ranking order. */
export function byScore(x: { index: number; mean: number | null }, y: { index: number; mean: number | null }): number {
  const a = x.mean ?? -Infinity;
  const b = y.mean ?? -Infinity;
  return a === b ? x.index - y.index : b - a;
}

/** k positions spread evenly over 0..n-1, first and last included (n ≤ k: all of them). */
export function evenlySpaced(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < k; i++) out.add(Math.round((i * (n - 1)) / (k - 1)));
  return [...out];
}
