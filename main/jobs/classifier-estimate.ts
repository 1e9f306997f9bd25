/**
 * Cost before Start for the jobs that train a classifier (evaluations, compression studies): the dataset's facts
 * the counts read (shared/cost-kinds.ts), the network's shape as a cache key, and the probe that times its step.
 */
import { createHash } from 'node:crypto';
import type { ClassifierCostFacts } from '../../shared/cost-kinds.js';
import type { NetworkDescription } from '../../shared/evaluate.js';
import type { SplitDatasetJobContext } from '../engine/jobs/dataset-context.js';
import type { ProbeSpec } from '../engine/cost/probe.js';

/** Training images per class and the test images the job tests on (at most `testLimitPerClass` of each class). */
export function classifierFacts(
  c: Pick<SplitDatasetJobContext, 'labels' | 'splits' | 'classNames'>,
  testLimitPerClass: number | null = null,
): ClassifierCostFacts {
  const perClassTrain = c.classNames.map(() => 0);
  const perClassTest = c.classNames.map(() => 0);
  c.splits.forEach((s, i) => {
    if (s === 'train') perClassTrain[c.labels[i]!]!++;
    else perClassTest[c.labels[i]!]!++;
  });
  const testImages = perClassTest.reduce((sum, n) => sum + Math.min(n, testLimitPerClass ?? Infinity), 0);
  return { perClassTrain, testImages };
}

interface ClassifierShape {
  network: NetworkDescription;
  batch: number;
  augment: boolean;
  shape: { width: number; height: number; channels: number; classes: number };
}

/**
 * What a classifier step's time depends on: the network (kind, genotype, C, cells, auxiliary head, drop-path), the
 * batch, the augmentation and the image. Evaluations and studies of one network share it (and its calibration).
 */
export function classifierShapeKey(k: ClassifierShape): string {
  const n = k.network;
  const genotype = n.genotype ? createHash('sha256').update(JSON.stringify(n.genotype)).digest('hex').slice(0, 12) : '';
  const s = k.shape;
  return [
    'classifier',
    n.kind,
    genotype,
    `c${n.channels}`,
    `l${n.layers}`,
    n.auxiliary ? 'aux' : '',
    n.dropPath > 0 ? 'dp' : '',
    `b${k.batch}`,
    k.augment ? 'aug' : '',
    `${s.width}x${s.height}x${s.channels}`,
    `y${s.classes}`,
  ].join(':');
}

/** The probe of a classifier's training step. */
export function classifierProbe(k: ClassifierShape & { auxWeight: number }): ProbeSpec {
  return { kind: 'classifier', ...k };
}
