import type { z } from 'zod';
import type { JobKind } from '../../../shared/jobs.js';
import type { JobContext } from './context.js';

/** One job kind as the engine runs it. */
export interface JobHandler<P, R> {
  kind: JobKind;
  params: z.ZodType<P, unknown>;
  /** Whether `resume` can continue an interrupted run from its checkpoint; if not, resume starts it over. */
  resumable: boolean;
  run(ctx: JobContext, params: P): Promise<R>;
}
