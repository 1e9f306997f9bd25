/**
 * Architecture search (the `search` job): its parameters, the per-epoch snapshot it emits, its result, and what
 * the API returns about it. Genotype types and formats live in genotype.ts.
 */
import { z } from 'zod';
import { BackendChoice } from './backend.js';
import { Genotype } from './genotype.js';
import type { JobState } from './jobs.js';
import type { SearchSpaceName, SuggestedSearchParams } from './search-defaults.js';

export * from './search-defaults.js';

export const SearchSpace = z.enum(['darts', 'nb201']);
export type SearchSpace = z.infer<typeof SearchSpace>;

/** Data-selection strategies a search can use. `full` = all of train_w / train_α every epoch, shuffled. */
export const SelectionStrategy = z.enum(['full']);
export type SelectionStrategy = z.infer<typeof SelectionStrategy>;

export const SearchParams = z.object({
  datasetId: z.number().int().positive(),
  space: SearchSpace.default('darts'),
  strategy: SelectionStrategy.default('full'),
  epochs: z.number().int().min(1).max(500).default(10),
  batch: z.number().int().min(2).max(512).default(32),
  /** Initial channels C. */
  channels: z.number().int().min(2).max(128).default(16),
  /** darts: number of cells (reductions at 1/3 and 2/3); nb201: cells per stage. Default DEFAULT_CELLS[space]. */
  cells: z.number().int().min(1).max(30).optional(),
  /** Weight optimiser (DARTS): SGD, momentum, cosine from lr down to lrMin, weight decay, grad-norm clip. */
  lr: z.number().positive().max(10).default(0.025),
  lrMin: z.number().min(0).max(10).default(0.001),
  momentum: z.number().min(0).max(0.999).default(0.9),
  weightDecay: z.number().min(0).max(1).default(3e-4),
  gradClip: z.number().positive().max(1000).default(5),
  /** Architecture optimiser (DARTS): Adam, betas 0.5 / 0.999, weight decay. */
  alphaLr: z.number().positive().max(1).default(3e-4),
  alphaWeightDecay: z.number().min(0).max(1).default(1e-3),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Use at most this many training images per class (split over train_w / train_α); null = all. */
  limitPerClass: z.number().int().min(2).max(1_000_000).nullable().default(null),
  backend: BackendChoice.default('auto'),
});
export type SearchParams = z.infer<typeof SearchParams>;

/** Softmax of α per edge: rows = edges in the space's order, columns = the space's operations in order. */
export const AlphaSnapshot = z.object({
  normal: z.array(z.array(z.number())),
  /** darts only. */
  reduce: z.array(z.array(z.number())).optional(),
});
export type AlphaSnapshot = z.infer<typeof AlphaSnapshot>;

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
  alphas: AlphaSnapshot,
  genotype: Genotype,
});
export type SearchEpochData = z.infer<typeof SearchEpochData>;

export interface SearchResult {
  space: SearchSpace;
  strategy: SelectionStrategy;
  epochs: number;
  genotype: Genotype;
  /** The DARTS `Genotype(...)` text (darts) or the NAS-Bench-201 string (nb201). */
  genotypeText: string;
  alphas: AlphaSnapshot;
  final: { trainLoss: number; trainAccuracy: number; valLoss: number; valAccuracy: number };
  seconds: number;
  imagesPerSecond: number;
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
  MutuallyAssignable<Pick<SearchParams, 'epochs' | 'batch' | 'channels' | 'limitPerClass'> & { cells: number }, SuggestedSearchParams>,
] = [true, true];
