/**
 * NASWOT ranking over NAS-Bench-201 (the `naswot` job): its parameters, the per-chunk scores it emits (a live
 * histogram), and its result. The score is [NASWOT]'s log|det K_H| of an untrained network's ReLU codes; the
 * mini-batches come at random from the training split, or from the subset a DDS search mined last
 * ([Poyser-thesis] §4.5, Table 17). Keys: docs/REFERENCES.md.
 */
import { z } from 'zod';
import { BackendChoice } from './backend.js';
import { Nb201Genotype } from './genotype.js';
import { NB201_SUPERNET_FIELDS } from './nb201-supernet.js';

/** All cells of NAS-Bench-201: 5 operations on each of 6 edges. */
export const NB201_CELLS = 15_625;

export const NaswotParams = z.object({
  datasetId: z.number().int().positive().describe('the dataset whose images score the cells'),
  /** How many cells to score, drawn at random without repeats; 15,625 = the whole space. */
  sample: z
    .number()
    .int()
    .min(2)
    .max(NB201_CELLS)
    .default(1000)
    .describe('how many NAS-Bench-201 cells to score, drawn at random; 15,625 is all of them'),
  channels: NB201_SUPERNET_FIELDS.channels,
  cells: NB201_SUPERNET_FIELDS.cells,
  inputSize: NB201_SUPERNET_FIELDS.inputSize,
  /** Mini-batch size: K_H is batch x batch. */
  batch: z
    .number()
    .int()
    .min(2)
    .max(256)
    .default(32)
    .describe('images per score: how differently the untrained cell treats each pair of them [NASWOT]'),
  /** Mini-batches (and network initialisations) per cell; the score is their mean. */
  repeats: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(3)
    .describe('batches, each with fresh random weights, scored per cell; the score is their mean [NASWOT]'),
  /** Draw the mini-batches from this DDS search's last subset instead of at random from the training split. */
  minedFrom: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe("score with a DDS search's last, hard images instead of random ones [Poyser-thesis §4.5.2]"),
  /** How many of the best cells the result lists. */
  top: z.number().int().min(1).max(100).default(10).describe('how many of the best cells the result lists'),
  /** Train a weight-sharing supernet and report Kendall's τ between the scores and inherited-weight accuracy. */
  kendall: z
    .boolean()
    .default(false)
    .describe("also train a shared network and check the ranking against accuracy (Kendall's τ)"),
  /** Cells of the sample evaluated with inherited weights for τ (the best, the worst and the rest evenly spaced by score). */
  kendallSample: z
    .number()
    .int()
    .min(2)
    .max(NB201_CELLS)
    .default(50)
    .describe('cells whose accuracy is measured for that check, from the best to the worst score'),
  supernetEpochs: NB201_SUPERNET_FIELDS.supernetEpochs,
  supernetBatch: NB201_SUPERNET_FIELDS.supernetBatch,
  supernetLr: NB201_SUPERNET_FIELDS.supernetLr,
  calibrationBatches: NB201_SUPERNET_FIELDS.calibrationBatches,
  limitPerClass: NB201_SUPERNET_FIELDS.limitPerClass,
  seed: NB201_SUPERNET_FIELDS.seed,
  backend: BackendChoice.default('auto'),
});
export type NaswotParams = z.infer<typeof NaswotParams>;

/** One chunk of scored cells (event `naswot-chunk`): their indices (space.ts order) and mean scores (null: −∞). */
export const NaswotChunkData = z.object({
  done: z.number().int(),
  total: z.number().int(),
  indices: z.array(z.number().int()),
  scores: z.array(z.number().nullable()),
});
export type NaswotChunkData = z.infer<typeof NaswotChunkData>;

export const NaswotRanked = z.object({
  /** The cell's index in the space (base-5 digits of its edges' operations). */
  index: z.number().int(),
  /** The NAS-Bench-201 string. */
  text: z.string(),
  /** Mean and standard deviation of the score over the repeats (null: −∞, a repeat whose K_H was singular). */
  mean: z.number().nullable(),
  std: z.number().nullable(),
  /** With `kendall`: its validation accuracy with inherited weights, when it was evaluated. */
  accuracy: z.number().optional(),
});
export type NaswotRanked = z.infer<typeof NaswotRanked>;

export const NaswotResult = z.object({
  space: z.literal('nb201'),
  scored: z.number().int(),
  repeats: z.number().int(),
  batch: z.number().int(),
  inputSize: z.number().int(),
  channels: z.number().int(),
  /** Where the mini-batches came from: random training images, or a DDS search's mined subset. */
  images: z.object({
    source: z.enum(['random', 'mined']),
    searchId: z.number().int().nullable(),
    pool: z.number().int(),
  }),
  top: z.array(NaswotRanked),
  chosen: z.object({
    genotype: Nb201Genotype,
    text: z.string(),
    mean: z.number().nullable(),
    std: z.number().nullable(),
  }),
  /** Scoring time (seconds) and cells per second, without the supernet. */
  seconds: z.number(),
  cellsPerSecond: z.number(),
  kendall: z
    .object({
      tau: z.number(),
      cells: z.number().int(),
      supernetSeconds: z.number(),
      evaluateSeconds: z.number(),
      /** Inherited-weight validation accuracy of the chosen (top-scoring) cell. */
      chosenAccuracy: z.number(),
      /** The best inherited-weight accuracy among the evaluated cells, and its cell. */
      best: z.object({ text: z.string(), accuracy: z.number() }),
    })
    .nullable(),
  backend: z.string(),
  files: z.object({ scoresCsv: z.string(), genotypeJson: z.string(), supernet: z.string().nullable() }),
});
export type NaswotResult = z.infer<typeof NaswotResult>;
