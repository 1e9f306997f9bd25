/** Cost before Start for an autoencoder: its count (shared/cost-kinds.ts), its network's shape, the probe. */
import type { AeTrainParams } from '../../shared/autoencoder.js';
import { autoencoderCount, autoencoderQuickLookKnobs, withJpegStage } from '../../shared/cost-kinds.js';
import { ApiError } from '../api/errors.js';
import { missingDataset } from '../api/searches.js';
import { resolveAeSettings } from '../engine/embed/ae-job.js';
import type { Store } from '../store/index.js';
import type { JobEstimatePlan } from './kind.js';

export function autoencoderEstimatePlan(store: Store, params: AeTrainParams): JobEstimatePlan {
  const d = store.datasets.detail(params.datasetId);
  if (!d) throw new ApiError('not_found', missingDataset(params.datasetId));
  const rows = store.datasets.labels(params.datasetId);
  const trainImages = rows.split.filter((s) => s === 'train').length;
  const facts = { trainImages, testImages: rows.split.length - trainImages, images: rows.split.length };
  const { losses, kendall, dim } = resolveAeSettings(params, d.channels === 1 ? 1 : 3);
  const shape = { width: d.width, height: d.height, channels: d.channels, classes: d.classNames.length };
  return {
    count: (patch = {}) =>
      withJpegStage(autoencoderCount({ ...params, ...patch, dim }, facts), params.jpegQuality, {
        ...shape,
        images: facts.images,
      }),
    // what a step's time depends on: the losses and their weighting, the latent size, the batch and the image
    shapeKey: [
      'autoencoder',
      [...losses].sort().join('+'),
      kendall ? 'kendall' : '',
      `n${dim}`,
      `b${params.batch}`,
      `${d.width}x${d.height}x${d.channels}`,
    ].join(':'),
    probe: { kind: 'autoencoder', params, shape },
    knobs: autoencoderQuickLookKnobs(params),
    shorter: 'A larger batch makes each image cheaper: batch 8, the paper’s, is the slowest per image.',
  };
}
