/** Evaluation: a network built from a genotype, trained from scratch and tested; ends with a stored model. */
import { jpegCacheDir } from '../api/compressions.js';
import { commitEvaluation, discardEvaluation, evaluateJobContext } from '../api/evaluations.js';
import { evaluateHandler } from '../engine/evaluate/job.js';
import { evaluateEventLine } from '../cli/evaluate.js';
import { evaluateEstimatePlan } from './evaluate-estimate.js';
import { defineJobKind } from './kind.js';

export const evaluateKind = defineJobKind({
  engine: evaluateHandler,
  events: ['evaluate-epoch'],
  refuse: (host, params) => void evaluateJobContext(host.store, host.dataDir, params),
  prepare: (host, job) => ({
    ...evaluateJobContext(host.store, host.dataDir, job.params),
    cacheDir: jpegCacheDir(host.dataDir),
  }),
  finalize: (host, job) => commitEvaluation(host.store, host.dataDir, job),
  discard: (_host, job) => discardEvaluation(job),
  estimate: evaluateEstimatePlan,
  cli: {
    command: 'evaluate',
    summary: 'train a network built from a genotype and test it',
    eventLine: evaluateEventLine,
  },
  ui: { label: 'Evaluation', noun: 'evaluation', page: 'evaluate' },
});
