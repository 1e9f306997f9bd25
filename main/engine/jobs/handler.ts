import type { z } from 'zod';
import type { JobContext } from './context.js';

/**
 * One job kind as the engine runs it. C is what the host's `prepare` looked up for it (main/jobs/kind.ts), read
 * as `ctx.hostContext`.
 */
export interface JobHandler<P, R, C = undefined> {
  kind: string;
  params: z.ZodType<P, unknown>;
  /** Whether `resume` can continue an interrupted run from its checkpoint; if not, resume starts it over. */
  resumable: boolean;
  run(ctx: JobContext<C>, params: P): Promise<R>;
}

/** Finds the handler of a kind; the worker is given one (main/jobs/registry.ts) so the engine names no kinds. */
export type HandlerLookup = (kind: string) => JobHandler<unknown, unknown, unknown>;
