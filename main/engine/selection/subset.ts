/**
 * Class-balanced subsets of a pool of rows: the starting point of `random` and `dds` (DDS-NAS, seed 000,
 * Algorithm 1 step 1: "randomly select images from each class to form a balanced subset of size n'") and a
 * helper any other strategy (bdp) may reuse.
 *
 * Quotas (classQuotas), for M classes and a budget S:
 * - every class gets ⌊S / M⌋ and the first S mod M classes (lowest class index) one more, so the remainder is
 *   placed deterministically, never at random;
 * - a class with fewer images than its share contributes all of them, and the budget it leaves unused is shared
 *   out again, by the same rule, among the classes that still have images to give (water-filling): the subset
 *   keeps its size S whenever the pool holds S images, and is as balanced as the pool allows (the smallest
 *   per-class count is as large as possible, and the other classes differ from each other by at most one);
 * - a budget larger than the pool takes the whole pool.
 * Which images of a class are taken is the only random part: a uniform draw without replacement (partial
 * Fisher–Yates over the class's rows in pool order) from the given seeded generator.
 */

/** The rows of each class, in pool order: out[c] = rows r of `rows` with labels[r] === c. */
export function rowsByClass(rows: readonly number[], labels: readonly number[], classes: number): number[][] {
  const out = Array.from({ length: classes }, () => [] as number[]);
  for (const r of rows) {
    const label = labels[r];
    if (label === undefined || !Number.isInteger(label) || label < 0 || label >= classes) {
      throw new Error(`selection: row ${r} has label ${String(label)}, outside the ${classes} classes of this dataset.`);
    }
    out[label]!.push(r);
  }
  return out;
}

/**
 * How many images each class contributes to a class-balanced subset of `size`, given the images `available`
 * per class (see the file comment: equal shares, the remainder to the lowest class indices, a short class's
 * unused share handed on to the others). Sums to min(size, Σ available).
 */
export function classQuotas(available: readonly number[], size: number): number[] {
  if (!Number.isInteger(size) || size < 0) throw new Error(`selection: the subset size must be a whole number >= 0, got ${size}.`);
  const quotas = new Array<number>(available.length).fill(0);
  let open = available.map((_, c) => c).filter((c) => available[c]! > 0);
  let remaining = Math.min(size, available.reduce((a, b) => a + b, 0));
  while (remaining > 0 && open.length > 0) {
    const share = Math.floor(remaining / open.length);
    // classes that cannot fill an equal share give everything they have; the rest is shared again
    const short = open.filter((c) => available[c]! <= share);
    if (short.length > 0) {
      for (const c of short) {
        quotas[c] = available[c]!;
        remaining -= available[c]!;
      }
      open = open.filter((c) => available[c]! > share);
      continue;
    }
    // every open class has more than `share` images, so each can also take the one extra of the remainder
    const extra = remaining - share * open.length;
    open.forEach((c, i) => {
      quotas[c] = share + (i < extra ? 1 : 0);
    });
    remaining = 0;
  }
  return quotas;
}

/**
 * A class-balanced random subset of `size` rows of `rows` (quotas per classQuotas), drawn with `rng`.
 * Returned grouped by class (class 0 first), each class's rows in draw order. Consumes rng() once per drawn
 * row, classes in index order, so the result is a pure function of (rows, labels, size, the generator's state).
 */
export function classBalancedDraw(rows: readonly number[], labels: readonly number[], classes: number, size: number, rng: () => number): number[] {
  const byClass = rowsByClass(rows, labels, classes);
  const quotas = classQuotas(
    byClass.map((r) => r.length),
    size,
  );
  const out: number[] = [];
  byClass.forEach((classRows, c) => {
    const pick = [...classRows];
    const k = quotas[c]!;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng() * (pick.length - i));
      const t = pick[i]!;
      pick[i] = pick[j]!;
      pick[j] = t;
      out.push(pick[i]!);
    }
  });
  return out;
}
