/**
 * The count of each job kind's work (search, classifiers, compression study, autoencoder, the NAS-Bench-201 kinds),
 * in the units shared/cost.ts turns into time: each kind's estimate hook (main/jobs/*-estimate.ts) calls its count
 * with its parameters and its dataset's facts, and offers the knobs its quick look may turn.
 */
import { AE_BATCH_NORM_IMAGES, AE_QUALITY_IMAGES } from './autoencoder-defaults.js';
import { type CostCount, INFER_SHARE, type QuickLookKnob, epochsTotal } from './cost.js';

/** What a search's count needs to know about its dataset. */
export interface SearchCostFacts {
  classes: number;
  width: number;
  height: number;
  channels: number;
  /** Per class, the training images in train_w ('w') and train_α ('a'). */
  perClassHalves: ReadonlyArray<{ w: number; a: number }>;
  /** The test split's images (the supernet is tested on them at the end). */
  testImages: number;
}

/** The search parameters the count reads (a subset of SearchParams, so shared/cost.ts needs no search schema). */
export interface SearchCostParams {
  strategy: 'full' | 'random' | 'dds' | 'dds-untrained' | 'bdp';
  epochs: number;
  limitPerClass: number | null;
  subset?: number | undefined;
  defaultSubset: number;
  pruneEvery: number;
  pruneTrain: number;
}

/**
 * A search's work: every epoch trains on its selection's train_w images (each step also takes an α step on a
 * train_α batch of the same size: the calibration times both), then the supernet is tested on the test split.
 * Per-class limit: at most limit/2 of each half per class (searchPools). full: all of train_w every epoch; random,
 * dds, dds-untrained: a subset of S; bdp: the training half loses `pruneTrain` of its rows every `pruneEvery`
 * epochs. On disk: the checkpoint (weights and momentum) and the one before it, kept until the new one is verified.
 */
export function searchCount(p: SearchCostParams, d: SearchCostFacts): CostCount {
  const cap = p.limitPerClass == null ? Infinity : Math.floor(p.limitPerClass / 2);
  const pool = d.perClassHalves.reduce((s, h) => s + Math.min(h.w, cap), 0);
  let perEpoch: (epoch: number) => number;
  if (p.strategy === 'full') perEpoch = () => pool;
  else if (p.strategy === 'bdp')
    perEpoch = (e) => {
      let n = pool;
      for (let t = 0; t < Math.floor(e / p.pruneEvery); t++) n -= Math.floor(n * p.pruneTrain);
      return n;
    };
  else {
    const s = Math.min(p.subset ?? p.defaultSubset, pool);
    perEpoch = () => s;
  }
  const trainImages = epochsTotal(p.epochs, perEpoch);
  const first = perEpoch(0);
  const parts = [
    p.strategy === 'bdp'
      ? `${p.epochs} epoch${p.epochs === 1 ? '' : 's'} from ${first.toLocaleString('en')} training images, fewer after each pruning`
      : `${p.epochs} epoch${p.epochs === 1 ? '' : 's'} × ${first.toLocaleString('en')} training images`,
    `${d.testImages.toLocaleString('en')} test images at the end`,
  ];
  return {
    trainImages,
    // a training image's step is two forward-backward passes (the α step's batch and the weight step's), a test
    // image one forward pass: half of INFER_SHARE's
    inferImages: d.testImages / 2,
    images: trainImages + d.testImages,
    weightCopies: 4,
    extraBytes: 0,
    parts,
  };
}

/**
 * The search's quick-look knobs: fewer epochs (3 at least: α needs a few epochs to move from uniform), then fewer
 * images per class (enough for a few batches per class).
 */
export function searchQuickLookKnobs(
  p: Pick<SearchCostParams, 'epochs' | 'limitPerClass'> & { batch: number },
  d: Pick<SearchCostFacts, 'classes' | 'perClassHalves'>,
): QuickLookKnob[] {
  const most = d.perClassHalves.reduce((m, h) => Math.max(m, h.w + h.a), 0);
  return epochsThenImages(p, { leastEpochs: 3, most, fewest: Math.max(10, 2 * Math.ceil((2 * p.batch) / d.classes)) });
}

/**
 * The two knobs the training kinds share: the epochs down to `leastEpochs`, then the images per class from where
 * the limit stands (`most`, the largest class, when there is none) down to `fewest`.
 */
function epochsThenImages(
  p: { epochs: number; limitPerClass: number | null },
  k: { leastEpochs: number; most: number; fewest: number },
): QuickLookKnob[] {
  return [
    { key: 'epochs', label: 'epochs', from: p.epochs, min: Math.min(p.epochs, k.leastEpochs) },
    imagesPerClassKnob(p.limitPerClass, k),
  ];
}

/** Fewer images per class: from where the limit stands (`most`, the largest class, when there is none) to `fewest`. */
function imagesPerClassKnob(limitPerClass: number | null, k: { most: number; fewest: number }): QuickLookKnob {
  const from = Math.min(limitPerClass ?? Infinity, k.most);
  return {
    key: 'limitPerClass',
    label: 'images per class',
    from,
    min: Math.min(from, k.fewest),
    format: (v) => (limitPerClass == null && v === from ? 'all' : v.toLocaleString('en')),
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** Training images of a dataset under a per-class limit (null: all): what evaluations and studies train on. */
export function trainUnderLimit(perClassTrain: readonly number[], limitPerClass: number | null): number {
  return perClassTrain.reduce((s, n) => s + Math.min(n, limitPerClass ?? Infinity), 0);
}

/**
 * Images one epoch of a classifier's training steps through: whole batches only (the last partial batch is
 * dropped), all of them when they are fewer than one batch (engine/evaluate/train.ts).
 */
export function epochImages(train: number, batch: number): number {
  return train < batch ? train : Math.floor(train / batch) * batch;
}

/** What a classifier's count (evaluation, compression study) needs to know about its dataset. */
export interface ClassifierCostFacts {
  /** Training images per class. */
  perClassTrain: readonly number[];
  testImages: number;
}

/** The evaluation parameters the count reads. */
export interface EvaluateCostParams {
  epochs: number;
  batch: number;
  limitPerClass: number | null;
}

/**
 * An evaluation's work: every epoch trains on its training images (at most limitPerClass per class) and then tests
 * on the whole test split. On disk: the checkpoint (weights and momentum) and the one before it, then the model.
 */
export function evaluateCount(p: EvaluateCostParams, d: ClassifierCostFacts): CostCount {
  const perEpoch = epochImages(trainUnderLimit(d.perClassTrain, p.limitPerClass), p.batch);
  const trainImages = p.epochs * perEpoch;
  const inferImages = p.epochs * d.testImages;
  return {
    trainImages,
    inferImages,
    images: trainImages + inferImages,
    weightCopies: 5,
    extraBytes: 0,
    parts: [
      `${plural(p.epochs, 'epoch')} × ${perEpoch.toLocaleString('en')} training images`,
      `${d.testImages.toLocaleString('en')} test images after every epoch`,
    ],
  };
}

/**
 * The evaluation's quick-look knobs (and the study's where it trains): fewer epochs (2 at least: one epoch's test
 * says little about the next), then fewer images per class (a few batches' worth).
 */
export function classifierQuickLookKnobs(
  p: EvaluateCostParams,
  d: Pick<ClassifierCostFacts, 'perClassTrain'>,
): QuickLookKnob[] {
  const most = d.perClassTrain.reduce((m, n) => Math.max(m, n), 0);
  const fewest = Math.max(20, Math.ceil((4 * p.batch) / Math.max(1, d.perClassTrain.length)));
  return epochsThenImages(p, { leastEpochs: 2, most, fewest });
}

/** Seconds to JPEG-encode and decode a megapixel of one channel (sharp; 0.03 to 0.07 measured, on the safe side). */
export const JPEG_SECONDS_PER_MEGAPIXEL = 0.1;

/** The size of an image, for the JPEG counts. */
interface ImageSize {
  width: number;
  height: number;
  channels: number;
}

/** Seconds to encode and decode `images` images of size `d` (off the network: a count's fixedSeconds). */
const jpegSeconds = (images: number, d: ImageSize): number =>
  (images * d.width * d.height * d.channels * JPEG_SECONDS_PER_MEGAPIXEL) / 1e6;

/**
 * What compressing a job's images first adds to its count (engine/compress/job-images.ts, [Poyser-thesis §6]): every
 * stored image encoded and decoded once, off the network, and the decoded copy in the shared cache. A later job or
 * study at the same quality reads the cache, so this is the most it adds. Nothing without a quality.
 */
export function withJpegStage(c: CostCount, jpegQuality: number | null, d: ImageSize & { images: number }): CostCount {
  if (jpegQuality == null) return c;
  return {
    ...c,
    extraBytes: c.extraBytes + d.images * d.width * d.height * d.channels,
    fixedSeconds: (c.fixedSeconds ?? 0) + jpegSeconds(d.images, d),
    parts: [
      `${d.images.toLocaleString('en')} images compressed at JPEG quality ${jpegQuality} first (unless an earlier job did)`,
      ...c.parts,
    ],
  };
}

/** The study parameters the count reads. */
export interface CompressCostParams extends EvaluateCostParams {
  /** Grid points: the qualities × the subsamplings that apply (grey images have one). */
  points: number;
  protocols: ReadonlyArray<'test' | 'retrain' | 'mixed'>;
  /** A baseline is trained first; a stored model is not. */
  baseline: boolean;
}

export interface CompressCostFacts extends ClassifierCostFacts, ImageSize {
  /** Every stored image (each grid point decodes a copy of the whole dataset). */
  images: number;
}

/**
 * A compression study's work (engine/compress/job.ts): one decoded JPEG copy of the dataset per grid point (off the
 * network: fixedSeconds), the baseline's training when there is one, the model tested on the originals and, per
 * protocol: test, the model at every point; retrain, a network trained from scratch per point; mixed, one network
 * trained once and tested at every point. Every training tests after each of its epochs. On disk: the decoded
 * copies (in the shared cache) and each training's checkpoints.
 */
export function compressCount(p: CompressCostParams, d: CompressCostFacts): CostCount {
  const has = (x: 'test' | 'retrain' | 'mixed') => p.protocols.includes(x);
  const trainings = (p.baseline ? 1 : 0) + (has('retrain') ? p.points : 0) + (has('mixed') ? 1 : 0);
  const perEpoch = epochImages(trainUnderLimit(d.perClassTrain, p.limitPerClass), p.batch);
  const trainImages = trainings * p.epochs * perEpoch;
  const tests = trainings * p.epochs + 1 + (has('test') ? p.points : 0) + (has('mixed') ? p.points : 0);
  const inferImages = tests * d.testImages;
  const encoded = p.points * d.images;
  const parts = [`${plural(p.points, 'grid point')} × ${d.images.toLocaleString('en')} images encoded`];
  if (trainings > 0)
    parts.push(
      `${plural(trainings, 'training')} of ${plural(p.epochs, 'epoch')} × ${perEpoch.toLocaleString('en')} images`,
    );
  parts.push(`${plural(tests, 'test')} of ${d.testImages.toLocaleString('en')} images`);
  return {
    trainImages,
    inferImages,
    images: trainImages + inferImages + encoded,
    weightCopies: trainings > 0 ? 4 : 0,
    extraBytes: encoded * d.width * d.height * d.channels,
    fixedSeconds: jpegSeconds(encoded, d),
    parts,
  };
}

/** What an autoencoder's count needs to know about its dataset. */
export interface AutoencoderCostFacts {
  trainImages: number;
  testImages: number;
  /** Every stored image (all are embedded). */
  images: number;
}

/**
 * An autoencoder's work (engine/embed/ae-job.ts): its epochs over the training split in whole batches (all of it
 * when it is less than one batch), the batch-norm statistics recomputed on up to 2,048 training images, every image
 * embedded and up to 2,000 test images reconstructed. Untrained: no epochs. On disk: the weights and an embedding of
 * `dim` floats per image.
 */
export function autoencoderCount(
  p: { epochs: number; batch: number; untrained: boolean; dim: number },
  d: AutoencoderCostFacts,
): CostCount {
  const perEpoch = epochImages(d.trainImages, p.batch);
  const trainImages = p.untrained ? 0 : p.epochs * perEpoch;
  const inferImages =
    Math.min(AE_BATCH_NORM_IMAGES, d.trainImages) + d.images + Math.min(AE_QUALITY_IMAGES, d.testImages);
  const parts = p.untrained ? [] : [`${plural(p.epochs, 'epoch')} × ${perEpoch.toLocaleString('en')} training images`];
  parts.push(`${d.images.toLocaleString('en')} images embedded`);
  return {
    trainImages,
    inferImages,
    images: trainImages + inferImages,
    weightCopies: 1,
    extraBytes: d.images * p.dim * 4,
    parts,
  };
}

/**
 * The autoencoder's quick-look knob: fewer epochs, down to one (its only knob: it trains on the whole training
 * split; one epoch is already a thousand steps of batch 8 on 8,000 images, and its clusters show).
 */
export function autoencoderQuickLookKnobs(p: { epochs: number; untrained: boolean }): QuickLookKnob[] {
  return p.untrained ? [] : [{ key: 'epochs', label: 'epochs', from: p.epochs, min: 1 }];
}

/** What the NAS-Bench-201 jobs' counts (`naswot`, `dsm-search`) need to know about their dataset. */
export interface Nb201CostFacts {
  /** Per class, the training images in train_w ('w') and train_α ('a'). */
  perClassHalves: ReadonlyArray<{ w: number; a: number }>;
}

/** The weight-sharing supernet's parameters the counts read (shared/nb201-supernet.ts). */
export interface Nb201SupernetCostParams {
  supernetEpochs: number;
  supernetBatch: number;
  calibrationBatches: number;
  limitPerClass: number | null;
}

/** train_w and train_α under the per-class limit (at most limit/2 of each half per class: searchPools). */
function nb201Pools(p: Pick<Nb201SupernetCostParams, 'limitPerClass'>, d: Nb201CostFacts) {
  const cap = p.limitPerClass == null ? Infinity : Math.floor(p.limitPerClass / 2);
  return {
    train: d.perClassHalves.reduce((s, h) => s + Math.min(h.w, cap), 0),
    val: d.perClassHalves.reduce((s, h) => s + Math.min(h.a, cap), 0),
  };
}

/**
 * The supernet's training (uniform single-path steps over train_w in whole batches: oneshot/evaluator.ts) and one
 * inherited-weight evaluation's forward passes (BN recalibrated on `calibrationBatches` batches of train_w, then
 * the whole of train_α).
 */
function nb201Supernet(p: Nb201SupernetCostParams, d: Nb201CostFacts) {
  const pools = nb201Pools(p, d);
  return {
    ...pools,
    perEpoch: epochImages(pools.train, p.supernetBatch),
    perEvaluation: p.calibrationBatches * Math.min(p.supernetBatch, pools.train) + pools.val,
  };
}

/**
 * Training images one NASWOT-scored image costs: a forward pass that reads every ReLU's codes back, plus the
 * kernel's log-determinant per mini-batch. Measured on wasm (C=16, 28x28, 10 cells × 3 × 32): 21 ms a scored image,
 * 8 to 9.5 ms a single-path training image — far above a plain forward pass's INFER_SHARE.
 */
export const NASWOT_SCORE_UNITS = 2.5;

/** The NASWOT parameters the count reads (shared/naswot.ts). */
export interface NaswotCostParams extends Nb201SupernetCostParams {
  sample: number;
  batch: number;
  repeats: number;
  kendall: boolean;
  kendallSample: number;
}

/**
 * A NASWOT ranking's work (engine/naswot/job.ts): every sampled cell scored on `repeats` mini-batches (forward
 * passes only); with Kendall's τ, the supernet trained and `kendallSample` of the cells (at most the sample)
 * evaluated with inherited weights. On disk: the supernet's weights (with τ) and the scores CSV (about 100 bytes
 * a cell).
 */
export function naswotCount(p: NaswotCostParams, d: Nb201CostFacts): CostCount {
  const s = nb201Supernet(p, d);
  const scored = p.sample * p.repeats * p.batch;
  const trainImages = p.kendall ? p.supernetEpochs * s.perEpoch : 0;
  const checked = p.kendall ? Math.min(p.kendallSample, p.sample) : 0;
  // the scores in forward-pass units, so workUnits counts each at NASWOT_SCORE_UNITS training images
  const inferImages = (scored * NASWOT_SCORE_UNITS) / INFER_SHARE + checked * s.perEvaluation;
  const parts = [
    `${plural(p.sample, 'cell')} × ${plural(p.repeats, 'mini-batch', 'mini-batches')} of ${p.batch} images, scored without training`,
  ];
  if (p.kendall)
    parts.push(
      `${plural(p.supernetEpochs, 'supernet epoch')} × ${s.perEpoch.toLocaleString('en')} training images`,
      `${plural(checked, 'cell')} tested on ${s.perEvaluation.toLocaleString('en')} images each (no training)`,
    );
  return {
    trainImages,
    inferImages,
    images: trainImages + scored + checked * s.perEvaluation,
    weightCopies: p.kendall ? 1 : 0,
    extraBytes: p.sample * 100,
    parts,
  };
}

/**
 * The ranking's quick-look knobs: fewer supernet epochs (with τ; 2 at least), then fewer cells (100 at least: τ
 * and the histogram need a spread of scores), then one mini-batch per cell (no ± spread), then fewer images per
 * class.
 */
export function naswotQuickLookKnobs(p: NaswotCostParams, d: Nb201CostFacts): QuickLookKnob[] {
  const knobs: QuickLookKnob[] = [];
  if (p.kendall) knobs.push({ key: 'supernetEpochs', label: 'supernet epochs', from: p.supernetEpochs, min: 2 });
  knobs.push(
    { key: 'sample', label: 'cells', from: p.sample, min: Math.min(p.sample, 100) },
    { key: 'repeats', label: 'mini-batches per cell', from: p.repeats, min: 1 },
  );
  if (p.kendall) knobs.push(nb201LimitKnob(p, d));
  return knobs;
}

/** The DSM-NAS parameters the count reads (shared/dsm.ts); `reused`: the supernet comes from an earlier job. */
export interface DsmCostParams extends Nb201SupernetCostParams {
  iterations: number;
  subspaces: number;
  reused: boolean;
}

/**
 * A DSM-NAS search's work (engine/search/dsm/job.ts): the supernet trained (unless reused), then the K centres and
 * one proposal per iteration evaluated with inherited weights (at most that many: a cell met before is cached). On
 * disk: the supernet's weights (unless reused).
 */
export function dsmCount(p: DsmCostParams, d: Nb201CostFacts): CostCount {
  const s = nb201Supernet(p, d);
  const trainImages = p.reused ? 0 : p.supernetEpochs * s.perEpoch;
  const evaluations = p.subspaces + p.iterations;
  const inferImages = evaluations * s.perEvaluation;
  const parts = p.reused
    ? []
    : [`${plural(p.supernetEpochs, 'supernet epoch')} × ${s.perEpoch.toLocaleString('en')} training images`];
  parts.push(
    `up to ${plural(evaluations, 'cell')} tested on ${s.perEvaluation.toLocaleString('en')} images each (no training)`,
  );
  return {
    trainImages,
    inferImages,
    images: trainImages + inferImages,
    weightCopies: p.reused ? 0 : 1,
    extraBytes: 0,
    parts,
  };
}

/**
 * DSM-NAS's quick-look knobs: fewer iterations (20 at least: the policy needs a few steps to prefer a subspace),
 * fewer supernet epochs (2 at least; none when it is reused), one batch to recalibrate BN on per cell, then fewer
 * images per class.
 */
export function dsmQuickLookKnobs(p: DsmCostParams, d: Nb201CostFacts): QuickLookKnob[] {
  const knobs: QuickLookKnob[] = [
    { key: 'iterations', label: 'iterations', from: p.iterations, min: Math.min(p.iterations, 20) },
  ];
  if (!p.reused) knobs.push({ key: 'supernetEpochs', label: 'supernet epochs', from: p.supernetEpochs, min: 2 });
  knobs.push(
    { key: 'calibrationBatches', label: 'BN calibration batches', from: p.calibrationBatches, min: 1 },
    nb201LimitKnob(p, d),
  );
  return knobs;
}

/** Fewer images per class for the supernet and the validation half: enough for a few supernet batches. */
function nb201LimitKnob(p: Nb201SupernetCostParams, d: Nb201CostFacts): QuickLookKnob {
  const classes = Math.max(1, d.perClassHalves.length);
  const most = d.perClassHalves.reduce((m, h) => Math.max(m, h.w + h.a), 0);
  const fewest = Math.max(10, 2 * Math.ceil((2 * p.supernetBatch) / classes));
  return imagesPerClassKnob(p.limitPerClass, { most, fewest });
}
