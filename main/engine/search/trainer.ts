/**
 * The search trainer: the epochs of a search, driving its algorithm (algorithms/: first-order DARTS by default,
 * [DARTS] §2.3 with ξ = 0; DARTS code: cnn/train_search.py, cnn/architect.py), with its metrics and checkpoints. The
 * job's wiring (refusals, pools, embeddings, provenance) is the handler's (darts.ts).
 *
 * Each step: the algorithm's α step on a validation batch (train_α) — Adam, betas 0.5/0.999, weight decay — then its
 * weight step on a training batch (train_w) — SGD with momentum, weight decay, gradient-norm clipping, cosine LR per
 * epoch.
 * Every image of the epoch's selection trains once per epoch (epochBatches: the last batch may be smaller, one of a
 * single image joins the one before, for batch norm). Both batches are augmented as the evaluation stage's `auto`
 * does (random crop with padding size/8 + horizontal flip for RGB, nothing for grey; [DARTS] crops and flips its
 * search data), from a stream seeded by (seed, epoch), so a resumed search sees the same pixels.
 * After every epoch the trainer emits the epoch's losses, softmax(α) and the derived genotype, and writes a
 * checkpoint (weights, optimiser state, α, selection state) that `resume` continues from exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { augmentationFor } from '../../../shared/evaluate-defaults.js';
import type { SearchEpochData, SearchParams } from '../../../shared/search.js';
import { cropPadding, normalizedBatch, type Augmentation, type ChannelNorm } from '../../data/batches.js';
import type { ImageShape, PackedImages } from '../../data/tensor-store.js';
import { stepOrExplain } from '../backend/out-of-memory.js';
import { JobUserError, type JobContext } from '../jobs/context.js';
import { cosineLr } from '../nn/optim.js';
import { deriveSeed, mulberry32 } from '../nn/prng.js';
import type { DataSelection, SelectionPools } from '../selection/strategy.js';
import type { Supernet } from '../spaces/supernet.js';
import { createAlgorithm, type SearchAlgorithm } from './algorithms/index.js';
import { createOptimizers, type DartsOptimizers } from './algorithms/step.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { SEARCH_FILES } from './context.js';

export { createOptimizers, firstOrderStep, type BatchOutcome, type DartsOptimizers } from './algorithms/step.js';

/**
 * The batches of an epoch over `n` rows: [start, end) ranges of at most `batch` rows covering every row once. The
 * last may be smaller; a last batch of a single row is merged into the one before it (batch norm over one image
 * normalises it to zero). n = 0 gives no batch.
 */
export function epochBatches(n: number, batch: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start < n; start += batch) out.push([start, Math.min(n, start + batch)]);
  const last = out[out.length - 1];
  if (out.length >= 2 && last![1] - last![0] === 1) {
    out.pop();
    out[out.length - 1]![1] = n;
  }
  return out;
}

/**
 * The search's augmentation for an epoch (see the file comment): crop + flip per `params.augment` and the images'
 * channels, drawn from a stream of (seed, epoch) that the weight and α batches of the epoch consume in step order.
 */
export function searchAugmentation(
  params: Pick<SearchParams, 'augment' | 'seed'>,
  shape: ImageShape,
  epoch: number,
): Augmentation | undefined {
  if (!augmentationFor(params.augment, shape.channels)) return undefined;
  return {
    pad: cropPadding(shape),
    flip: shape.channels === 3,
    rng: mulberry32(deriveSeed(params.seed, `search-augment:${epoch}`)),
  };
}

interface CheckpointMeta {
  epochsDone: number;
  history: SearchEpochData[];
  selection: unknown;
  weightsStep: number;
  alphasStep: number;
  seconds: number;
  images: number;
  fingerprint: string;
  /** The algorithm's own state (algorithms/types.ts). */
  algorithm?: unknown;
}

/** What a search trains on, and where it keeps its checkpoint. */
export interface SearchTrainerSetup {
  ctx: JobContext;
  params: SearchParams;
  net: Supernet;
  selection: DataSelection;
  images: PackedImages;
  shape: ImageShape;
  pools: SelectionPools;
  norm: ChannelNorm;
  /** The backend in use (for the out-of-memory message). */
  backend: string;
  /** What must match between a checkpoint and the resumed job for "continue exactly" to hold. */
  fingerprint: string;
}

/** Running totals of the search so far (restored with a checkpoint). */
export interface SearchProgress {
  history: SearchEpochData[];
  seconds: number;
  images: number;
}

export class SearchTrainer {
  private readonly ownOpt: DartsOptimizers;
  readonly algorithm: SearchAlgorithm;
  private readonly checkpointDir: string;
  private progress: SearchProgress = { history: [], seconds: 0, images: 0 };
  private epochsDone = 0;

  constructor(private readonly setup: SearchTrainerSetup) {
    this.ownOpt = createOptimizers(setup.net, setup.params);
    this.algorithm = createAlgorithm(setup.params, setup.net, this.ownOpt);
    this.checkpointDir = path.join(setup.ctx.jobDir, SEARCH_FILES.checkpointDir);
  }

  /** The supernet being trained: the setup's, or the algorithm's current one (P-DARTS: one per stage). */
  get net(): Supernet {
    return this.algorithm.current?.().net ?? this.setup.net;
  }

  get opt(): DartsOptimizers {
    return this.algorithm.current?.().opt ?? this.ownOpt;
  }

  /** Continues from the job's checkpoint when there is one; says which epoch it continues after. */
  resume(): void {
    const { ctx, params } = this.setup;
    const meta = this.loadCheckpoint();
    if (meta) {
      this.progress = { history: meta.history, seconds: meta.seconds, images: meta.images };
      this.epochsDone = meta.epochsDone;
      ctx.log('info', `Resuming from the checkpoint after epoch ${meta.epochsDone} of ${params.epochs}.`);
    } else ctx.log('info', 'No checkpoint yet: starting from the first epoch.');
  }

  /** Trains the epochs not done yet, checkpointing and reporting after each; returns the totals. */
  async train(): Promise<SearchProgress> {
    const { params } = this.setup;
    // steps done before this epoch; the total is re-estimated each epoch (dds / random subsets and bdp pruning
    // change the epoch's size)
    let stepsDone = this.progress.history.reduce((a, h) => a + epochBatches(h.images, params.batch).length, 0);
    for (let epoch = this.epochsDone; epoch < params.epochs; epoch++) {
      stepsDone = await this.epoch(epoch, stepsDone);
      this.epochsDone = epoch + 1;
    }
    return this.progress;
  }

  /** One epoch: the steps, then the epoch's record, checkpoint and metrics. Returns the steps done so far. */
  private async epoch(epoch: number, stepsBefore: number): Promise<number> {
    const { ctx, params, selection, images, pools, norm } = this.setup;
    const t0 = performance.now();
    const sel = selection.select(epoch);
    // a strategy with its own schedule (DDS-NAS' cyclic LR with resets) replaces the cosine one
    const at = this.algorithm.schedule?.(epoch) ?? { epoch, epochs: params.epochs };
    const lr = selection.weightLr?.(epoch) ?? cosineLr(at.epoch, at.epochs, params.lr, params.lrMin);
    const trainBatches = epochBatches(sel.train.length, params.batch);
    const valBatches = epochBatches(sel.val.length, params.batch);
    const steps = trainBatches.length;
    const total = stepsBefore + steps * (params.epochs - epoch);
    const augment = searchAugmentation(params, this.setup.shape, epoch);
    const algorithm = this.algorithm;
    algorithm.beginEpoch(epoch);
    const sums = { trainLoss: 0, trainCorrect: 0, valLoss: 0, valCorrect: 0, n: 0, valN: 0 };
    for (let s = 0; s < steps; s++) {
      ctx.checkCancelled();
      const trainRows = sel.train.slice(...trainBatches[s]!);
      const valRows = sel.val.slice(...valBatches[s % valBatches.length]!);
      const tb = normalizedBatch(images, trainRows, pools.labels, norm, augment);
      const vbt = normalizedBatch(images, valRows, pools.labels, norm, augment);
      try {
        const out = stepOrExplain(
          () => algorithm.step({ train: tb, val: vbt, lr: { weights: lr, alphas: params.alphaLr }, epoch, step: s }),
          { job: 'search', batch: params.batch, channels: params.channels },
          this.setup.backend,
        );
        sums.trainLoss += out.train.loss * trainRows.length;
        sums.trainCorrect += out.train.correct;
        sums.valLoss += out.val.loss * valRows.length;
        sums.valCorrect += out.val.correct;
        sums.n += trainRows.length;
        sums.valN += valRows.length;
        selection.observe?.({
          split: 'train',
          rows: trainRows,
          losses: out.train.losses,
          correct: out.train.hits,
          trueProb: out.train.trueProb,
          errorNorm: out.train.errorNorm,
        });
        selection.observe?.({
          split: 'val',
          rows: valRows,
          losses: out.val.losses,
          correct: out.val.hits,
          trueProb: out.val.trueProb,
          errorNorm: out.val.errorNorm,
        });
      } finally {
        tf.dispose([tb.x, tb.labels, vbt.x, vbt.labels]);
      }
      if (!Number.isFinite(sums.trainLoss))
        throw new JobUserError(
          `The training loss became ${sums.trainLoss} in epoch ${epoch + 1}: the learning rate ${lr.toPrecision(3)} is too high for this network. Start a new search with a lower learning rate (--lr in the CLI) or α learning rate.`,
        );
      ctx.progress({
        done: stepsBefore + s + 1,
        total,
        phase: 'searching',
        message: `Epoch ${epoch + 1}/${params.epochs}, step ${s + 1}/${steps}`,
      });
      // let the worker's message loop run (cancel requests, progress flushes): a step takes seconds, this microseconds
      await new Promise((r) => setImmediate(r));
    }
    const selectionStats = selection.epochStats(epoch);
    const epochSeconds = (performance.now() - t0) / 1000;
    const progress = this.progress;
    progress.seconds += epochSeconds;
    progress.images += sums.n;
    const data: SearchEpochData = {
      epoch: epoch + 1,
      epochs: params.epochs,
      space: params.space,
      trainLoss: sums.trainLoss / sums.n,
      trainAccuracy: sums.trainCorrect / sums.n,
      valLoss: sums.valLoss / sums.valN,
      valAccuracy: sums.valCorrect / sums.valN,
      lr,
      seconds: epochSeconds,
      images: sums.n,
      imagesTotal: progress.images,
      selection: selectionStats,
      alphas: algorithm.alphaSnapshot(),
      genotype: algorithm.genotype(),
    };
    const info = algorithm.epochInfo();
    if (Object.keys(info).length) data.algorithm = info;
    progress.history.push(data);
    this.saveCheckpoint(epoch + 1);
    fs.writeFileSync(
      path.join(ctx.jobDir, SEARCH_FILES.alphasJson),
      JSON.stringify(progress.history.map((h) => ({ epoch: h.epoch, alphas: h.alphas }))),
    );
    this.report(data);
    return stepsBefore + steps;
  }

  /** The epoch's metrics and event. */
  private report(data: SearchEpochData): void {
    const { ctx } = this.setup;
    const metrics: Record<string, number> = {
      train_loss: data.trainLoss,
      train_accuracy: data.trainAccuracy,
      val_loss: data.valLoss,
      val_accuracy: data.valAccuracy,
      epoch_seconds: data.seconds,
      lr: data.lr,
      images_total: this.progress.images,
    };
    if (data.selection?.dds) metrics.dds_mastery = data.selection.dds.mastery;
    for (const [name, value] of Object.entries(data.algorithm ?? {}))
      metrics[name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = value;
    for (const [name, value] of Object.entries(metrics)) ctx.metric(name, value, { epoch: data.epoch });
    ctx.emit({ type: 'search-epoch', data });
    ctx.log('debug', `Epoch ${data.epoch}: ${tf.memory().numTensors} tensors live.`);
  }

  private saveCheckpoint(epochsDone: number): void {
    const { selection } = this.setup;
    const { net, opt } = this;
    const arrays = new Map<string, Float32Array>();
    for (const [k, v] of net.weights.snapshot()) arrays.set(`w:${k}`, v);
    for (const [k, v] of net.alphas.snapshot()) arrays.set(`a:${k}`, v);
    for (const [k, v] of Object.entries(opt.weights.state().buffers)) arrays.set(`sgd:${k}`, v);
    for (const [k, v] of Object.entries(opt.alphas.state().buffers)) arrays.set(`adam:${k}`, v);
    const meta: CheckpointMeta = {
      epochsDone,
      history: this.progress.history,
      selection: selection.state(),
      weightsStep: opt.weights.state().step,
      alphasStep: opt.alphas.state().step,
      seconds: this.progress.seconds,
      images: this.progress.images,
      fingerprint: this.setup.fingerprint,
      algorithm: this.algorithm.state(),
    };
    writeCheckpoint(this.checkpointDir, meta, arrays);
  }

  private loadCheckpoint(): CheckpointMeta | null {
    const { ctx, selection } = this.setup;
    const cp = readCheckpoint<CheckpointMeta>(this.checkpointDir, (m) => ctx.log('warn', m));
    if (!cp) return null;
    if (cp.meta.fingerprint !== this.setup.fingerprint)
      throw new JobUserError(
        "This search's checkpoint was written with other settings or another version of the dataset; it cannot be continued. Start a new search.",
      );
    const pick = (prefix: string) =>
      new Map([...cp.arrays].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    // first the algorithm's state: P-DARTS rebuilds the checkpoint's stage, whose supernet the rest restores into
    this.algorithm.restore(cp.meta.algorithm ?? null);
    const net = this.net;
    net.weights.restore(pick('w:'));
    net.alphas.restore(pick('a:'));
    this.opt.weights.restore({ step: cp.meta.weightsStep, buffers: Object.fromEntries(pick('sgd:')) });
    this.opt.alphas.restore({ step: cp.meta.alphasStep, buffers: Object.fromEntries(pick('adam:')) });
    selection.restore(cp.meta.selection);
    return cp.meta;
  }
}
