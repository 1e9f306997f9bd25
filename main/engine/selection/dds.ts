/**
 * `dds` (and `dds-untrained`, the same class given an untrained autoencoder's embeddings): dynamic data selection
 * by hard example mining and curriculum learning ([DDS-NAS] Sec. 3, Algorithm 1; keys: docs/REFERENCES.md).
 *
 * The training subset
 * - Starts as a class-balanced random subset of S rows of pools.train (subset.ts: ⌊S/M⌋ per class, the first
 *   S mod M classes one more, a short class gives all it has and its unused share goes to the others).
 * - Hardness of an image = 1 − the softmax probability of its true class (StepFeedback.trueProb of the train
 *   split), averaged over the last W epochs the image was trained on (one value per epoch: the mean of that
 *   epoch's observations). Epochs in which an image got no feedback add nothing. The window is kept when an image leaves the subset: if it is ever revisited, its hardness is still
 *   "the last W epochs it was trained on".
 * - Easy ⇔ mean true-class confidence ≥ h (hardness threshold, default 0.85), i.e. mean hardness ≤ 1 − h, with
 *   a 1e-6 tolerance (EASY_TOLERANCE) so that float32 feedback whose mean is h counts as easy. An image with
 *   no history is hard.
 * - Mastery (`masteryBy`), judged on the feedback up to the end of the previous epoch; mastered when ≥ m
 *   (default 0.5). The paper states it two ways ([DDS-NAS] Fig. 1: "a sufficient percentage of the data in the
 *   current subset is correctly classified"; Sec. 3: "the number of easy examples ... is high"):
 *   - 'correct' (default, Fig. 1 and the authors' code): top-1 accuracy over the subset in the latest epoch, i.e.
 *     each member's fraction of correct predictions in the last epoch it was trained in, only if that epoch is
 *     the latest one with feedback (a member without feedback in it counts as wrong), averaged over the subset;
 *   - 'easy' (Sec. 3): the fraction of easy images in the subset.
 * - At select(epoch), for epoch ≥ warmupEpochs (default 10: epochs 0..9 always train on the initial subset, as
 *   the paper's "first 10 epochs"), if the subset is mastered: hard images stay; each easy image, in subset
 *   order (each replacement takes the slot of the image it replaces, so the order is the initial draw's, grouped
 *   by class), is replaced by an image of the same class (ClassKdForest over the class's pools.train rows; ties:
 *   smallest row), chosen by `replacePool`:
 *   - 'global' (default; the paper searches "the global training set" for the most different image of the
 *     class): the furthest image in latent space that is not in the subset, previously visited images included.
 *     Current members (so also earlier replacements of this pass) and the easy images leaving in this same pass
 *     are not candidates (no swapping easy images back in);
 *   - 'unseen-first': 1. the furthest unvisited image (visited = ever in the subset); 2. when the class has none,
 *     the least recently used one: among the class's images that are not in the subset and left it in an
 *     EARLIER epoch, the one whose leaving epoch is smallest; ties (images that left together) broken by the
 *     largest latent distance from the easy image, then the smallest row.
 *   When there is no candidate at all (the whole class is in the subset, or only images leaving now are left)
 *   the easy image stays. Replacement is within the class, so every class's count in the subset never changes.
 *
 * The validation subset (α steps): ValidationSubset (subset.ts), one policy shared with random and dds-untrained.
 *
 * Weight learning rate (weightLr): triangular cyclic LR, base 0.001, max 0.01, step size 10 EPOCHS up and 10
 * down (paper Sec. 4.1: "for DARTS we employ a Cyclic Learning Rate Scheduler with base lr = 0.001, max lr =
 * 0.01, and step size up = step size down = 10"). The paper does not give the unit; PyTorch's CyclicLR counts
 * scheduler.step() calls and DARTS's search loop steps its scheduler once per epoch, and the paper's "NAS
 * iteration" is an epoch (its warm-up is "the first 10 epochs"), so the step is read as epochs. With s the step,
 * lr(t) = base + (max − base)·(1 − |t mod 2s − s| / s): t = 0 → base, t = s → max, t = 2s → base. When a
 * resample brings new images in (and lrReset is on) the cycle restarts at its peak (paper: "We set lr = 0.01
 * when the previous dynamically selected data subset is mastered, and an updated data subset is introduced"):
 * at the reset epoch r, t = s, so lr(r) = max, falling to base at r + s, and EpochSelection.resetLr is true.
 * weightLr(epoch) is defined once select(epoch) has run (a reset is decided there).
 *
 * Randomness: the initial subset, each epoch's validation draw and each epoch's batch order come from streams
 * derived from (seed, name, epoch); the replacement rule is deterministic. state() holds everything else
 * (subset, visited + leaving epochs, hardness windows, latest correctness and this epoch's pending feedback, LR
 * resets, counters).
 */
import { ClassKdForest } from '../embed/kd-forest.js';
import { bruteForceFurthest } from '../embed/kdtree.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { balanceDegree, countPerClass } from './balance.js';
import type { DataSelection, EpochSelection, SelectionEpochStats, SelectionPools, StepFeedback } from './strategy.js';
import { classBalancedDraw, rowsByClass, ValidationSubset, type ValMode } from './subset.js';

export type DdsValMode = ValMode;
export type MasteryBy = 'correct' | 'easy';
export type ReplacePool = 'global' | 'unseen-first';

export interface DdsOptions {
  /** The strategy name reported (the same algorithm; 'dds-untrained' is given an untrained autoencoder's embeddings). */
  name: 'dds' | 'dds-untrained';
  /** Subset size S of the training subset, and of the validation subset. */
  size: number;
  /** W: epochs of trueProb history averaged per image. */
  window: number;
  /** h: an image is easy when its mean true-class probability over the window is ≥ h. */
  hardness: number;
  /** m: the subset is mastered when its mastery measure (see masteryBy) is ≥ m. */
  mastery: number;
  /** 'correct': the latest epoch's top-1 over the subset; 'easy': the fraction of easy images. */
  masteryBy: MasteryBy;
  /** Where replacements come from: any image not in the subset ('global'), or unvisited ones first. */
  replacePool: ReplacePool;
  /** No resampling in epochs 0 .. warmupEpochs − 1. */
  warmupEpochs: number;
  /** How the α steps' validation subset is drawn (see the file comment). */
  valMode: DdsValMode;
  /** Cyclic weight LR: lower bound, upper bound, half-cycle in epochs. */
  lrBase: number;
  lrMax: number;
  lrStep: number;
  /** Restart the LR cycle at its maximum when a resample brings new images in. */
  lrReset: boolean;
}

export const DDS_DEFAULTS: Readonly<DdsOptions> = Object.freeze({
  name: 'dds',
  size: 100,
  window: 3,
  hardness: 0.85,
  mastery: 0.5,
  masteryBy: 'correct',
  replacePool: 'global',
  warmupEpochs: 10,
  valMode: 'resample-each-epoch',
  lrBase: 0.001,
  lrMax: 0.01,
  lrStep: 10,
  lrReset: true,
});

/** Slack on the easy test (mean confidence ≥ h − this): trueProb is float32, so a mean of "0.85" may be 0.85 − 1e-8. */
export const EASY_TOLERANCE = 1e-6;

/** Triangular cyclic LR at position t ≥ 0 (in epochs) of the cycle: base at t = 0, max at t = step, base at 2·step. */
export function cyclicLr(t: number, base: number, max: number, step: number): number {
  const pos = t % (2 * step);
  const up = pos <= step ? pos / step : (2 * step - pos) / step;
  return base + (max - base) * up;
}

/** Is an image easy, from its per-epoch mean true-class probabilities (at most W of them, oldest first)? */
export function isEasyWindow(window: readonly number[] | undefined, hardness: number): boolean {
  if (window === undefined || window.length === 0) return false;
  let sum = 0;
  for (const v of window) sum += v;
  return sum / window.length >= hardness - EASY_TOLERANCE;
}

interface DdsState {
  kind: 'dds';
  seed: number;
  size: number;
  classes: number;
  selectedEpoch: number;
  subset: number[];
  /** In order of first visit. */
  visited: number[];
  /** [row, epoch it last left the subset] for every visited row not in the subset. */
  left: [number, number][];
  windows: [number, number[]][];
  /** This epoch's feedback not yet folded into the windows: [row, sum of trueProb, count]. */
  pending: [number, number, number, number][];
  /** [row, fraction correct] of the latest epoch with feedback. */
  correct: [number, number][];
  lrResets: number[];
  valSubset: number[];
  valEpoch: number;
  replacedRows: number[];
  resetThisEpoch: boolean;
}

function checkOptions(o: DdsOptions): void {
  const fail = (what: string): never => {
    throw new Error(`dds selection: ${what}.`);
  };
  if (!Number.isInteger(o.size) || o.size < 1) fail(`the subset size must be a whole number >= 1, got ${o.size}`);
  if (!Number.isInteger(o.window) || o.window < 1)
    fail(`the hardness window must be a whole number of epochs >= 1, got ${o.window}`);
  if (!(o.hardness >= 0 && o.hardness <= 1)) fail(`the hardness threshold must be in [0, 1], got ${o.hardness}`);
  if (!(o.mastery >= 0 && o.mastery <= 1)) fail(`the mastery threshold must be in [0, 1], got ${o.mastery}`);
  if (!Number.isInteger(o.warmupEpochs) || o.warmupEpochs < 0)
    fail(`warmupEpochs must be a whole number >= 0, got ${o.warmupEpochs}`);
  if (!['resample-each-epoch', 'fixed', 'with-subset'].includes(o.valMode))
    fail(`unknown valMode ${String(o.valMode)}`);
  if (!['correct', 'easy'].includes(o.masteryBy)) fail(`unknown masteryBy ${String(o.masteryBy)}`);
  if (!['global', 'unseen-first'].includes(o.replacePool)) fail(`unknown replacePool ${String(o.replacePool)}`);
  if (!(o.lrBase > 0 && o.lrMax >= o.lrBase && Number.isFinite(o.lrMax)))
    fail(`the cyclic LR needs 0 < lrBase <= lrMax, got ${o.lrBase} and ${o.lrMax}`);
  if (!(o.lrStep > 0 && Number.isFinite(o.lrStep))) fail(`the cyclic LR step must be > 0 epochs, got ${o.lrStep}`);
}

export class DdsSelection implements DataSelection {
  readonly name: DdsOptions['name'];
  readonly options: Readonly<DdsOptions>;

  private readonly forest: ClassKdForest;
  /** pools.train rows per class, in pool order. */
  private readonly classRows: number[][];

  private subset: number[];
  private member: Set<number>;
  private visited: Set<number>;
  private leftEpoch = new Map<number, number>();
  private windows = new Map<number, number[]>();
  private pending = new Map<number, { sum: number; count: number; correct: number }>();
  /** Each row's fraction of correct predictions in the latest epoch with feedback (rows trained in it only). */
  private latestCorrect = new Map<number, number>();
  private lrResets: number[] = [];
  private readonly val: ValidationSubset;
  private selectedEpoch = -1;
  private replacedRows: number[] = [];
  private resetThisEpoch = false;

  /**
   * @param embeddings row-major, `dim` floats per DATASET row (indexed like pools.train's rows); only the rows of
   *   pools.train are read.
   */
  constructor(
    private readonly pools: SelectionPools,
    private readonly seed: number,
    private readonly embeddings: Float32Array,
    private readonly dim: number,
    options: Partial<DdsOptions> = {},
  ) {
    this.options = Object.freeze({ ...DDS_DEFAULTS, ...options });
    checkOptions(this.options);
    this.name = this.options.name;
    if (!Number.isInteger(dim) || dim < 1)
      throw new Error(`dds selection: the embedding dimension must be a whole number >= 1, got ${dim}.`);
    if (embeddings.length % dim !== 0)
      throw new Error(
        `dds selection: ${embeddings.length} embedding values is not a whole number of ${dim}-dimensional rows.`,
      );
    const rowsEmbedded = embeddings.length / dim;
    const train = pools.train;
    const points = new Float32Array(train.length * dim);
    const labels = new Int32Array(train.length);
    train.forEach((row, i) => {
      if (!(row >= 0 && row < rowsEmbedded)) {
        throw new Error(
          `dds selection: training row ${row} has no embedding (${rowsEmbedded} rows embedded); re-compute the embeddings for this dataset.`,
        );
      }
      points.set(embeddings.subarray(row * dim, row * dim + dim), i * dim);
      labels[i] = pools.labels[row]!;
    });
    this.classRows = rowsByClass(train, pools.labels, pools.classes);
    this.forest = ClassKdForest.build(points, dim, labels, { ids: train });

    this.subset = classBalancedDraw(
      train,
      pools.labels,
      pools.classes,
      this.options.size,
      mulberry32(deriveSeed(seed, 'dds-subset')),
    );
    this.member = new Set(this.subset);
    this.visited = new Set(this.subset);
    for (const r of this.subset) this.forest.exclude(r);
    this.val = new ValidationSubset(pools, seed, this.options.size, this.options.valMode);
  }

  select(epoch: number): EpochSelection {
    if (epoch > this.selectedEpoch) {
      this.closeEpoch();
      this.replacedRows = [];
      this.resetThisEpoch = false;
      if (epoch >= this.options.warmupEpochs && this.masteryMeasure() >= this.options.mastery) {
        this.replacedRows = this.resample(epoch);
        if (this.replacedRows.length > 0 && this.options.lrReset) {
          this.lrResets.push(epoch);
          this.resetThisEpoch = true;
        }
      }
      this.val.update(epoch, this.replacedRows.length > 0);
      this.selectedEpoch = epoch;
    }
    // the order depends only on (seed, epoch) and the subsets, so a resumed search sees the same batches
    const train = shuffleInPlace([...this.subset], mulberry32(deriveSeed(this.seed, `dds-order:${epoch}`))) as number[];
    const val = this.val.ordered(epoch);
    const reset = epoch === this.selectedEpoch && this.resetThisEpoch;
    return reset ? { train, val, resetLr: true } : { train, val };
  }

  observe(feedback: StepFeedback): void {
    if (feedback.split !== 'train') return;
    const { rows, trueProb, correct } = feedback;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (!this.member.has(row)) continue;
      const p = trueProb[i]!;
      // a non-finite probability (a diverged step) counts as no confidence: hard
      const v = Number.isFinite(p) ? p : 0;
      const hit = correct[i] ? 1 : 0;
      const acc = this.pending.get(row);
      if (acc === undefined) this.pending.set(row, { sum: v, count: 1, correct: hit });
      else {
        acc.sum += v;
        acc.count++;
        acc.correct += hit;
      }
    }
  }

  /** Folds the feedback of the epoch just trained into the windows (idempotent: nothing pending, nothing done). */
  private closeEpoch(): void {
    const w = this.options.window;
    if (this.pending.size > 0) this.latestCorrect.clear();
    for (const [row, { sum, count, correct }] of this.pending) {
      this.latestCorrect.set(row, correct / count);
      let win = this.windows.get(row);
      if (win === undefined) this.windows.set(row, (win = []));
      win.push(sum / count);
      if (win.length > w) win.splice(0, win.length - w);
    }
    this.pending.clear();
  }

  private isEasy(row: number): boolean {
    return isEasyWindow(this.windows.get(row), this.options.hardness);
  }

  /** The mastery measure of `masteryBy` (see the file comment), in [0, 1]. */
  private masteryMeasure(): number {
    if (this.subset.length === 0) return 0;
    let sum = 0;
    if (this.options.masteryBy === 'easy') for (const r of this.subset) sum += this.isEasy(r) ? 1 : 0;
    else for (const r of this.subset) sum += this.latestCorrect.get(r) ?? 0;
    return sum / this.subset.length;
  }

  /** Replaces the easy images of the subset (see the file comment); returns the rows brought in, in slot order. */
  private resample(epoch: number): number[] {
    const labels = this.pools.labels;
    // decide which images are easy before changing anything
    const easySlots: number[] = [];
    this.subset.forEach((row, i) => {
      if (this.isEasy(row)) easySlots.push(i);
    });
    const brought: number[] = [];
    const leaving = new Set<number>();
    for (const i of easySlots) {
      const old = this.subset[i]!;
      const label = labels[old]!;
      let next: number | null;
      if (this.options.replacePool === 'global') {
        // current members are persistent kd exclusions; the easy images leaving in this pass are skipped too
        next = this.forest.furthestSameClass(old, label, leaving)?.id ?? null;
      } else {
        // unvisited first: every visited row (current members included) is a persistent kd exclusion
        const furthest = this.forest.furthestSameClass(old, label);
        next = furthest !== null ? furthest.id : this.leastRecentlyUsed(old, label, epoch);
      }
      if (next === null) continue;
      leaving.add(old);
      this.subset[i] = next;
      this.member.delete(old);
      this.member.add(next);
      this.leftEpoch.set(old, epoch);
      this.leftEpoch.delete(next);
      this.visited.add(next);
      this.forest.exclude(next);
      if (this.options.replacePool === 'global') this.forest.restore(old);
      brought.push(next);
    }
    return brought;
  }

  /**
   * Among the class's rows that left the subset before `epoch`: the smallest leaving epoch; ties by the largest
   * latent distance from `from`, then the smallest row (bruteForceFurthest's rule). Null when there is none.
   */
  private leastRecentlyUsed(from: number, label: number, epoch: number): number | null {
    let oldest = Infinity;
    let tied: number[] = [];
    for (const r of this.classRows[label]!) {
      const t = this.leftEpoch.get(r);
      if (t === undefined || t >= epoch) continue;
      if (t < oldest) {
        oldest = t;
        tied = [r];
      } else if (t === oldest) tied.push(r);
    }
    if (tied.length <= 1) return tied[0] ?? null;
    const d = this.dim;
    const pts = new Float32Array(tied.length * d);
    tied.forEach((r, j) => pts.set(this.embeddings.subarray(r * d, r * d + d), j * d));
    return bruteForceFurthest(pts, d, tied, this.embeddings.subarray(from * d, from * d + d))!.id;
  }

  epochStats(epoch: number): SelectionEpochStats {
    this.closeEpoch();
    const { labels, classes } = this.pools;
    const perClass = {
      train: countPerClass(this.subset, labels, classes),
      val: countPerClass(this.val.rows, labels, classes),
    };
    const hardRows = this.subset.filter((r) => !this.isEasy(r));
    const easy = this.subset.length - hardRows.length;
    const current = epoch === this.selectedEpoch;
    return {
      trainSize: this.subset.length,
      valSize: this.val.rows.length,
      perClass,
      balance: balanceDegree(perClass.train),
      dds: {
        mastery: this.masteryMeasure(),
        easy,
        hard: hardRows.length,
        replaced: current ? this.replacedRows.length : 0,
        uniqueSeen: this.visited.size,
        subset: [...this.subset],
        hardRows,
        replacedRows: current ? [...this.replacedRows] : [],
      },
    };
  }

  /** Cyclic LR for an epoch already selected: the cycle restarts at its peak at the last reset ≤ epoch. */
  weightLr(epoch: number): number {
    const { lrBase, lrMax, lrStep } = this.options;
    let t = epoch;
    for (const r of this.lrResets) if (r <= epoch) t = epoch - r + lrStep;
    return cyclicLr(Math.max(0, t), lrBase, lrMax, lrStep);
  }

  state(): unknown {
    const s: DdsState = {
      kind: 'dds',
      seed: this.seed,
      size: this.options.size,
      classes: this.pools.classes,
      selectedEpoch: this.selectedEpoch,
      subset: [...this.subset],
      visited: [...this.visited],
      left: [...this.leftEpoch],
      windows: [...this.windows].map(([r, w]) => [r, [...w]]),
      pending: [...this.pending].map(([r, { sum, count, correct }]) => [r, sum, count, correct]),
      correct: [...this.latestCorrect],
      lrResets: [...this.lrResets],
      ...this.val.state(),
      replacedRows: [...this.replacedRows],
      resetThisEpoch: this.resetThisEpoch,
    };
    return s;
  }

  restore(state: unknown): void {
    const s = state as Partial<DdsState> | null;
    const bad = (why: string): never => {
      throw new Error(`dds selection: the checkpoint's selection state ${why}; start a new search.`);
    };
    if (s === null || typeof s !== 'object' || s.kind !== 'dds') bad('is not a dds state');
    const st = s as DdsState;
    if (st.seed !== this.seed || st.size !== this.options.size || st.classes !== this.pools.classes) {
      bad(
        `was written with seed ${st.seed}, size ${st.size} and ${st.classes} classes, not ${this.seed}, ${this.options.size} and ${this.pools.classes}`,
      );
    }
    const arrays = [
      st.subset,
      st.visited,
      st.left,
      st.windows,
      st.pending,
      st.correct,
      st.lrResets,
      st.valSubset,
      st.replacedRows,
    ];
    if (!arrays.every(Array.isArray) || !Number.isInteger(st.selectedEpoch) || !Number.isInteger(st.valEpoch))
      bad('is malformed');
    const inTrain = new Set(this.pools.train);
    if (!st.visited.every((r) => inTrain.has(r))) bad("names training images outside this search's pool");
    const visited = new Set(st.visited);
    if (!st.subset.every((r) => visited.has(r)) || new Set(st.subset).size !== st.subset.length)
      bad('has an invalid subset');
    if (!this.val.restore(st)) bad("names validation images outside this search's pool");

    this.subset = [...st.subset];
    this.member = new Set(this.subset);
    this.visited = visited;
    this.leftEpoch = new Map(st.left.map(([r, e]) => [r, e]));
    this.windows = new Map(st.windows.map(([r, w]) => [r, [...w]]));
    this.pending = new Map(st.pending.map(([r, sum, count, correct]) => [r, { sum, count, correct }]));
    this.latestCorrect = new Map(st.correct);
    this.lrResets = [...st.lrResets];
    this.selectedEpoch = st.selectedEpoch;
    this.replacedRows = [...st.replacedRows];
    this.resetThisEpoch = st.resetThisEpoch === true;
    this.forest.clearExclusions();
    for (const r of this.options.replacePool === 'global' ? this.subset : this.visited) this.forest.exclude(r);
  }
}
