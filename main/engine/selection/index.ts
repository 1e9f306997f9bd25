import type { SearchParams } from '../../../shared/search.js';
import { BdpSelection } from './bdp.js';
import { DdsSelection } from './dds.js';
import { FullSelection } from './full.js';
import { RandomSubsetSelection } from './random.js';
import type { DataSelection, SelectionPools } from './strategy.js';

/** Latent codes of every dataset row (row-major, `dim` floats per row): what DDS's kd-trees are built over. */
export interface Embeddings {
  data: Float32Array;
  dim: number;
}

/**
 * The strategy a search's params name. `subset` is S already resolved (the params' value or the dataset's
 * default); `embeddings` is required by dds and dds-untrained.
 */
export function createSelection(
  params: Pick<
    SearchParams,
    | 'strategy'
    | 'seed'
    | 'epochs'
    | 'mastery'
    | 'masteryBy'
    | 'replacePool'
    | 'hardness'
    | 'hardnessWindow'
    | 'warmupEpochs'
    | 'valMode'
    | 'cyclicLrBase'
    | 'cyclicLrMax'
    | 'cyclicLrStep'
    | 'lrReset'
    | 'pruneEvery'
    | 'pruneTrain'
    | 'pruneVal'
    | 'balance'
  >,
  pools: SelectionPools,
  subset: number,
  embeddings?: Embeddings,
): DataSelection {
  const seed = params.seed;
  switch (params.strategy) {
    case 'full':
      return new FullSelection(pools, seed);
    case 'random':
      return new RandomSubsetSelection(pools, seed, { size: subset, valMode: params.valMode });
    case 'dds':
    case 'dds-untrained':
      if (!embeddings) throw new Error(`createSelection: ${params.strategy} needs the autoencoder's embeddings.`);
      return new DdsSelection(pools, seed, embeddings.data, embeddings.dim, {
        name: params.strategy,
        size: subset,
        window: params.hardnessWindow,
        hardness: params.hardness,
        mastery: params.mastery,
        masteryBy: params.masteryBy,
        replacePool: params.replacePool,
        warmupEpochs: params.warmupEpochs,
        valMode: params.valMode,
        lrBase: params.cyclicLrBase,
        lrMax: params.cyclicLrMax,
        lrStep: params.cyclicLrStep,
        lrReset: params.lrReset,
      });
    case 'bdp':
      return new BdpSelection(pools, seed, {
        epochs: params.epochs,
        pruneEvery: params.pruneEvery,
        pruneTrain: params.pruneTrain,
        pruneVal: params.pruneVal,
        balance: params.balance,
      });
  }
}
