/**
 * The compression study (job kind `compress`, [Poyser-thesis] Chapter 3 and Sec. 6.2): the test split, and for
 * retraining the training split, JPEG-encoded with sharp at a grid of qualities × chroma subsamplings and decoded
 * back; a model's top-1, per-class and per-group accuracy (and the std across groups, the thesis' bias measure) at
 * every grid point, with the bytes, bits per pixel, compression rate, PSNR and SSIM of each point.
 */
import { z } from 'zod';
import { BackendChoice } from './backend.js';
import { COMPRESS_DEFAULTS as D, COMPRESS_LIMITS as L, PROTOCOLS } from './compress-defaults.js';
import type { NetworkDescription } from './evaluate.js';
import { BaselineName, ClassAccuracy, EVALUATE_LIMITS, EvalPreset, GroupAccuracy } from './evaluate.js';
import type { JobState } from './jobs.js';
import { Subsampling } from './jpeg-stage.js';

export * from './compress-defaults.js';

export { Subsampling };
export const CompressProtocol = z.enum(PROTOCOLS);
export type CompressProtocol = z.infer<typeof CompressProtocol>;

/** The model under study: a stored model (trained by an evaluation or imported), or a baseline trained first. */
export const CompressModelSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('model'), modelId: z.number().int().positive() }),
  z.object({ kind: z.literal('baseline'), name: BaselineName }),
]);
export type CompressModelSource = z.infer<typeof CompressModelSource>;

const Quality = z.number().int().min(L.quality.min).max(L.quality.max);
const distinct = <T>(values: readonly T[]) => new Set(values).size === values.length;

export const CompressParams = z.object({
  datasetId: z.number().int().positive().describe('the dataset whose test images are compressed'),
  model: CompressModelSource.describe('the network studied: a stored model, or a baseline trained for the study'),
  qualities: z
    .array(Quality)
    .min(1)
    .max(L.qualities.max)
    .refine(distinct, 'each quality once')
    .default([...D.qualities])
    .describe('JPEG qualities to compress at, 1 to 100: lower is smaller and blurrier [Poyser-thesis §3.2]'),
  subsampling: z
    .array(Subsampling)
    .min(1)
    .max(2)
    .refine(distinct, 'each subsampling once')
    .default([...D.subsampling])
    .describe('colour detail kept: 4:2:0 keeps a quarter of it, 4:4:4 all of it [Poyser-thesis §3.5]'),
  /** sharp's mozjpeg defaults (trellis quantisation, its quantisation tables): smaller files at the same quality. */
  mozjpeg: z.boolean().default(D.mozjpeg).describe("the mozjpeg encoder's settings: smaller files at the same quality"),
  protocols: z
    .array(CompressProtocol)
    .min(1)
    .max(3)
    .refine(distinct, 'each protocol once')
    .default([...D.protocols])
    .describe(
      'what is measured: the model on compressed test images, retrained on compressed images, or on a mix [Poyser-thesis §3.2]',
    ),
  /** Epochs for the baseline and for every retraining. */
  epochs: z
    .number()
    .int()
    .min(L.epochs.min)
    .max(L.epochs.max)
    .default(D.epochs)
    .describe("epochs of the baseline's training and of every retraining"),
  /** Network size of the baseline (a stored model keeps its own). */
  preset: EvalPreset.default(D.preset).describe("the baseline's network size (a stored model keeps its own)"),
  batch: z
    .number()
    .int()
    .min(EVALUATE_LIMITS.batch.min)
    .max(EVALUATE_LIMITS.batch.max)
    .default(D.batch)
    .describe('images per training step'),
  lr: z
    .number()
    .positive()
    .max(10)
    .default(D.lr)
    .describe('learning rate: the size of each training step (SGD), lowered along a cosine curve'),
  seed: z
    .number()
    .int()
    .min(L.seed.min)
    .max(L.seed.max)
    .default(D.seed)
    .describe('seed of every random choice: the same seed and settings repeat a study exactly'),
  /** Train on at most this many images per class (a seeded choice); null = all. For quick studies. */
  limitPerClass: z
    .number()
    .int()
    .min(L.limitPerClass.min)
    .max(L.limitPerClass.max)
    .nullable()
    .default(D.limitPerClass)
    .describe('at most this many training images per class, for a quick study; empty: all'),
  /** File sizes are measured by encoding this many test images one by one (seeded); all of them when fewer. */
  sizeSample: z
    .number()
    .int()
    .min(L.sizeSample.min)
    .max(L.sizeSample.max)
    .default(D.sizeSample)
    .describe('test images encoded one by one to measure the file sizes'),
  backend: BackendChoice.default('auto'),
  /**
   * Study a stored model even though its test report says it is at chance level or answers one class (refused
   * otherwise: a study of such a model measures noise; see shared/meaning.ts).
   */
  allowMeaninglessModel: z
    .boolean()
    .default(false)
    .describe('study a model at chance level or answering one class anyway (refused otherwise)'),
});
export type CompressParams = z.infer<typeof CompressParams>;

/** What the codec did to the test split at one grid point (the same for every protocol). */
export const CodecPoint = z.object({
  quality: Quality,
  subsampling: Subsampling,
  /** Mean JPEG file size per image, bytes (over `sampled` images encoded one by one, headers included). */
  meanBytes: z.number(),
  bitsPerPixel: z.number(),
  /** meanBytes / mean bytes at quality 95, 4:2:0. */
  compressionRate: z.number(),
  /** Mean over the test images, decoded against the original (dB, capped at 99 for identical images). */
  psnr: z.number(),
  ssim: z.number(),
  sampled: z.number().int(),
  /** True when the decoded copy came from the cache. */
  cached: z.boolean(),
  /** Seconds spent encoding + decoding this point's copy (0 when cached). */
  seconds: z.number(),
});
export type CodecPoint = z.infer<typeof CodecPoint>;

/** One protocol's accuracy at one grid point. */
export const CompressRow = z.object({
  protocol: CompressProtocol,
  quality: Quality,
  subsampling: Subsampling,
  accuracy: z.number(),
  loss: z.number(),
  perClass: z.array(ClassAccuracy),
  perGroup: z.array(GroupAccuracy).nullable(),
  /** Std of the per-group accuracies (thesis Sec. 3.4's bias measure); null without groups. */
  groupStd: z.number().nullable(),
  /** Seconds spent training the network behind this row (retrain: its own; others: 0). */
  trainSeconds: z.number(),
});
export type CompressRow = z.infer<typeof CompressRow>;

/** The model on the original, uncompressed test split: what every grid point is compared with. */
export const CompressReference = z.object({
  accuracy: z.number(),
  perGroup: z.array(GroupAccuracy).nullable(),
  groupStd: z.number().nullable(),
  /** Bytes of the reference point (quality 95, 4:2:0) per image. */
  referenceBytes: z.number(),
});
export type CompressReference = z.infer<typeof CompressReference>;

/** Event `compress-point`: a finished piece of the study, in the order the job finishes them. */
export const CompressPointData = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reference'), reference: CompressReference, model: z.string() }),
  z.object({ kind: z.literal('codec'), point: CodecPoint }),
  z.object({ kind: z.literal('accuracy'), row: CompressRow }),
]);
export type CompressPointData = z.infer<typeof CompressPointData>;

export interface CompressResult {
  /** e.g. "Baseline CNN, C=32" or the stored model's name. */
  model: string;
  network: NetworkDescription | null;
  /** Grey datasets have no chroma: the study runs one subsampling, and says so here. */
  notes: string[];
  reference: CompressReference;
  codec: CodecPoint[];
  rows: CompressRow[];
  seconds: number;
  backend: string;
}

/** A study as the Compression page's list shows it (any state). */
export interface CompressionSummary {
  jobId: number;
  state: JobState;
  datasetId: number;
  datasetName: string | null;
  model: string;
  qualities: number[];
  subsampling: Subsampling[];
  protocols: CompressProtocol[];
  /** Accuracy rows finished / expected. */
  rowsDone: number;
  rowsTotal: number;
  createdAt: number;
  seconds: number | null;
}

export interface CompressionDetail {
  summary: CompressionSummary;
  params: CompressParams;
  reference: CompressReference | null;
  codec: CodecPoint[];
  rows: CompressRow[];
  notes: string[];
}

/** The image viewer: a few test images at every grid point, with the difference to the original. */
export interface CompressionImages {
  width: number;
  height: number;
  images: Array<{
    index: number;
    className: string;
    group: string | null;
    /** PNG data URL of the original. */
    original: string;
    points: Array<{
      quality: number;
      subsampling: Subsampling;
      /** PNG data URL of the decoded JPEG. */
      image: string;
      /** PNG data URL: |decoded − original| per pixel (mean over channels), ×4, as a heat colour map. */
      diff: string;
      psnr: number;
      maxDiff: number;
    }>;
  }>;
}
