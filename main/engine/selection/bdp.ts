/**
 * `bdp`: Bi-level Data Pruning ([BDP], Tu et al., Sec. 3.2, Algorithm 1; keys: docs/REFERENCES.md). Every search
 * epoch uses all the remaining train_w and train_α rows, shuffled; every `pruneEvery` (T) epochs the training half
 * loses `pruneTrain` of its remaining rows with the LOWEST Variance of Error and the validation half `pruneVal` of its remaining rows
 * with the HIGHEST, each within the automatic class balance constraint (Eq. 5–6).
 *
 * The error e = ‖softmax(z) − onehot(y)‖₂ (Eq. 3) comes from the forward passes that took the weight steps
 * (split 'train') and the α steps (split 'val'): no extra passes.
 *
 * Decisions where the paper leaves room (each is also in the report of the issue):
 * - One e per sample per epoch: the mean of that epoch's passes. The paper indexes e by epoch ("at the t-th training
 *   epoch with the network weights w_t"); a validation row can pass several times in an epoch because the search
 *   cycles the α batches, and the mean uses all of those passes and does not depend on where in the cycle the row
 *   fell (the last pass would). A training row passes at most once per epoch.
 * - VoE (Eq. 4, "1/T Σ_{k=t0}^{t0+T−1} (e_k − ē_k)²") is the POPULATION variance (÷ count, not count − 1) of the
 *   per-epoch e over the window of the last T epochs, ē being the window's mean. A row can miss epochs (the search
 *   drops the last partial training batch; α batches past the last weight step are never used), so the variance is
 *   taken over the epochs it was seen in, divided by that count. A row seen in fewer than 2 epochs of the window
 *   has no meaningful variance (one value gives 0, which would make it the first to go under "lowest"): it is not a
 *   candidate this time and is kept. For the same reason T is at least 2 (BDP_MIN_PRUNE_EVERY): with T = 1 every
 *   VoE would be 0 and the ranking a seeded random order.
 * - Pruning happens at the end of epochs T, 2T, … (1-based), i.e. after the steps of 0-based epoch k with
 *   (k + 1) % T === 0, never after the final epoch (nothing would use the smaller sets). The window is emptied at
 *   each such boundary, so the window is exactly the T epochs since the previous pruning.
 * - The amount is floor(p × remaining) of the half's remaining rows (candidates or not): never more than p.
 * - Class balance: b (Eq. 5) and the limits are computed over the half's remaining rows; N = n(1 − b²) + 1 with
 *   n = floor(E / T) — the paper's "n = E / T" made a whole number of prunings: the count of T-epoch boundaries in
 *   the run, which is the number of prunings done except when T divides E, where it also counts the boundary at
 *   the final epoch (nothing is pruned there); the formula stays the paper's and errs on the conservative side. L_i = floor(|class_i| / N) rows of class i at most per pruning.
 * - When the limits stop the walk short of the target: the walk goes on down the ranking, skipping rows of classes
 *   that reached their limit (Algorithm 1 prunes the p% "lowest/highest scores" subject to the constraints), and
 *   prunes fewer when the ranking runs out. Ties in VoE fall in a seeded random order (a shuffle, then a stable
 *   sort), not in row order, which often follows the classes.
 * - select() orders are derived from (seed, epoch) and the tie order from (seed, half, epoch), so the state holds no
 *   PRNG: only the remaining rows, the e window, the open epoch's sums and counters.
 *
 * Call order: select(epoch) → observe(…) per step → epochStats(epoch). The end-of-epoch work (closing the epoch's
 * e and, at a boundary, pruning) runs inside epochStats(epoch), so its stats show the pruning; if a caller skips
 * epochStats (or saves state() before it), the next select() does the same work first, so the result is the same.
 */
import { SEARCH_PARAMS } from '../../../shared/generated/params.js';
import { BDP_MIN_PRUNE_EVERY, BDP_PRUNE_EVERY_WHY } from '../../../shared/search-defaults.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { balanceDegree, countPerClass } from './balance.js';
import type { DataSelection, EpochSelection, SelectionEpochStats, SelectionPools, StepFeedback } from './strategy.js';

export interface BdpOptions {
  /** Total search epochs E (for n = floor(E / T) and for "never after the final epoch"). */
  epochs: number;
  /** T: prune at the end of every T-th epoch; also the VoE window. */
  pruneEvery: number;
  /** p_t: fraction of the remaining training rows pruned each time, in [0, 1). */
  pruneTrain: number;
  /** p_v: fraction of the remaining validation rows pruned each time, in [0, 1). */
  pruneVal: number;
  /** The automatic class balance constraint (off = the paper's ablation, Table 7: prune purely by rank). */
  balance: boolean;
}

/**
 * Winnow's defaults: T = 5 (Winnow's choice: [BDP] gives no T), (p_t, p_v) = (20 %, 10 %) (one of the pruning ratios
 * of [BDP]'s Table 3, not a setting the paper prescribes), constraint on (the paper's method; off is its ablation).
 */
export const BDP_DEFAULTS: Readonly<Omit<BdpOptions, 'epochs'>> = Object.freeze({
  pruneEvery: SEARCH_PARAMS.pruneEvery.default,
  pruneTrain: SEARCH_PARAMS.pruneTrain.default,
  pruneVal: SEARCH_PARAMS.pruneVal.default,
  balance: SEARCH_PARAMS.balance.default,
});

/** Equal-width bins for the VoE histograms in the epoch stats. */
export const VOE_HISTOGRAM_BINS = 20;

export type PruneDirection = 'lowest' | 'highest';
type Half = 'train' | 'val';

/** VoE (Eq. 4): population variance of one row's per-epoch errors (the epochs it was seen in). NaN when empty. */
export function varianceOfError(history: readonly number[]): number {
  const m = history.length;
  if (m === 0) return Number.NaN;
  let mean = 0;
  for (const e of history) mean += e;
  mean /= m;
  let ss = 0;
  for (const e of history) ss += (e - mean) * (e - mean);
  return ss / m;
}

/** Rows to prune of a half with `remaining` rows: floor(fraction × remaining). */
export function pruneCount(remaining: number, fraction: number): number {
  return Math.floor(fraction * remaining + 1e-9);
}

/** n = floor(E / T): the number of prunings in the class balance constraint's N (see the header). */
export function pruningTimes(epochs: number, pruneEvery: number): number {
  return Math.floor(epochs / pruneEvery);
}

export interface ClassLimits {
  /** b (Eq. 5) of the counts. */
  balance: number;
  /** N = n(1 − b²) + 1 (Eq. 6). */
  intensity: number;
  /** L_i = floor(|class_i| / N): the most rows of class i one pruning may remove. */
  limits: number[];
}

/** The automatic class balance constraint (Eq. 5–6) for the current per-class counts of one half. */
export function classLimits(counts: readonly number[], n: number): ClassLimits {
  const balance = balanceDegree(counts);
  const intensity = n * (1 - balance * balance) + 1;
  // the epsilon keeps an exact quotient (e.g. 10 / (10 / 3)) from flooring one short through rounding
  const limits = counts.map((c) => Math.floor(c / intensity + 1e-9));
  return { balance, intensity, limits };
}

/**
 * Walks the candidates from the lowest (or highest) VoE and takes up to `count` of them, skipping a row whose class
 * already gave its limit (limits = null: no constraint). `voe[i]` is the score of `candidates[i]`; equal scores keep
 * the candidates' order (the caller shuffles it, seeded). Returns the pruned rows in rank order.
 */
export function pruneByVoE(
  candidates: readonly number[],
  voe: ArrayLike<number>,
  labels: readonly number[],
  count: number,
  direction: PruneDirection,
  limits: readonly number[] | null,
): number[] {
  if (voe.length !== candidates.length)
    throw new RangeError(`pruneByVoE: ${candidates.length} candidates but ${voe.length} scores`);
  const order = Array.from({ length: candidates.length }, (_, i) => i);
  const sign = direction === 'lowest' ? 1 : -1;
  order.sort((a, b) => sign * (voe[a]! - voe[b]!)); // stable: ties keep the candidates' order
  const taken = limits ? new Array<number>(limits.length).fill(0) : null;
  const pruned: number[] = [];
  for (const i of order) {
    if (pruned.length >= count) break;
    const row = candidates[i]!;
    if (taken && limits) {
      const c = labels[row]!;
      if (taken[c]! >= (limits[c] ?? 0)) continue;
      taken[c]!++;
    }
    pruned.push(row);
  }
  return pruned;
}

export interface VoeHistogram {
  /** bins + 1 edges from the smallest to the largest VoE; one bin [v, v] when all are equal; [] when none. */
  edges: number[];
  counts: number[];
}

/** Equal-width histogram between the smallest and the largest value (the largest falls in the last bin). */
export function voeHistogram(values: ArrayLike<number>, bins = VOE_HISTOGRAM_BINS): VoeHistogram {
  if (values.length === 0) return { edges: [], counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  if (hi === lo) return { edges: [lo, hi], counts: [values.length] };
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let b = Math.min(bins - 1, Math.floor((v - lo) / width));
    // agree with the reported edges where the division rounds across one (0.3 / 0.1 = 2.999…)
    if (b < bins - 1 && v >= edges[b + 1]!) b++;
    else if (b > 0 && v < edges[b]!) b--;
    counts[b]!++;
  }
  return { edges, counts };
}

/** What one pruning of one half did (BdpSelection.lastPruning(), for logs and tests; not in the state). */
export interface HalfPruning {
  /** Rows of the half before the pruning. */
  remaining: number;
  /** floor(p × remaining). */
  target: number;
  /** Rows with a VoE (seen in enough epochs of the window). */
  candidates: number;
  /** b, N and the per-class limits; null with the constraint off. */
  constraint: ClassLimits | null;
  prunedRows: number[];
  histogram: VoeHistogram;
}

export interface BdpPruning {
  /** 0-based epoch after whose steps it ran. */
  epoch: number;
  /** 1-based count of prunings so far. */
  index: number;
  train: HalfPruning;
  val: HalfPruning;
}

/** Sums of e for the epoch being run: row → [sum, passes]. */
type Accumulator = Map<number, [number, number]>;

interface BdpStateV1 {
  kind: 'bdp';
  version: 1;
  config: { seed: number } & BdpOptions;
  remaining: { train: number[]; val: number[] };
  /** Per-epoch mean e of each row in the current window: [row, e, e, …]. */
  window: { train: number[][]; val: number[][] };
  /** The epoch select() opened and its sums so far ([row, sum, passes]); null between epochs. */
  open: { epoch: number; train: number[][]; val: number[][] } | null;
  /** Last 0-based epoch whose end-of-epoch work (close, prune) is done; −1 before the first. */
  closedThrough: number;
  prunings: number;
  /** Per-class counts of what select(epoch) returned, for epochStats(epoch). */
  used: { epoch: number; train: number[]; val: number[] } | null;
}

export class BdpSelection implements DataSelection {
  readonly name = 'bdp' as const;

  private remaining: { train: number[]; val: number[] };
  private window: { train: Map<number, number[]>; val: Map<number, number[]> } = { train: new Map(), val: new Map() };
  private open: { epoch: number; train: Accumulator; val: Accumulator } | null = null;
  private closedThrough = -1;
  private prunings = 0;
  private used: { epoch: number; train: number[]; val: number[] } | null = null;
  /** The pruning of the last end-of-epoch work that pruned (transient: for the epoch stats and lastPruning()). */
  private last: BdpPruning | null = null;

  constructor(
    private readonly pools: SelectionPools,
    private readonly seed: number,
    private readonly options: BdpOptions,
  ) {
    const { epochs, pruneEvery, pruneTrain, pruneVal } = options;
    if (!Number.isInteger(epochs) || epochs < 1)
      throw new RangeError(`bdp: epochs must be a whole number ≥ 1 (got ${epochs})`);
    if (!Number.isInteger(pruneEvery) || pruneEvery < BDP_MIN_PRUNE_EVERY) {
      throw new RangeError(
        `bdp: pruneEvery must be a whole number ≥ ${BDP_MIN_PRUNE_EVERY} (got ${pruneEvery}): ${BDP_PRUNE_EVERY_WHY}`,
      );
    }
    for (const [k, p] of [
      ['pruneTrain', pruneTrain],
      ['pruneVal', pruneVal],
    ] as const) {
      if (!(p >= 0 && p < 1)) throw new RangeError(`bdp: ${k} must be a fraction in [0, 1) (got ${p})`);
    }
    this.remaining = { train: [...pools.train], val: [...pools.val] };
  }

  /** True when the end of 0-based `epoch` prunes: epochs T, 2T, … (1-based), never the final one. */
  prunesAfter(epoch: number): boolean {
    return (epoch + 1) % this.options.pruneEvery === 0 && epoch + 1 < this.options.epochs;
  }

  select(epoch: number): EpochSelection {
    this.finishThrough(epoch - 1);
    this.open = { epoch, train: new Map(), val: new Map() };
    const { labels, classes } = this.pools;
    this.used = {
      epoch,
      train: countPerClass(this.remaining.train, labels, classes),
      val: countPerClass(this.remaining.val, labels, classes),
    };
    // a stream per epoch: the order depends only on (seed, epoch) and the remaining rows, so a resumed search matches
    const rng = mulberry32(deriveSeed(this.seed, `bdp-selection:${epoch}`));
    return {
      train: shuffleInPlace([...this.remaining.train], rng) as number[],
      val: shuffleInPlace([...this.remaining.val], rng) as number[],
    };
  }

  observe(feedback: StepFeedback): void {
    if (!this.open) return; // no epoch selected (feedback outside an epoch): nothing to attribute it to
    const acc = this.open[feedback.split];
    const { rows, errorNorm } = feedback;
    for (let i = 0; i < rows.length; i++) {
      const e = errorNorm[i]!;
      if (!Number.isFinite(e)) continue; // a diverged pass says nothing about the sample
      const a = acc.get(rows[i]!);
      if (a) {
        a[0] += e;
        a[1]++;
      } else acc.set(rows[i]!, [e, 1]);
    }
  }

  epochStats(epoch: number): SelectionEpochStats {
    this.finishThrough(epoch);
    const { labels, classes } = this.pools;
    // what select(epoch) handed out; after a restore without select, the rows the epoch would have used
    const used = this.used?.epoch === epoch ? this.used : null;
    const perClass = used
      ? { train: [...used.train], val: [...used.val] }
      : this.last?.epoch === epoch
        ? {
            train: countPerClass([...this.remaining.train, ...this.last.train.prunedRows], labels, classes),
            val: countPerClass([...this.remaining.val, ...this.last.val.prunedRows], labels, classes),
          }
        : {
            train: countPerClass(this.remaining.train, labels, classes),
            val: countPerClass(this.remaining.val, labels, classes),
          };
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const stats: SelectionEpochStats = {
      trainSize: sum(perClass.train),
      valSize: sum(perClass.val),
      perClass,
      balance: balanceDegree(perClass.train),
      bdp: { remainingTrain: this.remaining.train.length, remainingVal: this.remaining.val.length },
    };
    if (this.last?.epoch === epoch) {
      const half = (h: HalfPruning) => ({
        edges: h.histogram.edges,
        counts: h.histogram.counts,
        pruned: h.prunedRows.length,
      });
      stats.bdp!.pruning = { train: half(this.last.train), val: half(this.last.val) };
    }
    return stats;
  }

  /** The most recent pruning in full (constraint, target, rows), or null; not kept across state()/restore(). */
  lastPruning(): BdpPruning | null {
    return this.last;
  }

  /** The rows still in each half (pool order). */
  remainingRows(): { train: readonly number[]; val: readonly number[] } {
    return this.remaining;
  }

  state(): BdpStateV1 {
    const windowOut = (w: Map<number, number[]>) => [...w].map(([row, es]) => [row, ...es]);
    const accOut = (a: Accumulator) => [...a].map(([row, [s, c]]) => [row, s, c]);
    return {
      kind: 'bdp',
      version: 1,
      config: { seed: this.seed, ...this.options },
      remaining: { train: [...this.remaining.train], val: [...this.remaining.val] },
      window: { train: windowOut(this.window.train), val: windowOut(this.window.val) },
      open: this.open ? { epoch: this.open.epoch, train: accOut(this.open.train), val: accOut(this.open.val) } : null,
      closedThrough: this.closedThrough,
      prunings: this.prunings,
      used: this.used ? { epoch: this.used.epoch, train: [...this.used.train], val: [...this.used.val] } : null,
    };
  }

  restore(state: unknown): void {
    const s = state as Partial<BdpStateV1> | null;
    if (!s || s.kind !== 'bdp' || s.version !== 1 || !s.config || !s.remaining || !s.window)
      throw new Error('bdp: the checkpoint holds no BDP selection state; it cannot be continued.');
    const mine = { seed: this.seed, ...this.options };
    for (const k of Object.keys(mine) as (keyof typeof mine)[]) {
      if (s.config[k] !== mine[k])
        throw new Error(
          `bdp: the checkpoint's selection was made with ${k} = ${String(s.config[k])}, not ${String(mine[k])}; it cannot be continued.`,
        );
    }
    this.remaining = { train: [...s.remaining.train], val: [...s.remaining.val] };
    const windowIn = (rows: number[][]) => new Map(rows.map((r) => [r[0]!, r.slice(1)] as [number, number[]]));
    const accIn = (rows: number[][]): Accumulator =>
      new Map(rows.map((r) => [r[0]!, [r[1]!, r[2]!]] as [number, [number, number]]));
    this.window = { train: windowIn(s.window.train), val: windowIn(s.window.val) };
    this.open = s.open ? { epoch: s.open.epoch, train: accIn(s.open.train), val: accIn(s.open.val) } : null;
    this.closedThrough = s.closedThrough ?? -1;
    this.prunings = s.prunings ?? 0;
    this.used = s.used ? { epoch: s.used.epoch, train: [...s.used.train], val: [...s.used.val] } : null;
    this.last = null;
  }

  /** End-of-epoch work for every epoch up to `epoch` not yet done: close its e sums, prune at a boundary. */
  private finishThrough(epoch: number): void {
    for (let k = this.closedThrough + 1; k <= epoch; k++) {
      if (this.open?.epoch === k) {
        for (const h of ['train', 'val'] as const) {
          for (const [row, [sum, passes]] of this.open[h]) {
            const es = this.window[h].get(row);
            if (es) es.push(sum / passes);
            else this.window[h].set(row, [sum / passes]);
          }
        }
        this.open = null;
      }
      if ((k + 1) % this.options.pruneEvery === 0) {
        if (this.prunesAfter(k)) this.prune(k);
        // the window is the T epochs since the last boundary
        this.window = { train: new Map(), val: new Map() };
      }
      this.closedThrough = k;
    }
  }

  private prune(epoch: number): void {
    this.prunings++;
    this.last = {
      epoch,
      index: this.prunings,
      train: this.pruneHalf('train', epoch, this.options.pruneTrain, 'lowest'),
      val: this.pruneHalf('val', epoch, this.options.pruneVal, 'highest'),
    };
  }

  private pruneHalf(half: Half, epoch: number, fraction: number, direction: PruneDirection): HalfPruning {
    const { labels, classes } = this.pools;
    const rows = this.remaining[half];
    const candidates: number[] = [];
    for (const row of rows) if ((this.window[half].get(row)?.length ?? 0) >= 2) candidates.push(row);
    // ties in VoE fall in a seeded random order (the sort below is stable)
    shuffleInPlace(candidates, mulberry32(deriveSeed(this.seed, `bdp-prune:${half}:${epoch}`)));
    const voe = Float64Array.from(candidates, (row) => varianceOfError(this.window[half].get(row)!));
    const target = pruneCount(rows.length, fraction);
    const constraint = this.options.balance
      ? classLimits(countPerClass(rows, labels, classes), pruningTimes(this.options.epochs, this.options.pruneEvery))
      : null;
    const prunedRows = pruneByVoE(candidates, voe, labels, target, direction, constraint?.limits ?? null);
    const gone = new Set(prunedRows);
    this.remaining[half] = rows.filter((r) => !gone.has(r));
    return {
      remaining: rows.length,
      target,
      candidates: candidates.length,
      constraint,
      prunedRows,
      histogram: voeHistogram(voe),
    };
  }
}
