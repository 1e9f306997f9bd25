/** Cost before Start for an evaluation: its count (shared/cost-kinds.ts), its network's shape, the probe. */
import { classifierQuickLookKnobs, evaluateCount, withJpegStage } from '../../shared/cost-kinds.js';
import { augmentationFor, type EvaluateParams } from '../../shared/evaluate.js';
import { evaluateJobContext } from '../api/evaluations.js';
import type { JobEstimatePlan, JobHost } from './kind.js';
import { classifierFacts, classifierProbe, classifierShapeKey } from './classifier-estimate.js';

export function evaluateEstimatePlan(host: JobHost, params: EvaluateParams): JobEstimatePlan {
  // the job's own context: the network resolved from its source (a search's genotype, a pasted one, a baseline)
  const c = evaluateJobContext(host.store, host.dataDir, params);
  const facts = classifierFacts(c);
  const k = {
    network: c.network,
    batch: params.batch,
    augment: augmentationFor(params.augment, c.shape.channels),
    shape: { ...c.shape, classes: c.classNames.length },
  };
  return {
    count: (patch = {}) =>
      withJpegStage(evaluateCount({ ...params, ...patch }, facts), params.jpegQuality, {
        ...c.shape,
        images: c.labels.length,
      }),
    shapeKey: classifierShapeKey(k),
    probe: classifierProbe({ ...k, auxWeight: params.auxWeight }),
    knobs: classifierQuickLookKnobs(params, facts),
    shorter: 'Fewer epochs, fewer images per class, or a smaller network preset make it shorter.',
  };
}
