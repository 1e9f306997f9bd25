/**
 * JPEG compression at one stage of the pipeline ([Poyser-thesis §6]: the autoencoder, the search or the
 * evaluation sees the dataset's images after a JPEG round trip). Two flat parameters, the same in the three job
 * kinds' schemas, so the CLI gets `--jpeg-quality` and `--jpeg-subsampling` and a form one number and one choice.
 * The decoded copies are the compression study's cached ones: the same quality and subsampling are encoded once.
 */
import { z } from 'zod';
import { COMPRESS_DEFAULTS, COMPRESS_LIMITS, SUBSAMPLINGS } from './compress-defaults.js';

export const Subsampling = z.enum(SUBSAMPLINGS);
export type Subsampling = z.infer<typeof Subsampling>;

/**
 * The stages a job can compress its images at, and what each one's help says it compresses. An evaluation trains
 * and tests on compressed images: the thesis' "compressed at evaluation".
 */
export const JPEG_STAGES = {
  autoencoder: "the autoencoder's training and embedding images",
  search: 'every image the search trains, chooses and tests on',
  evaluation: 'the training and the test images both',
} as const;
export type JpegStageName = keyof typeof JPEG_STAGES;

/** The two parameters, with help that names what `stage` compresses. */
export function jpegStageParams(stage: JpegStageName) {
  return {
    jpegQuality: z
      .number()
      .int()
      .min(COMPRESS_LIMITS.quality.min)
      .max(COMPRESS_LIMITS.quality.max)
      .nullable()
      .default(null)
      .describe(
        `compress images first: JPEG quality 1 to 100 (lower: smaller, blurrier) for ${JPEG_STAGES[stage]}; empty: the originals [Poyser-thesis §6]`,
      ),
    jpegSubsampling: Subsampling.default('4:2:0').describe(
      'with a JPEG quality: colour detail kept, 4:2:0 a quarter of it (what cameras save), 4:4:4 all of it; grey images have none [Poyser-thesis §3.5]',
    ),
  };
}

/** What the codec is asked for: the two parameters, and the compression study's mozjpeg setting (its cache's key). */
export interface JpegStage {
  quality: number;
  subsampling: Subsampling;
  mozjpeg: boolean;
}

/** The stage's JPEG settings from a job's parameters, or null when the job sees the original images. */
export function jpegStageOf(p: { jpegQuality: number | null; jpegSubsampling: Subsampling }): JpegStage | null {
  return p.jpegQuality == null
    ? null
    : { quality: p.jpegQuality, subsampling: p.jpegSubsampling, mozjpeg: COMPRESS_DEFAULTS.mozjpeg };
}
