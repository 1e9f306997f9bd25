import type { JobKind } from '../../../shared/jobs.js';
import { importHandler } from '../../data/import-job.js';
import { autoencoderHandler } from '../embed/ae-job.js';
import { compressHandler } from '../compress/job.js';
import { evaluateHandler } from '../evaluate/job.js';
import { searchHandler } from '../search/darts.js';
import type { JobHandler } from './handler.js';
import { selftestHandler } from './selftest.js';

/** Every job kind the engine can run. Add new kinds here and in shared/jobs.ts's JobStartRequest. */
const HANDLERS: Record<JobKind, JobHandler<never, unknown>> = {
  selftest: selftestHandler as unknown as JobHandler<never, unknown>,
  import: importHandler as unknown as JobHandler<never, unknown>,
  autoencoder: autoencoderHandler as unknown as JobHandler<never, unknown>,
  search: searchHandler as unknown as JobHandler<never, unknown>,
  evaluate: evaluateHandler as unknown as JobHandler<never, unknown>,
  compress: compressHandler as unknown as JobHandler<never, unknown>,
};

export function handlerFor(kind: string): JobHandler<unknown, unknown> {
  const h = (HANDLERS as Record<string, JobHandler<never, unknown> | undefined>)[kind];
  if (!h) throw new Error(`Unknown job kind "${kind}". Known kinds: ${Object.keys(HANDLERS).join(', ')}.`);
  return h as unknown as JobHandler<unknown, unknown>;
}
