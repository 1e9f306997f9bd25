/**
 * Cost before Start for a compression study: its count (shared/cost-kinds.ts: grid points × images encoded, the
 * trainings its protocols need, its tests), the network it trains (or the stored model's), the probe.
 */
import { classifierQuickLookKnobs, compressCount } from '../../shared/cost-kinds.js';
import type { CompressParams } from '../../shared/compress.js';
import { augmentationFor } from '../../shared/evaluate.js';
import { compressJobContext } from '../api/compressions.js';
import { studyGrid } from '../engine/compress/context.js';
import type { JobEstimatePlan, JobHost } from './kind.js';
import { classifierFacts, classifierProbe, classifierShapeKey } from './classifier-estimate.js';

const SHORTER =
  'Fewer qualities, fewer protocols that retrain, fewer epochs or fewer images per class make it shorter.';

export function compressEstimatePlan(host: JobHost, params: CompressParams): JobEstimatePlan {
  const c = compressJobContext(host.store, host.dataDir, params);
  const facts = { ...classifierFacts(c), ...c.shape, images: c.labels.length };
  const baseline = c.model.kind === 'baseline';
  const trains = baseline || params.protocols.includes('retrain') || params.protocols.includes('mixed');
  const network = c.model.network;
  const count = (patch: Record<string, number> = {}) =>
    compressCount({ ...params, ...patch, baseline, points: studyGrid(params, c.shape.channels).length }, facts);
  // a stored model imported without its network description is never trained here and cannot be timed: its
  // estimate waits for a finished study of the same shape
  if (!network)
    return {
      count,
      shapeKey: `compress:model:${params.model.kind === 'model' ? params.model.modelId : ''}`,
      probe: null,
      knobs: [],
    };
  const k = {
    network,
    batch: params.batch,
    // the study augments as an evaluation does by default
    augment: augmentationFor('auto', c.shape.channels),
    shape: { ...c.shape, classes: c.classNames.length },
  };
  return {
    count,
    shapeKey: classifierShapeKey(k),
    probe: classifierProbe({ ...k, auxWeight: 0.4 }),
    knobs: trains ? classifierQuickLookKnobs(params, facts) : [],
    shorter: SHORTER,
  };
}
