/**
 * Cost before Start for the NAS-Bench-201 jobs (`naswot`, `dsm-search`): their counts (shared/cost-kinds.ts) on the
 * dataset's search halves, the single-path network's shape, and the probe that times its training step. Forward-only
 * work (NASWOT's scores, inherited-weight evaluations) is counted at INFER_SHARE of that step, so one rate serves
 * the scoring, the supernet's training and the evaluations alike.
 */
import {
  dsmCount,
  dsmQuickLookKnobs,
  naswotCount,
  naswotQuickLookKnobs,
  type Nb201CostFacts,
} from '../../shared/cost-kinds.js';
import type { DsmParams } from '../../shared/dsm.js';
import type { NaswotParams } from '../../shared/naswot.js';
import { ApiError } from '../api/errors.js';
import { missingDataset, searchDatasetFacts } from '../api/searches.js';
import type { ProbeSpec } from '../engine/cost/probe.js';
import type { Store } from '../store/index.js';
import type { JobEstimatePlan } from './kind.js';

type Nb201Network = Pick<NaswotParams, 'channels' | 'cells' | 'inputSize' | 'supernetBatch' | 'datasetId'>;

/** The dataset's halves, the shape key and the probe of the single-path network these parameters build. */
function nb201Basis(store: Store, p: Nb201Network): { facts: Nb201CostFacts; shapeKey: string; probe: ProbeSpec } {
  const f = searchDatasetFacts(store, p.datasetId);
  if (!f) throw new ApiError('not_found', missingDataset(p.datasetId));
  const d = f.detail;
  const shape = { width: d.width, height: d.height, channels: d.channels, classes: d.classNames.length };
  const size = p.inputSize ?? d.width;
  return {
    facts: { perClassHalves: f.perClassHalves },
    shapeKey: [
      'nb201',
      `c${p.channels}`,
      `n${p.cells}`,
      `b${p.supernetBatch}`,
      `${size}x${size}x${d.channels}`,
      `y${shape.classes}`,
    ].join(':'),
    probe: {
      kind: 'nb201',
      channels: p.channels,
      cells: p.cells,
      inputSize: p.inputSize,
      batch: p.supernetBatch,
      shape,
    },
  };
}

export function naswotEstimatePlan(store: Store, params: NaswotParams): JobEstimatePlan {
  const b = nb201Basis(store, params);
  return {
    count: (patch = {}) => naswotCount({ ...params, ...patch }, b.facts),
    shapeKey: b.shapeKey,
    probe: b.probe,
    knobs: naswotQuickLookKnobs(params, b.facts),
    shorter: params.kendall
      ? 'Fewer cells, fewer supernet epochs, or fewer images per class make it shorter.'
      : 'Fewer cells, fewer mini-batches per cell, or a smaller batch make it shorter.',
  };
}

/**
 * A reused supernet (supernetFrom) is not trained again; its evaluations are timed at these parameters' network
 * (the reused one's channels and cells may differ: the first finished run of that shape corrects the rate).
 */
export function dsmEstimatePlan(store: Store, params: DsmParams): JobEstimatePlan {
  const b = nb201Basis(store, params);
  const p = { ...params, reused: params.supernetFrom !== null };
  return {
    count: (patch = {}) => dsmCount({ ...p, ...patch }, b.facts),
    shapeKey: b.shapeKey,
    probe: b.probe,
    knobs: dsmQuickLookKnobs(p, b.facts),
    shorter: 'Fewer iterations, fewer supernet epochs, or fewer images per class make it shorter.',
  };
}
