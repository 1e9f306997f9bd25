/**
 * The images a training job sees: the dataset's own, or — with a JPEG stage ([Poyser-thesis §6]: compression at
 * the autoencoder, search or evaluation stage) — the dataset after a JPEG round trip, from the compression
 * study's on-disk cache (encoded once per dataset, quality, subsampling and mozjpeg setting, whichever job or
 * study asked first). The decoded copy is deterministic, so a resumed job sees the same pixels as before.
 */
import path from 'node:path';
import type { JobPhase } from '../../../shared/progress.js';
import type { JpegStage } from '../../../shared/jpeg-stage.js';
import { IMAGES_FILE } from '../../data/staged.js';
import { PackedImages, type ImageShape } from '../../data/tensor-store.js';
import type { JobContext } from '../jobs/context.js';
import { decodedCopy } from './cache.js';

/** What a job needs from its host to load its images, compressed or not. */
export interface JobImagesHost {
  datasetDir: string;
  /** The dataset's content fingerprint: the cache's key. */
  datasetHash: string;
  shape: ImageShape;
  /** The compression study's cache of decoded JPEG copies, shared by every job and study of the data folder. */
  cacheDir: string;
}

/** The phase name the encoding reports under. */
export const ENCODING_PHASE = 'encoding';

/**
 * The encoding phase to put first in a job's plan when it compresses its images (none when it does not). A small
 * share: encoding a dataset takes seconds where training takes minutes, and nothing once cached.
 */
export function encodingPhases(jpeg: JpegStage | null): JobPhase[] {
  return jpeg ? [{ name: ENCODING_PHASE, weight: 0.2 }] : [];
}

/**
 * The subsampling the codec is asked for: grey images have no colour to subsample, so 4:2:0 and 4:4:4 give the
 * same file; they are encoded as 4:4:4, the entry a compression study of a grey dataset makes.
 */
export function effectiveSubsampling(jpeg: JpegStage, channels: number): JpegStage['subsampling'] {
  return channels === 1 ? '4:4:4' : jpeg.subsampling;
}

/**
 * The job's images: the dataset's packed images when `jpeg` is null, else its decoded JPEG copy at `jpeg`
 * (from the cache, or encoded now and cached), with a log line saying which, and the encoding's progress as the
 * `encoding` phase (declare it with `encodingPhases`).
 */
export async function jobImages(ctx: JobContext, c: JobImagesHost, jpeg: JpegStage | null): Promise<PackedImages> {
  const original = PackedImages.load(path.join(c.datasetDir, IMAGES_FILE), c.shape);
  if (!jpeg) return original;
  const subsampling = effectiveSubsampling(jpeg, c.shape.channels);
  const label = `quality ${jpeg.quality} (${subsampling}${jpeg.mozjpeg ? ', mozjpeg' : ''})`;
  if (c.shape.channels === 1 && jpeg.subsampling !== subsampling)
    ctx.log(
      'info',
      'Grey images have no colour to subsample: 4:2:0 and 4:4:4 give the same file, so they are encoded as 4:4:4 (as a compression study of grey images does).',
    );
  const total = original.count;
  ctx.progress({ done: 0, total, phase: ENCODING_PHASE, message: `Compressing ${total} images at ${label}` });
  const copy = await decodedCopy(
    c.cacheDir,
    c.datasetHash,
    original.data,
    c.shape,
    { ...jpeg, subsampling },
    (done) => {
      ctx.progress({
        done,
        total,
        phase: ENCODING_PHASE,
        message: `Compressing at ${label}: ${done} of ${total} images`,
      });
    },
  );
  ctx.progress({ done: total, total, phase: ENCODING_PHASE, message: `Images compressed at ${label}` });
  ctx.log(
    'info',
    `Compressed the images at ${label} — ${copy.cached ? 'from the cache' : `encoded in ${copy.seconds.toFixed(1)} s`}.`,
  );
  ctx.checkCancelled();
  return PackedImages.wrap(copy.data, c.shape);
}
