/**
 * The embeddings provider of DDS ([DDS-NAS] Sec. 3.2): the latent codes its per-class kd-trees are built over.
 * A stored autoencoder's embeddings (dds), or those of an autoencoder made for the job from the search's seed:
 * trained first (dds with trainAutoencoderEpochs) or untrained (dds-untrained, DDS-NAS' ablation). A stored
 * autoencoder's codes are of the images it saw itself; a search that sees other ones (compressed where the
 * autoencoder's were not, or at another quality: [Poyser-thesis §6] applies an autoencoder trained on originals to
 * compressed images) has it embed the search's images again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AE_PRESETS, AeTrainParams } from '../../../shared/autoencoder.js';
import type { JpegStage } from '../../../shared/jpeg-stage.js';
import type { SearchParams } from '../../../shared/search.js';
import { effectiveSubsampling } from '../compress/job-images.js';
import type { ImageShape, PackedImages } from '../../data/tensor-store.js';
import { AE_FILES, readEmbeddings, readSummary, readWeights } from '../embed/ae-files.js';
import { Autoencoder } from '../embed/autoencoder.js';
import { calibrateBatchNorm, embedAll, trainAutoencoder } from '../embed/train.js';
import { JobCancelledError, JobUserError, type JobContext } from '../jobs/context.js';
import { deriveSeed } from '../nn/prng.js';
import type { Embeddings } from './index.js';
import type { SelectionPools } from './strategy.js';

/**
 * How `--train-ae` trains the autoencoder: the autoencoder job's defaults ([DDS-NAS] Sec. 4.2: batch 8, Adam lr
 * 1e-3, constant), read from its schema so the two cannot drift apart.
 */
export function searchAutoencoderRecipe(): Pick<AeTrainParams, 'batch' | 'lr' | 'lrSchedule'> {
  const { batch, lr, lrSchedule } = AeTrainParams.parse({ datasetId: 1 });
  return { batch, lr, lrSchedule };
}

export interface EmbeddingsRequest {
  params: Pick<SearchParams, 'strategy' | 'seed' | 'trainAutoencoderEpochs'>;
  shape: ImageShape;
  /** Per stored image, in stored order. */
  labels: readonly number[];
  /** dds: the stored autoencoder chosen for the search, if any. */
  autoencoder: { id: number; dir: string; dim: number } | null;
  images: PackedImages;
  pools: SelectionPools;
  /** Where codes made by the job itself are kept (beside its checkpoint), so a resumed search reuses them exactly. */
  cacheFile: string;
  /** The JPEG round trip the search's images went through (null: none); see storedCodesServe. */
  jpeg: JpegStage | null;
}

/** The key of the pixels a JPEG stage gives (grey images: one subsampling), or 'original'. */
function imagesKey(jpeg: JpegStage | null | undefined, channels: number): string {
  return jpeg ? `q${jpeg.quality} ${effectiveSubsampling(jpeg, channels)} ${jpeg.mozjpeg}` : 'original';
}

/** Whether a stored autoencoder's codes are of the images the search sees (its summary records its JPEG stage). */
export function storedCodesServe(dir: string, jpeg: JpegStage | null, channels: number): boolean {
  // every stored autoencoder has a summary; a folder of bare codes (a test's stand-in) counts as the originals'
  const own = fs.existsSync(path.join(dir, AE_FILES.summary)) ? readSummary(dir).jpeg : null;
  return imagesKey(own, channels) === imagesKey(jpeg, channels);
}

/** The embeddings the search's strategy needs, or undefined for a strategy that needs none. */
export async function selectionEmbeddings(
  ctx: JobContext,
  request: EmbeddingsRequest,
): Promise<Embeddings | undefined> {
  const { params, autoencoder, images } = request;
  if (params.strategy === 'dds' && params.trainAutoencoderEpochs === undefined) {
    if (!autoencoder)
      throw new JobUserError(
        'DDS needs a trained autoencoder of this dataset; train one on the Autoencoder page (or `winnow ae train`), let the search train one first, or use dds-untrained.',
      );
    const data = readEmbeddings(autoencoder.dir, autoencoder.dim);
    if (data.length !== images.count * autoencoder.dim)
      throw new JobUserError(
        `Autoencoder ${autoencoder.id}'s embeddings do not cover this dataset's ${images.count} images; train a new autoencoder for it.`,
      );
    if (storedCodesServe(autoencoder.dir, request.jpeg, request.shape.channels)) {
      ctx.log('info', `DDS over autoencoder ${autoencoder.id} (N=${autoencoder.dim}).`);
      return { data, dim: autoencoder.dim };
    }
    ctx.log(
      'info',
      `DDS over autoencoder ${autoencoder.id} (N=${autoencoder.dim}): it saw other images than this search (compressed differently), so it embeds this search's images.`,
    );
    return cachedCodes(request.cacheFile, images.count * autoencoder.dim, autoencoder.dim, () => {
      ctx.progress({ done: 0, total: 1, phase: 'preparing', message: "Embedding this search's images…" });
      return embedWithStoredAutoencoder(autoencoder.dir, images);
    });
  }
  if (params.strategy !== 'dds' && params.strategy !== 'dds-untrained') return undefined;
  const dim = AE_PRESETS[request.shape.channels === 1 ? 'mnist-like' : 'rgb'].dim;
  return cachedCodes(request.cacheFile, images.count * dim, dim, () => embedWithOwnAutoencoder(ctx, request));
}

/** The codes in `file` when it holds `length` of them, else those `make` returns, written there first. */
async function cachedCodes(
  file: string,
  length: number,
  dim: number,
  make: () => Float32Array | Promise<Float32Array>,
): Promise<Embeddings> {
  if (fs.existsSync(file)) {
    const data = readFloats(file);
    if (data.length === length) return { data, dim };
  }
  const data = await make();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return { data, dim };
}

/** Every image's code from a stored autoencoder's weights (batch-norm statistics included, as it was saved). */
export function embedWithStoredAutoencoder(dir: string, images: PackedImages): Float32Array {
  const s = readSummary(dir);
  const ae = new Autoencoder({ inputSize: s.inputSize, channels: s.channels, dim: s.dim, seed: s.seed });
  try {
    ae.setWeights(readWeights(dir, s.weights));
    return embedAll(ae, images);
  } finally {
    ae.dispose();
  }
}

/** Every image's code from an autoencoder made here: DDS-NAS Table 1's preset, trained first or left untrained. */
async function embedWithOwnAutoencoder(ctx: JobContext, request: EmbeddingsRequest): Promise<Float32Array> {
  const { params, shape, images, pools } = request;
  const preset = AE_PRESETS[shape.channels === 1 ? 'mnist-like' : 'rgb'];
  const dim = preset.dim;
  const ae = new Autoencoder({
    inputSize: shape.width,
    channels: shape.channels,
    dim,
    seed: deriveSeed(params.seed, `${params.strategy}-autoencoder`),
  });
  try {
    if (params.strategy === 'dds') {
      // trained on train_w + train_α (never the test split)
      const epochs = params.trainAutoencoderEpochs!;
      const trainRows = [...pools.train, ...pools.val];
      const recipe = searchAutoencoderRecipe();
      ctx.log(
        'info',
        `Training the similarity autoencoder first: ${preset.losses.join(' + ')}, N=${dim}, ${epochs} epochs on ${trainRows.length} images, batch ${recipe.batch}, Adam lr ${recipe.lr}, ${recipe.lrSchedule}.`,
      );
      try {
        await trainAutoencoder(ae, images, Int32Array.from(request.labels), trainRows, {
          losses: [...preset.losses],
          kendall: preset.kendall,
          epochs,
          ...recipe,
          seed: params.seed,
          signal: ctx.signal,
          onStep: (done, total) =>
            ctx.progress({
              done,
              total: total + 1,
              phase: 'preparing',
              message: `Training the autoencoder for the data selection: step ${done} of ${total}`,
            }),
        });
      } catch (e) {
        if (e instanceof Error && e.name === 'AbortError') throw new JobCancelledError();
        throw e;
      }
    } else {
      // DDS-NAS' ablation: random weights, batch-norm statistics of the training images (as the autoencoder job's
      // untrained option does)
      ctx.progress({
        done: 0,
        total: 1,
        phase: 'preparing',
        message: 'Embedding every image with an untrained autoencoder…',
      });
      await calibrateBatchNorm(ae, images, pools.train.slice(0, 2048), 256, ctx.signal);
    }
    return embedAll(ae, images);
  } finally {
    ae.dispose();
  }
}

function readFloats(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
