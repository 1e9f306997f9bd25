/** Listing the stored jobs of one kind with their parsed parameters, as the list endpoints show them. */
import type { z } from 'zod';
import type { JobSummary } from '../../shared/jobs.js';
import type { Store } from '../store/index.js';

/**
 * Every job of `kind`, newest first, with its parameters parsed by `schema`; only those on `datasetId` when given.
 * A job whose parameters this contract did not write is left out: there is nothing sensible to show for it.
 */
export function jobsWithParams<P extends { datasetId: number }>(
  store: Store,
  kind: string,
  schema: z.ZodType<P, unknown>,
  datasetId?: number,
): Array<{ job: JobSummary; params: P }> {
  const out: Array<{ job: JobSummary; params: P }> = [];
  for (const job of store.jobs.list({ kind, limit: Number.MAX_SAFE_INTEGER })) {
    const parsed = schema.safeParse(job.params);
    if (!parsed.success) continue;
    if (datasetId !== undefined && parsed.data.datasetId !== datasetId) continue;
    out.push({ job, params: parsed.data });
  }
  return out;
}
