/**
 * The `compress` job: the compression study of [Poyser-thesis] (Chapter 3 and Sec. 6.2). Every grid point
 * (JPEG quality × chroma subsampling) is a decoded JPEG copy of the dataset (cached on disk); then, per protocol:
 *   - test:    the model, trained on the originals, tested on the test split at every point (Table 21, light blue);
 *   - retrain: for every point, the network trained from scratch on training images "equally sampled from the
 *              lowest compression rate (JPEG parameter 95) and the compression level in question" (Sec. 3.2), and
 *              tested at that point;
 *   - mixed:   one network trained on training images "each compressed at one randomly selected compression rate"
 *              of the grid (Table 22), tested at every point.
 * Each point reports top-1, per-class and per-group accuracy with the std across groups (the bias measure, Sec.
 * 3.4), and the codec's bytes, bits per pixel, compression rate (vs quality 95), PSNR and SSIM.
 *
 * The study checkpoints after every finished piece (study.json) and every training epoch, so `resume` skips what
 * is done and continues a training where it stopped.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  CompressParams,
  REFERENCE_QUALITY,
  REFERENCE_SUBSAMPLING,
  gridKey,
  type CodecPoint,
  type CompressPointData,
  type CompressProtocol,
  type CompressReference,
  type CompressResult,
  type CompressRow,
} from '../../../shared/compress.js';
import { augmentationFor, type ClassificationReport, type NetworkDescription } from '../../../shared/evaluate.js';
import { channelStats, cropPadding, type ChannelNorm, type ImageSource } from '../../data/batches.js';
import { IMAGES_FILE } from '../../data/staged.js';
import { PackedImages, type ImageShape } from '../../data/tensor-store.js';
import { selectBackend } from '../backend/ladder.js';
import { explainOutOfMemory } from '../backend/out-of-memory.js';
import { meanPsnr, meanSsim } from '../embed/metrics.js';
import { trainingRows } from '../evaluate/job.js';
import { loadModelFolder } from '../evaluate/model-io.js';
import { buildNetwork, specOf } from '../evaluate/networks/index.js';
import { testModel, trainClassifier, type LabelledImages } from '../evaluate/train.js';
import { JobUserError, type JobContext } from '../jobs/context.js';
import type { JobHandler } from '../jobs/handler.js';
import { deriveSeed, mulberry32 } from '../nn/prng.js';
import { decodedCopy, fileSizes, writeAtomically } from './cache.js';
import type { JpegOptions } from './codec.js';
import { COMPRESS_FILES, evenlySpaced, studyGrid, type CompressJobContext, type GridPoint } from './context.js';

/** What the study has finished: written after every piece, read by `resume`. */
interface StudyState {
  fingerprint: string;
  model: string | null;
  reference: CompressReference | null;
  codec: CodecPoint[];
  rows: CompressRow[];
  /** Seconds the study has run, over all its attempts, until its last finished piece. */
  seconds: number;
}

/** Images chosen per dataset index from several decoded copies (retrain's and mixed's training data). */
class PickedImages implements ImageSource {
  private readonly bytes: number;
  constructor(
    readonly shape: ImageShape,
    private readonly copies: readonly Buffer[],
    /** Which copy each dataset index comes from. */
    private readonly choice: Uint8Array,
  ) {
    this.bytes = shape.width * shape.height * shape.channels;
  }
  gather(indices: ArrayLike<number>): Uint8Array {
    const out = new Uint8Array(indices.length * this.bytes);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      const copy = this.copies[this.choice[i]!]!;
      out.set(copy.subarray(i * this.bytes, (i + 1) * this.bytes), k * this.bytes);
    }
    return out;
  }
}

/** A seeded choice per dataset index among `options` copies (0..options−1), uniform. */
function seededChoice(count: number, options: number, seed: number, stream: string): Uint8Array {
  const rng = mulberry32(deriveSeed(seed, stream));
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.min(options - 1, Math.floor(rng() * options));
  return out;
}

function fingerprintOf(p: CompressParams, c: CompressJobContext): string {
  const model = c.model.kind === 'stored' ? { stored: c.model.dir } : { baseline: c.model.network };
  return JSON.stringify({ ...p, backend: undefined, dataset: c.datasetHash, model });
}

function readState(file: string): StudyState | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StudyState;
  } catch {
    return null;
  }
}

const rowOf = (
  protocol: CompressProtocol,
  point: GridPoint,
  report: ClassificationReport,
  trainSeconds: number,
): CompressRow => ({
  protocol,
  quality: point.quality,
  subsampling: point.subsampling,
  accuracy: report.accuracy,
  loss: report.loss,
  perClass: report.perClass,
  perGroup: report.perGroup,
  groupStd: report.groupStd,
  trainSeconds,
});

async function run(ctx: JobContext<CompressJobContext>, params: CompressParams): Promise<CompressResult> {
  const c = ctx.hostContext;
  const started = performance.now();
  const backend = (await selectBackend(params.backend === 'auto' ? ctx.backendPreference : params.backend)).selected;
  const shape = c.shape;
  const grid = studyGrid(params, shape.channels);
  const notes: string[] = [];
  if (shape.channels === 1 && params.subsampling.length > 1) {
    notes.push(
      `The images are grey: a grey JPEG has no chroma to subsample, so 4:2:0 and 4:4:4 give the same file and the study ran ${grid[0]!.subsampling} only.`,
    );
  }
  const images = PackedImages.load(path.join(c.datasetDir, IMAGES_FILE), shape);
  const trainRows = trainingRows(c, params.limitPerClass, params.seed);
  const testRows = c.splits.flatMap((s, row) => (s === 'test' ? [row] : []));
  const sizeRows = evenlySpaced(testRows, params.sizeSample);
  const protocols = new Set(params.protocols);
  const optionsAt = (p: GridPoint): JpegOptions => ({
    quality: p.quality,
    subsampling: p.subsampling,
    mozjpeg: params.mozjpeg,
  });

  const stateFile = path.join(ctx.jobDir, COMPRESS_FILES.state);
  const fingerprint = fingerprintOf(params, c);
  let state: StudyState = { fingerprint, model: null, reference: null, codec: [], rows: [], seconds: 0 };
  if (ctx.resume) {
    const saved = readState(stateFile);
    if (saved && saved.fingerprint !== fingerprint) {
      throw new JobUserError(
        "This study's saved progress was written with other settings or another version of the dataset; it cannot be continued. Start a new study.",
      );
    }
    if (saved) {
      state = saved;
      ctx.log(
        'info',
        `Resuming: ${state.codec.length} grid points encoded and ${state.rows.length} accuracy rows done before.`,
      );
    }
  }
  const secondsBefore = state.seconds ?? 0;
  const elapsed = () => secondsBefore + (performance.now() - started) / 1000;
  const record = (data: CompressPointData) => {
    state.seconds = elapsed();
    if (data.kind === 'codec') state.codec.push(data.point);
    if (data.kind === 'accuracy') state.rows.push(data.row);
    if (data.kind === 'reference') {
      state.reference = data.reference;
      state.model = data.model;
    }
    writeAtomically(stateFile, JSON.stringify(state));
    ctx.emit({ type: 'compress-point', data });
  };

  // progress: one unit per encoded image, training step and tested image
  const stepsPerTraining = params.epochs * Math.max(1, Math.floor(trainRows.length / params.batch));
  const trainings =
    (c.model.kind === 'baseline' ? 1 : 0) +
    (protocols.has('retrain') ? grid.length : 0) +
    (protocols.has('mixed') ? 1 : 0);
  const total =
    grid.length * images.count +
    trainings * stepsPerTraining * params.batch +
    (grid.length * params.protocols.length + 1) * testRows.length;
  // two phases, each with its own rate (encoding an image is far quicker than a training step): the copies of the
  // dataset first, then the trainings and tests; each phase's share of the bar is its share of the units
  const encodingTotal = grid.length * images.count;
  const testingTotal = Math.max(1, total - encodingTotal);
  ctx.phases([
    { name: 'encoding', weight: encodingTotal },
    { name: 'testing', weight: testingTotal },
  ]);
  let phase: 'encoding' | 'testing' = 'encoding';
  let encoded = 0;
  let tested = 0;
  const advance = (units: number, message: string) => {
    if (phase === 'encoding') encoded += units;
    else tested += units;
    const [done, of] = phase === 'encoding' ? [encoded, encodingTotal] : [tested, testingTotal];
    ctx.progress({ done: Math.min(done, of), total: of, phase, message });
  };

  // ---- the codec: one decoded copy of the dataset per grid point ------------------------------------------------
  const copies = new Map<string, Buffer>();
  const copyAt = async (p: GridPoint): Promise<{ data: Buffer; cached: boolean; seconds: number }> => {
    const key = gridKey(p.quality, p.subsampling);
    const kept = copies.get(key);
    if (kept) return { data: kept, cached: true, seconds: 0 };
    let last = 0;
    const copy = await decodedCopy(c.cacheDir, c.datasetHash, images.data, shape, optionsAt(p), (n) => {
      advance(
        n - last,
        `Encoding point ${grid.indexOf(p) + 1} of ${grid.length} (quality ${p.quality}, ${p.subsampling}): ${n} of ${images.count} images`,
      );
      last = n;
    });
    if (copy.cached)
      advance(
        images.count,
        `Point ${grid.indexOf(p) + 1} of ${grid.length} (quality ${p.quality}, ${p.subsampling}): from the cache`,
      );
    copies.set(key, copy.data);
    ctx.checkCancelled();
    return copy;
  };
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const referenceBytes = meanOf(
    await fileSizes(c.cacheDir, c.datasetHash, images.data, shape, sizeRows, {
      quality: REFERENCE_QUALITY,
      subsampling: REFERENCE_SUBSAMPLING,
      mozjpeg: params.mozjpeg,
    }),
  );
  const originalTest = images.gather(testRows);
  for (const point of grid) {
    const copy = await copyAt(point);
    if (state.codec.some((q) => q.quality === point.quality && q.subsampling === point.subsampling)) continue;
    const decoded = PackedImages.wrap(copy.data, shape).gather(testRows);
    const meanBytes = meanOf(
      await fileSizes(c.cacheDir, c.datasetHash, images.data, shape, sizeRows, optionsAt(point)),
    );
    record({
      kind: 'codec',
      point: {
        ...point,
        meanBytes,
        bitsPerPixel: (meanBytes * 8) / (shape.width * shape.height),
        compressionRate: meanBytes / referenceBytes,
        psnr: meanPsnr(originalTest, decoded, shape.width, shape.height, shape.channels),
        ssim: meanSsim(originalTest, decoded, shape.width, shape.height, shape.channels),
        sampled: sizeRows.length,
        cached: copy.cached,
        seconds: copy.seconds,
      },
    });
    ctx.log(
      'info',
      `Quality ${point.quality}, ${point.subsampling}: ${meanBytes.toFixed(0)} bytes per image${copy.cached ? ' (decoded copy from the cache)' : `, encoded and decoded in ${copy.seconds.toFixed(1)} s`}.`,
    );
  }
  phase = 'testing';

  // ---- training and testing ------------------------------------------------------------------------------------
  const input = { ...shape, classes: c.classNames.length };
  const testOn = (source: ImageSource): LabelledImages => ({
    source,
    rows: testRows,
    labels: c.labels,
    groups: c.groups,
  });
  const trainNorm = channelStats(images, trainRows);
  const augment = augmentationFor('auto', shape.channels);
  const checkpoints = path.join(ctx.jobDir, COMPRESS_FILES.checkpoints);

  /** Trains `network` from scratch on `train`; tests after each epoch on `test`. */
  const train = async (
    what: string,
    network: NetworkDescription,
    trainSource: ImageSource,
    test: LabelledImages,
    dir: string,
  ) => {
    const net = buildNetwork(specOf(network), input, params.seed);
    let lastDone = 0;
    try {
      const outcome = await trainClassifier(
        net,
        { train: { source: trainSource, rows: trainRows, labels: c.labels }, test },
        trainNorm,
        {
          epochs: params.epochs,
          batch: params.batch,
          lr: params.lr,
          lrMin: 0,
          momentum: 0.9,
          weightDecay: 3e-4,
          gradClip: 5,
          auxWeight: network.auxiliary ? 0.4 : 0,
          dropPath: network.dropPath,
          cropPad: augment ? cropPadding(shape) : 0,
          flip: augment && shape.channels === 3,
          seed: params.seed,
          classNames: c.classNames,
        },
        {
          onStep: async ({ epoch, step, steps, done: d }) => {
            advance(
              (d - lastDone) * params.batch,
              `${what}: epoch ${epoch + 1}/${params.epochs}, step ${step + 1}/${steps}`,
            );
            lastDone = d;
            await new Promise((r) => setImmediate(r));
            ctx.checkCancelled();
          },
          onEpoch: (data) =>
            ctx.log(
              'info',
              `${what}: epoch ${data.epoch}/${data.epochs}, train accuracy ${(data.trainAccuracy * 100).toFixed(1)}%, test ${(data.testAccuracy * 100).toFixed(1)}%.`,
            ),
          log: (level, message) => ctx.log(level, message),
          checkpoint: { dir, resume: true, fingerprint },
        },
      ).catch((e: unknown) => {
        throw explainOutOfMemory(
          e,
          { job: 'compression study', batch: params.batch, channels: network.channels },
          backend,
        );
      });
      return { net, outcome };
    } catch (e) {
      net.dispose();
      throw e;
    }
  };
  if (!ctx.resume) fs.rmSync(checkpoints, { recursive: true, force: true });

  const rowDone = (protocol: CompressProtocol, p: GridPoint) =>
    state.rows.some((r) => r.protocol === protocol && r.quality === p.quality && r.subsampling === p.subsampling);

  // the model under study, and its accuracy on the originals
  let model: tf.LayersModel;
  let modelNorm: ChannelNorm;
  let modelName: string;
  let disposeModel: () => void;
  let network: NetworkDescription | null;
  if (c.model.kind === 'baseline') {
    network = c.model.network;
    const { net, outcome } = await train(
      `Baseline ${network.label}`,
      network,
      images,
      testOn(images),
      path.join(checkpoints, 'baseline'),
    );
    model = net.inference;
    modelNorm = trainNorm;
    modelName = network.label;
    disposeModel = () => net.dispose();
    if (!state.reference)
      ctx.log(
        'info',
        `Baseline trained in ${outcome.seconds.toFixed(0)} s: ${(outcome.test.accuracy * 100).toFixed(1)}% on the original test images.`,
      );
  } else {
    const loaded = await loadModelFolder(c.model.dir);
    model = loaded.model;
    modelNorm = { mean: loaded.report.preprocessing.mean, std: loaded.report.preprocessing.std };
    modelName = c.model.name;
    network = c.model.network;
    disposeModel = () => loaded.model.dispose();
  }
  try {
    if (!state.reference) {
      const report = testModel(model, testOn(images), modelNorm, c.classNames);
      advance(testRows.length, 'Tested on the original images');
      record({
        kind: 'reference',
        model: modelName,
        reference: { accuracy: report.accuracy, perGroup: report.perGroup, groupStd: report.groupStd, referenceBytes },
      });
    }

    if (protocols.has('test')) {
      for (const point of grid) {
        if (rowDone('test', point)) continue;
        const report = testModel(
          model,
          testOn(PackedImages.wrap((await copyAt(point)).data, shape)),
          modelNorm,
          c.classNames,
        );
        advance(testRows.length, `Tested at quality ${point.quality}, ${point.subsampling}`);
        record({ kind: 'accuracy', row: rowOf('test', point, report, 0) });
        ctx.checkCancelled();
      }
    }
  } finally {
    disposeModel();
  }

  const needsNetwork = protocols.has('retrain') || protocols.has('mixed');
  if (needsNetwork && !network)
    throw new JobUserError(
      `Model "${modelName}" records no network, so it cannot be retrained. Run the study with the test protocol only, or train a baseline first.`,
    );

  if (protocols.has('mixed') && grid.some((p) => !rowDone('mixed', p))) {
    const gridCopies = await Promise.all(grid.map(async (p) => (await copyAt(p)).data));
    const source = new PickedImages(
      shape,
      gridCopies,
      seededChoice(images.count, grid.length, params.seed, 'compress-mixed'),
    );
    const first = PackedImages.wrap(gridCopies[0]!, shape);
    const { net, outcome } = await train(
      'Mixed-quality network',
      network!,
      source,
      testOn(first),
      path.join(checkpoints, 'mixed'),
    );
    try {
      for (const [k, point] of grid.entries()) {
        if (rowDone('mixed', point)) continue;
        const report = testModel(
          net.inference,
          testOn(PackedImages.wrap(gridCopies[k]!, shape)),
          trainNorm,
          c.classNames,
        );
        advance(testRows.length, `Mixed network tested at quality ${point.quality}, ${point.subsampling}`);
        record({ kind: 'accuracy', row: rowOf('mixed', point, report, outcome.seconds) });
      }
    } finally {
      net.dispose();
    }
  }

  if (protocols.has('retrain')) {
    for (const point of grid) {
      if (rowDone('retrain', point)) continue;
      const at = await copyAt(point);
      const high = await copyAt({ quality: REFERENCE_QUALITY, subsampling: point.subsampling });
      // half the training images at this point, half at quality 95 (a seeded coin per image)
      const source = new PickedImages(
        shape,
        [at.data, high.data],
        seededChoice(images.count, 2, params.seed, `compress-retrain-${gridKey(point.quality, point.subsampling)}`),
      );
      const dir = path.join(checkpoints, `retrain-${gridKey(point.quality, point.subsampling)}`);
      const { net, outcome } = await train(
        `Retraining at quality ${point.quality}, ${point.subsampling}`,
        network!,
        source,
        testOn(PackedImages.wrap(at.data, shape)),
        dir,
      );
      net.dispose();
      advance(testRows.length, `Retrained network tested at quality ${point.quality}, ${point.subsampling}`);
      record({ kind: 'accuracy', row: rowOf('retrain', point, outcome.test, outcome.seconds) });
      // the row is saved; this training's weights are not needed again
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  const order = (r: CompressRow) =>
    `${params.protocols.indexOf(r.protocol)}-${String(1000 - r.quality).padStart(4, '0')}-${r.subsampling}`;
  return {
    model: modelName,
    network,
    notes,
    reference: state.reference!,
    codec: [...state.codec].sort((a, b) => b.quality - a.quality || a.subsampling.localeCompare(b.subsampling)),
    rows: [...state.rows].sort((a, b) => order(a).localeCompare(order(b))),
    seconds: elapsed(),
    backend,
  };
}

export const compressHandler: JobHandler<CompressParams, CompressResult, CompressJobContext> = {
  kind: 'compress',
  params: CompressParams,
  resumable: true,
  run,
};
