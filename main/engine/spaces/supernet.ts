/**
 * What a search algorithm sees of a search space (NASLib's split: space, optimizer and trainer are separate):
 * two parameter sets — the network weights w and the architecture parameters α — a training-mode forward pass,
 * and the architecture α currently encodes.
 */
import * as tf from '@tensorflow/tfjs';
import type { Genotype } from '../../../shared/genotype.js';
import type { DartsOp } from '../../../shared/genotype/ops.js';
import type { AlphaSnapshot, SearchSpace } from '../../../shared/search.js';
import type { ParamStore } from '../nn/params.js';

export interface SupernetConfig {
  /** Initial channels C. */
  channels: number;
  /** darts: number of cells; nb201: cells per stage. */
  cells: number;
  inChannels: number;
  classes: number;
  seed: number;
  /**
   * darts only: PC-DARTS' K ([PC-DARTS] §3.2): the mixed operations of an edge see the first 1/K of its channels,
   * the rest bypass them, and the two are concatenated and channel-shuffled. 1 (or absent): every channel.
   */
  partialChannels?: number;
  /** darts only: PC-DARTS' edge normalisation β ([PC-DARTS] §3.3), a softmax over each node's incoming edges. */
  edgeNormalisation?: boolean;
  /**
   * darts only: P-DARTS' reduced space ([P-DARTS] §3.2, search space approximation): the operations each edge keeps, per cell type, one list per
   * edge in edge order. Only those are built and computed; softmax(α) runs over them (the others weigh 0).
   */
  kept?: { normal: readonly (readonly DartsOp[])[]; reduce: readonly (readonly DartsOp[])[] };
}

/**
 * A sampler of one operation per edge (GDAS): given an α matrix ([edges, ops]) and which matrix it is, the chosen
 * operation per edge and the [edges, ops] weights whose value is that one-hot choice and whose gradient reaches α
 * (the straight-through estimator). Called inside the forward pass, so the weights are on the gradient tape.
 */
export type PathSampler = (alpha: tf.Variable, matrix: number) => { index: Int32Array; hard: tf.Tensor2D };

/** Which parameters the next forward pass will be differentiated for (blocks skip the other set's gradients). */
export type GradTarget = 'weights' | 'alphas' | 'both';

export interface Supernet {
  readonly space: SearchSpace;
  readonly config: SupernetConfig;
  /** Network weights (w): trained on train_w. */
  readonly weights: ParamStore;
  /** Architecture parameters (α), one [edges, operations] matrix per cell type: trained on train_α. */
  readonly alphas: ParamStore;
  gradTarget: GradTarget;
  /** The α matrices ([edges, operations], one per cell type), without PC-DARTS' β: what a regulariser on α reads. */
  readonly archMatrices: readonly tf.Variable[];
  /** GDAS: one sampled operation per edge in the forward pass instead of the mixture; null = the mixture. */
  sampler: PathSampler | null;
  /** Training-mode forward pass (batch statistics in every BN), NHWC input -> [batch, classes] logits. */
  logits(x: tf.Tensor4D): tf.Tensor2D;
  /** softmax(α) per edge, as plain numbers. */
  alphaSnapshot(): AlphaSnapshot;
  /** The architecture α currently encodes (the space's derivation rule). */
  genotype(): Genotype;
  dispose(): void;
}

/** Row-wise softmax of an α matrix, flattened ([edges · ops]): what the mixed edges index into. */
export function softmaxFlat(alpha: tf.Variable): tf.Tensor1D {
  return tf.reshape(tf.softmax(alpha as tf.Tensor2D), [-1]);
}

/** Global average pooling and the linear classifier. */
export function classify(h: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, w as tf.Tensor2D), b);
}

export function rowsOf(values: Float32Array | number[], cols: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < values.length; i += cols) rows.push(Array.from(values.slice(i, i + cols)));
  return rows;
}

/**
 * GDAS' node sum, one sampled edge at a time: adds out · w[op] (out = the sampled operation's output; null for
 * `none`) and the edge's other weights Σ_{o≠op} w[o] (value 0: a scalar that carries their gradient to α), where
 * w is row `edge` of the straight-through weights. finish() gives the node (zeros of `shape` plus the scalars when
 * every edge sampled `none`).
 */
export class SampledNode {
  private sum: tf.Tensor | null = null;
  private rest: tf.Tensor | null = null;

  add(hard: tf.Tensor2D, edge: number, op: number, out: tf.Tensor4D | null): void {
    const ops = hard.shape[1];
    const row = tf.reshape(tf.slice(hard, [edge, 0], [1, ops]), [ops]);
    const chosen = tf.slice(row, op, 1);
    const others = tf.sub(tf.sum(row), chosen);
    this.rest = this.rest ? tf.add(this.rest, others) : others;
    if (out) this.sum = this.sum ? tf.add(this.sum, tf.mul(out, chosen)) : tf.mul(out, chosen);
  }

  finish(shape: [number, number, number, number]): tf.Tensor4D {
    return tf.add(this.sum ?? tf.zeros(shape), this.rest ?? 0) as tf.Tensor4D;
  }
}
