/**
 * The search algorithms (shared/search.ts SEARCH_ALGORITHM_INFO): which supernet each needs, when one does not
 * apply, and the algorithm object the trainer drives (types.ts).
 */
import { PDARTS_MAX_CELLS, SEARCH_ALGORITHM_INFO, pdartsPlan, type SearchParams } from '../../../../shared/search.js';
import type { DartsSupernet } from '../../spaces/darts/supernet.js';
import type { Supernet, SupernetConfig } from '../../spaces/supernet.js';
import { DartsFamily } from './darts.js';
import { Gdas } from './gdas.js';
import { PDarts } from './p-darts.js';
import type { DartsOptimizers } from './step.js';
import type { SearchAlgorithm } from './types.js';

export type { SearchAlgorithm, SearchStep } from './types.js';

type AlgorithmParams = Pick<
  SearchParams,
  | 'algorithm'
  | 'space'
  | 'channels'
  | 'epochs'
  | 'seed'
  | 'momentum'
  | 'weightDecay'
  | 'partialChannels'
  | 'alphaWarmupEpochs'
  | 'betaDecayLambda'
  | 'betaDecayOn'
  | 'tauMax'
  | 'tauMin'
  | 'cells'
  | 'gradClip'
  | 'alphaWeightDecay'
  | 'stages'
  | 'stageCells'
  | 'stageOps'
  | 'skipDropout'
>;

/** Whether the algorithm runs PC-DARTS' supernet (partial channels and edge normalisation). */
function usesPartialChannels(p: Pick<SearchParams, 'algorithm' | 'betaDecayOn'>): boolean {
  return p.algorithm === 'pc-darts' || (p.algorithm === 'beta-darts' && p.betaDecayOn === 'pc-darts');
}

/** The supernet options an algorithm needs (PC-DARTS: K and β). */
export function supernetOptions(
  p: Pick<SearchParams, 'algorithm' | 'betaDecayOn' | 'partialChannels'>,
): Pick<SupernetConfig, 'partialChannels' | 'edgeNormalisation'> {
  return usesPartialChannels(p) ? { partialChannels: p.partialChannels, edgeNormalisation: true } : {};
}

/** PC-DARTS' warm-up: the parameter, or the paper's share (15 of 50 epochs). */
export function warmupEpochs(
  p: Pick<SearchParams, 'algorithm' | 'betaDecayOn' | 'alphaWarmupEpochs' | 'epochs'>,
): number {
  if (p.alphaWarmupEpochs !== undefined) return p.alphaWarmupEpochs;
  return usesPartialChannels(p) ? Math.floor((15 * p.epochs) / 50) : 0;
}

/** Why this algorithm cannot run with these settings (a message that says what to do), or null. */
export function algorithmRefusal(p: AlgorithmParams): string | null {
  const info = SEARCH_ALGORITHM_INFO[p.algorithm];
  if (!info.spaces.includes(p.space)) {
    const why =
      p.algorithm === 'p-darts'
        ? `${info.label} is defined on the DARTS space (its stages deepen a stack of DARTS cells; NAS-Bench-201's depth is fixed)`
        : `${info.label} is defined on the DARTS space (its partial channels and edge normalisation act on DARTS cells)`;
    return `${why}, so --algorithm ${p.algorithm} cannot search the ${p.space} space. Use --space darts, or another algorithm (darts, darts2, beta-darts, gdas).`;
  }
  if (p.algorithm === 'beta-darts' && p.betaDecayOn === 'pc-darts' && p.space !== 'darts')
    return 'β-DARTS on PC-DARTS needs the DARTS space (partial channels act on DARTS cells). Use --space darts or --beta-decay-on darts.';
  if (usesPartialChannels(p) && p.channels % (2 * p.partialChannels))
    return `PC-DARTS with K=${p.partialChannels} gives each edge's operations C/K channels, which must be even (FactorizedReduce halves them): the channels (${p.channels}) must be a multiple of ${2 * p.partialChannels}. Use --channels ${Math.max(2 * p.partialChannels, Math.round(p.channels / (2 * p.partialChannels)) * 2 * p.partialChannels)} or another --partial-channels.`;
  if (p.algorithm === 'p-darts') {
    const lists = { '--stage-cells': p.stageCells, '--stage-ops': p.stageOps, '--skip-dropout': p.skipDropout };
    for (const [flag, list] of Object.entries(lists))
      if (list && list.length !== p.stages)
        return `P-DARTS runs ${p.stages} stages, but ${flag} gives ${list.length} value${list.length === 1 ? '' : 's'}. Give one per stage, or change --stages.`;
    if (p.epochs < p.stages)
      return `P-DARTS splits the epochs over its ${p.stages} stages, so it needs at least ${p.stages} epochs; got ${p.epochs}. Use --epochs ${p.stages} or more, or fewer --stages.`;
    const big = pdartsPlan(p).find((s) => s.cells > Math.max(PDARTS_MAX_CELLS, p.cells ?? 0));
    if (big)
      return `P-DARTS' stages are capped at ${PDARTS_MAX_CELLS} cells (the evaluation network's depth); got ${big.cells}. Give smaller --stage-cells.`;
  }
  if (p.algorithm === 'gdas' && p.tauMin > p.tauMax)
    return `GDAS anneals the temperature down from --tau-max to --tau-min; got ${p.tauMax} -> ${p.tauMin}. Give a --tau-min below --tau-max.`;
  return null;
}

/** The algorithm object for a search (after algorithmRefusal passed). */
export function createAlgorithm(p: AlgorithmParams, net: Supernet, opt: DartsOptimizers): SearchAlgorithm {
  const base = { epochs: p.epochs, momentum: p.momentum, weightDecay: p.weightDecay };
  switch (p.algorithm) {
    case 'darts':
      return new DartsFamily(net, opt, base, {
        name: 'darts',
        order: 1,
        warmupEpochs: warmupEpochs(p),
        betaDecayLambda: null,
        provenance: {},
      });
    case 'darts2':
      return new DartsFamily(net, opt, base, {
        name: 'darts2',
        order: 2,
        warmupEpochs: warmupEpochs(p),
        betaDecayLambda: null,
        provenance: { xi: 'lr' },
      });
    case 'pc-darts':
      return new DartsFamily(net, opt, base, {
        name: 'pc-darts',
        order: 1,
        warmupEpochs: warmupEpochs(p),
        betaDecayLambda: null,
        provenance: { partialChannels: p.partialChannels, alphaWarmupEpochs: warmupEpochs(p) },
      });
    case 'beta-darts':
      return new DartsFamily(net, opt, base, {
        name: 'beta-darts',
        order: 1,
        warmupEpochs: warmupEpochs(p),
        betaDecayLambda: p.betaDecayLambda,
        provenance: {
          betaDecayLambda: p.betaDecayLambda,
          betaDecayOn: p.betaDecayOn,
          ...(p.betaDecayOn === 'pc-darts'
            ? { partialChannels: p.partialChannels, alphaWarmupEpochs: warmupEpochs(p) }
            : {}),
        },
      });
    case 'p-darts':
      return new PDarts(net as DartsSupernet, opt, p);
    case 'gdas':
      return new Gdas(net, opt, p);
  }
}
