/**
 * What the host hands a `search` job (its `prepare` hook reads the store; the engine never does), and the checks
 * that refuse a search before it starts — one place, used by `jobs.start` (up front) and by the job itself.
 */
import type { SearchHalf } from '../../../shared/datasets.js';
import { DEFAULT_CELLS, type SearchParams } from '../../../shared/search.js';
import type { JobImagesHost } from '../compress/job-images.js';
import type { DatasetFacts, DatasetJobContext } from '../jobs/dataset-context.js';
import { algorithmRefusal } from './algorithms/index.js';

export interface SearchJobContext extends DatasetJobContext, Pick<JobImagesHost, 'cacheDir'> {
  /** train_w ('w') / train_α ('a') for training images, null for the others (test / val). */
  halves: Array<SearchHalf | null>;
  /** Name and version of the app, recorded in the genotype's provenance. */
  app: string;
  /** dds: the trained autoencoder whose embeddings (every row's latent code) feed the kd-trees. */
  autoencoder: { id: number; dir: string; dim: number } | null;
}

/** Files a search writes into its job folder. */
export const SEARCH_FILES = {
  checkpointDir: 'checkpoint',
  genotypeJson: 'genotype.json',
  alphasJson: 'alphas.json',
  /** dds / dds-untrained with an autoencoder of the job's own: every image's latent code (float32). */
  embeddings: 'dds-embeddings.f32',
} as const;

export function cellsFor(params: Pick<SearchParams, 'space' | 'cells'>): number {
  return params.cells ?? DEFAULT_CELLS[params.space];
}

/**
 * Why this search cannot run on this dataset (a message that says what to do), or null when it can.
 * Per class, the search needs at least one batch's share of images in each half. The algorithm's own refusals
 * (algorithms/index.ts: one the space does not define, settings it cannot run with) come first.
 */
export function searchRefusal(
  params: Parameters<typeof algorithmRefusal>[0] & Pick<SearchParams, 'batch' | 'limitPerClass' | 'strategy'>,
  d: DatasetFacts & { perClassHalves: Array<{ w: number; a: number }>; classNames?: readonly string[] },
): string | null {
  const algorithm = algorithmRefusal(params);
  if (algorithm) return algorithm;
  if (d.classes < 2)
    return `Dataset "${d.name}" has ${d.classes} class; a search needs at least two classes to learn anything. Import a dataset with two or more classes.`;
  if (d.channels !== 1 && d.channels !== 3)
    return `Dataset "${d.name}" has ${d.channels} channels; searches take 1 (grey) or 3 (RGB) channels. Import it again as grey or RGB.`;
  // both spaces halve the resolution twice (darts: 2 reduction cells; nb201: 2 residual reduction blocks)
  if (Math.min(d.width, d.height) < 8)
    return `Images of ${d.width}x${d.height} are too small: the ${params.space} space halves the resolution twice and needs at least 8x8. Import the dataset at 8x8 or larger.`;
  if (Math.max(d.width, d.height) > 128)
    return `Images of ${d.width}x${d.height} are too large to search on a CPU in reasonable time. Import the dataset at 128x128 or smaller (32x32 is typical).`;
  // DDS's latent space comes from the similarity autoencoder, which takes square images of 28 to 64 px
  if (
    (params.strategy === 'dds' || params.strategy === 'dds-untrained') &&
    (d.width !== d.height || d.width < 28 || d.width > 64)
  ) {
    return `DDS selects images through the similarity autoencoder, which takes square images of 28 to 64 px; dataset "${d.name}" has ${d.width}x${d.height}. Use another strategy, or import the dataset at 32x32.`;
  }
  const needed = Math.max(1, Math.ceil(params.batch / d.classes));
  const cap = params.limitPerClass == null ? Infinity : Math.floor(params.limitPerClass / 2);
  const short = d.perClassHalves.findIndex((h) => Math.min(h.w, h.a, cap) < needed);
  if (short >= 0) {
    const h = d.perClassHalves[short]!;
    const label = d.classNames?.[short] !== undefined ? `Class "${d.classNames[short]}"` : `Class ${short}`;
    return `${label} has ${Math.min(h.w, cap)} training and ${Math.min(h.a, cap)} validation images for the search, but a batch of ${params.batch} over ${d.classes} classes needs at least ${needed} of each. Lower the batch size${params.limitPerClass != null ? ' or raise the per-class limit' : ''}, or add images.`;
  }
  return null;
}
