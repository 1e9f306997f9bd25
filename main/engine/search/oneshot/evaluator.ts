/**
 * The weight-sharing evaluator for NAS-Bench-201 (the one-shot recipe): the single-path network
 * (spaces/nb201/single-path.ts) is trained once with uniform single-path sampling — each step draws one operation
 * per edge uniformly and trains only that path — and is stored in the job folder; any cell's validation accuracy
 * is then measured with the weights it inherits, after recalibrating every BN layer's statistics on a few training
 * batches (the shared weights' statistics belong to no single path), and cached per cell. This is R(·, w) for
 * DSM-NAS ([DSM-NAS] §III) and the inherited-weight ranking NASWOT's Kendall τ is measured against.
 */
import * as tf from '@tensorflow/tfjs';
import { normalizedBatch, type ChannelNorm, type ImageSource } from '../../../data/batches.js';
import type { TrainOptions } from '../../evaluate/train.js';
import { JobCancelledError, type JobContext } from '../../jobs/context.js';
import { SgdMomentum, cosineLr } from '../../nn/optim.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../../nn/prng.js';
import { BnStats, type Nb201SinglePath } from '../../spaces/nb201/single-path.js';
import { NB201_EDGE_COUNT, NB201_OP_COUNT, indexOfArch, type Nb201Arch } from '../../spaces/nb201/space.js';
import { readCheckpoint, writeCheckpoint } from '../checkpoint.js';

/** Images and labels the evaluator reads, normalised and optionally resized to a square input size. */
export interface OneShotData {
  images: ImageSource;
  labels: ArrayLike<number>;
  norm: ChannelNorm;
  /** Resize every batch to size x size (bilinear); null = as stored. */
  size: number | null;
}

export function batchOf(d: OneShotData, rows: readonly number[]): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const b = normalizedBatch(d.images, rows, d.labels, d.norm);
  if (d.size === null || (b.x.shape[1] === d.size && b.x.shape[2] === d.size)) return b;
  const x = tf.image.resizeBilinear(b.x, [d.size, d.size]);
  b.x.dispose();
  return { x, labels: b.labels };
}

/** The search's weight optimiser settings (SGD, momentum, cosine LR, decay, clipping), without augmentation. */
export type SinglePathTraining = Pick<
  TrainOptions,
  'epochs' | 'batch' | 'lr' | 'lrMin' | 'momentum' | 'weightDecay' | 'gradClip' | 'seed'
> & {
  signal?: AbortSignal;
  onStep?(done: number, total: number, loss: number): void;
};

/** One architecture drawn uniformly: one operation per edge. */
export function uniformArch(rng: () => number): number[] {
  return Array.from({ length: NB201_EDGE_COUNT }, () => Math.floor(rng() * NB201_OP_COUNT));
}

/**
 * Trains the shared weights with uniform single-path sampling: each epoch visits the training rows once in a seeded
 * order; each step draws a path and takes one SGD step (momentum, weight decay, gradient clipping, cosine LR per
 * epoch, as the search's weight step) on that path's weights only. Returns the last epoch's mean loss.
 */
export async function trainSinglePath(
  net: Nb201SinglePath,
  data: OneShotData,
  rows: readonly number[],
  o: SinglePathTraining,
): Promise<{ loss: number; steps: number }> {
  const opt = new SgdMomentum(net.weights, { momentum: o.momentum, weightDecay: o.weightDecay, clip: o.gradClip });
  const archRng = mulberry32(deriveSeed(o.seed, 'oneshot-path'));
  const perEpoch = Math.max(1, Math.floor(rows.length / o.batch));
  const total = perEpoch * o.epochs;
  const list = net.weights.list;
  let loss = 0;
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = shuffleInPlace([...rows], mulberry32(deriveSeed(o.seed, `oneshot-order:${epoch}`))) as number[];
    const lr = cosineLr(epoch, o.epochs, o.lr, o.lrMin);
    let sum = 0;
    for (let s = 0; s < perEpoch; s++) {
      if (o.signal?.aborted) throw new JobCancelledError();
      const arch = uniformArch(archRng);
      const b = batchOf(data, order.slice(s * o.batch, (s + 1) * o.batch));
      const vars = net.variablesOf(arch);
      try {
        const { value, grads } = tf.variableGrads(
          () =>
            tf.losses.softmaxCrossEntropy(
              tf.oneHot(b.labels, net.config.classes),
              net.logits(b.x, arch, { bn: { kind: 'batch' } }),
            ) as tf.Scalar,
          vars,
        );
        sum += value.dataSync()[0]!;
        opt.apply(
          list.map((e) => grads[e.variable.name]),
          lr,
        );
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        tf.dispose([b.x, b.labels]);
      }
      step++;
      o.onStep?.(step, total, sum / (s + 1));
      await new Promise((r) => setImmediate(r));
    }
    loss = sum / perEpoch;
  }
  return { loss, steps: step };
}

/**
 * Trains a job's supernet with the search's weight-step recipe (SGD, momentum 0.9, weight decay 3e-4, clipping at
 * 5, cosine LR down to 0.001) on the training rows, saying so in the job's log and reporting each step as progress.
 */
export async function trainJobSupernet(
  ctx: Pick<JobContext, 'log' | 'progress' | 'signal'>,
  net: Nb201SinglePath,
  data: OneShotData,
  train: readonly number[],
  o: { epochs: number; batch: number; lr: number; seed: number },
): Promise<{ loss: number; steps: number }> {
  const batch = Math.min(o.batch, train.length);
  ctx.log(
    'info',
    `Training the weight-sharing supernet: ${o.epochs} epochs of uniform single-path steps on ${train.length} train_w images, batch ${batch}.`,
  );
  return trainSinglePath(net, data, train, {
    epochs: o.epochs,
    batch,
    lr: o.lr,
    lrMin: 0.001,
    momentum: 0.9,
    weightDecay: 3e-4,
    gradClip: 5,
    seed: o.seed,
    signal: ctx.signal,
    onStep: (done, total, loss) =>
      ctx.progress({
        done,
        total,
        phase: 'training',
        message: `Supernet: step ${done} of ${total}, loss ${loss.toFixed(3)}`,
      }),
  });
}

/** The evaluator's BN calibration batches: `count` seeded draws of min(batch, |train|) training rows. */
export function calibrationRows(train: readonly number[], count: number, batch: number, seed: number): number[][] {
  const rng = mulberry32(deriveSeed(seed, 'oneshot-calibration'));
  const size = Math.min(batch, train.length);
  return Array.from({ length: count }, () => (shuffleInPlace([...train], rng) as number[]).slice(0, size));
}

/** Writes the trained shared weights into `dir` (a verified checkpoint folder: manifest with lengths and SHA-256). */
export function saveSupernet(dir: string, net: Nb201SinglePath, meta: Record<string, unknown>): void {
  writeCheckpoint(dir, { ...meta, config: net.config }, net.weights.snapshot());
}

/** Restores weights saved by saveSupernet into a network of the same configuration; false when there are none. */
export function loadSupernet(dir: string, net: Nb201SinglePath): boolean {
  const cp = readCheckpoint<{ config: unknown }>(dir);
  if (!cp) return false;
  net.weights.restore(cp.arrays);
  return true;
}

export interface EvaluatorOptions {
  /** Training rows whose batches recalibrate BN, one batch of `batch` rows each. */
  calibration: readonly (readonly number[])[];
  /** Rows whose top-1 is the accuracy. */
  validation: readonly number[];
  batch: number;
}

/** Validation accuracy of any NB201 cell with the supernet's weights, BN recalibrated per cell, cached per cell. */
export class InheritedWeightEvaluator {
  private readonly cache = new Map<number, number>();
  /** Cells evaluated (cache misses): the cost counter. */
  evaluations = 0;

  constructor(
    private readonly net: Nb201SinglePath,
    private readonly data: OneShotData,
    private readonly o: EvaluatorOptions,
  ) {
    if (o.calibration.length === 0 || o.calibration.some((b) => b.length < 2))
      throw new Error('BN recalibration needs at least one batch of two or more images.');
    if (o.validation.length === 0) throw new Error('The evaluator needs at least one validation image.');
  }

  /** BN statistics of `arch`: the per-layer batch means and variances averaged over the calibration batches. */
  recalibrate(arch: Nb201Arch): BnStats {
    const stats = new BnStats();
    for (const rows of this.o.calibration) {
      const b = batchOf(this.data, rows);
      tf.tidy(() => {
        this.net.logits(b.x, arch, { bn: { kind: 'calibrate', stats } });
      });
      tf.dispose([b.x, b.labels]);
    }
    return stats;
  }

  accuracy(arch: Nb201Arch): number {
    const key = indexOfArch(arch);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const stats = this.recalibrate(arch);
    let correct = 0;
    const rows = this.o.validation;
    for (let start = 0; start < rows.length; start += this.o.batch) {
      const part = rows.slice(start, start + this.o.batch);
      const b = batchOf(this.data, part);
      const pred = tf.tidy(() => tf.argMax(this.net.logits(b.x, arch, { bn: { kind: 'running', stats } }), 1));
      const p = pred.dataSync();
      part.forEach((r, i) => (correct += p[i] === this.data.labels[r] ? 1 : 0));
      tf.dispose([pred, b.x, b.labels]);
    }
    const acc = correct / rows.length;
    this.cache.set(key, acc);
    this.evaluations++;
    return acc;
  }

  get cached(): number {
    return this.cache.size;
  }
}
