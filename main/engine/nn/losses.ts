/**
 * Losses of the similarity autoencoder ([DDS-NAS] Sec. 3.2; [Poyser-thesis] Sec. 4.2.2.1–4.2.2.3):
 * MSE reconstruction, the contractive penalty, the ranking losses (triplet margin, cosine embedding, circle)
 * and Kendall uncertainty weighting. All are tfjs-core ops; every op used in a differentiated path has a wasm
 * kernel and a gradient built only from wasm kernels. Label masks are built with tf.equal on a label tensor
 * (or, for sampled triplets, as a constant ±1 selection matrix applied by one matmul): no tf.gather, whose
 * gradient (UnsortedSegmentSum) wasm lacks.
 *
 * Distances are Euclidean, as the thesis requires (Sec. 4.2.2.1: the kd-trees compare embeddings in Euclidean
 * space, so the ranking losses must too); cosine and circle losses are, by definition, on cosine similarity.
 */
import * as tf from '@tensorflow/tfjs';

type Labels = ArrayLike<number>;

/** Mean squared error over every element. */
export function mseLoss(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(pred, target));
}

// ---------------------------------------------------------------------------------------------------------
// Contractive penalty
// ---------------------------------------------------------------------------------------------------------

/**
 * The contractive penalty (Rifai et al. 2011) is ‖J(x)‖²_F, J = ∂z/∂x, averaged over the batch. We estimate it
 * by a RANDOM-DIRECTION FINITE DIFFERENCE:
 *
 *     ‖J‖²_F = E_ε ‖J ε‖²,  ε ~ N(0, I) in input space          (exact: E[εεᵀ] = I, so E‖Jε‖² = tr(JᵀJ))
 *     J ε   ≈ (z(x + σ ε) − z(x)) / σ
 *     penalty = mean_i ‖z(x_i + σ ε_i) − z(x_i)‖² / σ²            (one ε per image per step)
 *
 * For a fixed σ the Taylor remainder adds σ·E[(Jε)ᵀ(εᵀHε)] + O(σ²); the first term is an odd moment of a
 * centred Gaussian and vanishes, so the estimator is unbiased for ‖J‖²_F up to O(σ²) (σ = 0.01 on [0, 1]
 * pixels by default), and unbiased across draws of ε.
 *
 * Why not Hutchinson's E_v ‖Jᵀv‖² with a vector–Jacobian product (tf.grad inside tf.variableGrads)? It
 * needs a second-order gradient through the encoder, i.e. differentiating the gradient kernels themselves:
 * the training-mode batch norm has a hand-written gradient (tf.customGrad), which tfjs does not record for
 * higher orders, and the double backward costs two extra backward passes, where the finite difference costs
 * one extra forward (and its backward) of the encoder. We run the clean and the perturbed batch through the
 * encoder as ONE batch of 2B, so it adds no kernel calls, only FLOPs; batch-norm statistics are then those of
 * the 2B batch, the same for both halves.
 */
export function contractivePenaltyFromPair(z: tf.Tensor2D, zPerturbed: tf.Tensor2D, sigma: number): tf.Scalar {
  return tf.div(tf.mean(tf.sum(tf.squaredDifference(zPerturbed, z), 1)), sigma * sigma);
}

export interface ContractiveOptions {
  /** Finite-difference step in input units ([0, 1] pixels). */
  sigma?: number;
  /** Seed of the perturbation ε (pass a new one every step). */
  seed: number;
}

/**
 * Encodes x and x + σε together; returns the penalty and the clean codes z (for the decoder), so the
 * contractive autoencoder costs one encoder pass of 2B images.
 */
export function contractiveLoss(
  encode: (x: tf.Tensor4D) => tf.Tensor2D,
  x: tf.Tensor4D,
  opts: ContractiveOptions,
): { penalty: tf.Scalar; z: tf.Tensor2D } {
  const sigma = opts.sigma ?? 0.01;
  const b = x.shape[0];
  const eps = tf.randomNormal(x.shape, 0, sigma, 'float32', opts.seed);
  const both = encode(tf.concat([x, tf.add(x, eps)], 0) as tf.Tensor4D);
  const z = tf.slice(both, [0, 0], [b, -1]) as tf.Tensor2D;
  const zp = tf.slice(both, [b, 0], [b, -1]) as tf.Tensor2D;
  return { penalty: contractivePenaltyFromPair(z, zp, sigma), z };
}

// ---------------------------------------------------------------------------------------------------------
// Ranking losses
// ---------------------------------------------------------------------------------------------------------

/** [B, B] float masks: same class (diagonal excluded) and different class. */
function labelMasks(labels: Labels): { pos: tf.Tensor2D; neg: tf.Tensor2D } {
  const l = tf.tensor1d(Array.from(labels), 'int32');
  const same = tf.cast(tf.equal(tf.expandDims(l, 1), tf.expandDims(l, 0)), 'float32') as tf.Tensor2D;
  const eye = tf.eye(labels.length);
  return { pos: tf.sub(same, eye), neg: tf.sub(1, same) };
}

/** Pairwise Euclidean distances [B, B], sqrt(max(d², 0) + 1e-12) so the gradient is finite at 0. */
export function pairwiseDistances(z: tf.Tensor2D): tf.Tensor2D {
  const sq = tf.sum(tf.square(z), 1, true);
  const d2 = tf.sub(tf.add(sq, tf.transpose(sq)), tf.mul(tf.matMul(z, z, false, true), 2));
  return tf.sqrt(tf.add(tf.relu(d2), 1e-12));
}

export interface TripletOptions {
  /**
   * 'random' (default): for every anchor with at least one positive and one negative in the batch, one
   * positive and one negative drawn uniformly with `rng` — the triplets PyTorch's TripletMarginLoss is fed
   * in the paper's setting. 'batch-hard' (Hermans et al. 2017): the furthest positive and the closest negative
   * of every anchor; deterministic, stronger, more prone to collapse early in training.
   */
  mode?: 'random' | 'batch-hard';
  /** Uniform [0, 1) generator for 'random' (seeded by the caller). */
  rng?: () => number;
}

/**
 * Triplet margin loss on latent codes: mean over anchors of max(0, d(a, p) − d(a, n) + margin), Euclidean d.
 * Anchors without a positive or a negative in the batch are skipped (a batch with none gives 0).
 */
export function tripletMarginLoss(z: tf.Tensor2D, labels: Labels, margin = 1, opts: TripletOptions = {}): tf.Scalar {
  const b = z.shape[0];
  if (labels.length !== b) throw new Error(`tripletMarginLoss: ${labels.length} labels for ${b} codes.`);
  if ((opts.mode ?? 'random') === 'batch-hard') {
    const { pos, neg } = labelMasks(labels);
    const d = pairwiseDistances(z);
    const dp = tf.max(tf.mul(d, pos), 1);
    // closest negative: min over negatives = −max(−d − BIG·(1 − neg))
    const dn = tf.neg(tf.max(tf.sub(tf.neg(d), tf.mul(tf.sub(1, neg), 1e6)), 1));
    const valid = tf.mul(
      tf.cast(tf.greater(tf.sum(pos, 1), 0), 'float32'),
      tf.cast(tf.greater(tf.sum(neg, 1), 0), 'float32'),
    );
    const per = tf.mul(tf.relu(tf.add(tf.sub(dp, dn), margin)), valid);
    return tf.div(tf.sum(per), tf.maximum(tf.sum(valid), 1));
  }
  const rng = opts.rng ?? Math.random;
  // Selection matrix S [2A, B]: row 2k = e_a − e_p, row 2k+1 = e_a − e_n, so S·z holds a − p and a − n.
  const rows: number[] = [];
  let anchors = 0;
  const posOf: number[] = [];
  const negOf: number[] = [];
  for (let i = 0; i < b; i++) {
    posOf.length = 0;
    negOf.length = 0;
    for (let j = 0; j < b; j++) {
      if (j === i) continue;
      (labels[j] === labels[i] ? posOf : negOf).push(j);
    }
    if (posOf.length === 0 || negOf.length === 0) continue;
    const p = posOf[Math.floor(rng() * posOf.length)]!;
    const n = negOf[Math.floor(rng() * negOf.length)]!;
    const rp = new Array<number>(b).fill(0);
    const rn = new Array<number>(b).fill(0);
    rp[i] = 1;
    rp[p] = -1;
    rn[i] = 1;
    rn[n] = -1;
    rows.push(...rp, ...rn);
    anchors++;
  }
  if (anchors === 0) return tf.mul(tf.sum(z), 0);
  const sel = tf.tensor2d(rows, [2 * anchors, b]);
  const diff = tf.matMul(sel, z);
  // PyTorch adds eps = 1e-6 to the difference; we add 1e-12 under the root (finite gradient at 0)
  const dist = tf.reshape(tf.sqrt(tf.add(tf.sum(tf.square(diff), 1), 1e-12)), [anchors, 2]);
  const [dp, dn] = tf.split(dist, 2, 1);
  return tf.mean(tf.relu(tf.add(tf.sub(dp!, dn!), margin)));
}

/** Cosine similarity matrix [B, B]. */
function cosineMatrix(z: tf.Tensor2D): tf.Tensor2D {
  const zn = tf.mul(z, tf.rsqrt(tf.add(tf.sum(tf.square(z), 1, true), 1e-12)));
  return tf.matMul(zn, zn, false, true);
}

/** Strict upper triangle (i < j) of a [B, B] matrix, as a constant mask. */
function upperMask(b: number): tf.Tensor2D {
  const m = new Float32Array(b * b);
  for (let i = 0; i < b; i++) for (let j = i + 1; j < b; j++) m[i * b + j] = 1;
  return tf.tensor2d(m, [b, b]);
}

/**
 * PyTorch's CosineEmbeddingLoss over every pair i < j of the batch: y = +1 (same class) → 1 − cos(z_i, z_j);
 * y = −1 → max(0, cos(z_i, z_j) − margin); mean over the pairs.
 */
export function cosineEmbeddingLoss(z: tf.Tensor2D, labels: Labels, margin = 0): tf.Scalar {
  const b = z.shape[0];
  if (b < 2) return tf.mul(tf.sum(z), 0);
  const { pos, neg } = labelMasks(labels);
  const up = upperMask(b);
  const s = cosineMatrix(z);
  const per = tf.add(tf.mul(tf.sub(1, s), pos), tf.mul(tf.relu(tf.sub(s, margin)), neg));
  return tf.div(tf.sum(tf.mul(per, up)), (b * (b - 1)) / 2);
}

/** Identity whose gradient is zero (PyTorch's `.detach()`). */
const stopGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

/** Masked log-sum-exp over all elements; −1e9 for masked-out entries. */
function maskedLogSumExp(logits: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.logSumExp(tf.add(tf.mul(logits, mask), tf.mul(tf.sub(mask, 1), 1e9)));
}

/**
 * Circle loss (Sun et al., CVPR 2020), pair form over all pairs i < j of the batch on cosine similarity:
 *   α_p = [1 + m − s_p]₊, α_n = [s_n + m]₊ (not differentiated), Δ_p = 1 − m, Δ_n = m,
 *   L = softplus( logΣ_n exp(γ α_n (s_n − Δ_n)) + logΣ_p exp(−γ α_p (s_p − Δ_p)) ).
 * Defaults m = 0.25, γ = 256 (the paper's face-recognition setting). A batch with no positive or no negative
 * pair gives 0.
 */
export function circleLoss(z: tf.Tensor2D, labels: Labels, m = 0.25, gamma = 256): tf.Scalar {
  const b = z.shape[0];
  if (b < 2) return tf.mul(tf.sum(z), 0);
  const { pos, neg } = labelMasks(labels);
  const up = upperMask(b);
  const pm = tf.mul(pos, up);
  const nm = tf.mul(neg, up);
  const s = cosineMatrix(z);
  const sd = stopGradient(s);
  const ap = tf.relu(tf.sub(1 + m, sd));
  const an = tf.relu(tf.add(sd, m));
  const logitP = tf.mul(tf.mul(ap, tf.sub(s, 1 - m)), -gamma);
  const logitN = tf.mul(tf.mul(an, tf.sub(s, m)), gamma);
  return tf.softplus(tf.add(maskedLogSumExp(logitN, nm), maskedLogSumExp(logitP, pm)));
}

// ---------------------------------------------------------------------------------------------------------
// Kendall uncertainty weighting
// ---------------------------------------------------------------------------------------------------------

/**
 * Kendall, Gal & Cipolla (CVPR 2018), in the simplified form L = Σ_i exp(−s_i)·L_i + s_i with learned
 * s_i = log σ_i² (one variable of shape [n], initialised to 0 = equal weights). dL/ds_i = 1 − exp(−s_i)·L_i:
 * the optimum is s_i = log L_i, so a term's weight exp(−s_i) tends to 1/L_i.
 */
export function kendallWeighted(terms: tf.Scalar[], logVars: tf.Tensor1D): tf.Scalar {
  if (terms.length !== logVars.shape[0])
    throw new Error(`kendallWeighted: ${terms.length} terms but ${logVars.shape[0]} log-variances.`);
  const l = tf.stack(terms) as tf.Tensor1D;
  return tf.sum(tf.add(tf.mul(tf.exp(tf.neg(logVars)), l), logVars));
}
