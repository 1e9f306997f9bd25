/**
 * The `search` job: refusals, the train_w / train_α pools, the selection strategy and its embeddings, the supernet,
 * then the trainer (trainer.ts: epochs, steps, metrics, checkpoints), and last the supernet's test accuracy and the
 * genotype with its provenance.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Genotype } from '../../../shared/genotype.js';
import { formatGenotype } from '../../../shared/genotype/text.js';
import { SearchParams, pdartsPlan, type SearchResult } from '../../../shared/search.js';
import { defaultSubsetSize } from '../../../shared/search-defaults.js';
import { channelStats, normalizedBatch, type ChannelNorm } from '../../data/batches.js';
import type { PackedImages } from '../../data/tensor-store.js';
import { jpegStageOf } from '../../../shared/jpeg-stage.js';
import { encodingPhases, jobImages } from '../compress/job-images.js';
import { selectBackend } from '../backend/ladder.js';
import { JobUserError, type JobContext } from '../jobs/context.js';
import type { JobPhase } from '../../../shared/progress.js';
import type { JobHandler } from '../jobs/handler.js';
import { writeGenotypeFile } from '../jobs/genotype-file.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { selectionEmbeddings, storedCodesServe } from '../selection/embeddings.js';
import { createSelection } from '../selection/index.js';
import type { SelectionPools } from '../selection/strategy.js';
import { DartsSupernet } from '../spaces/darts/supernet.js';
import { Nb201Supernet } from '../spaces/nb201/supernet.js';
import type { Supernet, SupernetConfig } from '../spaces/supernet.js';
import { SEARCH_FILES, cellsFor, searchRefusal, type SearchJobContext } from './context.js';
import { supernetOptions } from './algorithms/index.js';
import { SearchTrainer } from './trainer.js';

export function createSupernet(space: SearchParams['space'], config: SupernetConfig): Supernet {
  return space === 'darts' ? new DartsSupernet(config) : new Nb201Supernet(config);
}

/** train_w / train_α rows, each capped at floor(limitPerClass / 2) per class (a seeded choice). */
export function searchPools(
  c: Pick<SearchJobContext, 'labels' | 'halves' | 'classNames'>,
  limitPerClass: number | null,
  seed: number,
): SelectionPools {
  const classes = c.classNames.length;
  const byClass = {
    w: Array.from({ length: classes }, () => [] as number[]),
    a: Array.from({ length: classes }, () => [] as number[]),
  };
  c.halves.forEach((h, row) => {
    if (h) byClass[h][c.labels[row]!]!.push(row);
  });
  const cap = limitPerClass == null ? Infinity : Math.floor(limitPerClass / 2);
  const rng = mulberry32(deriveSeed(seed, 'search-limit'));
  const take = (lists: number[][]) =>
    lists.flatMap((rows) =>
      rows.length > cap ? (shuffleInPlace([...rows], rng) as number[]).slice(0, cap).sort((x, y) => x - y) : rows,
    );
  return { train: take(byClass.w), val: take(byClass.a), labels: c.labels, classes };
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
    ctx.progress({
      done: start,
      total: rows.length,
      phase: 'testing',
      message: `Testing the supernet on ${rows.length} test images`,
    });
    const part = rows.slice(start, start + batch);
    const b = normalizedBatch(images, part, labels, norm);
    const pred = tf.tidy(() => tf.argMax(net.logits(b.x), 1));
    const p = pred.dataSync();
    part.forEach((r, i) => (correct += p[i] === labels[r] ? 1 : 0));
    tf.dispose([pred, b.x, b.labels]);
  }
  ctx.progress({ done: rows.length, total: rows.length, phase: 'testing', message: 'Supernet tested' });
  return { accuracy: rows.length ? correct / rows.length : 0, images: rows.length };
}

/**
 * The search's phases and their shares of its bar: compressing the images (only with a JPEG quality), making the
 * data selection's embeddings (only when the job trains or runs an autoencoder), the epochs, then testing the
 * supernet (one forward pass a test image).
 */
function searchPhases(params: SearchParams, c: SearchJobContext): JobPhase[] {
  const preparing = preparingWeight(params, c);
  return [
    ...encodingPhases(jpegStageOf(params)),
    ...(preparing > 0 ? [{ name: 'preparing', weight: preparing }] : []),
    { name: 'searching', weight: 8 },
    { name: 'testing', weight: 0.5 },
  ];
}

/**
 * The share of the bar that making DDS's embeddings takes: training an autoencoder first, or embedding every image
 * with an untrained one or with a stored one that saw other images (compressed differently); none when the stored
 * codes serve or the strategy needs none.
 */
function preparingWeight(params: SearchParams, c: SearchJobContext): number {
  if (params.strategy === 'dds-untrained') return c.autoencoder ? 0 : 0.5;
  if (params.strategy !== 'dds') return 0;
  if (!c.autoencoder) return 2;
  return storedCodesServe(c.autoencoder.dir, jpegStageOf(params), c.shape.channels) ? 0 : 0.5;
}

/** What must match between a checkpoint and the resumed job for "continue exactly" to hold. */
function fingerprintOf(p: SearchParams, c: SearchJobContext): string {
  return JSON.stringify({ ...p, backend: undefined, dataset: c.datasetHash });
}

async function run(ctx: JobContext<SearchJobContext>, params: SearchParams): Promise<SearchResult> {
  const c = ctx.hostContext;
  ctx.phases(searchPhases(params, c));
  const report = await selectBackend(params.backend === 'auto' ? ctx.backendPreference : params.backend);
  const backend = report.selected;
  const classes = c.classNames.length;
  const perClassHalves = Array.from({ length: classes }, () => ({ w: 0, a: 0 }));
  c.halves.forEach((h, row) => {
    if (h) perClassHalves[c.labels[row]!]![h]++;
  });
  const refusal = searchRefusal(params, {
    name: c.datasetName,
    classes,
    width: c.shape.width,
    height: c.shape.height,
    channels: c.shape.channels,
    perClassHalves,
    classNames: c.classNames,
  });
  if (refusal) throw new JobUserError(refusal);

  const jpeg = jpegStageOf(params);
  const images = await jobImages(ctx, c, jpeg);
  const pools = searchPools(c, params.limitPerClass, params.seed);
  const subset = params.subset ?? defaultSubsetSize({ classes, ...c.shape });
  const embeddings = await selectionEmbeddings(ctx, {
    params,
    shape: c.shape,
    labels: c.labels,
    autoencoder: c.autoencoder,
    images,
    pools,
    cacheFile: path.join(ctx.jobDir, SEARCH_FILES.embeddings),
    jpeg,
  });
  const selection = createSelection(params, pools, subset, embeddings);
  const norm = channelStats(images, pools.train);
  // P-DARTS starts at its first stage's depth (the algorithm builds the later stages' supernets)
  const cells = params.algorithm === 'p-darts' ? pdartsPlan(params)[0]!.cells : cellsFor(params);
  const net = createSupernet(params.space, {
    channels: params.channels,
    cells,
    inChannels: c.shape.channels,
    classes,
    seed: params.seed,
    ...supernetOptions(params),
  });
  const trainer = new SearchTrainer({
    ctx,
    params,
    net,
    selection,
    images,
    shape: c.shape,
    pools,
    norm,
    backend,
    fingerprint: fingerprintOf(params, c),
  });
  try {
    if (ctx.resume) trainer.resume();
    if (params.space === 'darts' && cells < 3) {
      ctx.log(
        'warn',
        `With ${cells} cell${cells === 1 ? '' : 's'} every DARTS cell is a reduction cell (reductions sit at cells/3 and 2·cells/3), so the normal cell's α is never trained and its genotype stays at its random start. Use 3 or more cells for a meaningful normal cell.`,
      );
    }
    const subsetNote =
      params.strategy === 'random' || params.strategy === 'dds' || params.strategy === 'dds-untrained'
        ? ` Subsets of ${subset} images.`
        : '';
    ctx.log(
      'info',
      `Backend ${backend}. ${params.space} supernet, C=${params.channels}, ${cells} ${params.space === 'darts' ? 'cells' : 'cells per stage'}, ${net.weights.size.toLocaleString('en')} weights. ` +
        `${pools.train.length} training + ${pools.val.length} validation images, algorithm ${params.algorithm}, strategy ${params.strategy}.${subsetNote}`,
    );
    const { history, seconds, images: images_ } = await trainer.train();
    const last = history[history.length - 1]!;
    trainer.algorithm.evaluationMode();
    const test = supernetTestAccuracy(ctx, trainer.net, images, c, pools.labels, norm, params.batch, params.seed);
    ctx.log('info', `Supernet test accuracy ${(test.accuracy * 100).toFixed(1)}% on ${test.images} test images.`);
    const genotype: Genotype = last.genotype;
    const genotypeText = formatGenotype(genotype);
    const { trainLoss, trainAccuracy, valLoss, valAccuracy } = last;
    const final = { trainLoss, trainAccuracy, valLoss, valAccuracy };
    writeGenotypeFile(ctx, path.join(ctx.jobDir, SEARCH_FILES.genotypeJson), genotype, {
      space: params.space,
      strategy: params.strategy,
      algorithm: params.algorithm,
      algorithmParams: trainer.algorithm.provenance(),
      seed: params.seed,
      epochs: params.epochs,
      ...(jpeg ? { jpeg: { quality: jpeg.quality, subsampling: jpeg.subsampling } } : {}),
      alphas: last.alphas,
      metrics: { ...final, seconds },
    });
    return {
      space: params.space,
      strategy: params.strategy,
      algorithm: params.algorithm,
      epochs: params.epochs,
      genotype,
      genotypeText,
      alphas: last.alphas,
      final,
      seconds,
      imagesPerSecond: seconds > 0 ? images_ / seconds : 0,
      imagesProcessed: images_,
      supernetTest: test,
      backend,
      files: { genotypeJson: path.join(ctx.jobDir, SEARCH_FILES.genotypeJson) },
    };
  } finally {
    // the last stage's supernet for P-DARTS (it disposed the earlier ones), else the one above
    trainer.net.dispose();
  }
}

export const searchHandler: JobHandler<SearchParams, SearchResult, SearchJobContext> = {
  kind: 'search',
  params: SearchParams,
  resumable: true,
  run,
};
