/**
 * Data selection inside a search: which training (train_w) and validation (train_α) images each epoch uses.
 * The fourth, orthogonal piece next to space, algorithm and trainer (ARCHITECTURE.md): any strategy works with
 * any search algorithm on any space. `full` lives here; random, dds and bdp plug in through the same interface.
 */
import type { SelectionEpochStats, SelectionStrategy as StrategyName } from '../../../shared/search.js';

export interface SelectionPools {
  /** Row indices (into the dataset) of train_w and train_α, after any per-class limit. */
  train: readonly number[];
  val: readonly number[];
  /** Label of every dataset row. */
  labels: readonly number[];
  classes: number;
}

export interface EpochSelection {
  /** Rows for the weight steps, in the order they are used. */
  train: number[];
  /** Rows for the α steps, in order (cycled when shorter than the training rows' batches). */
  val: number[];
  /** True when the subset changed in a way that should restart the weight LR schedule (DDS-NAS). */
  resetLr?: boolean;
}

/** What a strategy may learn from the steps it fed (hardness signals for dds / bdp). */
export interface StepFeedback {
  split: 'train' | 'val';
  rows: readonly number[];
  /** Per-image cross-entropy loss of the forward pass that took the step. */
  losses: Float32Array;
  /** Per-image: was the prediction right. */
  correct: Uint8Array;
  /** Per-image softmax probability of the true class (DDS-NAS hardness = 1 − this). */
  trueProb: Float32Array;
  /** Per-image ‖softmax(z) − onehot(y)‖₂ (BDP's error e, Eq. 3). */
  errorNorm: Float32Array;
}

/** What a strategy reports after each epoch (emitted with the search's epoch snapshot; the schema is shared). */
export type { SelectionEpochStats };

export interface DataSelection {
  readonly name: StrategyName;
  /** Called before each epoch (0-based); deterministic given the seed, the epoch and the strategy's state. */
  select(epoch: number): EpochSelection;
  observe?(feedback: StepFeedback): void;
  /** Called after each epoch's steps: what the epoch used, for the UI (see SelectionEpochStats). */
  epochStats(epoch: number): SelectionEpochStats;
  /**
   * The weight learning rate for an epoch when the strategy prescribes its own schedule (DDS-NAS: cyclic, reset to
   * the maximum when the subset changes); undefined = the search's cosine schedule.
   */
  weightLr?(epoch: number): number;
  /** JSON-serialisable state for checkpoints (the PRNG state included); restore() continues exactly. */
  state(): unknown;
  restore(state: unknown): void;
}
