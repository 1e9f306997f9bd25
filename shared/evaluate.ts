/**
 * The evaluation stage (the `evaluate` job): a network built from a genotype or a baseline, trained from scratch
 * and tested (DARTS Sec. 3.2; DDS-NAS Table 2; BDP Table 5; thesis Sec. 6.2.1). Its parameters, per-epoch event,
 * result, the stored models it produces, and what the API returns. Presets and names live in evaluate-defaults.ts.
 */
import { z } from 'zod';
import { Seed } from './seed.js';
import { BackendChoice } from './backend.js';
import { jpegStageParams } from './jpeg-stage.js';
import { perClassLimit, testLimitPerClass } from './test-limit.js';
import { Genotype } from './genotype.js';
import type { JobState } from './jobs.js';
import { BASELINES, EVAL_PRESETS, EVALUATE_LIMITS as L, NETWORK_KINDS, type NetworkSize } from './evaluate-defaults.js';

export * from './evaluate-defaults.js';

export const NetworkKind = z.enum(NETWORK_KINDS);
export const BaselineName = z.enum(BASELINES);
export const EvalPreset = z.enum(EVAL_PRESETS);

/** Where the network comes from. */
export const EvaluateSource = z.discriminatedUnion('kind', [
  /** The final genotype of a finished search (its job id). */
  z.object({ kind: z.literal('search'), jobId: z.number().int().positive() }),
  /** A genotype as text: DARTS `Genotype(...)`, a NAS-Bench-201 string, or Winnow's genotype JSON. */
  z.object({ kind: z.literal('genotype'), text: z.string().min(1).max(200_000) }),
  z.object({ kind: z.literal('baseline'), name: BaselineName }),
]);
export type EvaluateSource = z.infer<typeof EvaluateSource>;

export const EvaluateParams = z.object({
  datasetId: z.number().int().positive().describe('the dataset to train the network on and test it on'),
  source: EvaluateSource.describe(
    'where the network comes from: a finished search, a genotype you give, or a baseline',
  ),
  preset: EvalPreset.default('small').describe(
    "the network's size and training recipe to start from; the thesis ones follow [Poyser-thesis §6.2.1]",
  ),
  /** Override the preset: initial channels C (baselines: width of the first stage). */
  channels: z
    .number()
    .int()
    .min(L.channels.min)
    .max(L.channels.max)
    .optional()
    .describe("initial channels C (a baseline's first width); each reduction doubles them; empty: the preset's"),
  /** Override the preset: DARTS cells L, or NAS-Bench-201 cells per stage N. Ignored by the baselines. */
  layers: z
    .number()
    .int()
    .min(L.layers.min)
    .max(L.layers.max)
    .optional()
    .describe("cells: in all for a DARTS network, per stage for NAS-Bench-201; empty: the preset's"),
  /** DARTS only: auxiliary head after cell 2L/3 (weight `auxWeight` in the loss). */
  auxiliary: z
    .boolean()
    .optional()
    .describe('an extra classifier two-thirds of the way in whose loss helps train the early cells [DARTS]'),
  auxWeight: z
    .number()
    .min(0)
    .max(10)
    .default(0.4)
    .describe("the weight of that extra classifier's loss in the total loss [DARTS]"),
  /** DARTS only: drop-path probability, raised linearly from 0 over the epochs (DARTS train.py). */
  dropPath: z
    .number()
    .min(0)
    .max(0.9)
    .optional()
    .describe(
      "drop-path: the chance of skipping a cell's path in training, raised from 0, against overfitting [DARTS]",
    ),
  epochs: z
    .number()
    .int()
    .min(L.epochs.min)
    .max(L.epochs.max)
    .default(10)
    .describe('training epochs: passes over the training images'),
  batch: z
    .number()
    .int()
    .min(L.batch.min)
    .max(L.batch.max)
    .default(64)
    .describe('images per training step [Poyser-thesis §6.2.1]'),
  /** SGD with momentum and weight decay, cosine from lr to lrMin over the epochs, gradient-norm clip (DARTS train.py). */
  lr: z
    .number()
    .positive()
    .max(10)
    .default(0.025)
    .describe('learning rate: the size of each training step (SGD), lowered along a cosine curve [DARTS]'),
  lrMin: z.number().min(0).max(10).default(0).describe('the learning rate the cosine curve ends at [DARTS]'),
  momentum: z
    .number()
    .min(0)
    .max(0.999)
    .default(0.9)
    .describe('SGD momentum: the share of the previous step each step keeps [Poyser-thesis §6.2.1]'),
  weightDecay: z
    .number()
    .min(0)
    .max(1)
    .default(3e-4)
    .describe(
      'weight decay: pulls the weights a little towards 0 each step, against overfitting [Poyser-thesis §6.2.1]',
    ),
  gradClip: z
    .number()
    .positive()
    .max(1000)
    .default(5)
    .describe('gradient clipping: a step longer than this is shortened to it, against sudden jumps [DARTS]'),
  /** Random crop (padding size/8) + horizontal flip; `auto`: on for RGB, off for grey (digits must not flip). */
  augment: z
    .enum(['auto', 'on', 'off'])
    .default('auto')
    .describe('random crop and flip of the training images (auto: colour images only, digits must not flip) [DARTS]'),
  seed: Seed.default(0),
  /** Use at most this many training images per class (a seeded choice); null = all. For quick runs. */
  limitPerClass: perClassLimit('at most this many training images per class, for a quick trial; empty: all'),
  testLimitPerClass: testLimitPerClass('the test accuracy after every epoch'),
  ...jpegStageParams('evaluation'),
  backend: BackendChoice.default('auto'),
});
export type EvaluateParams = z.infer<typeof EvaluateParams>;

/** The network an evaluation builds, as resolved from its source and preset. */
export const NetworkDescription = z.object({
  kind: NetworkKind,
  channels: z.number().int(),
  /** darts: cells L; nb201: cells per stage; baselines: 0. */
  layers: z.number().int(),
  auxiliary: z.boolean(),
  dropPath: z.number(),
  genotype: Genotype.nullable(),
  /** e.g. "DARTS network, C=16, 5 cells". */
  label: z.string(),
});
export type NetworkDescription = z.infer<typeof NetworkDescription>;

/** Emitted after every epoch (event type `evaluate-epoch`). */
export const EvaluateEpochData = z.object({
  epoch: z.number().int().min(1),
  epochs: z.number().int().min(1),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  testLoss: z.number(),
  testAccuracy: z.number(),
  lr: z.number(),
  seconds: z.number(),
  /** Training images seen this epoch. */
  images: z.number().int(),
});
export type EvaluateEpochData = z.infer<typeof EvaluateEpochData>;

/** How many of a subset's images a model got right, and that share: what a per-class and a per-group row both hold. */
const SubsetTally = {
  correct: z.number().int(),
  total: z.number().int(),
  accuracy: z.number(),
};

export const ClassAccuracy = z.object({ label: z.number().int(), name: z.string(), ...SubsetTally });
export type ClassAccuracy = z.infer<typeof ClassAccuracy>;

export const GroupAccuracy = z.object({ group: z.string(), ...SubsetTally });
export type GroupAccuracy = z.infer<typeof GroupAccuracy>;

/** Top-1, per-class and per-group accuracy, and the confusion matrix of a model on a set of images. */
export const ClassificationReport = z.object({
  images: z.number().int(),
  loss: z.number(),
  accuracy: z.number(),
  perClass: z.array(ClassAccuracy),
  /** confusion[true][predicted] = count. */
  confusion: z.array(z.array(z.number().int())),
  /** Present when the images carry groups. */
  perGroup: z.array(GroupAccuracy).nullable(),
  /** Standard deviation of the per-group accuracies (the thesis' bias measure); null without groups. */
  groupStd: z.number().nullable(),
});
export type ClassificationReport = z.infer<typeof ClassificationReport>;

export interface EvaluateResult {
  network: NetworkDescription;
  /** DARTS text / NAS-Bench-201 string of the genotype; null for baselines. */
  genotypeText: string | null;
  parameters: number;
  multiplyAdds: number;
  test: ClassificationReport;
  epochs: number;
  seconds: number;
  imagesPerSecond: number;
  backend: string;
  /** The stored model this evaluation produced (models.get). */
  modelId: number | null;
}

/** An evaluation as the Evaluate page's runs table shows it (any state). */
export interface EvaluationSummary {
  jobId: number;
  state: JobState;
  datasetId: number;
  datasetName: string | null;
  network: NetworkDescription | null;
  source: EvaluateSource;
  /** For sources of kind `search`: that search's cost, for the comparison table. */
  search: { jobId: number; seconds: number | null; images: number | null; strategy: string } | null;
  epochs: number;
  epochsDone: number;
  createdAt: number;
  testAccuracy: number | null;
  parameters: number | null;
  multiplyAdds: number | null;
  seconds: number | null;
  modelId: number | null;
}

export interface EvaluationDetail {
  summary: EvaluationSummary;
  params: EvaluateParams;
  epochs: EvaluateEpochData[];
  result: EvaluateResult | null;
}

// ---- stored models -------------------------------------------------------------------------------

export const ModelOrigin = z.enum(['evaluate', 'import']);
export type ModelOrigin = z.infer<typeof ModelOrigin>;

/** What Winnow needs to feed a stored model: input shape, normalisation, class names. Written into report.json. */
export const ModelPreprocessing = z.object({
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  channels: z.number().int().positive(),
  /** The model takes (pixel / 255 − mean[c]) / std[c]. */
  mean: z.array(z.number()),
  std: z.array(z.number()),
});
export type ModelPreprocessing = z.infer<typeof ModelPreprocessing>;

export interface ModelSummary {
  id: number;
  name: string;
  origin: ModelOrigin;
  /** The evaluate job that trained it (null for imports). */
  jobId: number | null;
  datasetId: number | null;
  datasetName: string | null;
  network: NetworkDescription | null;
  classNames: string[];
  preprocessing: ModelPreprocessing;
  parameters: number;
  multiplyAdds: number;
  testAccuracy: number | null;
  genotypeText: string | null;
  createdAt: number;
}

/** The files of a stored model, as `models.file` hands them out. */
export const ModelFileName = z.enum(['model.json', 'weights.bin', 'genotype.json', 'report.json']);
export type ModelFileName = z.infer<typeof ModelFileName>;

export interface ModelFile {
  filename: string;
  mime: string;
  /** Text files as text, weights.bin as base64. */
  encoding: 'utf8' | 'base64';
  data: string;
}

// evaluate-defaults.ts's plain types must stay interchangeable with the schemas' types: each line fails to compile
// when one side changes without the other.
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameTypes: [
  MutuallyAssignable<Pick<NetworkDescription, 'channels' | 'layers' | 'auxiliary' | 'dropPath'>, NetworkSize>,
] = [true];

// ---- the model folder's report.json ------------------------------------------------------------------

/**
 * report.json, written beside model.json + weights.bin: what Winnow needs to use the model again (input shape,
 * normalisation, class names) and what it scored. `winnow model import` reads it back.
 */
export const ModelReportFile = z.object({
  format: z.literal('winnow-model'),
  version: z.literal(1),
  app: z.string(),
  createdAt: z.string(),
  name: z.string().min(1).max(200),
  network: NetworkDescription.nullable(),
  genotypeText: z.string().nullable(),
  classNames: z.array(z.string()).min(2),
  preprocessing: ModelPreprocessing,
  parameters: z.number().int().min(0),
  multiplyAdds: z.number().int().min(0),
  dataset: z.object({ id: z.number().int().nullable(), name: z.string().nullable(), hash: z.string().nullable() }),
  training: z
    .object({
      params: z.record(z.string(), z.unknown()),
      epochs: z.number().int(),
      seconds: z.number(),
      backend: z.string(),
      history: z.array(EvaluateEpochData),
    })
    .nullable(),
  /** The ClassificationReport on the dataset's test split. */
  test: ClassificationReport.nullable(),
});
export type ModelReportFile = z.infer<typeof ModelReportFile>;
