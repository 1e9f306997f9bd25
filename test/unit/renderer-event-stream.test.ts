/**
 * The job-stream source of the views fed by one event type (renderer/src/lib/naswot-dsm-events.ts): the stored
 * events are read page by page through `jobs.events` and only those of the type kept; a push counts only for its job
 * and type; the stored pieces fold into the empty data with the view's merge.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobEvent, PushMessage } from '../../shared/jobs.js';
import type { NaswotChunkData } from '../../shared/naswot.js';
// the renderer's Window (window.winnow), which api.ts reads: this file reaches it through naswot-dsm-events.ts
import type {} from '../../renderer/src/global.js';

const calls: { afterSeq: number; limit: number }[] = [];
let stored: { seq: number; event: JobEvent }[] = [];

vi.mock('../../renderer/src/lib/api.js', () => ({
  client: {
    call: (_method: string, input: { afterSeq: number; limit: number }) => {
      calls.push(input);
      return Promise.resolve(stored.filter((e) => e.seq > input.afterSeq).slice(0, input.limit));
    },
  },
}));

const { eventStreamSource } = await import('../../renderer/src/lib/naswot-dsm-events.js');

const chunk = (done: number): NaswotChunkData => ({ done, total: 30_000, indices: [done], scores: [done / 10] });
const chunkEvent = (done: number): JobEvent => ({ type: 'naswot-chunk', data: chunk(done) });
const push = (jobId: number, event: JobEvent): PushMessage => ({ channel: 'job.event', jobId, seq: 1, ts: 0, event });

/** Keeps the chunks' `done` in order: enough to see what was folded. */
const source = () =>
  eventStreamSource('NASWOT ranking', 'naswot-chunk', [] as number[], (into, pieces) => [
    ...into,
    ...pieces.map((p) => p.done),
  ]);

beforeEach(() => {
  calls.length = 0;
  stored = [];
});

describe('eventStreamSource', () => {
  it('reads every stored event of its type, page after page', async () => {
    stored = Array.from({ length: 10_001 }, (_, i) => ({ seq: i + 1, event: chunkEvent(i + 1) }));
    const pieces = await source().load(7);
    expect(pieces).toHaveLength(10_001);
    expect(pieces[10_000]).toEqual(chunk(10_001));
    expect(calls.map((c) => c.afterSeq)).toEqual([0, 10_000]);
  });

  it('takes a push only for its job and its event type', () => {
    const s = source();
    expect(s.fromPush(push(7, chunkEvent(3)), 7)).toEqual(chunk(3));
    expect(s.fromPush(push(8, chunkEvent(3)), 7)).toBeNull();
    expect(s.fromPush(push(7, { type: 'log', level: 'info', message: 'hi' }), 7)).toBeNull();
  });

  it('folds the stored pieces into the empty data with the merge, and starts empty', () => {
    const s = source();
    expect(s.empty()).toEqual([]);
    expect(s.fromDetail([chunk(1), chunk(4)])).toEqual([1, 4]);
    expect(s.merge([1], [chunk(2)])).toEqual([1, 2]);
    expect(s.noun).toBe('NASWOT ranking');
  });
});
