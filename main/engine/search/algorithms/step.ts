/**
 * The gradient steps every search algorithm is made of (DARTS code: cnn/train_search.py, cnn/architect.py): the
 * optimisers of α and w, one gradient step of either set on a batch with the per-image statistics the selection
 * strategies read, a forward-only pass with the same statistics, and first-order DARTS' step (α, then w).
 */
import * as tf from '@tensorflow/tfjs';
import type { SearchParams } from '../../../../shared/search.js';
import { Adam, SgdMomentum } from '../../nn/optim.js';
import type { Supernet } from '../../spaces/supernet.js';

export interface DartsOptimizers {
  weights: SgdMomentum;
  alphas: Adam;
}

export function createOptimizers(
  net: Supernet,
  p: Pick<SearchParams, 'momentum' | 'weightDecay' | 'gradClip' | 'alphaWeightDecay'>,
): DartsOptimizers {
  return {
    weights: new SgdMomentum(net.weights, { momentum: p.momentum, weightDecay: p.weightDecay, clip: p.gradClip }),
    alphas: new Adam(net.alphas, { beta1: 0.5, beta2: 0.999, weightDecay: p.alphaWeightDecay }),
  };
}

/** A batch of images and labels. */
export interface Batch {
  x: tf.Tensor4D;
  labels: tf.Tensor1D;
}

export interface BatchOutcome {
  loss: number;
  correct: number;
  /** Per-image cross-entropy and correctness (for selection strategies). */
  losses: Float32Array;
  hits: Uint8Array;
  /** Per-image softmax probability of the true class, and ‖softmax − onehot‖₂ (DDS / BDP hardness signals). */
  trueProb: Float32Array;
  errorNorm: Float32Array;
}

/**
 * Mean cross-entropy of a batch, with per-image losses, predictions, true-class probabilities and error norms kept
 * for the caller (outside the gradient: they feed the selection strategies, not the loss).
 */
export function lossWithStats(net: Supernet, x: tf.Tensor4D, labels: tf.Tensor1D, keep: tf.Tensor[]): tf.Scalar {
  const logits = net.logits(x);
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(labels, logits.shape[1]);
  const perImage = tf.neg(tf.sum(tf.mul(logp, onehot), 1));
  const signals = tf.tidy(() => {
    const p = tf.exp(logp);
    return [tf.sum(tf.mul(p, onehot), 1), tf.sqrt(tf.sum(tf.square(tf.sub(p, onehot)), 1))];
  });
  keep.push(tf.keep(perImage), tf.keep(tf.argMax(logits, 1)), tf.keep(signals[0]!), tf.keep(signals[1]!));
  return tf.mean(perImage);
}

/** The outcome of a batch from the tensors lossWithStats kept (and the loss's value). */
export function outcomeOf(loss: number, kept: tf.Tensor[], labels: tf.Tensor1D): BatchOutcome {
  const losses = kept[0]!.dataSync() as Float32Array;
  const pred = kept[1]!.dataSync();
  const truth = labels.dataSync();
  const hits = new Uint8Array(pred.length);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) correct += hits[i] = pred[i] === truth[i] ? 1 : 0;
  return {
    loss,
    correct,
    losses: Float32Array.from(losses),
    hits,
    trueProb: Float32Array.from(kept[2]!.dataSync() as Float32Array),
    errorNorm: Float32Array.from(kept[3]!.dataSync() as Float32Array),
  };
}

/**
 * One gradient step of one parameter set on a batch: the gradients of the batch's mean cross-entropy (plus
 * `extra`, a regulariser, when given) are handed to `apply`. The outcome's loss is the cross-entropy alone.
 */
export function gradientStep(
  net: Supernet,
  which: 'weights' | 'alphas',
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  apply: (grads: Array<tf.Tensor | undefined>) => void,
  extra?: () => tf.Scalar,
): BatchOutcome {
  const params = which === 'weights' ? net.weights : net.alphas;
  const vars = params.list.map((e) => e.variable);
  const kept: tf.Tensor[] = [];
  net.gradTarget = which;
  let ce = null as tf.Scalar | null;
  const { value, grads } = tf.variableGrads(() => {
    const loss = lossWithStats(net, x, labels, kept);
    if (!extra) return loss;
    ce = tf.keep(loss.clone());
    return tf.add(loss, extra());
  }, vars);
  try {
    apply(vars.map((v) => grads[v.name]));
    return outcomeOf(((ce ?? value) as tf.Scalar).dataSync()[0]!, kept, labels);
  } finally {
    tf.dispose([value, ...Object.values(grads), ...kept, ...(ce ? [ce] : [])]);
  }
}

/** A forward pass only (α frozen in a warm-up epoch): the batch's outcome, nothing updated. */
export function forwardOutcome(net: Supernet, x: tf.Tensor4D, labels: tf.Tensor1D): BatchOutcome {
  const kept: tf.Tensor[] = [];
  const loss = tf.tidy(() => lossWithStats(net, x, labels, kept));
  try {
    return outcomeOf(loss.dataSync()[0]!, kept, labels);
  } finally {
    tf.dispose([loss, ...kept]);
  }
}

/**
 * One first-order DARTS step: α on the validation batch (w fixed), then w on the training batch (α fixed).
 * Exported for the benchmark (test/bench/supernet-step.ts).
 */
export function firstOrderStep(
  net: Supernet,
  opt: DartsOptimizers,
  train: Batch,
  val: Batch,
  lr: { weights: number; alphas: number },
): { train: BatchOutcome; val: BatchOutcome } {
  const v = gradientStep(net, 'alphas', val.x, val.labels, (g) => opt.alphas.apply(g, lr.alphas));
  const t = gradientStep(net, 'weights', train.x, train.labels, (g) => opt.weights.apply(g, lr.weights));
  return { train: t, val: v };
}
