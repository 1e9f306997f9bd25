/** Compression study: a model tested on JPEG copies of a dataset at chosen qualities; accuracy and bias per group. */
import { compressJobContext } from '../api/compressions.js';
import { compressHandler } from '../engine/compress/job.js';
import { compressEventLine } from '../cli/compress.js';
import { compressEstimatePlan } from './compress-estimate.js';
import { defineJobKind } from './kind.js';

export const compressKind = defineJobKind({
  engine: compressHandler,
  events: ['compress-point'],
  refuse: (host, params) => void compressJobContext(host.store, host.dataDir, params),
  prepare: (host, job) => compressJobContext(host.store, host.dataDir, job.params),
  estimate: compressEstimatePlan,
  // a study keeps its progress (study.json, training checkpoints) in its job folder for `resume`, and its decoded
  // copies in the shared JPEG cache, which any later study may reuse: nothing to clean
  cli: {
    command: 'compress',
    summary: 'measure accuracy and per-group bias under JPEG compression',
    eventLine: compressEventLine,
  },
  ui: { label: 'Compression study', noun: 'compression study', page: 'compression' },
});
