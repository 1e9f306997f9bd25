/**
 * Architecture search (the `search` job): its parameters, the per-epoch snapshot it emits, its result, and what
 * the API returns about it. Genotype types and formats live in genotype.ts.
 */
import { z } from 'zod';
import { Seed } from './seed.js';
import { BackendChoice } from './backend.js';
import { jpegStageParams } from './jpeg-stage.js';
import { Genotype } from './genotype.js';
import type { JobState } from './jobs.js';
import {
  BDP_MIN_PRUNE_EVERY,
  BDP_PRUNE_EVERY_WHY,
  DEFAULT_CELLS,
  FIDELITY_OPTIONS as F,
  type MasteryBy,
  type ReplacePool,
  type SearchAugment,
  type SearchSpaceName,
  type SuggestedSearchParams,
  type ValMode,
} from './search-defaults.js';
import { SearchAlgorithm } from './search-algorithms.js';

export * from './search-defaults.js';
export * from './search-algorithms.js';

export const SearchSpace = z.enum(['darts', 'nb201']);
export type SearchSpace = z.infer<typeof SearchSpace>;

/**
 * Data-selection strategies a search can use: `full` = all of train_w / train_α every epoch, shuffled; `random` =
 * one fixed class-balanced subset of size S (DDS-NAS' ablation); `dds` = [DDS-NAS] over a trained autoencoder's
 * embeddings, `dds-untrained` over an untrained one's (its ablation); `bdp` = bi-level data pruning [BDP]. Keys:
 * docs/REFERENCES.md.
 */
export const SelectionStrategy = z.enum(['full', 'random', 'dds', 'dds-untrained', 'bdp']);
export type SelectionStrategy = z.infer<typeof SelectionStrategy>;

export const SearchParams = z.object({
  datasetId: z
    .number()
    .int()
    .positive()
    .describe('the dataset to search: half its training images train the weights, half choose the architecture'),
  space: SearchSpace.default('darts').describe('the search space: DARTS cells or the NAS-Bench-201 cell'),
  strategy: SelectionStrategy.default('full').describe(
    'data selection: all images, a random subset, DDS-NAS (dds, dds-untrained) or BDP pruning [DDS-NAS §3] [BDP §3.2]',
  ),
  epochs: z.number().int().min(1).max(500).default(10).describe('search epochs: passes over the training images'),
  batch: z.number().int().min(2).max(512).default(32).describe('images per weight step (and per α step)'),
  /** Initial channels C. */
  channels: z
    .number()
    .int()
    .min(2)
    .max(128)
    .default(16)
    .describe('initial channels C of the supernet: more is wider, slower and more memory'),
  /** darts: number of cells (reductions at 1/3 and 2/3); nb201: cells per stage. Default DEFAULT_CELLS[space]. */
  cells: z
    .number()
    .int()
    .min(1)
    .max(30)
    .optional()
    .describe('cells of the supernet: on darts in all (reductions at 1/3 and 2/3), on nb201 per stage'),
  /** Weight optimiser (DARTS): SGD, momentum, cosine from lr down to lrMin, weight decay, grad-norm clip. */
  lr: z
    .number()
    .positive()
    .max(10)
    .default(0.025)
    .describe('weight learning rate: the size of each training step (SGD), lowered along a cosine curve [DARTS]'),
  lrMin: z
    .number()
    .min(0)
    .max(10)
    .default(0.001)
    .describe('the weight learning rate the cosine curve ends at, in the last epoch [DARTS]'),
  momentum: z
    .number()
    .min(0)
    .max(0.999)
    .default(0.9)
    .describe('SGD momentum: the share of the previous step each weight step keeps [DDS-NAS §4.1]'),
  weightDecay: z
    .number()
    .min(0)
    .max(1)
    .default(3e-4)
    .describe('weight decay: pulls the weights a little towards 0 each step, against overfitting [DDS-NAS §4.1]'),
  gradClip: z
    .number()
    .positive()
    .max(1000)
    .default(5)
    .describe('gradient clipping: a weight step longer than this is shortened to it, against sudden jumps [DARTS]'),
  /** Architecture optimiser (DARTS): Adam, betas 0.5 / 0.999, weight decay. */
  alphaLr: z
    .number()
    .positive()
    .max(1)
    .default(3e-4)
    .describe('architecture (α) learning rate: the size of each step on the operation weights (Adam) [DDS-NAS §4.1]'),
  alphaWeightDecay: z
    .number()
    .min(0)
    .max(1)
    .default(1e-3)
    .describe('weight decay of the architecture weights α [DDS-NAS §4.1]'),
  seed: Seed.default(0),
  /** Use at most this many training images per class (split over train_w / train_α); null = all. */
  limitPerClass: z
    .number()
    .int()
    .min(2)
    .max(1_000_000)
    .nullable()
    .default(null)
    .describe('at most this many training images per class, half for the weights, half for α; empty: all'),
  ...jpegStageParams('search'),
  backend: BackendChoice.default('auto'),
  /** Crop + flip of the weight and α batches, seeded ([DARTS] search); `auto`: RGB only. */
  augment: z
    .enum(F.augment.values)
    .default(F.augment.default)
    .describe('random crop and flip of the training images (auto: colour images only) [DARTS]'),
  // ---- the search algorithm (SEARCH_ALGORITHM_INFO; main/engine/search/algorithms/) ----
  algorithm: SearchAlgorithm.default('darts').describe(
    'the search algorithm: darts (first order), darts2 (second order), pc-darts, p-darts, beta-darts or gdas [DARTS §2.3]',
  ),
  /** pc-darts: K, the mixed operations see 1/K of each edge's channels ([PC-DARTS] §3.2; K = 4 on CIFAR). */
  partialChannels: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(4)
    .describe('pc-darts: K, only 1/K of the channels go through the mixed operations (the paper: 4) [PC-DARTS §3.2]'),
  /**
   * Epochs that train only w, α frozen, before the α steps start. Default: PC-DARTS' share, 15 of 50 epochs
   * ([PC-DARTS] §4.2), for pc-darts (and beta-darts on it); p-darts: per stage, 10 of each 25 (its code); 0 for
   * the others.
   */
  alphaWarmupEpochs: z
    .number()
    .int()
    .min(0)
    .max(500)
    .optional()
    .describe(
      'epochs that train only the weights, α frozen, first (default: 30% of the epochs for pc-darts, 40% of each stage for p-darts, else 0) [PC-DARTS §4.2]',
    ),
  /** beta-darts: λ at the last epoch; λ rises linearly from 0 ([beta-DARTS] §3; its code: 50·epoch/100). */
  betaDecayLambda: z
    .number()
    .min(0)
    .max(1000)
    .default(25)
    .describe('beta-darts: weight λ of the Beta-Decay regulariser, raised linearly from 0 to this [beta-DARTS §3]'),
  /** beta-darts: the search the regulariser is added to ([beta-DARTS] §4: DARTS and PC-DARTS). */
  betaDecayOn: z
    .enum(['darts', 'pc-darts'])
    .default('darts')
    .describe('beta-darts: the search the regulariser is added to (first-order DARTS or PC-DARTS) [beta-DARTS §4]'),
  /** gdas: the Gumbel-softmax temperature, annealed linearly from tauMax to tauMin over the epochs ([GDAS] §4, as its code does). */
  tauMax: z
    .number()
    .positive()
    .max(100)
    .default(10)
    .describe(
      'gdas: the sampling temperature τ at the first epoch: high spreads the choice over every operation [GDAS §4]',
    ),
  tauMin: z
    .number()
    .positive()
    .max(100)
    .default(0.1)
    .describe('gdas: the temperature at the last epoch: low follows the sampled operation [GDAS §4]'),
  /** p-darts: the stages of progressive depth ([P-DARTS] §3.2: 3 on CIFAR); the epochs are split over them. */
  stages: z
    .number()
    .int()
    .min(1)
    .max(6)
    .default(3)
    .describe('p-darts: stages of growing depth (the paper: 3); the epochs are split over them [P-DARTS §3.2]'),
  /** p-darts: cells per stage; default pdartsPlan's (cells, 2.2x, 3.4x, as 5 -> 11 -> 17 in [P-DARTS] §4). */
  stageCells: z
    .array(z.number().int().min(1).max(30))
    .min(1)
    .max(6)
    .optional()
    .describe(
      'p-darts: cells of each stage (default: the cells setting, then about 2.2x and 3.4x, at most 20) [P-DARTS §4]',
    ),
  /** p-darts: candidate operations per edge in each stage; default 8, 5, 3 ([P-DARTS] §3.2, search space approximation). */
  stageOps: z
    .array(z.number().int().min(2).max(8))
    .min(1)
    .max(6)
    .optional()
    .describe('p-darts: candidate operations per edge in each stage (default: 8, 5, 3) [P-DARTS §3.2]'),
  /** p-darts: each stage's initial dropout rate on skip-connections; default 0, 0.4, 0.7 ([P-DARTS] §4, CIFAR-10). */
  skipDropout: z
    .array(z.number().min(0).lt(1))
    .min(1)
    .max(6)
    .optional()
    .describe(
      "p-darts: each stage's initial dropout rate on skip-connections, decayed in the stage (default: 0, 0.4, 0.7) [P-DARTS §4]",
    ),
  // ---- random / dds ([DDS-NAS] Sec. 3-4) ----
  /** Subset size S of the training and of the validation subset; default defaultSubsetSize(dataset). */
  subset: z
    .number()
    .int()
    .min(2)
    .max(1_000_000)
    .optional()
    .describe(
      'random / dds: images in the training subset S, and in the validation subset (default: 100 or 1,000) [DDS-NAS §4.1]',
    ),
  /** dds: the subset is mastered when its mastery measure (masteryBy) reaches this. */
  mastery: z
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe(
      'dds: mastery m, the share (0–1) of the subset the network must get right, or find easy, before its easy images are swapped for new ones [DDS-NAS §3.1]',
    ),
  /** dds: 'correct' = the latest epoch's top-1 over the subset; 'easy' = the fraction of easy images. */
  masteryBy: z
    .enum(F.masteryBy.values)
    .default(F.masteryBy.default)
    .describe(
      'dds: mastery is the share the latest epoch got right (correct), or the share of easy images (easy) [DDS-NAS §3]',
    ),
  /** dds: replacements from any image not in the subset ('global'), or unseen images first. */
  replacePool: z
    .enum(F.replacePool.values)
    .default(F.replacePool.default)
    .describe('dds: replacements from any image not in the subset, or unseen images first [DDS-NAS §3.2]'),
  /** dds: an image is easy when its mean true-class probability over the window is at least this. */
  hardness: z
    .number()
    .gt(0)
    .max(1)
    .default(0.85)
    .describe(
      "dds: an image counts as easy once the network's average confidence in its true class reaches this (0–1) [DDS-NAS §3.2]",
    ),
  /** dds: epochs of history averaged per image. */
  hardnessWindow: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(3)
    .describe('dds: hardness window, the recent epochs that confidence is averaged over [DDS-NAS §3.2]'),
  /** dds: no resampling in the first N epochs. */
  warmupEpochs: z
    .number()
    .int()
    .min(0)
    .max(500)
    .default(10)
    .describe('dds: epochs trained on the first subset before any image is swapped [DDS-NAS §3.1]'),
  /** random / dds / dds-untrained: how the α steps' validation subset is drawn (one policy for all three). */
  valMode: z
    .enum(F.valMode.values)
    .default(F.valMode.default)
    .describe("random / dds: how the α steps' validation subset is drawn [DDS-NAS §5.2.1]"),
  /** dds: the paper's cyclic weight LR (base, max, half-cycle in epochs; reset to max on a new subset). */
  cyclicLrBase: z
    .number()
    .positive()
    .max(10)
    .default(0.001)
    .describe(
      'dds: cyclic lr base, the lowest weight learning rate: it climbs to the max and back, over and over [DDS-NAS §4.1]',
    ),
  cyclicLrMax: z
    .number()
    .positive()
    .max(10)
    .default(0.01)
    .describe('dds: cyclic lr max, the highest weight learning rate of that cycle [DDS-NAS §4.1]'),
  cyclicLrStep: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(10)
    .describe('dds: cyclic lr step, epochs from the lowest learning rate to the highest [DDS-NAS §4.1]'),
  lrReset: z
    .boolean()
    .default(true)
    .describe('dds: jump to the highest learning rate when a new subset comes in, to learn it fast [DDS-NAS §4.1]'),
  /** dds: the autoencoder whose embeddings feed the kd-trees; null = the newest trained one of the dataset. */
  autoencoderId: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe("dds: the stored autoencoder to use (default: the dataset's newest) [DDS-NAS §3.2]"),
  /**
   * dds: train an autoencoder (the DDS-NAS Table 1 preset for the dataset) for this many epochs as the job's first
   * step and use it, instead of a stored one. Its embeddings are kept in the job folder, so a resume reuses them.
   */
  trainAutoencoderEpochs: z
    .number()
    .int()
    .min(1)
    .max(500)
    .optional()
    .describe('dds: train an autoencoder for this many epochs first and use it [DDS-NAS §4.2]'),
  // ---- bdp ([BDP] Sec. 3.2-3.3) ----
  /** Prune every T epochs; T is also the window the variance of error is measured over, hence at least 2. */
  pruneEvery: z
    .number()
    .int()
    .min(BDP_MIN_PRUNE_EVERY, { message: `must be at least ${BDP_MIN_PRUNE_EVERY}: ${BDP_PRUNE_EVERY_WHY}.` })
    .max(500)
    .default(5)
    .describe('bdp: prune every T epochs (T is also the window the variance of error is measured over) [BDP §3.2.2]'),
  /** Fraction of the remaining training samples pruned each time (lowest VoE). */
  pruneTrain: z
    .number()
    .min(0)
    .lt(1)
    .default(0.2)
    .describe(
      'bdp: share of the remaining training images dropped each time: those whose error varies least [BDP §3.2.3]',
    ),
  /** Fraction of the remaining validation samples pruned each time (highest VoE). */
  pruneVal: z
    .number()
    .min(0)
    .lt(1)
    .default(0.1)
    .describe(
      'bdp: share of the remaining validation images dropped each time: those whose error varies most [BDP §3.2.3]',
    ),
  /** The automatic class balance constraint (Eq. 5-6); off = the paper's ablation (Table 7). */
  balance: z
    .boolean()
    .default(true)
    .describe('bdp: keep the classes balanced: no class loses more than its share to pruning [BDP §3.2.4]'),
});
export type SearchParams = z.infer<typeof SearchParams>;

/** P-DARTS' largest derived depth: the 20 cells of the DARTS evaluation network on CIFAR ([DARTS] §3.2). */
export const PDARTS_MAX_CELLS = 20;

/** One P-DARTS stage: its epochs (the first is 0-based `start`), depth, operations per edge and dropout. */
export interface PdartsStage {
  start: number;
  epochs: number;
  /** Epochs at the stage's start that train only w, α frozen: 10 of each 25 in the paper's code. */
  warmup: number;
  cells: number;
  ops: number;
  /** The initial dropout rate on skip-connections, decayed within the stage (pdartsDropout). */
  dropout: number;
}

/**
 * P-DARTS' stages from the parameters ([P-DARTS] §3.2, §4): the epochs split evenly (the later stages take
 * the remainder); α frozen in each stage's first 10 of 25 epochs (its code); depth from the `cells` setting growing to about 2.2x and 3.4x over 3 stages (the paper's 5 -> 11
 * -> 17), at most PDARTS_MAX_CELLS; 8 -> 5 -> 3 operations per edge; skip-connection dropout 0 -> 0.4 -> 0.7 (its
 * CIFAR-10 rates). Other stage counts interpolate the same ends. The lists, when given, replace the derived values.
 * Stages with no epoch (fewer epochs than stages) are refused by the search (algorithms/index.ts).
 */
export function pdartsPlan(
  p: Pick<
    SearchParams,
    'epochs' | 'space' | 'cells' | 'stages' | 'stageCells' | 'stageOps' | 'skipDropout' | 'alphaWarmupEpochs'
  >,
): PdartsStage[] {
  const S = p.stages;
  const base = p.cells ?? DEFAULT_CELLS[p.space];
  const at = (s: number) => (S === 1 ? 0 : s / (S - 1));
  let start = 0;
  return Array.from({ length: S }, (_, s) => {
    const epochs = Math.floor(p.epochs / S) + (s >= S - (p.epochs % S) ? 1 : 0);
    const stage: PdartsStage = {
      start,
      epochs,
      // the paper's code: 10 of each stage's 25 epochs with α frozen (alphaWarmupEpochs: per stage)
      warmup: Math.min(epochs, p.alphaWarmupEpochs ?? Math.floor((10 * epochs) / 25)),
      cells: p.stageCells?.[s] ?? Math.min(Math.max(base, PDARTS_MAX_CELLS), Math.round(base * (1 + 2.4 * at(s)))),
      ops: p.stageOps?.[s] ?? 8 - Math.ceil(5 * at(s)),
      dropout: p.skipDropout?.[s] ?? Math.round(7 * at(s)) / 10,
    };
    start += epochs;
    return stage;
  });
}

/**
 * P-DARTS' dropout rate on skip-connections in epoch `e` (0-based) of a stage, as its code schedules it: falling
 * linearly, rate · (E − e − 1) / E, while α is frozen, then rate · exp(−0.2 · (e − warm-up)) once α trains.
 */
export function pdartsDropout(stage: Pick<PdartsStage, 'epochs' | 'warmup' | 'dropout'>, e: number): number {
  if (e < stage.warmup) return (stage.dropout * (stage.epochs - e - 1)) / stage.epochs;
  return stage.dropout * Math.exp(-0.2 * (e - stage.warmup));
}

/**
 * SearchParams as a stored search job holds them: what a search may start with, except that searches recorded while
 * BDP's T could be 1 stay readable (listed, shown, exported); starting or resuming one is refused by SearchParams.
 */
export const StoredSearchParams = SearchParams.extend({ pruneEvery: z.number().int().min(1).max(500).default(5) });

/** Softmax of α per edge: rows = edges in the space's order, columns = the space's operations in order. */
export const AlphaSnapshot = z.object({
  normal: z.array(z.array(z.number())),
  /** darts only. */
  reduce: z.array(z.array(z.number())).optional(),
  /**
   * pc-darts: each edge's weight, softmax(β) over its node's incoming edges ([PC-DARTS] §3.3), in edge order; the
   * derivation multiplies each edge's row by it.
   */
  edges: z.object({ normal: z.array(z.number()), reduce: z.array(z.number()).optional() }).optional(),
  /**
   * p-darts: the operations each edge still has in this stage, as columns of the rows above (DARTS_OPS order),
   * one list per edge in edge order; the dropped operations' columns are 0 in the rows ([P-DARTS] §3.2).
   */
  kept: z
    .object({ normal: z.array(z.array(z.number().int())), reduce: z.array(z.array(z.number().int())).optional() })
    .optional(),
});
export type AlphaSnapshot = z.infer<typeof AlphaSnapshot>;

const Histogram = z.object({ edges: z.array(z.number()), counts: z.array(z.number().int()), pruned: z.number().int() });

/** What the selection strategy used in an epoch (and, for dds / bdp, what it decided); see selection/strategy.ts. */
export const SelectionEpochStats = z.object({
  trainSize: z.number().int(),
  valSize: z.number().int(),
  /** Per class: images of each half the epoch used. */
  perClass: z.object({ train: z.array(z.number().int()), val: z.array(z.number().int()) }),
  /** BDP's class balance degree b (Eq. 5) of the training counts, in [0, 1]: 1 = balanced. */
  balance: z.number(),
  dds: z
    .object({
      /** The mastery measure (compared with the threshold): the subset's top-1 or its easy fraction (masteryBy). */
      mastery: z.number(),
      easy: z.number().int(),
      hard: z.number().int(),
      /** Images replaced at the start of this epoch (0 when the subset was kept). */
      replaced: z.number().int(),
      /** Distinct training images used so far. */
      uniqueSeen: z.number().int(),
      /** The subset's rows, which of them are hard, and which came in this epoch (for the thumbnail strip). */
      subset: z.array(z.number().int()),
      hardRows: z.array(z.number().int()),
      replacedRows: z.array(z.number().int()),
    })
    .optional(),
  bdp: z
    .object({
      /** In an epoch that pruned: histograms of the VoE of the candidates before pruning, and how many went. */
      pruning: z.object({ train: Histogram, val: Histogram }).optional(),
      remainingTrain: z.number().int(),
      remainingVal: z.number().int(),
    })
    .optional(),
});
export type SelectionEpochStats = z.infer<typeof SelectionEpochStats>;

/** Emitted once per finished epoch (event type `search-epoch`); the UI draws the heatmap and cell graph from it. */
export const SearchEpochData = z.object({
  epoch: z.number().int().min(1),
  epochs: z.number().int().min(1),
  space: SearchSpace,
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  valLoss: z.number(),
  valAccuracy: z.number(),
  /** Weight learning rate used during the epoch. */
  lr: z.number(),
  seconds: z.number(),
  /** Training images the weight steps saw during the epoch (plus as many validation images for α). */
  images: z.number().int(),
  /** Training images processed since the search began (the x axis that compares strategies). */
  imagesTotal: z.number().int().optional(),
  /** What the data selection used and decided this epoch (absent in searches recorded before it existed). */
  selection: SelectionEpochStats.optional(),
  alphas: AlphaSnapshot,
  genotype: Genotype,
  /**
   * The algorithm's schedule this epoch (gdas: tau; beta-darts: betaDecayLambda; pc-darts: alphaFrozen 0/1;
   * p-darts: stage (1-based), stages, stageCells (the stage's supernet depth), stageOps (operations per edge in
   * the stage), skipDropout (the rate this epoch) and alphaFrozen 0/1; the kept operations are the alphas' `kept`).
   */
  algorithm: z.record(z.string(), z.number()).optional(),
});
export type SearchEpochData = z.infer<typeof SearchEpochData>;

export interface SearchResult {
  space: SearchSpace;
  strategy: SelectionStrategy;
  /** Absent in searches run before there was a choice (they ran first-order DARTS). */
  algorithm?: SearchAlgorithm;
  epochs: number;
  genotype: Genotype;
  /** The DARTS `Genotype(...)` text (darts) or the NAS-Bench-201 string (nb201). */
  genotypeText: string;
  alphas: AlphaSnapshot;
  final: { trainLoss: number; trainAccuracy: number; valLoss: number; valAccuracy: number };
  seconds: number;
  imagesPerSecond: number;
  /** Training images the weight steps processed over the whole search (absent in searches run before it was kept). */
  imagesProcessed?: number;
  /**
   * The final supernet's top-1 on the dataset's test split: how strategies are compared, not a genotype's
   * accuracy (absent in searches run before it was measured).
   */
  supernetTest?: { accuracy: number; images: number };
  backend: string;
  /** Files in the job folder: genotype.json (with provenance), alphas.json (every epoch). */
  files: { genotypeJson: string };
}

/** A search as the Search page and `searches.list` show it (any state; genotype once it has finished an epoch). */
export interface SearchSummary {
  jobId: number;
  state: JobState;
  datasetId: number;
  datasetName: string | null;
  space: SearchSpace;
  strategy: SelectionStrategy;
  epochs: number;
  epochsDone: number;
  createdAt: number;
  /** The latest derived genotype's text (darts text or nb201 string); null before the first epoch ends. */
  genotypeText: string | null;
  valAccuracy: number | null;
}

export interface SearchDetail {
  summary: SearchSummary;
  params: SearchParams;
  /** Every finished epoch, in order (from the job's `search-epoch` events). */
  epochs: SearchEpochData[];
  result: SearchResult | null;
}

export const GenotypeExportFormat = z.enum(['darts', 'nb201', 'json', 'svg']);
export type GenotypeExportFormat = z.infer<typeof GenotypeExportFormat>;

export interface GenotypeExport {
  filename: string;
  mime: string;
  text: string;
}

// search-defaults.ts's plain types must stay interchangeable with the schemas' types: each line fails to compile
// when one side changes without the other.
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameTypes: [
  MutuallyAssignable<SearchSpace, SearchSpaceName>,
  MutuallyAssignable<
    Pick<SearchParams, 'epochs' | 'batch' | 'channels' | 'limitPerClass'> & { cells: number },
    SuggestedSearchParams
  >,
  MutuallyAssignable<SearchParams['masteryBy'], MasteryBy>,
  MutuallyAssignable<SearchParams['replacePool'], ReplacePool>,
  MutuallyAssignable<SearchParams['valMode'], ValMode>,
  MutuallyAssignable<SearchParams['augment'], SearchAugment>,
] = [true, true, true, true, true, true];
