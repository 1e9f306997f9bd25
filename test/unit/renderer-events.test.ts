import { describe, expect, it } from 'vitest';
import type { JobEvent, StoredJobEvent } from '../../shared/jobs.js';
import { eventLine, mergeEvents, metricText, summarizeMetrics } from '../../renderer/src/lib/events.js';

const ev = (seq: number, event: JobEvent): StoredJobEvent => ({ jobId: 1, seq, ts: 1000 + seq, event });
const log = (seq: number, message: string) => ev(seq, { type: 'log', level: 'info', message });

describe('mergeEvents', () => {
  it('appends in order and de-duplicates overlaps', () => {
    const a = [log(1, 'a'), log(2, 'b')];
    expect(mergeEvents(a, []).map((e) => e.seq)).toEqual([1, 2]);
    expect(mergeEvents(a, [log(3, 'c')]).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(mergeEvents(a, [log(2, 'b'), log(4, 'd'), log(3, 'c')]).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(mergeEvents([], [log(5, 'x'), log(1, 'y')]).map((e) => e.seq)).toEqual([1, 5]);
  });
});

describe('eventLine', () => {
  it('turns log, state, artifact and result events into lines, and skips the rest', () => {
    expect(eventLine(ev(1, { type: 'log', level: 'warn', message: 'slow' }))).toMatchObject({
      kind: 'warn',
      text: 'slow',
    });
    expect(eventLine(ev(2, { type: 'state', state: 'failed', message: 'OOM' }))?.text).toBe('State → failed: OOM');
    expect(eventLine(ev(3, { type: 'artifact', name: 'model', path: '/d/m.json' }))?.text).toBe(
      'Artifact model: /d/m.json',
    );
    expect(eventLine(ev(4, { type: 'result', result: 1 }))?.kind).toBe('result');
    expect(eventLine(ev(5, { type: 'progress', fraction: 0.5 }))).toBeNull();
    expect(eventLine(ev(6, { type: 'metric', name: 'loss', value: 1 }))).toBeNull();
  });
});

describe('summarizeMetrics', () => {
  it('summarizes each metric and thins long series', () => {
    const events: StoredJobEvent[] = [];
    for (let i = 1; i <= 1000; i++) events.push(ev(i, { type: 'metric', name: 'loss', value: 3 - i / 1000, step: i }));
    events.push(ev(2000, { type: 'metric', name: 'acc', value: 0.5, epoch: 1 }));
    events.push(ev(2001, { type: 'metric', name: 'bad', value: Number.NaN }));
    const [loss, acc, ...rest] = summarizeMetrics(events, 100);
    expect(rest).toHaveLength(0);
    expect(loss).toMatchObject({ name: 'loss', count: 1000, first: 2.999, last: 2, min: 2, max: 2.999 });
    expect(loss!.points).toHaveLength(100);
    expect(loss!.points[0]).toEqual({ x: 1, y: 2.999 });
    expect(loss!.points[99]).toEqual({ x: 1000, y: 2 });
    expect(acc!.points).toEqual([{ x: 1, y: 0.5 }]);
    expect(metricText(acc!)).toBe('acc 50 %');
    expect(metricText(loss!)).toBe('loss 3 → 2 (min 2, max 3, 1000 values)');
  });
});
