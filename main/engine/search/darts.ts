/**
 * First-order DARTS (Liu et al., DARTS, Sec. 2.3 with ξ = 0; DARTS code: cnn/train_search.py, cnn/architect.py)
 * and the `search` job that runs it.
 *
 * Each step: one α step on a validation batch (train_α) — Adam, betas 0.5/0.999, weight decay — then one weight
 * step on a training batch (train_w) — SGD with momentum, weight decay, gradient-norm clipping, cosine LR per epoch.
 * Every image of the epoch's selection trains once per epoch (epochBatches: the last batch may be smaller, one of a
 * single image joins the one before, for batch norm). Both batches are augmented as the evaluation stage's `auto`
 * does (random crop with padding size/8 + horizontal flip for RGB, nothing for grey; [DARTS] crops and flips its
 * search data), from a stream seeded by (seed, epoch), so a resumed search sees the same pixels.
 * The data each epoch sees comes from a pluggable selection strategy (selection/). After every epoch the job
 * emits the epoch's losses, softmax(α) and the derived genotype, and writes a checkpoint (weights, optimiser
 * state, α, selection state) that `resume` continues from exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { toGenotypeJson, type Genotype } from '../../../shared/genotype.js';
import { formatGenotype } from '../../../shared/genotype/text.js';
import { SearchParams, type SearchEpochData, type SearchResult } from '../../../shared/search.js';
import { channelStats, cropPadding, normalizedBatch, type Augmentation, type ChannelNorm } from '../../data/batches.js';
import { IMAGES_FILE } from '../../data/staged.js';
import { PackedImages, type ImageShape } from '../../data/tensor-store.js';
import { selectBackend } from '../backend/ladder.js';
import { stepOrExplain } from '../backend/out-of-memory.js';
import { JobCancelledError, JobUserError, type JobContext } from '../jobs/context.js';
import type { JobHandler } from '../jobs/handler.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { AE_PRESETS, AeTrainParams } from '../../../shared/autoencoder.js';
import { augmentationFor } from '../../../shared/evaluate-defaults.js';
import { defaultSubsetSize } from '../../../shared/search-defaults.js';
import { readEmbeddings } from '../embed/ae-files.js';
import { Autoencoder } from '../embed/autoencoder.js';
import { calibrateBatchNorm, embedAll, trainAutoencoder } from '../embed/train.js';
import { createSelection, type Embeddings } from '../selection/index.js';
import type { DataSelection, SelectionPools } from '../selection/strategy.js';
import { DartsSupernet } from '../spaces/darts/supernet.js';
import { Nb201Supernet } from '../spaces/nb201/supernet.js';
import type { Supernet, SupernetConfig } from '../spaces/supernet.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { SEARCH_FILES, cellsFor, searchRefusal, type SearchJobContext } from './context.js';
import { Adam, SgdMomentum, cosineLr } from '../nn/optim.js';

export function createSupernet(space: SearchParams['space'], config: SupernetConfig): Supernet {
  return space === 'darts' ? new DartsSupernet(config) : new Nb201Supernet(config);
}

export interface DartsOptimizers {
  weights: SgdMomentum;
  alphas: Adam;
}

export function createOptimizers(net: Supernet, p: Pick<SearchParams, 'momentum' | 'weightDecay' | 'gradClip' | 'alphaWeightDecay'>): DartsOptimizers {
  return {
    weights: new SgdMomentum(net.weights, { momentum: p.momentum, weightDecay: p.weightDecay, clip: p.gradClip }),
    alphas: new Adam(net.alphas, { beta1: 0.5, beta2: 0.999, weightDecay: p.alphaWeightDecay }),
  };
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
function lossWithStats(net: Supernet, x: tf.Tensor4D, labels: tf.Tensor1D, keep: tf.Tensor[]): tf.Scalar {
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

function gradientStep(net: Supernet, which: 'weights' | 'alphas', x: tf.Tensor4D, labels: tf.Tensor1D, apply: (grads: Array<tf.Tensor | undefined>) => void): BatchOutcome {
  const params = which === 'weights' ? net.weights : net.alphas;
  const vars = params.list.map((e) => e.variable);
  const kept: tf.Tensor[] = [];
  net.gradTarget = which;
  const { value, grads } = tf.variableGrads(() => lossWithStats(net, x, labels, kept), vars);
  try {
    apply(vars.map((v) => grads[v.name]));
    const losses = kept[0]!.dataSync() as Float32Array;
    const pred = kept[1]!.dataSync();
    const truth = labels.dataSync();
    const hits = new Uint8Array(pred.length);
    let correct = 0;
    for (let i = 0; i < pred.length; i++) correct += hits[i] = pred[i] === truth[i] ? 1 : 0;
    return {
      loss: value.dataSync()[0]!,
      correct,
      losses: Float32Array.from(losses),
      hits,
      trueProb: Float32Array.from(kept[2]!.dataSync() as Float32Array),
      errorNorm: Float32Array.from(kept[3]!.dataSync() as Float32Array),
    };
  } finally {
    tf.dispose([value, ...Object.values(grads), ...kept]);
  }
}

/**
 * One first-order DARTS step: α on the validation batch (w fixed), then w on the training batch (α fixed).
 * Exported for the benchmark (test/bench/supernet-step.ts).
 */
export function firstOrderStep(
  net: Supernet,
  opt: DartsOptimizers,
  train: { x: tf.Tensor4D; labels: tf.Tensor1D },
  val: { x: tf.Tensor4D; labels: tf.Tensor1D },
  lr: { weights: number; alphas: number },
): { train: BatchOutcome; val: BatchOutcome } {
  const v = gradientStep(net, 'alphas', val.x, val.labels, (g) => opt.alphas.apply(g, lr.alphas));
  const t = gradientStep(net, 'weights', train.x, train.labels, (g) => opt.weights.apply(g, lr.weights));
  return { train: t, val: v };
}

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
export function searchAugmentation(params: Pick<SearchParams, 'augment' | 'seed'>, shape: ImageShape, epoch: number): Augmentation | undefined {
  if (!augmentationFor(params.augment, shape.channels)) return undefined;
  return { pad: cropPadding(shape), flip: shape.channels === 3, rng: mulberry32(deriveSeed(params.seed, `search-augment:${epoch}`)) };
}

/**
 * How `--train-ae` trains the autoencoder: the autoencoder job's defaults ([DDS-NAS] Sec. 4.2: batch 8, Adam lr
 * 1e-3, constant), read from its schema so the two cannot drift apart.
 */
export function searchAutoencoderRecipe(): Pick<AeTrainParams, 'batch' | 'lr' | 'lrSchedule'> {
  const { batch, lr, lrSchedule } = AeTrainParams.parse({ datasetId: 1 });
  return { batch, lr, lrSchedule };
}

/** train_w / train_α rows, each capped at floor(limitPerClass / 2) per class (a seeded choice). */
export function searchPools(c: Pick<SearchJobContext, 'labels' | 'halves' | 'classNames'>, limitPerClass: number | null, seed: number): SelectionPools {
  const classes = c.classNames.length;
  const byClass = { w: Array.from({ length: classes }, () => [] as number[]), a: Array.from({ length: classes }, () => [] as number[]) };
  c.halves.forEach((h, row) => {
    if (h) byClass[h][c.labels[row]!]!.push(row);
  });
  const cap = limitPerClass == null ? Infinity : Math.floor(limitPerClass / 2);
  const rng = mulberry32(deriveSeed(seed, 'search-limit'));
  const take = (lists: number[][]) => lists.flatMap((rows) => (rows.length > cap ? (shuffleInPlace([...rows], rng) as number[]).slice(0, cap).sort((x, y) => x - y) : rows));
  return { train: take(byClass.w), val: take(byClass.a), labels: c.labels, classes };
}

/**
 * The latent codes DDS builds its per-class kd-trees over: a stored autoencoder's embeddings (dds), or those of an
 * autoencoder made here from the search's seed: trained first (dds with trainAutoencoderEpochs) or untrained
 * (dds-untrained, DDS-NAS' ablation).
 */
async function selectionEmbeddings(ctx: JobContext, params: SearchParams, c: SearchJobContext, images: PackedImages, pools: SelectionPools): Promise<Embeddings | undefined> {
  if (params.strategy === 'dds' && params.trainAutoencoderEpochs === undefined) {
    if (!c.autoencoder) throw new JobUserError('DDS needs a trained autoencoder of this dataset; train one on the Autoencoder page (or `winnow ae train`), let the search train one first, or use dds-untrained.');
    const data = readEmbeddings(c.autoencoder.dir, c.autoencoder.dim);
    if (data.length !== images.count * c.autoencoder.dim) throw new JobUserError(`Autoencoder ${c.autoencoder.id}'s embeddings do not cover this dataset's ${images.count} images; train a new autoencoder for it.`);
    ctx.log('info', `DDS over autoencoder ${c.autoencoder.id} (N=${c.autoencoder.dim}).`);
    return { data, dim: c.autoencoder.dim };
  }
  if (params.strategy !== 'dds' && params.strategy !== 'dds-untrained') return undefined;
  const preset = AE_PRESETS[c.shape.channels === 1 ? 'mnist-like' : 'rgb'];
  const dim = preset.dim;
  // the codes are computed once per job and kept beside the checkpoint: a resumed search reuses them exactly
  const file = path.join(ctx.jobDir, SEARCH_FILES.embeddings);
  if (fs.existsSync(file)) {
    const data = readFloats(file);
    if (data.length === images.count * dim) return { data, dim };
  }
  const ae = new Autoencoder({ inputSize: c.shape.width, channels: c.shape.channels, dim, seed: deriveSeed(params.seed, `${params.strategy}-autoencoder`) });
  try {
    if (params.strategy === 'dds') {
      // DDS-NAS Table 1's preset for the dataset, trained on train_w + train_α (never the test split)
      const epochs = params.trainAutoencoderEpochs!;
      const trainRows = [...pools.train, ...pools.val];
      const recipe = searchAutoencoderRecipe();
      ctx.log('info', `Training the similarity autoencoder first: ${preset.losses.join(' + ')}, N=${dim}, ${epochs} epochs on ${trainRows.length} images, batch ${recipe.batch}, Adam lr ${recipe.lr}, ${recipe.lrSchedule}.`);
      try {
        await trainAutoencoder(ae, images, Int32Array.from(c.labels), trainRows, {
          losses: [...preset.losses],
          kendall: preset.kendall,
          epochs,
          ...recipe,
          seed: params.seed,
          signal: ctx.signal,
          onStep: (done, total) => ctx.progress({ done, total: total + 1, message: `Autoencoder: step ${done} of ${total}` }),
        });
      } catch (e) {
        if (e instanceof Error && e.name === 'AbortError') throw new JobCancelledError();
        throw e;
      }
    } else {
      // DDS-NAS' ablation: random weights, batch-norm statistics of the training images (as the autoencoder job's
      // untrained option does)
      ctx.progress({ done: 0, total: 1, message: 'Embedding every image with an untrained autoencoder…' });
      await calibrateBatchNorm(ae, images, pools.train.slice(0, 2048), 256, ctx.signal);
    }
    const data = embedAll(ae, images);
    fs.mkdirSync(ctx.jobDir, { recursive: true });
    fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return { data, dim };
  } finally {
    ae.dispose();
  }
}

function readFloats(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * Top-1 of the final supernet (α-weighted mixture, the weights as trained) on the dataset's test split, the number
 * the strategies are compared by. Forward passes only; BN uses batch statistics, as in the search (DARTS' search
 * BN keeps no running statistics), so the test images are shuffled first: stored in class order, a batch of one
 * class would have its class features normalised away (measured: 22% instead of the supernet's real accuracy).
 */
function supernetTestAccuracy(
  ctx: JobContext,
  net: Supernet,
  images: PackedImages,
  c: SearchJobContext,
  labels: readonly number[],
  norm: ChannelNorm,
  batch: number,
  seed: number,
): { accuracy: number; images: number } {
  const rows = shuffleInPlace(
    c.halves.flatMap((h, row) => (h === null ? [row] : [])),
    mulberry32(deriveSeed(seed, 'supernet-test')),
  ) as number[];
  let correct = 0;
  for (let start = 0; start < rows.length; start += batch) {
    ctx.checkCancelled();
    ctx.progress({ done: start, total: rows.length, message: `Testing the supernet: ${start} of ${rows.length} images` });
    const part = rows.slice(start, start + batch);
    const b = normalizedBatch(images, part, labels, norm);
    const pred = tf.tidy(() => tf.argMax(net.logits(b.x), 1));
    const p = pred.dataSync();
    part.forEach((r, i) => (correct += p[i] === labels[r] ? 1 : 0));
    tf.dispose([pred, b.x, b.labels]);
  }
  return { accuracy: rows.length ? correct / rows.length : 0, images: rows.length };
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
}

/** What must match between a checkpoint and the resumed job for "continue exactly" to hold. */
function fingerprintOf(p: SearchParams, c: SearchJobContext): string {
  return JSON.stringify({ ...p, backend: undefined, dataset: c.datasetHash });
}

function saveCheckpoint(dir: string, net: Supernet, opt: DartsOptimizers, meta: CheckpointMeta): void {
  const arrays = new Map<string, Float32Array>();
  for (const [k, v] of net.weights.snapshot()) arrays.set(`w:${k}`, v);
  for (const [k, v] of net.alphas.snapshot()) arrays.set(`a:${k}`, v);
  for (const [k, v] of Object.entries(opt.weights.state().buffers)) arrays.set(`sgd:${k}`, v);
  for (const [k, v] of Object.entries(opt.alphas.state().buffers)) arrays.set(`adam:${k}`, v);
  writeCheckpoint(dir, meta, arrays);
}

function loadCheckpoint(dir: string, net: Supernet, opt: DartsOptimizers, selection: DataSelection, fingerprint: string, log: (message: string) => void): CheckpointMeta | null {
  const cp = readCheckpoint<CheckpointMeta>(dir, log);
  if (!cp) return null;
  if (cp.meta.fingerprint !== fingerprint) throw new JobUserError('This search\'s checkpoint was written with other settings or another version of the dataset; it cannot be continued. Start a new search.');
  const pick = (prefix: string) => new Map([...cp.arrays].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  net.weights.restore(pick('w:'));
  net.alphas.restore(pick('a:'));
  opt.weights.restore({ step: cp.meta.weightsStep, buffers: Object.fromEntries(pick('sgd:')) });
  opt.alphas.restore({ step: cp.meta.alphasStep, buffers: Object.fromEntries(pick('adam:')) });
  selection.restore(cp.meta.selection);
  return cp.meta;
}

async function run(ctx: JobContext<SearchJobContext>, params: SearchParams): Promise<SearchResult> {
  const c = ctx.hostContext;
  const report = await selectBackend(params.backend === 'auto' ? ctx.backendPreference : params.backend);
  const backend = report.selected;
  const classes = c.classNames.length;
  const perClassHalves = Array.from({ length: classes }, () => ({ w: 0, a: 0 }));
  c.halves.forEach((h, row) => {
    if (h) perClassHalves[c.labels[row]!]![h]++;
  });
  const refusal = searchRefusal(params, { name: c.datasetName, classes, width: c.shape.width, height: c.shape.height, channels: c.shape.channels, perClassHalves, classNames: c.classNames });
  if (refusal) throw new JobUserError(refusal);

  const images = PackedImages.load(path.join(c.datasetDir, IMAGES_FILE), c.shape);
  const pools = searchPools(c, params.limitPerClass, params.seed);
  const subset = params.subset ?? defaultSubsetSize({ classes, ...c.shape });
  const embeddings = await selectionEmbeddings(ctx, params, c, images, pools);
  const selection = createSelection(params, pools, subset, embeddings);
  const norm = channelStats(images, pools.train);
  const cells = cellsFor(params);
  const net = createSupernet(params.space, { channels: params.channels, cells, inChannels: c.shape.channels, classes, seed: params.seed });
  const opt = createOptimizers(net, params);
  const checkpointDir = path.join(ctx.jobDir, SEARCH_FILES.checkpointDir);
  const fingerprint = fingerprintOf(params, c);
  try {
    let history: SearchEpochData[] = [];
    let seconds = 0;
    let images_ = 0;
    let start = 0;
    if (ctx.resume) {
      const meta = loadCheckpoint(checkpointDir, net, opt, selection, fingerprint, (m) => ctx.log('warn', m));
      if (meta) {
        ({ history, seconds, images: images_ } = meta);
        start = meta.epochsDone;
        ctx.log('info', `Resuming from the checkpoint after epoch ${start} of ${params.epochs}.`);
      } else ctx.log('info', 'No checkpoint yet: starting from the first epoch.');
    }
    if (params.space === 'darts' && cells < 3) {
      ctx.log('warn', `With ${cells} cell${cells === 1 ? '' : 's'} every DARTS cell is a reduction cell (reductions sit at cells/3 and 2·cells/3), so the normal cell's α is never trained and its genotype stays at its random start. Use 3 or more cells for a meaningful normal cell.`);
    }
    const subsetNote = params.strategy === 'random' || params.strategy === 'dds' || params.strategy === 'dds-untrained' ? ` Subsets of ${subset} images.` : '';
    ctx.log(
      'info',
      `Backend ${backend}. ${params.space} supernet, C=${params.channels}, ${cells} ${params.space === 'darts' ? 'cells' : 'cells per stage'}, ${net.weights.size.toLocaleString('en')} weights. ` +
        `${pools.train.length} training + ${pools.val.length} validation images, strategy ${params.strategy}.${subsetNote}`,
    );
    // steps done before this epoch; the total is re-estimated each epoch (dds / random subsets and bdp pruning
    // change the epoch's size)
    let stepsDone = history.reduce((a, h) => a + epochBatches(h.images, params.batch).length, 0);
    for (let epoch = start; epoch < params.epochs; epoch++) {
      const t0 = performance.now();
      const sel = selection.select(epoch);
      // a strategy with its own schedule (DDS-NAS' cyclic LR with resets) replaces the cosine one
      const lr = selection.weightLr?.(epoch) ?? cosineLr(epoch, params.epochs, params.lr, params.lrMin);
      const trainBatches = epochBatches(sel.train.length, params.batch);
      const valBatches = epochBatches(sel.val.length, params.batch);
      const steps = trainBatches.length;
      const total = stepsDone + steps * (params.epochs - epoch);
      const augment = searchAugmentation(params, c.shape, epoch);
      const sums = { trainLoss: 0, trainCorrect: 0, valLoss: 0, valCorrect: 0, n: 0, valN: 0 };
      for (let s = 0; s < steps; s++) {
        ctx.checkCancelled();
        const trainRows = sel.train.slice(...trainBatches[s]!);
        const valRows = sel.val.slice(...valBatches[s % valBatches.length]!);
        const tb = normalizedBatch(images, trainRows, pools.labels, norm, augment);
        const vbt = normalizedBatch(images, valRows, pools.labels, norm, augment);
        try {
          const out = stepOrExplain(() => firstOrderStep(net, opt, tb, vbt, { weights: lr, alphas: params.alphaLr }), { job: 'search', batch: params.batch, channels: params.channels }, backend);
          sums.trainLoss += out.train.loss * trainRows.length;
          sums.trainCorrect += out.train.correct;
          sums.valLoss += out.val.loss * valRows.length;
          sums.valCorrect += out.val.correct;
          sums.n += trainRows.length;
          sums.valN += valRows.length;
          selection.observe?.({ split: 'train', rows: trainRows, losses: out.train.losses, correct: out.train.hits, trueProb: out.train.trueProb, errorNorm: out.train.errorNorm });
          selection.observe?.({ split: 'val', rows: valRows, losses: out.val.losses, correct: out.val.hits, trueProb: out.val.trueProb, errorNorm: out.val.errorNorm });
        } finally {
          tf.dispose([tb.x, tb.labels, vbt.x, vbt.labels]);
        }
        if (!Number.isFinite(sums.trainLoss)) throw new JobUserError(`The training loss became ${sums.trainLoss} in epoch ${epoch + 1}: the learning rate ${lr.toPrecision(3)} is too high for this network. Start a new search with a lower learning rate (--lr in the CLI) or α learning rate.`);
        ctx.progress({ done: stepsDone + s + 1, total, message: `Epoch ${epoch + 1}/${params.epochs}, step ${s + 1}/${steps}` });
        // let the worker's message loop run (cancel requests, progress flushes): a step takes seconds, this microseconds
        await new Promise((r) => setImmediate(r));
      }
      stepsDone += steps;
      const selectionStats = selection.epochStats(epoch);
      const epochSeconds = (performance.now() - t0) / 1000;
      seconds += epochSeconds;
      images_ += sums.n;
      const alphas = net.alphaSnapshot();
      const genotype = net.genotype();
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
        imagesTotal: images_,
        selection: selectionStats,
        alphas,
        genotype,
      };
      history.push(data);
      saveCheckpoint(checkpointDir, net, opt, {
        epochsDone: epoch + 1,
        history,
        selection: selection.state(),
        weightsStep: opt.weights.state().step,
        alphasStep: opt.alphas.state().step,
        seconds,
        images: images_,
        fingerprint,
      });
      fs.writeFileSync(path.join(ctx.jobDir, SEARCH_FILES.alphasJson), JSON.stringify(history.map((h) => ({ epoch: h.epoch, alphas: h.alphas }))));
      const at = { epoch: epoch + 1 };
      ctx.metric('train_loss', data.trainLoss, at);
      ctx.metric('train_accuracy', data.trainAccuracy, at);
      ctx.metric('val_loss', data.valLoss, at);
      ctx.metric('val_accuracy', data.valAccuracy, at);
      ctx.metric('epoch_seconds', epochSeconds, at);
      ctx.metric('lr', lr, at);
      ctx.metric('images_total', images_, at);
      if (selectionStats.dds) ctx.metric('dds_mastery', selectionStats.dds.mastery, at);
      ctx.emit({ type: 'search-epoch', data });
      ctx.log('debug', `Epoch ${epoch + 1}: ${tf.memory().numTensors} tensors live.`);
    }
    const last = history[history.length - 1]!;
    const test = supernetTestAccuracy(ctx, net, images, c, pools.labels, norm, params.batch, params.seed);
    ctx.log('info', `Supernet test accuracy ${(test.accuracy * 100).toFixed(1)}% on ${test.images} test images.`);
    const genotype: Genotype = last.genotype;
    const genotypeText = formatGenotype(genotype);
    const json = toGenotypeJson(genotype, {
      app: c.app,
      createdAt: new Date().toISOString(),
      jobId: ctx.jobId,
      datasetId: c.datasetId,
      datasetName: c.datasetName,
      datasetHash: c.datasetHash,
      space: params.space,
      strategy: params.strategy,
      seed: params.seed,
      epochs: params.epochs,
      alphas: last.alphas,
      metrics: { trainLoss: last.trainLoss, trainAccuracy: last.trainAccuracy, valLoss: last.valLoss, valAccuracy: last.valAccuracy, seconds },
    });
    fs.writeFileSync(path.join(ctx.jobDir, SEARCH_FILES.genotypeJson), `${JSON.stringify(json, null, 2)}\n`);
    ctx.emit({ type: 'artifact', name: 'genotype', path: path.join(ctx.jobDir, SEARCH_FILES.genotypeJson), mime: 'application/json' });
    return {
      space: params.space,
      strategy: params.strategy,
      epochs: params.epochs,
      genotype,
      genotypeText,
      alphas: last.alphas,
      final: { trainLoss: last.trainLoss, trainAccuracy: last.trainAccuracy, valLoss: last.valLoss, valAccuracy: last.valAccuracy },
      seconds,
      imagesPerSecond: seconds > 0 ? images_ / seconds : 0,
      imagesProcessed: images_,
      supernetTest: test,
      backend,
      files: { genotypeJson: path.join(ctx.jobDir, SEARCH_FILES.genotypeJson) },
    };
  } finally {
    net.dispose();
  }
}

export const searchHandler: JobHandler<SearchParams, SearchResult, SearchJobContext> = {
  kind: 'search',
  params: SearchParams,
  resumable: true,
  run,
};
