/**
 * `random`: one class-balanced random subset of S train_w images, fixed for the whole search, and one equally
 * sized class-balanced random subset of train_α for the α steps, also fixed. This is the DDS-NAS paper's
 * "original framework with dataset size 100 / 1000" ablation (seed 000, Sec. 5.2.1, Table 4): the same volume
 * of data as DDS, without hard example mining or curriculum. Quotas per class: see subset.ts.
 * The search's own LR schedule applies (no weightLr): the ablation runs the original frameworks.
 */
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { balanceDegree, countPerClass } from './balance.js';
import type { DataSelection, EpochSelection, SelectionEpochStats, SelectionPools } from './strategy.js';
import { classBalancedDraw } from './subset.js';

export interface RandomSubsetOptions {
  /** Subset size S, of the training and of the validation subset (the caller's default: 100 grey ≤ 28 px, 1000 RGB). */
  size: number;
}

interface RandomSubsetState {
  kind: 'random';
  seed: number;
  size: number;
  train: number[];
  val: number[];
}

export class RandomSubsetSelection implements DataSelection {
  readonly name = 'random' as const;
  private train: number[];
  private val: number[];
  private readonly size: number;

  constructor(
    private readonly pools: SelectionPools,
    private readonly seed: number,
    options: RandomSubsetOptions,
  ) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`random selection: the subset size must be a whole number >= 1, got ${options.size}.`);
    this.size = options.size;
    // two independent streams: the training subset does not depend on the validation pool, and vice versa
    this.train = classBalancedDraw(pools.train, pools.labels, pools.classes, this.size, mulberry32(deriveSeed(seed, 'random-subset:train')));
    this.val = classBalancedDraw(pools.val, pools.labels, pools.classes, this.size, mulberry32(deriveSeed(seed, 'random-subset:val')));
  }

  select(epoch: number): EpochSelection {
    // the order depends only on (seed, epoch), so a resumed search sees the same batches
    const rng = mulberry32(deriveSeed(this.seed, `random-selection:${epoch}`));
    return { train: shuffleInPlace([...this.train], rng) as number[], val: shuffleInPlace([...this.val], rng) as number[] };
  }

  epochStats(_epoch?: number): SelectionEpochStats {
    const { labels, classes } = this.pools;
    const perClass = { train: countPerClass(this.train, labels, classes), val: countPerClass(this.val, labels, classes) };
    return { trainSize: this.train.length, valSize: this.val.length, perClass, balance: balanceDegree(perClass.train) };
  }

  /** The subsets (drawn at construction from the seed; kept in the state so a checkpoint pins them). */
  state(): unknown {
    const s: RandomSubsetState = { kind: 'random', seed: this.seed, size: this.size, train: [...this.train], val: [...this.val] };
    return s;
  }

  restore(state: unknown): void {
    const s = state as Partial<RandomSubsetState> | null;
    if (s === null || typeof s !== 'object' || s.kind !== 'random' || !Array.isArray(s.train) || !Array.isArray(s.val)) {
      throw new Error('random selection: the checkpoint does not hold a random-subset state; start a new search.');
    }
    if (s.seed !== this.seed || s.size !== this.size) {
      throw new Error(`random selection: the checkpoint was written with seed ${s.seed} and size ${s.size}, this search has ${this.seed} and ${this.size}.`);
    }
    const inTrain = new Set(this.pools.train);
    const inVal = new Set(this.pools.val);
    if (!s.train.every((r) => inTrain.has(r)) || !s.val.every((r) => inVal.has(r))) {
      throw new Error('random selection: the checkpoint names images outside this search\'s pools; start a new search.');
    }
    this.train = [...s.train];
    this.val = [...s.val];
  }
}
