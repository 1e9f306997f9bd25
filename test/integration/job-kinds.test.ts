/**
 * A job kind added in one module (test/fixtures/tally-kind.mjs) runs through the API, the supervisor and its hooks,
 * the engine worker and the built CLI and server, with no other file naming it: the registry is the only way in.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../main/api/errors.js';
import { openHost, type WinnowHost } from '../../main/api/host.js';
import type { AnyJobKindSpec } from '../../main/jobs/kind.js';
import { JOB_KINDS_ENV, registerJobKind } from '../../main/jobs/registry.js';
import { inProcessLauncher } from '../../main/supervisor/launchers.js';
import type { JobKindInfo } from '../../shared/api.js';
import type { JobSummary, StoredJobEvent } from '../../shared/jobs.js';
import { runCli, startServe } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const TALLY_MODULE = path.resolve(import.meta.dirname, '../fixtures/tally-kind.mjs');
const t = tempDir();
const cleanups: Array<() => unknown> = [() => t.cleanup()];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Runs `start` with WINNOW_JOB_KINDS naming the tally module (the child processes it starts inherit it). */
async function withPlugin<T>(start: () => Promise<T>): Promise<T> {
  const before = process.env[JOB_KINDS_ENV];
  process.env[JOB_KINDS_ENV] = TALLY_MODULE;
  try {
    return await start();
  } finally {
    if (before === undefined) delete process.env[JOB_KINDS_ENV];
    else process.env[JOB_KINDS_ENV] = before;
  }
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('a job kind registered at run time', () => {
  let host: WinnowHost;

  it('is started, prepared, run, finalized and listed through the API (engine in this process)', async () => {
    const tally = (await import(TALLY_MODULE)).default as AnyJobKindSpec;
    cleanups.push(registerJobKind(tally));
    host = await openHost({
      dataDir: path.join(t.dir, 'in-process'),
      transport: 'in-process',
      launcher: inProcessLauncher(),
    });
    cleanups.push(() => host.close());

    const started = (await host.api.dispatch('jobs.start', {
      kind: 'tally',
      params: { count: 4, word: 'hi' },
    })) as JobSummary;
    await host.supervisor.whenIdle();
    const done = (await host.api.dispatch('jobs.get', { id: started.id })) as JobSummary;
    // the engine saw what prepare looked up; finalize ran on the host
    expect(done).toMatchObject({
      kind: 'tally',
      state: 'done',
      result: { sum: 6, word: 'hi', preparedFor: started.id, finalized: true },
    });
    const events = (await host.api.dispatch('jobs.events', { id: started.id, types: ['metric'] })) as StoredJobEvent[];
    expect(events.map((e) => e.event.type === 'metric' && e.event.value)).toEqual([0, 1, 2, 3]);
    expect(((await host.api.dispatch('jobs.list', { kind: 'tally' })) as JobSummary[]).map((j) => j.id)).toEqual([
      started.id,
    ]);
    // what the UI and the CLI call it, beside the built-in kinds
    const kinds = (await host.api.dispatch('jobs.kinds', {})) as JobKindInfo[];
    expect(kinds.map((k) => k.kind)).toEqual([
      'selftest',
      'import',
      'autoencoder',
      'search',
      'evaluate',
      'compress',
      'naswot',
      'dsm-search',
      'experiment',
      'tally',
    ]);
    expect(kinds.at(-1)).toEqual({
      kind: 'tally',
      label: 'Tally',
      noun: 'tally',
      page: null,
      resumable: false,
      command: 'tally',
    });
    expect(kinds.find((k) => k.kind === 'search')).toMatchObject({
      label: 'Search',
      page: 'search',
      resumable: true,
      command: 'search',
    });
  });

  it('is validated by its own schema and refused by its own check, saying why', async () => {
    const bad = await rejection(host.api.dispatch('jobs.start', { kind: 'tally', params: { count: 0 } }));
    expect(bad.code).toBe('bad_input');
    expect(bad.message).toMatch(/^Invalid input for jobs\.start: params\.count: /);
    const refused = await rejection(host.api.dispatch('jobs.start', { kind: 'tally', params: { word: 'forbidden' } }));
    expect(refused).toMatchObject({
      code: 'bad_input',
      message: 'The word "forbidden" cannot be tallied: choose another word.',
    });
    const unknown = await rejection(host.api.dispatch('jobs.start', { kind: 'tallies', params: {} }));
    expect(unknown.code).toBe('bad_input');
    expect(unknown.message).toMatch(/Unknown job kind "tallies"\. Known kinds: .*\btally\b/);
  });

  it('a kind that cannot continue from a checkpoint runs again from the start on resume', async () => {
    const job = (await host.api.dispatch('jobs.start', { kind: 'tally', params: { count: 50 } })) as JobSummary;
    await host.api.dispatch('jobs.cancel', { id: job.id });
    await host.supervisor.whenIdle();
    expect(((await host.api.dispatch('jobs.get', { id: job.id })) as JobSummary).state).toBe('cancelled');
    await host.api.dispatch('jobs.resume', { id: job.id });
    await host.supervisor.whenIdle();
    const again = (await host.api.dispatch('jobs.get', { id: job.id })) as JobSummary;
    expect(again).toMatchObject({ state: 'done', attempts: 2, result: { sum: 1225, finalized: true } });
  });

  it('runs in the built server and its forked engine worker when named in WINNOW_JOB_KINDS', async () => {
    const serve = await withPlugin(() => startServe(path.join(t.dir, 'served')));
    cleanups.push(serve.stop);
    const token = new URL(serve.url).searchParams.get('token')!;
    const call = async (method: string, body: unknown) => {
      const r = await fetch(new URL(`/api/${method}`, serve.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const started = await call('jobs.start', { kind: 'tally', params: { count: 3, word: 'served' } });
    expect(started.status).toBe(200);
    const id = started.body.id as number;
    const end = Date.now() + 60_000;
    let job = started.body;
    while (job.state !== 'done' && job.state !== 'failed') {
      if (Date.now() > end) throw new Error(`tally job ${id} did not end: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 100));
      job = (await call('jobs.get', { id })).body;
    }
    expect(job).toMatchObject({ state: 'done', result: { sum: 3, word: 'served', preparedFor: id, finalized: true } });
  });

  it('has a command of its own in the built CLI, flags generated from its schema', async () => {
    const dir = path.join(t.dir, 'cli');
    const run = await withPlugin(() => runCli(['tally', '--count', '4', '--word', 'cli', '--json'], dir));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'done', result: { sum: 6, word: 'cli', finalized: true } });
    const bad = await withPlugin(() => runCli(['tally', '--count', '0'], dir));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--count/);
    const help = await withPlugin(() => runCli(['tally', '--help'], dir));
    expect(help.stderr + help.stdout).toMatch(/how far to count/);
    // without the plug-in the command does not exist, and says so
    const unknown = await runCli(['tally'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command "tally"/);
  });
});
