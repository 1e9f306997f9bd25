/**
 * An in-process host for integration tests of one job kind: a data folder with one imported dataset, and a way to
 * run a job of the kind to its end and read it back.
 */
import { beforeAll, expect } from 'vitest';
import type { ApiInput } from '../../shared/api.js';
import type { ImportParams, ImportResult } from '../../shared/datasets.js';
import type { JobKind, JobSummary, StoredJobEvent } from '../../shared/jobs.js';
import { openHost, type WinnowHost } from '../../main/api/host.js';
import { inProcessLauncher } from '../../main/supervisor/launchers.js';
import { tempDir } from './tmp.js';

/** Opens a host on `dataDir` with the engine in this process and imports `source`; returns the host and dataset id. */
export async function hostWithDataset(
  dataDir: string,
  source: ImportParams['source'],
): Promise<{ host: WinnowHost; datasetId: number }> {
  const host = await openHost({ dataDir, transport: 'in-process', launcher: inProcessLauncher() });
  const started = (await host.api.dispatch('jobs.start', { kind: 'import', params: { source } })) as JobSummary;
  await host.supervisor.whenIdle();
  const job = host.store.jobs.get(started.id)!;
  expect(job.state, job.message ?? '').toBe('done');
  return { host, datasetId: (job.result as ImportResult).id };
}

/** Starts a `kind` job, waits for the engine, expects it done; returns the job and its stored events. */
export async function runToDone(
  host: WinnowHost,
  kind: JobKind,
  params: Record<string, unknown>,
): Promise<{ job: JobSummary; events: StoredJobEvent[] }> {
  // the kind's schema parses params in jobs.start, as it would for the renderer's or the CLI's input
  const started = (await host.api.dispatch('jobs.start', { kind, params } as ApiInput<'jobs.start'>)) as JobSummary;
  await host.supervisor.whenIdle();
  const job = (await host.api.dispatch('jobs.get', { id: started.id })) as JobSummary;
  expect(job.state, job.message ?? '').toBe('done');
  const events = (await host.api.dispatch('jobs.events', { id: started.id })) as StoredJobEvent[];
  return { job, events };
}

/** `runToDone`, with the job's result read by the kind's result `schema`. */
export async function runToResult<R>(
  host: WinnowHost,
  kind: JobKind,
  params: Record<string, unknown>,
  schema: { parse: (raw: unknown) => R },
): Promise<{ job: JobSummary; result: R; events: StoredJobEvent[] }> {
  const { job, events } = await runToDone(host, kind, params);
  return { job, result: schema.parse(job.result), events };
}

/**
 * A test file's in-process host: a temporary data folder (`dir`) with `source` imported before the file's tests,
 * closed and removed after them. `run` runs a job of `kind` on that dataset to its result.
 */
export function inProcessHost(source: ImportParams['source'], importTimeoutMs = 120_000) {
  const t = tempDir();
  const env = {
    dir: t.dir,
    host: undefined as unknown as WinnowHost,
    datasetId: 0,
    run: <R>(kind: JobKind, params: Record<string, unknown>, schema: { parse: (raw: unknown) => R }) =>
      runToResult(env.host, kind, { datasetId: env.datasetId, ...params }, schema),
  };
  beforeAll(async () => {
    Object.assign(env, await hostWithDataset(t.dir, source));
    return () => env.host.close().then(t.cleanup);
  }, importTimeoutMs);
  return env;
}
