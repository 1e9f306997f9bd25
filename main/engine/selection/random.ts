/**
 * `random`: one class-balanced random subset of S train_w images, fixed for the whole search, and an equally
 * sized class-balanced random subset of train_α for the α steps under the validation policy DDS uses
 * (ValidationSubset, subset.ts: same modes, same default, same draws for a seed). This is the DDS-NAS paper's
 * "original framework with dataset size 100 / 1000" ablation ([DDS-NAS] Sec. 5.2.1, Table 4): the same volume
 * of data as DDS, without hard example mining or curriculum, and nothing else different. Quotas: see subset.ts.
 * The search's own LR schedule applies (no weightLr): the ablation runs the original frameworks.
 */
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { balanceDegree, countPerClass } from './balance.js';
import type { DataSelection, EpochSelection, SelectionEpochStats, SelectionPools } from './strategy.js';
import { classBalancedDraw, ValidationSubset, type ValMode } from './subset.js';

export interface RandomSubsetOptions {
  /** Subset size S, of the training and of the validation subset (the caller's default: 100 grey ≤ 28 px, 1000 RGB). */
  size: number;
  /** The validation policy (default 'resample-each-epoch', as dds). */
  valMode?: ValMode;
}

interface RandomSubsetState {
  kind: 'random';
  seed: number;
  size: number;
  train: number[];
  valSubset: number[];
  valEpoch: number;
}

export class RandomSubsetSelection implements DataSelection {
  readonly name = 'random' as const;
  private train: number[];
  private readonly val: ValidationSubset;
  private readonly size: number;

  constructor(
    private readonly pools: SelectionPools,
    private readonly seed: number,
    options: RandomSubsetOptions,
  ) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new Error(`random selection: the subset size must be a whole number >= 1, got ${options.size}.`);
    this.size = options.size;
    // independent streams: the training subset does not depend on the validation pool, and vice versa
    this.train = classBalancedDraw(
      pools.train,
      pools.labels,
      pools.classes,
      this.size,
      mulberry32(deriveSeed(seed, 'random-subset:train')),
    );
    this.val = new ValidationSubset(pools, seed, this.size, options.valMode ?? 'resample-each-epoch');
  }

  select(epoch: number): EpochSelection {
    // the training subset never changes, so 'with-subset' keeps its first draw
    this.val.update(epoch, false);
    // the order depends only on (seed, epoch), so a resumed search sees the same batches
    const rng = mulberry32(deriveSeed(this.seed, `random-selection:${epoch}`));
    return { train: shuffleInPlace([...this.train], rng) as number[], val: this.val.ordered(epoch) };
  }

  epochStats(_epoch?: number): SelectionEpochStats {
    const { labels, classes } = this.pools;
    const perClass = {
      train: countPerClass(this.train, labels, classes),
      val: countPerClass(this.val.rows, labels, classes),
    };
    return {
      trainSize: this.train.length,
      valSize: this.val.rows.length,
      perClass,
      balance: balanceDegree(perClass.train),
    };
  }

  /** The subsets (drawn at construction from the seed; kept in the state so a checkpoint pins them). */
  state(): unknown {
    const s: RandomSubsetState = {
      kind: 'random',
      seed: this.seed,
      size: this.size,
      train: [...this.train],
      ...this.val.state(),
    };
    return s;
  }

  restore(state: unknown): void {
    const s = state as Partial<RandomSubsetState> | null;
    if (s === null || typeof s !== 'object' || s.kind !== 'random' || !Array.isArray(s.train)) {
      throw new Error('random selection: the checkpoint does not hold a random-subset state; start a new search.');
    }
    if (s.seed !== this.seed || s.size !== this.size) {
      throw new Error(
        `random selection: the checkpoint was written with seed ${s.seed} and size ${s.size}, this search has ${this.seed} and ${this.size}.`,
      );
    }
    const inTrain = new Set(this.pools.train);
    if (!s.train.every((r) => inTrain.has(r)) || !this.val.restore(s)) {
      throw new Error("random selection: the checkpoint names images outside this search's pools; start a new search.");
    }
    this.train = [...s.train];
  }
}
