import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../shared/jobs.js';
import {
  activeJob,
  applyJobEvent,
  applyPush,
  canCancel,
  canResume,
  stillCancelling,
  upsertJob,
} from '../../renderer/src/lib/jobs.js';
import { phaseEtaOf } from '../../renderer/src/lib/progress.js';
import { parseHash, hrefFor } from '../../renderer/src/lib/routes.js';
import { parseSelftestResult, selftestFacts } from '../../renderer/src/lib/selftest.js';
import { ladderRows } from '../../renderer/src/lib/backends.js';

const job = (id: number, over: Partial<JobSummary> = {}): JobSummary => ({
  id,
  kind: 'selftest',
  state: 'queued',
  params: {},
  createdAt: 1000 + id,
  startedAt: null,
  endedAt: null,
  progress: null,
  message: null,
  result: null,
  attempts: 0,
  ...over,
});

describe('job list reducers', () => {
  it('upserts keeping newest first', () => {
    let list = upsertJob([], job(1));
    list = upsertJob(list, job(3));
    list = upsertJob(list, job(2));
    expect(list.map((j) => j.id)).toEqual([3, 2, 1]);
    list = upsertJob(list, job(2, { state: 'running' }));
    expect(list.map((j) => j.id)).toEqual([3, 2, 1]);
    expect(list[1]!.state).toBe('running');
  });

  it('keeps a job "cancelling" until its state changes, then forgets it', () => {
    const ids = new Set([1, 2, 3]);
    const list = [job(1, { state: 'running' }), job(2, { state: 'queued' }), job(3, { state: 'running' })];
    expect(stillCancelling(ids, list)).toBe(ids); // nothing changed: the same set, no re-render
    const after = stillCancelling(ids, [job(1, { state: 'cancelled' }), job(2, { state: 'queued' })]);
    expect([...after]).toEqual([2]); // 1 stopped, 3 is gone from the list
    // resumed later, job 1 runs again without the old request
    expect([...stillCancelling(after, [job(1, { state: 'running' }), job(2, { state: 'done' })])]).toEqual([]);
  });

  it("shows the phase's time left only as the engine gave it, while the job runs", () => {
    expect(phaseEtaOf({ fraction: 0.5, etaSeconds: 12, phase: 'training' }, true)).toBe(12);
    expect(phaseEtaOf({ fraction: 0.5, etaSeconds: 12 }, false)).toBeNull();
    // no guess from the job's start while the phase's rate is not known yet
    expect(phaseEtaOf({ fraction: 0.9, phase: 'embedding' }, true)).toBeNull();
    expect(phaseEtaOf(null, true)).toBeNull();
  });

  it('folds progress, state and result events into the job', () => {
    let list = [job(1)];
    list = applyJobEvent(list, 1, { type: 'progress', fraction: 0.25, etaSeconds: 12, step: 5, total: 20 }, 5000);
    expect(list[0]!.state).toBe('running');
    expect(list[0]!.startedAt).toBe(5000);
    expect(list[0]!.progress).toEqual({ fraction: 0.25, etaSeconds: 12, step: 5, total: 20 });
    const phased = { fraction: 0.9, phase: 'embedding', phaseIndex: 1, phaseCount: 2, phaseFraction: 0 };
    expect(applyJobEvent(list, 1, { type: 'progress', ...phased }, 5500)[0]!.progress).toEqual(phased);
    list = applyJobEvent(list, 1, { type: 'result', result: { ok: 1 } }, 6000);
    expect(list[0]!.result).toEqual({ ok: 1 });
    list = applyJobEvent(list, 1, { type: 'state', state: 'failed', message: 'Out of memory.' }, 7000);
    expect(list[0]!).toMatchObject({ state: 'failed', message: 'Out of memory.', endedAt: 7000 });
    // late progress after the end does not revive the job
    const after = applyJobEvent(list, 1, { type: 'progress', fraction: 0.9 }, 8000);
    expect(after).toBe(list);
    // events of unknown jobs and log events change nothing
    expect(applyJobEvent(list, 42, { type: 'progress', fraction: 0.1 }, 1)).toBe(list);
    expect(applyJobEvent(list, 1, { type: 'log', level: 'info', message: 'x' }, 1)).toBe(list);
  });

  it('treats job.updated as authoritative', () => {
    const list = applyPush([job(1, { state: 'running' })], { channel: 'job.updated', job: job(1, { state: 'done' }) });
    expect(list[0]!.state).toBe('done');
  });

  it('finds the running job and what the UI may offer', () => {
    expect(activeJob([job(1), job(2, { state: 'done' })])).toBeNull();
    expect(activeJob([job(5, { state: 'running' }), job(4, { state: 'running' })])?.id).toBe(5);
    expect(canCancel('queued') && canCancel('running')).toBe(true);
    expect(canCancel('done')).toBe(false);
    expect(['interrupted', 'cancelled', 'failed'].every((s) => canResume(s as JobSummary['state']))).toBe(true);
    expect(canResume('done') || canResume('running')).toBe(false);
  });
});

describe('routes', () => {
  it('parses hash routes with a default page', () => {
    expect(parseHash('')).toEqual({ page: 'datasets', jobId: null });
    expect(parseHash('#/')).toEqual({ page: 'datasets', jobId: null });
    expect(parseHash('#/nope')).toEqual({ page: 'datasets', jobId: null });
    expect(parseHash('#/settings')).toEqual({ page: 'settings', jobId: null });
    expect(parseHash('#/runs/12')).toEqual({ page: 'runs', jobId: 12 });
    expect(parseHash('#runs/12/')).toEqual({ page: 'runs', jobId: 12 });
    expect(parseHash('#/runs/abc')).toEqual({ page: 'runs', jobId: null });
    expect(parseHash('#/runs/0')).toEqual({ page: 'runs', jobId: null });
    expect(hrefFor('runs', 7)).toBe('#/runs/7');
    expect(hrefFor('settings')).toBe('#/settings');
  });
});

describe('self-test result', () => {
  const result = {
    backend: 'wasm',
    steps: 30,
    batch: 32,
    seconds: 1.5,
    stepsPerSecond: 20,
    imagesPerSecond: 640,
    initialLoss: 2.3026,
    finalLoss: 1.9,
  };
  it('reads a valid result and rejects others', () => {
    expect(parseSelftestResult(result)).toEqual(result);
    expect(parseSelftestResult({ ...result, stepsPerSecond: '20' })).toBeNull();
    expect(parseSelftestResult(null)).toBeNull();
  });
  it('lists the facts a person wants', () => {
    const facts = Object.fromEntries(selftestFacts(result).map((f) => [f.label, f.value]));
    expect(facts).toMatchObject({ Backend: 'wasm', 'Steps / s': '20.00', 'Images / s': '640', Loss: '2.303 → 1.9' });
  });
});

describe('backend ladder rows', () => {
  it('shows every rung in order with why it did not load', () => {
    const rows = ladderRows(
      [
        { name: 'tensorflow-gpu', packageName: '@tensorflow/tfjs-node-gpu', ok: false, reason: 'No CUDA.', ms: 12 },
        { name: 'tensorflow', packageName: '@tensorflow/tfjs-node', ok: false, reason: 'Not installed.', ms: 3 },
        { name: 'wasm', packageName: '@tensorflow/tfjs-backend-wasm', ok: true, ms: 40 },
        { name: 'cpu', packageName: '@tensorflow/tfjs', ok: false, skipped: true },
      ],
      'wasm',
    );
    expect(rows.map((r) => [r.name, r.status, r.selected])).toEqual([
      ['tensorflow-gpu', 'failed', false],
      ['tensorflow', 'failed', false],
      ['wasm', 'loaded', true],
      ['cpu', 'skipped', false],
    ]);
    expect(rows[0]!.reason).toBe('No CUDA.');
    expect(rows[3]!.reason).toMatch(/Not tried/);
    expect(ladderRows([], null).every((r) => r.status === 'untried')).toBe(true);
  });
});
