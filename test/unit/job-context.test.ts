import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/jobs.js';
import { JobCancelledError, createJobContext } from '../../main/engine/jobs/context.js';

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

describe('job context', () => {
  it('throttles progress to one per interval but always sends the last, with fraction and ETA', () => {
    const { ctx, events, tick } = contextWithClock();
    ctx.progress({ done: 1, total: 10 });
    tick(100);
    ctx.progress({ done: 2, total: 10 }); // dropped: 100 ms after the last
    tick(200);
    ctx.progress({ done: 3, total: 10, message: 'step 3' });
    tick(10);
    ctx.progress({ done: 10, total: 10 }); // the last one always goes out
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ type: 'progress', fraction: 0.1, step: 1, total: 10 });
    // 2 steps in 300 ms since the first report: 7 left -> 1.05 s
    expect(events[1]).toMatchObject({ fraction: 0.3, message: 'step 3', etaSeconds: 1.1 });
    expect(events[2]).toMatchObject({ fraction: 1, etaSeconds: 0 });
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
