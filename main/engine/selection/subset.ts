/**
 * Class-balanced subsets of a pool of rows: the starting point of `random` and `dds` (DDS-NAS [DDS-NAS in
 * docs/REFERENCES.md], Algorithm 1 step 1: "randomly select images from each class to form a balanced subset of size n'") and a
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
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';

/** The rows of each class, in pool order: out[c] = rows r of `rows` with labels[r] === c. */
export function rowsByClass(rows: readonly number[], labels: readonly number[], classes: number): number[][] {
  const out = Array.from({ length: classes }, () => [] as number[]);
  for (const r of rows) {
    const label = labels[r];
    if (label === undefined || !Number.isInteger(label) || label < 0 || label >= classes) {
      throw new Error(
        `selection: row ${r} has label ${String(label)}, outside the ${classes} classes of this dataset.`,
      );
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
  if (!Number.isInteger(size) || size < 0)
    throw new Error(`selection: the subset size must be a whole number >= 0, got ${size}.`);
  const quotas = new Array<number>(available.length).fill(0);
  let open = available.map((_, c) => c).filter((c) => available[c]! > 0);
  let remaining = Math.min(
    size,
    available.reduce((a, b) => a + b, 0),
  );
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
export function classBalancedDraw(
  rows: readonly number[],
  labels: readonly number[],
  classes: number,
  size: number,
  rng: () => number,
): number[] {
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

/** How the α steps' validation subset is drawn: one policy for random, dds and dds-untrained. */
export type ValMode = 'resample-each-epoch' | 'fixed' | 'with-subset';
export const VAL_MODES: readonly ValMode[] = ['resample-each-epoch', 'fixed', 'with-subset'];

/**
 * The validation subset (α steps) of the subset strategies (random, dds, dds-untrained): a class-balanced random
 * subset of S rows of pools.val. One class for all three, with the same random streams, so that for one seed the
 * DDS-NAS ablation (Table 4: random subset, untrained autoencoder) differs from DDS only in the training subset
 * (issue #20, item 2). `mode`:
 * - 'resample-each-epoch' (default): a fresh draw every epoch, from (seed, epoch). α's gradient should estimate the
 *   loss over all of train_α; a fixed subset of a hundred images would let α fit those images for the whole search,
 *   and DDS-NAS' hard example mining is defined for the training data only (the paper says nothing about the
 *   validation half). A fresh unbiased draw costs the same per epoch and needs no state.
 * - 'fixed': one draw for the whole search (the draw of epoch 0).
 * - 'with-subset': redrawn (from (seed, epoch)) whenever the training subset changes (never, for random).
 * Its order each epoch is a shuffle from (seed, epoch), also shared.
 */
export class ValidationSubset {
  rows: number[];
  epoch = 0;

  constructor(
    private readonly pools: { val: readonly number[]; labels: readonly number[]; classes: number },
    private readonly seed: number,
    private readonly size: number,
    readonly mode: ValMode,
  ) {
    if (!VAL_MODES.includes(mode)) throw new Error(`selection: unknown validation mode ${String(mode)}.`);
    this.rows = this.draw(0);
  }

  private draw(epoch: number): number[] {
    const { val, labels, classes } = this.pools;
    return classBalancedDraw(val, labels, classes, this.size, mulberry32(deriveSeed(this.seed, `val-subset:${epoch}`)));
  }

  /** Called once per epoch, after the training subset for it is decided (`subsetChanged`: rows came in). */
  update(epoch: number, subsetChanged: boolean): void {
    const redraw = this.mode === 'resample-each-epoch' || (this.mode === 'with-subset' && subsetChanged);
    if (redraw && this.epoch !== epoch) {
      this.epoch = epoch;
      this.rows = this.draw(epoch);
    }
  }

  /** This epoch's rows in this epoch's order. */
  ordered(epoch: number): number[] {
    return shuffleInPlace([...this.rows], mulberry32(deriveSeed(this.seed, `val-order:${epoch}`))) as number[];
  }

  state(): { valSubset: number[]; valEpoch: number } {
    return { valSubset: [...this.rows], valEpoch: this.epoch };
  }

  /** Restores state(); false when it is malformed or names rows outside pools.val. */
  restore(s: { valSubset?: unknown; valEpoch?: unknown }): boolean {
    const inVal = new Set(this.pools.val);
    if (
      !Array.isArray(s.valSubset) ||
      !Number.isInteger(s.valEpoch) ||
      !s.valSubset.every((r) => inVal.has(r as number))
    )
      return false;
    this.rows = [...(s.valSubset as number[])];
    this.epoch = s.valEpoch as number;
    return true;
  }
}
