import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/jobs.js';
import { JobCancelledError, JobUserError, createJobContext } from '../../main/engine/jobs/context.js';
import { CheckpointDamagedError } from '../../main/engine/search/checkpoint.js';
import { ModelFolderError } from '../../main/engine/evaluate/model-folder.js';
import { DataFolderError } from '../../main/store/data-folder.js';

function contextWithClock() {
  let now = 0;
  const events: JobEvent[] = [];
  const abort = new AbortController();
  const ctx = createJobContext(
    { jobId: 1, jobDir: '/tmp/x', resume: false, backendPreference: 'auto', signal: abort.signal },
    (e) => events.push(e),
    () => now,
    250,
  );
  return { ctx, events, abort, tick: (ms: number) => (now += ms) };
}

describe('error kinds', () => {
  // logs, the worker's messages to the host and the CLI tell the kinds apart by name
  it.each([
    [new JobUserError('bad input'), 'JobUserError', 'bad input'],
    [new CheckpointDamagedError('damaged'), 'CheckpointDamagedError', 'damaged'],
    [new ModelFolderError('no model.json'), 'ModelFolderError', 'no model.json'],
    [new DataFolderError('foreign'), 'DataFolderError', 'foreign'],
    [new JobCancelledError(), 'JobCancelledError', 'Cancelled by the user.'],
  ])('%s carries its name and message', (e, name, message) => {
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(e.message).toBe(message);
    expect(String(e)).toBe(`${name}: ${message}`);
  });

  it('a damaged checkpoint is a user error', () => {
    expect(new CheckpointDamagedError('x')).toBeInstanceOf(JobUserError);
  });
});

describe('job context', () => {
  it('throttles progress to one per interval but always sends the last, with fraction and ETA', () => {
    const { ctx, events, tick } = contextWithClock();
    ctx.progress({ done: 1, total: 10 });
    tick(100);
    ctx.progress({ done: 2, total: 10 }); // dropped: 100 ms after the last
    tick(3200);
    ctx.progress({ done: 3, total: 10, message: 'step 3' });
    tick(10);
    ctx.progress({ done: 10, total: 10 }); // the last one always goes out
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ type: 'progress', fraction: 0.1, step: 1, total: 10 });
    expect(events[0]).not.toHaveProperty('etaSeconds');
    // 2 steps in 3.3 s since the first report: 7 left -> 11.55 s
    expect(events[1]).toMatchObject({ fraction: 0.3, message: 'step 3', etaSeconds: 11.6 });
    expect(events[2]).toMatchObject({ fraction: 1, etaSeconds: 0 });
  });

  it('gives no time left while the rate means little: under 3 s in, or under 5% of the work', () => {
    const { ctx, events, tick } = contextWithClock();
    ctx.progress({ done: 0, total: 100 });
    tick(1000);
    ctx.progress({ done: 50, total: 100 }); // half done after 1 s: still too soon
    tick(5000);
    ctx.progress({ done: 51, total: 1000 }); // a new counter starts the rate again
    tick(5000);
    ctx.progress({ done: 60, total: 1000 }); // 0.9% of it in 5 s: too little
    tick(5000);
    ctx.progress({ done: 110, total: 1000 }); // 5.9% in 10 s
    expect(events.map((e) => (e as { etaSeconds?: number }).etaSeconds)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      // 59 in 10 s -> 890 left at 5.9 per second
      150.8,
    ]);
  });

  it("maps each phase into its slot of the job and never goes backwards; the time left is the phase's", () => {
    const { ctx, events, tick } = contextWithClock();
    ctx.phases([
      { name: 'training', weight: 9 },
      { name: 'embedding', weight: 1 },
    ]);
    ctx.progress({ done: 0, total: 100, phase: 'training' });
    tick(10_000);
    ctx.progress({ done: 50, total: 100, phase: 'training' });
    tick(10_000);
    ctx.progress({ done: 100, total: 100, phase: 'training' });
    tick(300);
    ctx.progress({ done: 0, total: 3, phase: 'embedding' }); // starts at 0 of its own, at 90% of the job
    tick(300);
    ctx.progress({ done: 1, total: 3, phase: 'embedding' });
    tick(300);
    ctx.progress({ done: 0, total: 3, phase: 'training' }); // a stray report of an earlier phase
    const p = events as Array<{ fraction: number; phase: string; phaseIndex: number; phaseCount: number }>;
    expect(p.map((e) => e.fraction)).toEqual([0, 0.45, 0.9, 0.9, 0.9 + 0.1 / 3, 0.9 + 0.1 / 3]);
    for (let i = 1; i < p.length; i++) expect(p[i]!.fraction).toBeGreaterThanOrEqual(p[i - 1]!.fraction);
    expect(p[1]).toMatchObject({ phase: 'training', phaseIndex: 0, phaseCount: 2, phaseFraction: 0.5, etaSeconds: 10 });
    expect(p[3]).toMatchObject({ phase: 'embedding', phaseIndex: 1, phaseCount: 2, phaseFraction: 0 });
    // the embedding's rate is its own: 0.3 s in, so no time left yet (training's rate would say 0.6 s)
    expect(p[4]).not.toHaveProperty('etaSeconds');
  });

  it('names a phase of a job without a plan as its only one, and keeps its fraction from falling', () => {
    const { ctx, events, tick } = contextWithClock();
    ctx.progress({ done: 5, total: 10, phase: 'training' });
    tick(300);
    ctx.progress({ done: 2, total: 10, phase: 'training' });
    expect(events[0]).toMatchObject({ fraction: 0.5, phase: 'training', phaseIndex: 0, phaseCount: 1 });
    expect(events[1]).toMatchObject({ fraction: 0.5, phaseFraction: 0.2 });
  });

  it('turns an abort into JobCancelledError at the next check', () => {
    const { ctx, abort } = contextWithClock();
    expect(() => ctx.checkCancelled()).not.toThrow();
    abort.abort();
    expect(() => ctx.checkCancelled()).toThrow(JobCancelledError);
  });

  it('emits metrics and logs as typed events', () => {
    const { ctx, events } = contextWithClock();
    ctx.metric('loss', 0.5, { step: 2 });
    ctx.log('warn', 'careful');
    expect(events).toEqual([
      { type: 'metric', name: 'loss', value: 0.5, step: 2 },
      { type: 'log', level: 'warn', message: 'careful' },
    ]);
  });
});
