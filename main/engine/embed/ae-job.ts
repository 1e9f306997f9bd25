/**
 * The `autoencoder` job (engine worker): train the similarity autoencoder of DDS-NAS (Sec. 3.2, Table 1) on a
 * dataset's training split (or leave it untrained: the paper's ablation), embed every image, measure how well
 * the latent space clusters (k-NN agreement, silhouette) and reconstructs (PSNR, SSIM) on the test split, map
 * it to 2-D, and stage the files for the host to commit.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  AE_PRESETS,
  AeTrainParams,
  type AeDetail,
  type AeMapPoint,
  type AeMetrics,
  type AePreset,
} from '../../../shared/autoencoder.js';
import type { Split } from '../../../shared/datasets.js';
import { AE_BATCH_NORM_IMAGES, AE_QUALITY_IMAGES } from '../../../shared/autoencoder-defaults.js';
import { jpegStageOf } from '../../../shared/jpeg-stage.js';
import { encodingPhases, jobImages, type JobImagesHost } from '../compress/job-images.js';
import { selectBackend } from '../backend/ladder.js';
import { JobCancelledError, JobUserError, type JobContext } from '../jobs/context.js';
import type { JobHandler } from '../jobs/handler.js';
import { AE_FILES, writeWeights, type AeFileSummary } from './ae-files.js';
import { Autoencoder } from './autoencoder.js';
import { latentMap } from './map.js';
import { knnAgreement, meanPsnr, meanSsim, silhouette, stratifiedSample } from './metrics.js';
import { calibrateBatchNorm, embedAll, reconstruct, trainAutoencoder } from './train.js';

/** What the host looks up for an autoencoder job (the engine never reads the store). */
export interface AeJobContext extends JobImagesHost {
  datasetName: string;
  labels: number[];
  splits: Split[];
  classNames: string[];
}

export const AE_STAGING = 'staging';
/** Reconstructions kept for the UI's grid: up to this many test images, spread over the classes. */
const RECONSTRUCTIONS_KEPT = 64;
/** Images in the all-images k-NN agreement (exact k-NN is O(n²)): a stratified sample above this. */
const KNN_MAX_IMAGES = 10_000;
/** The job's phases: training the network, then embedding every image, measuring and drawing the latent map. */
const AE_PHASES = [
  { name: 'training', weight: 9 },
  { name: 'embedding', weight: 1 },
] as const;

export interface AeJobResult {
  staged: true;
  metrics: AeMetrics;
}

/** The preset's settings with the params' overrides; 'custom' when losses or weighting differ from the preset. */
export function resolveAeSettings(
  params: AeTrainParams,
  channels: 1 | 3,
): { preset: AePreset | 'custom'; losses: AeTrainParams['losses'] & object; kendall: boolean; dim: number } {
  const base = params.preset ?? (channels === 1 ? 'mnist-like' : 'rgb');
  const p = AE_PRESETS[base];
  const losses = params.losses ?? p.losses;
  const kendall = params.kendall ?? (params.losses ? losses.length > 1 && p.kendall : p.kendall);
  const same = losses.length === p.losses.length && losses.every((l) => p.losses.includes(l)) && kendall === p.kendall;
  return { preset: same ? base : 'custom', losses, kendall, dim: params.dim ?? p.dim };
}

/** Up to `count` test rows, round-robin over classes, so the grid shows every class. */
function spreadOverClasses(rows: number[], labels: number[], count: number): number[] {
  const byClass = new Map<number, number[]>();
  for (const r of rows) {
    const l = labels[r]!;
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(r);
  }
  const queues = [...byClass.keys()].sort((a, b) => a - b).map((l) => byClass.get(l)!);
  const out: number[] = [];
  for (let k = 0; out.length < count && queues.some((q) => k < q.length); k++)
    for (const q of queues) if (k < q.length && out.length < count) out.push(q[k]!);
  return out;
}

function rowsOf(dim: number, all: Float32Array, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(all.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

async function run(ctx: JobContext<AeJobContext>, params: AeTrainParams): Promise<AeJobResult> {
  const c = ctx.hostContext;
  const report = await selectBackend(params.backend === 'auto' ? ctx.backendPreference : params.backend);
  ctx.log('info', `Backend: ${report.selected}.`);
  const { preset, losses, kendall, dim } = resolveAeSettings(params, c.shape.channels);
  if (c.shape.width < 28 || c.shape.width > 64 || c.shape.width !== c.shape.height) {
    throw new JobUserError(
      `The autoencoder takes square images of 28 to 64 px; dataset "${c.datasetName}" has ${c.shape.width}×${c.shape.height}. Import it again with --size 32.`,
    );
  }
  const train: number[] = [];
  const test: number[] = [];
  c.splits.forEach((s, i) => (s === 'train' ? train : test).push(i));
  if (train.length < params.batch)
    throw new JobUserError(
      `Dataset "${c.datasetName}" has ${train.length} training images, fewer than one batch of ${params.batch}.`,
    );
  const jpeg = jpegStageOf(params);
  // embedding, measuring and drawing the map: a few seconds against minutes of training
  ctx.phases([...encodingPhases(jpeg), ...(params.untrained ? [{ name: 'embedding', weight: 1 }] : AE_PHASES)]);
  const images = await jobImages(ctx, c, jpeg);
  const labels = Int32Array.from(c.labels);
  const ae = new Autoencoder({ inputSize: c.shape.width, channels: c.shape.channels, dim, seed: params.seed });
  const history: AeDetail['history'] = [];
  const t0 = performance.now();
  try {
    if (!params.untrained) {
      ctx.log(
        'info',
        `Training ${preset} (${losses.join(' + ')}${kendall ? ', Kendall weighting' : ''}, N=${dim}) for ${params.epochs} epochs, batch ${params.batch}, on ${train.length} images.`,
      );
      try {
        await trainAutoencoder(ae, images, labels, train, {
          losses,
          kendall,
          epochs: params.epochs,
          batch: params.batch,
          lr: params.lr,
          lrSchedule: params.lrSchedule,
          seed: params.seed,
          signal: ctx.signal,
          onStep: (done, total) =>
            ctx.progress({ done, total, phase: 'training', message: `Step ${done} of ${total}` }),
          onEpoch: (e) => {
            history.push(e);
            ctx.metric('loss', e.loss, { epoch: e.epoch });
            for (const [k, v] of Object.entries(e.terms)) ctx.metric(`loss/${k}`, v, { epoch: e.epoch });
            for (const [k, v] of Object.entries(e.weights ?? {})) ctx.metric(`weight/${k}`, v, { epoch: e.epoch });
          },
        });
      } catch (e) {
        if (e instanceof Error && e.name === 'AbortError') throw new JobCancelledError();
        throw e;
      }
    } else {
      // random weights, but batch-norm statistics of the data, as a trained model gets at the end of training
      await calibrateBatchNorm(ae, images, train.slice(0, AE_BATCH_NORM_IMAGES), 256, ctx.signal);
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    ctx.checkCancelled();
    ctx.progress({ done: 0, total: 3, phase: 'embedding', message: 'Embedding every image…' });
    const embeddings = embedAll(ae, images);
    ctx.checkCancelled();

    ctx.progress({ done: 1, total: 3, phase: 'embedding', message: 'Measuring the latent space…' });
    const testLabels = test.map((r) => c.labels[r]!);
    const testEmb = rowsOf(dim, embeddings, test);
    const knnTest = knnAgreement(testEmb, dim, testLabels, 5);
    const sample =
      c.labels.length > KNN_MAX_IMAGES
        ? stratifiedSample(c.labels, KNN_MAX_IMAGES, params.seed)
        : c.labels.map((_, i) => i);
    const knn = knnAgreement(
      rowsOf(dim, embeddings, sample),
      dim,
      sample.map((r) => c.labels[r]!),
      5,
    );
    const sil = silhouette(testEmb, dim, testLabels, { seed: params.seed });
    const quality = test.slice(0, AE_QUALITY_IMAGES);
    const recon = reconstruct(ae, images, quality);
    const size = images.bytesPerImage;
    const original = images.gather(quality);
    const psnr = meanPsnr(original, recon, c.shape.width, c.shape.height, c.shape.channels);
    const ssim = meanSsim(original, recon, c.shape.width, c.shape.height, c.shape.channels);
    const metrics: AeMetrics = {
      knnAgreement: knn,
      knnAgreementTest: knnTest,
      silhouette: sil,
      psnr,
      ssim,
      trainSeconds: Math.round(trainSeconds * 10) / 10,
    };
    for (const [k, v] of Object.entries(metrics)) ctx.metric(`metric/${k}`, v);
    ctx.checkCancelled();

    ctx.progress({ done: 2, total: 3, phase: 'embedding', message: 'Drawing the latent map…' });
    const order = [...test, ...train].slice(0, params.mapPoints);
    let map: AeMapPoint[] = [];
    let mapMethod = 'none';
    if (order.length >= 3) {
      const m = latentMap(rowsOf(dim, embeddings, order), dim, {
        maxPoints: params.mapPoints,
        seed: params.seed,
        method: 'umap',
        labels: order.map((r) => c.labels[r]!),
      });
      mapMethod = m.method;
      map = m.indices.map((k, i) => ({
        x: m.points[2 * i]!,
        y: m.points[2 * i + 1]!,
        label: c.labels[order[k]!]!,
        index: order[k]!,
      }));
    }

    const staging = path.join(ctx.jobDir, AE_STAGING);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const weights = writeWeights(staging, ae.getWeights());
    fs.writeFileSync(
      path.join(staging, AE_FILES.embeddings),
      Buffer.from(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength),
    );
    fs.writeFileSync(path.join(staging, AE_FILES.map), JSON.stringify(map));
    const kept = spreadOverClasses(quality, c.labels, RECONSTRUCTIONS_KEPT);
    const keptPixels = new Uint8Array(kept.length * size);
    kept.forEach((r, i) => {
      const k = quality.indexOf(r);
      keptPixels.set(recon.subarray(k * size, (k + 1) * size), i * size);
    });
    fs.writeFileSync(path.join(staging, AE_FILES.reconstructions), keptPixels);
    const summary: AeFileSummary = {
      version: 1,
      datasetId: params.datasetId,
      preset,
      losses,
      kendall,
      dim,
      inputSize: c.shape.width,
      channels: c.shape.channels,
      epochs: params.untrained ? 0 : params.epochs,
      batch: params.batch,
      lr: params.lr,
      seed: params.seed,
      untrained: params.untrained,
      backend: report.selected,
      metrics,
      history,
      mapMethod,
      weights,
      reconstructionIndices: kept,
      embedded: images.count,
      jpeg,
    };
    fs.writeFileSync(path.join(staging, AE_FILES.summary), JSON.stringify(summary));
    ctx.log(
      'info',
      `k-NN agreement ${knn.toFixed(3)} (test split alone ${knnTest.toFixed(3)}), silhouette ${sil.toFixed(3)}, PSNR ${psnr.toFixed(2)} dB, SSIM ${ssim.toFixed(3)}; ${trainSeconds.toFixed(1)} s of training.`,
    );
    return { staged: true, metrics };
  } finally {
    ae.dispose();
  }
}

export const autoencoderHandler: JobHandler<AeTrainParams, AeJobResult, AeJobContext> = {
  kind: 'autoencoder',
  params: AeTrainParams,
  // an interrupted training starts over (30 epochs of a small network; checkpoints are the search's business)
  resumable: false,
  run,
};
