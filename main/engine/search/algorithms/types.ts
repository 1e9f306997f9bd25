/**
 * What a search algorithm is to the trainer (trainer.ts drives it; the space is the supernet's, the data the
 * selection strategy's, so the three vary independently): its architecture parameters live in the supernet's α
 * store (and the mixed-operation forward pass it needs is a mode of the supernet: PC-DARTS' partial channels,
 * GDAS' sampled path), and it owns the α step, the weight step, the derivation of the genotype, its schedule
 * (τ, λ, warm-up) and whatever state a checkpoint must keep for resume to continue exactly.
 */
import type { Genotype } from '../../../../shared/genotype.js';
import type { AlphaSnapshot, SearchAlgorithm as AlgorithmName } from '../../../../shared/search.js';
import type { Supernet } from '../../spaces/supernet.js';
import type { Batch, BatchOutcome, DartsOptimizers } from './step.js';

export interface SearchStep {
  train: Batch;
  val: Batch;
  /** The epoch's learning rates (w: the schedule's; α: the parameter). */
  lr: { weights: number; alphas: number };
  /** 0-based epoch and step within it (seeds of anything an algorithm samples per step). */
  epoch: number;
  step: number;
}

export interface SearchAlgorithm {
  readonly name: AlgorithmName;
  /** Sets the epoch's schedule (τ, λ, α frozen or not) before its steps; 0-based epoch. */
  beginEpoch(epoch: number): void;
  /** One search step: the α step (unless α is frozen), then the weight step. */
  step(s: SearchStep): { train: BatchOutcome; val: BatchOutcome };
  /** The schedule's values this epoch, reported as metrics and in the epoch's record (e.g. { tau: 9.5 }). */
  epochInfo(): Record<string, number>;
  /** softmax(α) (and PC-DARTS' β) for the epoch's record. */
  alphaSnapshot(): AlphaSnapshot;
  /** The genotype the architecture parameters encode (the algorithm's derivation rule). */
  genotype(): Genotype;
  /** Puts the supernet in the mode its final test uses (GDAS: the argmax path instead of sampling). */
  evaluationMode(): void;
  /** What a checkpoint must keep beyond w, α and the optimisers' state (JSON), and its restore. */
  state(): unknown;
  restore(state: unknown): void;
  /**
   * P-DARTS: the supernet and optimisers the epoch trains, when the algorithm replaces them (a new pair per stage);
   * absent: the trainer's own throughout.
   */
  current?(): { net: Supernet; opt: DartsOptimizers };
  /** P-DARTS: where the epoch sits in the weights' cosine schedule (per stage); absent: the whole search's. */
  schedule?(epoch: number): { epoch: number; epochs: number };
  /** The algorithm's own parameters, recorded in the genotype's provenance. */
  provenance(): Record<string, string | number | boolean | number[]>;
}
