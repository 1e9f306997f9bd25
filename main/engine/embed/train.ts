/**
 * Training and inference for the similarity autoencoder (DDS-NAS Sec. 4.2: Adam, β = (0.9, 0.999), lr 1e-3,
 * batch 8, 30 epochs, wd 0).
 *
 * Loss terms (names as reported in `terms`):
 * - `contractive` = MSE + λ·penalty (the contractive autoencoder objective, Rifai et al. 2011; the penalty is
 *   the finite-difference estimate of ‖∂z/∂x‖²_F in nn/losses.ts). Reported as `contractive` (the combined
 *   term), `mse` and `jacobian` (the raw penalty). Neither the paper nor the thesis gives λ; the default 1e-2
 *   is the brief's, and the bench measured how k-NN agreement depends on it (see test/bench/ae-train.ts).
 * - `mse`: pixel MSE of the reconstruction (one `mse` term even when `contractive` is also selected).
 * - `triplet` (margin 1, random in-batch triplets, seeded), `cosine` (margin 0), `circle` (m 0.25, γ 256).
 * Several terms are combined with fixed equal weights (plain sum) or with Kendall weighting
 * (L = Σ exp(−s_i)·L_i + s_i, s_i learned by the same Adam).
 *
 * Each step is one tf.tidy; per-term values are accumulated on the device (one add per step) and read once
 * per epoch. Every `yieldEvery` steps the loop yields to the event loop (setImmediate) so that cancel
 * messages arrive; an aborted signal throws an Error named 'AbortError'.
 */
import * as tf from '@tensorflow/tfjs';
import type { AeLoss } from '../../../shared/autoencoder.js';
import { AE_BATCH_NORM_IMAGES } from '../../../shared/autoencoder-defaults.js';
import type { PackedImages } from '../../data/tensor-store.js';
import { batchTensor } from '../../data/batches.js';
import {
  contractiveLoss,
  cosineEmbeddingLoss,
  circleLoss,
  kendallWeighted,
  mseLoss,
  tripletMarginLoss,
} from '../nn/losses.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import type { Autoencoder } from './autoencoder.js';

export interface AeEpochEvent {
  epoch: number;
  loss: number;
  terms: Record<string, number>;
  /** Kendall weights exp(−s_i) per term, when Kendall weighting is on. */
  weights?: Record<string, number>;
  seconds: number;
}

export interface AeTrainOptions {
  losses: AeLoss[];
  kendall: boolean;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  /** λ of the contractive penalty (default 1e-2). */
  contractiveWeight?: number;
  /** Finite-difference step σ of the contractive estimate (default 0.01). */
  contractiveSigma?: number;
  tripletMargin?: number;
  /** 'constant' (the paper) or 'cosine' (lr·½(1 + cos(π·t/T)) over all steps, to 0 at the end). */
  lrSchedule?: 'constant' | 'cosine';
  /** Recompute exact BN population statistics on (up to) this many training images at the end; 0 = keep EMA. */
  calibrationImages?: number;
  yieldEvery?: number;
  signal?: AbortSignal;
  onEpoch?(e: AeEpochEvent): void;
  onStep?(done: number, total: number): void;
}

export interface AeTrainResult {
  history: AeEpochEvent[];
  seconds: number;
  /** Learned Kendall log-variances s_i, when used. */
  logVars?: Record<string, number>;
}

function abortError(): Error {
  const e = new Error('Autoencoder training was cancelled.');
  e.name = 'AbortError';
  return e;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The names of the terms the objective is made of, in order. */
export function objectiveTerms(losses: readonly AeLoss[]): AeLoss[] {
  const order: AeLoss[] = ['contractive', 'mse', 'triplet', 'cosine', 'circle'];
  const set = new Set(losses);
  if (set.size === 0) throw new Error('Choose at least one autoencoder loss.');
  // contractive already contains the MSE reconstruction term
  if (set.has('contractive')) set.delete('mse');
  return order.filter((l) => set.has(l));
}

export async function trainAutoencoder(
  ae: Autoencoder,
  images: PackedImages,
  labels: Int32Array,
  trainIndices: Int32Array | number[],
  opts: AeTrainOptions,
): Promise<AeTrainResult> {
  const { epochs, batch, lr, seed, signal } = opts;
  if (
    images.shape.width !== ae.inputSize ||
    images.shape.height !== ae.inputSize ||
    images.shape.channels !== ae.channels
  ) {
    throw new Error(
      `The dataset's images are ${images.shape.width}×${images.shape.height}×${images.shape.channels}, the autoencoder expects ${ae.inputSize}×${ae.inputSize}×${ae.channels}.`,
    );
  }
  if (batch < 2) throw new Error('The autoencoder batch size must be at least 2 (batch norm).');
  const terms = objectiveTerms(opts.losses);
  const lambda = opts.contractiveWeight ?? 1e-2;
  const sigma = opts.contractiveSigma ?? 0.01;
  const margin = opts.tripletMargin ?? 1;
  const yieldEvery = Math.max(1, opts.yieldEvery ?? 4);
  const indices = Int32Array.from(trainIndices);
  const n = indices.length;
  // drop the last incomplete batch (a batch of 1 breaks batch norm), unless that is all there is
  const steps = n >= batch ? Math.floor(n / batch) : 1;
  const bs = Math.min(batch, n);

  // reported values, in order: total, each term, then mse/jacobian parts of contractive
  const names: string[] = [...terms];
  if (terms.includes('contractive')) names.push('mse', 'jacobian');
  const logVars =
    opts.kendall && terms.length > 1
      ? tf.variable(tf.zeros([terms.length]), true, `kendall-${seed}-${Date.now()}`)
      : null;
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const vars = [...ae.trainableVariables(), ...(logVars ? [logVars] : [])];
  const history: AeEpochEvent[] = [];
  const t0 = performance.now();
  let acc: tf.Tensor1D | null = null;
  const trackedBefore = ae.trackRunningStats;
  ae.trackRunningStats = true;
  ae.bnMomentum = 0.1;

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const te = performance.now();
      const order = shuffleInPlace(indices.slice(), mulberry32(deriveSeed(seed, `ae-epoch-${epoch}`))) as Int32Array;
      const tripletRng = mulberry32(deriveSeed(seed, `ae-triplet-${epoch}`));
      acc = tf.zeros([names.length + 1]);
      for (let s = 0; s < steps; s++) {
        if (signal?.aborted) throw abortError();
        const idx = order.subarray(s * bs, s * bs + bs);
        const yb = Array.from(idx, (i) => labels[i]!);
        const stepSeed = deriveSeed(seed, `ae-step-${epoch}-${s}`);
        if (opts.lrSchedule === 'cosine') {
          // tfjs's Adam reads its (protected) learningRate on every applyGradients call
          const t = ((epoch - 1) * steps + s) / (epochs * steps);
          (optimizer as unknown as { learningRate: number }).learningRate = lr * 0.5 * (1 + Math.cos(Math.PI * t));
        }
        const next = tf.tidy(() => {
          const x = batchTensor(images, idx);
          let stats: tf.Tensor1D | null = null;
          const f = (): tf.Scalar => {
            const parts: tf.Scalar[] = [];
            const extra: tf.Scalar[] = [];
            let z: tf.Tensor2D;
            if (terms.includes('contractive')) {
              const c = contractiveLoss((xx) => ae.encode(xx, true), x, { sigma, seed: stepSeed });
              z = c.z;
              const rec = mseLoss(ae.decode(z, true), x);
              parts.push(tf.add(rec, tf.mul(c.penalty, lambda)));
              extra.push(rec, c.penalty);
            } else {
              z = ae.encode(x, true);
            }
            for (const t of terms) {
              if (t === 'contractive') continue;
              if (t === 'mse') parts.push(mseLoss(ae.decode(z, true), x));
              else if (t === 'triplet')
                parts.push(tripletMarginLoss(z, yb, margin, { mode: 'random', rng: tripletRng }));
              else if (t === 'cosine') parts.push(cosineEmbeddingLoss(z, yb));
              else parts.push(circleLoss(z, yb));
            }
            const total = logVars
              ? kendallWeighted(parts, logVars as tf.Tensor1D)
              : parts.length === 1
                ? parts[0]!
                : tf.addN(parts);
            stats = tf.keep(tf.stack([total, ...parts, ...extra]) as tf.Tensor1D);
            return total;
          };
          const { grads } = tf.variableGrads(f, vars);
          optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
          const out = tf.add(acc!, stats!);
          (stats as tf.Tensor1D | null)?.dispose();
          return out;
        });
        acc.dispose();
        acc = next as tf.Tensor1D;
        opts.onStep?.((epoch - 1) * steps + s + 1, epochs * steps);
        if ((s + 1) % yieldEvery === 0) await tick();
      }
      const sums = acc.dataSync();
      acc.dispose();
      acc = null;
      const mean = (k: number) => sums[k]! / steps;
      const ev: AeEpochEvent = { epoch, loss: mean(0), terms: {}, seconds: (performance.now() - te) / 1000 };
      names.forEach((name, k) => (ev.terms[name] = mean(k + 1)));
      if (logVars) {
        const s = logVars.dataSync();
        ev.weights = {};
        terms.forEach((t, k) => (ev.weights![t] = Math.exp(-s[k]!)));
      }
      history.push(ev);
      opts.onEpoch?.(ev);
      await tick();
    }
    if (signal?.aborted) throw abortError();
    const calib = opts.calibrationImages ?? AE_BATCH_NORM_IMAGES;
    if (calib > 0) await calibrateBatchNorm(ae, images, indices.subarray(0, Math.min(calib, n)), 256, signal);
    const result: AeTrainResult = { history, seconds: (performance.now() - t0) / 1000 };
    if (logVars) {
      const s = logVars.dataSync();
      result.logVars = Object.fromEntries(terms.map((t, k) => [t, s[k]!]));
    }
    return result;
  } finally {
    ae.trackRunningStats = trackedBefore;
    acc?.dispose();
    optimizer.dispose();
    logVars?.dispose();
  }
}

/**
 * "Precise BN": recomputes every batch-norm layer's running mean and variance as the average of the batch
 * statistics over `indices` (training-mode forward passes of `batch` images, no gradient), for the current
 * weights. Used at the end of training (the EMA of batch-8 statistics is noisy and lags the weights) and for
 * the untrained autoencoder (whose running statistics would otherwise be the initial 0/1).
 */
export async function calibrateBatchNorm(
  ae: Autoencoder,
  images: PackedImages,
  indices: ArrayLike<number>,
  batch = 256,
  signal?: AbortSignal,
): Promise<void> {
  const n = indices.length;
  if (n < 2) return;
  const momentum = ae.bnMomentum;
  const track = ae.trackRunningStats;
  ae.resetBatchNormStats();
  ae.bnMomentum = null;
  ae.trackRunningStats = true;
  try {
    const idx = Array.from(indices);
    for (let s = 0; s < n; s += batch) {
      if (signal?.aborted) throw abortError();
      const part = idx.slice(s, Math.min(n, s + batch));
      if (part.length < 2) break;
      tf.tidy(() => {
        ae.decode(ae.encode(batchTensor(images, part), true), true);
      });
      ae.countBatch();
      await tick();
    }
  } finally {
    ae.bnMomentum = momentum;
    ae.trackRunningStats = track;
  }
}

/** Latent codes of every image (inference mode), n × dim, row-major. */
export function embedAll(ae: Autoencoder, images: PackedImages, batch = 256): Float32Array {
  const out = new Float32Array(images.count * ae.dim);
  for (let s = 0; s < images.count; s += batch) {
    const e = Math.min(images.count, s + batch);
    const idx = Array.from({ length: e - s }, (_, k) => s + k);
    const z = tf.tidy(() => ae.encode(batchTensor(images, idx), false));
    out.set(z.dataSync(), s * ae.dim);
    z.dispose();
  }
  return out;
}

/** Reconstructions of the images at `indices` (inference mode), packed uint8 NHWC at the stored size. */
export function reconstruct(
  ae: Autoencoder,
  images: PackedImages,
  indices: ArrayLike<number>,
  batch = 256,
): Uint8Array {
  const per = images.bytesPerImage;
  const out = new Uint8Array(indices.length * per);
  const all = Array.from(indices);
  for (let s = 0; s < all.length; s += batch) {
    const part = all.slice(s, s + batch);
    const y = tf.tidy(() =>
      tf.cast(
        tf.round(tf.mul(tf.clipByValue(ae.decode(ae.encode(batchTensor(images, part), false), false), 0, 1), 255)),
        'int32',
      ),
    );
    out.set(y.dataSync(), s * per);
    y.dispose();
  }
  return out;
}
