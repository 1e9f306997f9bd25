/**
 * The search defaults the Search page's form uses, without zod (the renderer imports this module; search.ts holds
 * the schemas, re-exports everything here and checks at compile time that the plain types agree with its own).
 * Imports nothing.
 */

/** The search spaces (search.ts `SearchSpace`). */
export type SearchSpaceName = 'darts' | 'nb201';

/** What people call each space. */
export const SPACE_NAMES: Record<SearchSpaceName, string> = { darts: 'DARTS', nb201: 'NAS-Bench-201' };

/**
 * A search's epochs with one more snapshot appended: a resumed search repeats the epoch it was stopped in, so a
 * snapshot replaces its own epoch and drops any later ones (those belonged to the run that was interrupted).
 */
export function appendEpoch<T extends { epoch: number }>(existing: readonly T[], e: T): T[] {
  const last = existing[existing.length - 1];
  if (!last || e.epoch > last.epoch) return [...existing, e];
  return [...existing.filter((x) => x.epoch < e.epoch), e];
}

/**
 * BDP's smallest prune interval T. BDP ranks samples by the variance of their error over the last T epochs (its
 * VoE); over a single epoch that variance is 0 for every sample, so T = 1 would prune a seeded random choice.
 */
export const BDP_MIN_PRUNE_EVERY = 2;

/** Why T is at least BDP_MIN_PRUNE_EVERY, in the words the schema, the CLI and the form use. */
export const BDP_PRUNE_EVERY_WHY =
  'BDP ranks samples by how their error varies over the last T epochs, and over a single epoch it varies for none of them, so T = 1 would prune at random';

/** Default number of cells: DARTS search uses 8 on CIFAR; 5 keeps a CPU search in minutes (reductions at 1 and 3). */
export const DEFAULT_CELLS: Record<SearchSpaceName, number> = { darts: 5, nb201: 1 };

/** What suggestSearchParams picks: `Pick<SearchParams, 'epochs' | 'batch' | 'channels' | 'limitPerClass'>` plus cells. */
export type SuggestedSearchParams = {
  epochs: number;
  batch: number;
  channels: number;
  /** null = all images. */
  limitPerClass: number | null;
  cells: number;
};

/**
 * Defaults a person would pick for a dataset of this size on a CPU: small enough that an epoch takes minutes.
 * Used by the Search page's form; the CLI uses the schema defaults unless told otherwise.
 */
export function suggestSearchParams(d: { trainImages: number; classes: number; width: number }): SuggestedSearchParams {
  const perClass = d.classes > 0 ? Math.floor(d.trainImages / d.classes) : 0;
  const limitPerClass = perClass > 200 ? 200 : null;
  const used = (limitPerClass ?? perClass) * d.classes;
  const batch = used >= 64 * 4 ? 32 : Math.max(2, Math.min(16, Math.floor(used / 8)));
  return {
    epochs: used > 4000 ? 10 : 20,
    batch,
    channels: d.width > 32 ? 8 : 16,
    limitPerClass,
    cells: DEFAULT_CELLS.darts,
  };
}

/** DDS mastery measure: the latest epoch's top-1 over the subset, or the fraction of easy images. */
export type MasteryBy = 'correct' | 'easy';
/** Where DDS's replacements come from: any image not in the subset, or unvisited images first. */
export type ReplacePool = 'global' | 'unseen-first';
/** The validation-subset policy of random, dds and dds-untrained. */
export type ValMode = 'resample-each-epoch' | 'fixed' | 'with-subset';
/** Augmentation of the search's batches, as the evaluation's: `auto` = crop + flip for RGB, none for grey. */
export type SearchAugment = 'auto' | 'on' | 'off';

/** One option: its values in the order `about` lists them (the help's order), its default, one line per value. */
function option<T extends string>(
  about: Record<T, string>,
  fallback: NoInfer<T>,
): { values: [T, ...T[]]; default: T; about: Record<T, string> } {
  return { values: Object.keys(about) as [T, ...T[]], default: fallback, about };
}

/**
 * The options of issue #20 with their defaults and one line each (the CLI's help, the form's hints and the README
 * say the same). Sources: docs/REFERENCES.md.
 */
export const FIDELITY_OPTIONS = {
  masteryBy: option<MasteryBy>(
    {
      correct:
        "mastered when this fraction of the subset was classified correctly in the latest epoch (DDS-NAS Fig. 1, the authors' code)",
      easy: 'mastered when this fraction of the subset is easy (DDS-NAS Sec. 3)',
    },
    'correct',
  ),
  replacePool: option<ReplacePool>(
    {
      global:
        'an easy image is replaced by the most different image of its class not in the subset, seen before or not (the paper\'s "global training set")',
      'unseen-first':
        'an easy image is replaced by the most different unseen image of its class, the least recently used one once all were seen',
    },
    'global',
  ),
  valMode: option<ValMode>(
    {
      'resample-each-epoch': 'a new class-balanced validation subset of S every epoch',
      fixed: 'one validation subset of S for the whole search',
      'with-subset': 'the validation subset is redrawn whenever the training subset changes',
    },
    'resample-each-epoch',
  ),
  augment: option<SearchAugment>(
    {
      auto: 'random crop (padding size/8) + horizontal flip of the weight and α batches for RGB, none for grey',
      on: 'random crop + flip of the weight and α batches',
      off: 'no augmentation of the search batches',
    },
    'auto',
  ),
} as const;

/**
 * DDS-NAS' subset size S ([DDS-NAS] Sec. 4.1): 100 images for MNIST and Fashion-MNIST (≤ 10 classes of ≤ 28 px
 * grey), 1,000 for CIFAR-10 and anything larger or in colour.
 */
export function defaultSubsetSize(d: { classes: number; width: number; height: number; channels: number }): number {
  return d.classes <= 10 && d.channels === 1 && Math.max(d.width, d.height) <= 28 ? 100 : 1000;
}
