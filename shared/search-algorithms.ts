/**
 * The differentiable search algorithms a search can run ([DARTS], [PC-DARTS], [P-DARTS], [beta-DARTS], [GDAS]): their
 * names, what the app says of each, the spaces each is defined on and the settings of its paper. search.ts re-exports
 * all of it.
 */
import { z } from 'zod';
import type { SearchSpaceName } from './search-defaults.js';

/**
 * The search algorithms (the optimiser over α; orthogonal to the space and to the data selection). Keys:
 * docs/REFERENCES.md. `darts`: first-order DARTS [DARTS §2.3, ξ = 0]; `darts2`: second-order DARTS, the unrolled α
 * gradient [DARTS Eq. 7-8]; `pc-darts`: partial channel connections and edge normalisation [PC-DARTS §3];
 * `beta-darts`: DARTS with the Beta-Decay regulariser on α [beta-DARTS §3]; `gdas`: one Gumbel-sampled operation per
 * edge [GDAS §3]; `p-darts`: progressive depth in stages, the weakest operations dropped between stages, dropout on
 * skip-connections and at most 2 of them in the normal cell [P-DARTS §3].
 */
export const SEARCH_ALGORITHMS = ['darts', 'darts2', 'pc-darts', 'p-darts', 'beta-darts', 'gdas'] as const;
export const SearchAlgorithm = z.enum(SEARCH_ALGORITHMS);
export type SearchAlgorithm = z.infer<typeof SearchAlgorithm>;

/** The shared settings an algorithm's paper runs with, used where the user gave none (withAlgorithmDefaults). */
export interface AlgorithmPaperSettings {
  batch?: number;
  lr?: number;
  alphaLr?: number;
}

/**
 * What the Search page and `winnow search --help` say about each algorithm (label, one line, the paper's key), and
 * the paper's own batch and learning rates where they differ from the schema's DARTS defaults.
 */
export const SEARCH_ALGORITHM_INFO: Readonly<
  Record<
    SearchAlgorithm,
    {
      label: string;
      summary: string;
      reference: string;
      spaces: readonly SearchSpaceName[];
      paperSettings?: AlgorithmPaperSettings;
    }
  >
> = {
  darts: {
    label: 'DARTS (first order)',
    summary: 'softmax-weighted mixture of every operation; α and w steps alternate (ξ = 0). The default.',
    reference: 'DARTS',
    spaces: ['darts', 'nb201'],
  },
  darts2: {
    label: 'DARTS (second order)',
    summary: 'α follows the unrolled validation loss (one virtual weight step); about 3x the cost of first order.',
    reference: 'DARTS',
    spaces: ['darts', 'nb201'],
  },
  'pc-darts': {
    label: 'PC-DARTS',
    summary: 'only 1/K of the channels go through the mixed operations, edges weighted by β; cheapest on a CPU.',
    reference: 'PC-DARTS',
    spaces: ['darts'],
    // [PC-DARTS §4.2] on CIFAR-10: partial channels free the memory for a batch of 256, so the weight lr rises to
    // 0.1 and the α lr to 6e-4
    paperSettings: { batch: 256, lr: 0.1, alphaLr: 6e-4 },
  },
  'p-darts': {
    label: 'P-DARTS',
    summary:
      'searches in stages of growing depth, dropping the weakest operations between stages; at most 2 skip-connections.',
    reference: 'P-DARTS',
    spaces: ['darts'],
  },
  'beta-darts': {
    label: 'β-DARTS',
    summary: 'DARTS (or PC-DARTS) with the Beta-Decay regulariser on α, against skip-connection collapse.',
    reference: 'beta-DARTS',
    spaces: ['darts', 'nb201'],
  },
  gdas: {
    label: 'GDAS',
    summary: 'one operation per edge sampled by Gumbel-softmax (τ annealed 10 → 0.1): only it is computed.',
    reference: 'GDAS',
    spaces: ['darts', 'nb201'],
  },
};

/**
 * Raw search parameters with the algorithm's paper settings filled in where the user gave no value (the schema's
 * defaults are DARTS'); what the user set is kept. The CLI and the API apply it before parsing.
 */
export function withAlgorithmDefaults<T>(raw: T): T {
  if (raw === null || typeof raw !== 'object') return raw;
  const given = raw as Record<string, unknown>;
  const settings = SEARCH_ALGORITHM_INFO[given.algorithm as SearchAlgorithm]?.paperSettings;
  if (!settings) return raw;
  const filled: Record<string, unknown> = { ...given };
  for (const [key, value] of Object.entries(settings)) if (filled[key] === undefined) filled[key] = value;
  return filled as T;
}
