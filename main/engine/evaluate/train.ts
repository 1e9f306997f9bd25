/**
 * Training a network from scratch and testing it: the evaluation stage of DARTS (cnn/train.py) — SGD with momentum
 * 0.9, weight decay 3e-4, gradient-norm clip 5, cosine learning rate from 0.025 per epoch, optional auxiliary loss
 * (weight 0.4) and drop-path raised linearly over the epochs, crop + flip augmentation for RGB.
 *
 * Written against an ImageSource, so the compression study trains and tests on JPEG copies with the same code.
 * Every epoch ends with a test pass and a checkpoint (weights, BN statistics, momentum, history); the shuffles,
 * augmentation and drop-path masks are derived from (seed, epoch, step), so a resumed run continues exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassificationReport, EvaluateEpochData } from '../../../shared/evaluate.js';
import { normalizedBatch, type ChannelNorm, type ImageSource } from '../../data/batches.js';
import { JobUserError } from '../jobs/context.js';
import { SgdMomentum, cosineLr, type ParamList } from '../nn/optim.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { readCheckpoint, writeCheckpoint } from '../search/checkpoint.js';
import type { BuiltNetwork } from './networks/index.js';
import { classificationReport } from './report.js';

export interface LabelledImages {
  source: ImageSource;
  /** Indices into the source. */
  rows: readonly number[];
  /** Label per source index. */
  labels: ArrayLike<number>;
  /** Group per source index (null = none), when the dataset has groups. */
  groups?: ReadonlyArray<string | null> | null;
}

export interface TrainOptions {
  epochs: number;
  batch: number;
  lr: number;
  lrMin: number;
  momentum: number;
  weightDecay: number;
  gradClip: number;
  auxWeight: number;
  /** Final drop-path probability (DARTS: drop_path_prob · epoch / epochs). */
  dropPath: number;
  /** Random crop with this padding (0 = none) and horizontal flip. */
  cropPad: number;
  flip: boolean;
  seed: number;
  classNames: readonly string[];
}

export interface TrainHooks {
  /** After each step (progress, cancel checks); awaited, so it can yield to the event loop. */
  onStep(p: { epoch: number; step: number; steps: number; done: number; total: number }): Promise<void>;
  onEpoch(data: EvaluateEpochData, test: ClassificationReport): void;
  log(level: 'info' | 'warn' | 'debug', message: string): void;
  /** Where to write the per-epoch checkpoint; `resume` reads it first. `fingerprint` must match to continue. */
  checkpoint?: { dir: string; resume: boolean; fingerprint: string };
}

export interface TrainOutcome {
  history: EvaluateEpochData[];
  test: ClassificationReport;
  seconds: number;
  images: number;
}

interface CheckpointMeta {
  epochsDone: number;
  history: EvaluateEpochData[];
  test: ClassificationReport;
  seconds: number;
  images: number;
  sgdStep: number;
  weightNames: string[];
  fingerprint: string;
}

/** The training graph's trainable weights as the optimiser's parameter list (position-keyed: tfjs renames repeats). */
function trainableList(model: tf.LayersModel): ParamList {
  return {
    list: model.trainableWeights.map((w, i) => ({
      name: `${i}:${w.originalName}`,
      shape: w.shape as number[],
      variable: w.read() as tf.Variable,
    })),
  };
}

/** Mean cross-entropy (plus the weighted auxiliary loss) of a batch; keeps the per-image predictions. */
function trainLoss(
  net: BuiltNetwork,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  classes: number,
  auxWeight: number,
  keep: tf.Tensor[],
): tf.Scalar {
  const out = net.train.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
  const [logits, aux] = Array.isArray(out) ? out : [out];
  const onehot = tf.oneHot(labels, classes);
  const ce = (z: tf.Tensor) => tf.mean(tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), onehot), 1))) as tf.Scalar;
  keep.push(tf.keep(tf.argMax(logits!, 1)));
  const main = ce(logits!);
  return aux && auxWeight > 0 ? tf.add(main, tf.mul(ce(aux), auxWeight)) : main;
}

/** Predictions and summed loss of the inference graph over a set of images, in batches. */
export function predictAll(
  model: tf.LayersModel,
  data: LabelledImages,
  norm: ChannelNorm,
  batch = 256,
): { predicted: Int32Array; lossSum: number } {
  const predicted = new Int32Array(data.rows.length);
  let lossSum = 0;
  for (let start = 0; start < data.rows.length; start += batch) {
    const rows = data.rows.slice(start, start + batch);
    const b = normalizedBatch(data.source, rows, data.labels, norm);
    const [pred, loss] = tf.tidy(() => {
      const logits = model.predict(b.x) as tf.Tensor2D;
      const logp = tf.logSoftmax(logits);
      const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(b.labels, logits.shape[1])), 1));
      return [tf.argMax(logits, 1), tf.sum(nll)];
    });
    predicted.set(pred.dataSync(), start);
    lossSum += loss.dataSync()[0]!;
    tf.dispose([pred, loss, b.x, b.labels]);
  }
  return { predicted, lossSum };
}

/** Tests the inference graph: accuracy, per class, per group, confusion. */
export function testModel(
  model: tf.LayersModel,
  data: LabelledImages,
  norm: ChannelNorm,
  classNames: readonly string[],
): ClassificationReport {
  const { predicted, lossSum } = predictAll(model, data, norm);
  return classificationReport(
    {
      predicted,
      labels: Array.from(data.rows, (r) => data.labels[r]!),
      groups: data.groups ? data.rows.map((r) => data.groups![r] ?? null) : undefined,
      lossSum,
    },
    classNames,
  );
}

function saveCheckpoint(dir: string, net: BuiltNetwork, sgd: SgdMomentum, meta: CheckpointMeta): void {
  const arrays = new Map<string, Float32Array>();
  net.train.weights.forEach((w, i) => arrays.set(`w:${i}`, w.read().dataSync() as Float32Array));
  for (const [k, v] of Object.entries(sgd.state().buffers)) arrays.set(`sgd:${k}`, v);
  writeCheckpoint(dir, meta, arrays);
}

function loadCheckpoint(
  dir: string,
  net: BuiltNetwork,
  sgd: SgdMomentum,
  fingerprint: string,
  log: (message: string) => void,
): CheckpointMeta | null {
  const cp = readCheckpoint<CheckpointMeta>(dir, log);
  if (!cp) return null;
  const weights = net.train.weights;
  if (cp.meta.fingerprint !== fingerprint || cp.meta.weightNames.length !== weights.length) {
    throw new JobUserError(
      "This evaluation's checkpoint was written with other settings or another version of the dataset; it cannot be continued. Start a new evaluation.",
    );
  }
  weights.forEach((w, i) => {
    const v = cp.arrays.get(`w:${i}`);
    if (!v || v.length !== (w.shape as number[]).reduce((a, b) => a * b, 1))
      throw new JobUserError(
        `The checkpoint has no matching values for weight ${w.originalName}; start a new evaluation.`,
      );
    tf.tidy(() => {
      w.write(tf.tensor(v, w.shape as number[]));
    });
  });
  const buffers = Object.fromEntries(
    [...cp.arrays].filter(([k]) => k.startsWith('sgd:')).map(([k, v]) => [k.slice(4), v]),
  );
  sgd.restore({ step: cp.meta.sgdStep, buffers });
  return cp.meta;
}

/** Trains `net` on `train`, tests on `test` after every epoch; returns the history and the last test report. */
export async function trainClassifier(
  net: BuiltNetwork,
  data: { train: LabelledImages; test: LabelledImages },
  norm: ChannelNorm,
  o: TrainOptions,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  const params = trainableList(net.train);
  const vars = params.list.map((e) => e.variable);
  const sgd = new SgdMomentum(params, { momentum: o.momentum, weightDecay: o.weightDecay, clip: o.gradClip });
  const classes = o.classNames.length;
  const steps = Math.max(1, Math.floor(data.train.rows.length / o.batch));
  const total = o.epochs * steps;
  let history: EvaluateEpochData[] = [];
  let test: ClassificationReport | null = null;
  let seconds = 0;
  let images = 0;
  let start = 0;
  const cp = hooks.checkpoint;
  if (cp?.resume) {
    const meta = loadCheckpoint(cp.dir, net, sgd, cp.fingerprint, (m) => hooks.log('warn', m));
    if (meta) {
      ({ history, seconds, images, test } = meta);
      start = meta.epochsDone;
      hooks.log('info', `Resuming from the checkpoint after epoch ${start} of ${o.epochs}.`);
    } else hooks.log('info', 'No checkpoint yet: starting from the first epoch.');
  }
  for (let epoch = start; epoch < o.epochs; epoch++) {
    const t0 = performance.now();
    const lr = cosineLr(epoch, o.epochs, o.lr, o.lrMin);
    const dropProb = (o.dropPath * epoch) / o.epochs;
    const order = shuffleInPlace(
      [...data.train.rows],
      mulberry32(deriveSeed(o.seed, `evaluate-epoch-${epoch}`)),
    ) as number[];
    const augmentRng = mulberry32(deriveSeed(o.seed, `evaluate-augment-${epoch}`));
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let s = 0; s < steps; s++) {
      const rows = order.slice(s * o.batch, (s + 1) * o.batch);
      const b = normalizedBatch(
        data.train.source,
        rows,
        data.train.labels,
        norm,
        o.cropPad > 0 || o.flip ? { pad: o.cropPad, flip: o.flip, rng: augmentRng } : undefined,
      );
      net.setDropPath(dropProb, epoch * steps + s);
      const kept: tf.Tensor[] = [];
      try {
        const { value, grads } = tf.variableGrads(
          () => trainLoss(net, b.x, b.labels, classes, o.auxWeight, kept),
          vars,
        );
        try {
          sgd.apply(
            vars.map((v) => grads[v.name]),
            lr,
          );
          const loss = value.dataSync()[0]!;
          if (!Number.isFinite(loss)) {
            throw new JobUserError(
              `The training loss became ${loss} in epoch ${epoch + 1}: the learning rate ${lr.toPrecision(3)} is too high for this network. Start again with a lower learning rate (--lr in the CLI).`,
            );
          }
          const pred = kept[0]!.dataSync();
          const truth = b.labels.dataSync();
          for (let i = 0; i < rows.length; i++) if (pred[i] === truth[i]) correct++;
          lossSum += loss * rows.length;
          seen += rows.length;
        } finally {
          tf.dispose([value, ...Object.values(grads)]);
        }
      } finally {
        tf.dispose([b.x, b.labels, ...kept]);
      }
      await hooks.onStep({ epoch, step: s, steps, done: epoch * steps + s + 1, total });
    }
    test = testModel(net.inference, data.test, norm, o.classNames);
    const epochSeconds = (performance.now() - t0) / 1000;
    seconds += epochSeconds;
    images += seen;
    const record: EvaluateEpochData = {
      epoch: epoch + 1,
      epochs: o.epochs,
      trainLoss: lossSum / seen,
      trainAccuracy: correct / seen,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      lr,
      seconds: epochSeconds,
      images: seen,
    };
    history.push(record);
    if (cp) {
      saveCheckpoint(cp.dir, net, sgd, {
        epochsDone: epoch + 1,
        history,
        test,
        seconds,
        images,
        sgdStep: sgd.state().step,
        weightNames: net.train.weights.map((w) => w.originalName),
        fingerprint: cp.fingerprint,
      });
    }
    hooks.onEpoch(record, test);
  }
  // a run resumed after its last epoch has nothing left to train: test what the checkpoint holds
  test ??= testModel(net.inference, data.test, norm, o.classNames);
  return { history, test, seconds, images };
}
