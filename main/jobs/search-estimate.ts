/** Cost before Start for a search: its count (shared/cost-kinds.ts) on its dataset, its supernet's shape, the probe. */
import { searchCount, searchQuickLookKnobs, withJpegStage } from '../../shared/cost-kinds.js';
import { defaultSubsetSize, type SearchParams } from '../../shared/search.js';
import { ApiError } from '../api/errors.js';
import { missingDataset, searchDatasetFacts } from '../api/searches.js';
import { cellsFor } from '../engine/search/context.js';
import type { Store } from '../store/index.js';
import type { JobEstimatePlan } from './kind.js';

/** What a search step's time depends on: the supernet (space, algorithm, C, cells), the batch and the image. */
export function searchShapeKey(
  p: SearchParams,
  d: { width: number; height: number; channels: number; classes: number },
): string {
  const pc = p.algorithm === 'pc-darts' || (p.algorithm === 'beta-darts' && p.betaDecayOn === 'pc-darts');
  return [
    'search',
    p.space,
    p.algorithm,
    pc ? `k${p.partialChannels}` : '',
    `c${p.channels}`,
    `n${cellsFor(p)}`,
    `b${p.batch}`,
    `${d.width}x${d.height}x${d.channels}`,
    `y${d.classes}`,
  ].join(':');
}

export function searchEstimatePlan(store: Store, params: SearchParams): JobEstimatePlan {
  const facts = searchDatasetFacts(store, params.datasetId);
  if (!facts) throw new ApiError('not_found', missingDataset(params.datasetId));
  const d = facts.detail;
  const shape = { width: d.width, height: d.height, channels: d.channels, classes: d.classNames.length };
  const costFacts = { ...shape, perClassHalves: facts.perClassHalves, testImages: d.splits.test };
  return {
    count: (patch = {}) =>
      withJpegStage(
        searchCount({ ...params, ...patch, defaultSubset: defaultSubsetSize(shape) }, costFacts),
        params.jpegQuality,
        { ...shape, images: d.images },
      ),
    shapeKey: searchShapeKey(params, shape),
    probe: { kind: 'search', params, shape },
    knobs: searchQuickLookKnobs(params, costFacts),
    shorter: 'Fewer epochs, fewer images, or fewer channels or cells make it shorter.',
  };
}
