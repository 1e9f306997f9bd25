import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushMessage } from '../../shared/jobs.js';
import type { WorkerChannel, WorkerLauncher } from '../../main/engine/jobs/protocol.js';
import { Store } from '../../main/store/index.js';
import { inProcessLauncher } from '../../main/supervisor/launchers.js';
import { JobSupervisor } from '../../main/supervisor/supervisor.js';
import { defineJobKind, type JobKindSpec } from '../../main/jobs/kind.js';
import { registerJobKind } from '../../main/jobs/registry.js';
import { selftestKind } from '../../main/jobs/selftest.js';
import type { SelftestParams, SelftestResult } from '../../shared/jobs.js';
import { tempDir, waitFor } from '../helpers/tmp.js';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function setup(launcher: WorkerLauncher = inProcessLauncher()) {
  const t = tempDir();
  const store = Store.open(path.join(t.dir, 'winnow.db'));
  const pushes: PushMessage[] = [];
  const supervisor = new JobSupervisor({
    store,
    dataDir: t.dir,
    launcher,
    publish: (m) => pushes.push(m),
    cancelGraceMs: 10_000,
  });
  cleanups.push(async () => {
    await supervisor.close();
    store.close();
    t.cleanup();
  });
  return { store, supervisor, pushes, dir: t.dir };
}

/** A self-test under another name, with the given host hooks: what a kind's module declares. */
function hookedSelftest<C>(
  kind: string,
  hooks: Pick<JobKindSpec<SelftestParams, SelftestResult, C>, 'prepare' | 'finalize' | 'discard'>,
): void {
  const spec = defineJobKind<SelftestParams, SelftestResult, C>({
    ...hooks,
    engine: { ...selftestKind.engine, kind } as JobKindSpec<SelftestParams, SelftestResult, C>['engine'],
  });
  cleanups.push(registerJobKind(spec));
}

/** Starts a one-step self-test job of `kind` and waits until the supervisor is idle again. */
async function oneStep(supervisor: JobSupervisor, kind: string) {
  const job = supervisor.start({ kind, params: { steps: 1, batch: 2, backend: 'cpu', seed: 1 } });
  await supervisor.whenIdle();
  return job;
}

describe('job supervisor (in-process engine)', () => {
  it('runs a selftest to done, persisting every event before publishing it', async () => {
    const { store, supervisor, pushes } = setup();
    const job = supervisor.start({ kind: 'selftest', params: { steps: 3, batch: 4, backend: 'cpu', seed: 1 } });
    expect(job.state).toBe('running'); // an idle supervisor starts a new job at once
    await supervisor.whenIdle();
    const done = store.jobs.get(job.id)!;
    expect(done.state).toBe('done');
    expect(done.result).toMatchObject({ backend: 'cpu', steps: 3, batch: 4 });
    const events = store.jobs.events(job.id, 0, 1000);
    const states = events.filter((e) => e.event.type === 'state').map((e) => (e.event as { state: string }).state);
    expect(states).toEqual(['queued', 'running', 'done']);
    expect(events.filter((e) => e.event.type === 'metric')).toHaveLength(3);
    // every published event is in the store with the same sequence number
    const published = pushes.filter((p) => p.channel === 'job.event');
    expect(published.map((p) => p.seq)).toEqual(events.map((e) => e.seq));
    expect(pushes.some((p) => p.channel === 'job.updated' && p.job.state === 'done')).toBe(true);
  });

  it('queues jobs and runs them one at a time, in order', async () => {
    const { store, supervisor } = setup();
    const a = supervisor.start({ kind: 'selftest', params: { steps: 2, batch: 2, backend: 'cpu', seed: 1 } });
    const b = supervisor.start({ kind: 'selftest', params: { steps: 2, batch: 2, backend: 'cpu', seed: 2 } });
    expect(store.jobs.get(b.id)!.state).toBe('queued');
    await supervisor.whenIdle();
    const ja = store.jobs.get(a.id)!;
    const jb = store.jobs.get(b.id)!;
    expect([ja.state, jb.state]).toEqual(['done', 'done']);
    expect(jb.startedAt!).toBeGreaterThanOrEqual(ja.endedAt!);
  });

  it('cancels a queued job at once and a running one at its next step', async () => {
    const { store, supervisor } = setup();
    const running = supervisor.start({
      kind: 'selftest',
      params: { steps: 100_000, batch: 2, backend: 'cpu', seed: 1 },
    });
    const queued = supervisor.start({ kind: 'selftest', params: { steps: 2, batch: 2, backend: 'cpu', seed: 1 } });
    expect(supervisor.cancel(queued.id).state).toBe('cancelled');
    await waitFor(() => (store.jobs.get(running.id)!.progress?.step ?? 0) >= 2, 30_000, 'two steps');
    supervisor.cancel(running.id);
    await supervisor.whenIdle();
    expect(store.jobs.get(running.id)).toMatchObject({ state: 'cancelled', message: 'Cancelled by the user.' });
    expect(() => supervisor.cancel(running.id)).toThrow(/already ended/);
  });

  it('marks the running job interrupted when the worker dies, and the next job runs on a new worker', async () => {
    let launched = 0;
    const workers: WorkerChannel[] = [];
    const base = inProcessLauncher();
    const { store, supervisor } = setup(() => {
      launched++;
      const w = base();
      workers.push(w);
      return w;
    });
    const victim = supervisor.start({
      kind: 'selftest',
      params: { steps: 100_000, batch: 2, backend: 'cpu', seed: 1 },
    });
    await waitFor(() => store.jobs.get(victim.id)!.progress, 30_000, 'progress');
    workers[0]!.kill();
    await waitFor(() => store.jobs.get(victim.id)!.state === 'interrupted', 5000, 'interrupted');
    expect(store.jobs.get(victim.id)!.message).toMatch(/killed.*Resume it/);
    const next = supervisor.start({ kind: 'selftest', params: { steps: 2, batch: 2, backend: 'cpu', seed: 1 } });
    await supervisor.whenIdle();
    expect(store.jobs.get(next.id)!.state).toBe('done');
    expect(launched).toBe(2);
  });

  it('resumes an interrupted job (a new attempt) and refuses to resume a finished one', async () => {
    const { store, supervisor } = setup();
    const job = supervisor.start({ kind: 'selftest', params: { steps: 2, batch: 2, backend: 'cpu', seed: 1 } });
    await supervisor.whenIdle();
    expect(() => supervisor.resume(job.id)).toThrow(/only interrupted, cancelled or failed/);
    store.jobs.appendEvent(job.id, { type: 'state', state: 'interrupted', message: 'test' });
    expect(supervisor.resume(job.id).state).not.toBe('interrupted');
    await supervisor.whenIdle();
    expect(store.jobs.get(job.id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('on start-up, marks jobs of a dead process interrupted and adopts its queued jobs', async () => {
    const t = tempDir();
    const store = Store.open(path.join(t.dir, 'winnow.db'));
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default: never alive
    const wasRunning = store.jobs.create('selftest', { steps: 2, batch: 2, backend: 'cpu' }, deadPid);
    store.jobs.appendEvent(wasRunning.id, { type: 'state', state: 'running' });
    const wasQueued = store.jobs.create('selftest', { steps: 2, batch: 2, backend: 'cpu' }, deadPid);
    const supervisor = new JobSupervisor({ store, dataDir: t.dir, launcher: inProcessLauncher(), publish: () => {} });
    cleanups.push(async () => {
      await supervisor.close();
      store.close();
      t.cleanup();
    });
    expect(store.jobs.get(wasRunning.id)).toMatchObject({ state: 'interrupted' });
    expect(store.jobs.get(wasRunning.id)!.message).toMatch(/stopped while this job was running/);
    await supervisor.whenIdle();
    expect(store.jobs.get(wasQueued.id)!.state).toBe('done');
  });

  it('fails a job with the reason when its backend cannot load', async () => {
    const { store, supervisor } = setup();
    const job = supervisor.start({
      kind: 'selftest',
      params: { steps: 2, batch: 2, backend: 'tensorflow-gpu', seed: 1 },
    });
    await supervisor.whenIdle();
    const failed = store.jobs.get(job.id)!;
    // where tfjs-node-gpu and CUDA are present this passes as done; elsewhere it must say why
    if (failed.state === 'failed') expect(failed.message).toMatch(/tensorflow-gpu backend is not available: .+/);
    else expect(failed.state).toBe('done');
  });

  it('lets a host hook finalize the result, fail the job, or discard what an unfinished job left', async () => {
    const calls: string[] = [];
    let refuse = false;
    hookedSelftest('selftest-finalized', {
      finalize: (_host, { id, result }) => {
        calls.push(`finalize ${id}`);
        if (refuse) throw new Error('Refused by the host.');
        return { wrapped: result };
      },
      discard: (_host, { id }) => void calls.push(`discard ${id}`),
    });
    const { store, supervisor } = setup();
    const ok = await oneStep(supervisor, 'selftest-finalized');
    expect(store.jobs.get(ok.id)).toMatchObject({ state: 'done', result: { wrapped: { backend: 'cpu', steps: 1 } } });
    refuse = true;
    const refused = await oneStep(supervisor, 'selftest-finalized');
    expect(store.jobs.get(refused.id)).toMatchObject({ state: 'failed', message: 'Refused by the host.' });
    const cancelled = supervisor.start({
      kind: 'selftest-finalized',
      params: { steps: 100_000, batch: 2, backend: 'cpu', seed: 1 },
    });
    await waitFor(() => store.jobs.get(cancelled.id)!.progress, 30_000, 'progress');
    supervisor.cancel(cancelled.id);
    await supervisor.whenIdle();
    expect(calls).toEqual([
      `finalize ${ok.id}`,
      `finalize ${refused.id}`,
      `discard ${refused.id}`,
      `discard ${cancelled.id}`,
    ]);
  });

  it('passes what the prepare hook looked up to the engine, and fails the job when it throws', async () => {
    let refuse = false;
    const seen: unknown[] = [];
    hookedSelftest('selftest-prepared', {
      prepare: (_host, { id }) => {
        if (refuse) throw new Error('There is no dataset 7.');
        return { preparedFor: id };
      },
    });
    const base = inProcessLauncher();
    const { store, supervisor } = setup(() => {
      const w = base();
      const send = w.send.bind(w);
      return {
        ...w,
        pid: w.pid,
        send: (m) => {
          if (m.type === 'start') seen.push(m.context);
          send(m);
        },
      };
    });
    const ok = await oneStep(supervisor, 'selftest-prepared');
    expect(seen).toEqual([{ preparedFor: ok.id }]);
    refuse = true;
    const bad = await oneStep(supervisor, 'selftest-prepared');
    expect(store.jobs.get(bad.id)).toMatchObject({ state: 'failed', message: 'There is no dataset 7.' });
    expect(seen).toHaveLength(1);
  });
});
