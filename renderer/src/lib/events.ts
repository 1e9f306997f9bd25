/** A job's event log for the Runs page: merging fetched and pushed events, log lines, metric summaries. */
import type { JobEvent, StoredJobEvent } from '../../../shared/jobs.js';
import { formatNumber, percentText } from './format.js';

/** What the details view asks `jobs.events` for: everything but progress (the progress bar shows that). */
export const LOGGED_EVENT_TYPES: JobEvent['type'][] = ['log', 'state', 'metric', 'artifact', 'result'];

/** Union of two event lists, one entry per seq, in seq order. Cheap when `incoming` only appends. */
export function mergeEvents(
  existing: readonly StoredJobEvent[],
  incoming: readonly StoredJobEvent[],
): StoredJobEvent[] {
  if (incoming.length === 0) return existing as StoredJobEvent[];
  const last = existing.length > 0 ? existing[existing.length - 1]!.seq : -Infinity;
  let appendOnly = true;
  let prev = last;
  for (const e of incoming) {
    if (e.seq <= prev) {
      appendOnly = false;
      break;
    }
    prev = e.seq;
  }
  if (appendOnly) return [...existing, ...incoming];
  const bySeq = new Map<number, StoredJobEvent>();
  for (const e of existing) bySeq.set(e.seq, e);
  for (const e of incoming) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export type LineKind = 'debug' | 'info' | 'warn' | 'error' | 'state' | 'artifact' | 'result';

export interface LogLine {
  seq: number;
  ts: number;
  kind: LineKind;
  text: string;
}

/** One line of the event log, or null for events summarized elsewhere (progress, metrics). */
export function eventLine(e: StoredJobEvent): LogLine | null {
  const ev = e.event;
  const base = { seq: e.seq, ts: e.ts };
  switch (ev.type) {
    case 'log':
      return { ...base, kind: ev.level, text: ev.message };
    case 'state':
      return {
        ...base,
        kind: 'state',
        text: ev.message ? `State → ${ev.state}: ${ev.message}` : `State → ${ev.state}`,
      };
    case 'artifact':
      return { ...base, kind: 'artifact', text: `Artifact ${ev.name}: ${ev.path}` };
    case 'result':
      return { ...base, kind: 'result', text: 'Result recorded' };
    default:
      return null;
  }
}

export interface MetricPoint {
  x: number;
  y: number;
}

export interface MetricSummary {
  name: string;
  count: number;
  first: number;
  last: number;
  min: number;
  max: number;
  /** At most `maxPoints` points, evenly thinned, always keeping the last. */
  points: MetricPoint[];
}

/** Per-metric summary, in order of first appearance. x is the step, else the epoch, else the running count. */
export function summarizeMetrics(events: readonly StoredJobEvent[], maxPoints = 400): MetricSummary[] {
  const byName = new Map<string, { summary: MetricSummary; all: MetricPoint[] }>();
  for (const e of events) {
    const ev = e.event;
    if (ev.type !== 'metric' || !Number.isFinite(ev.value)) continue;
    let entry = byName.get(ev.name);
    if (!entry) {
      entry = {
        summary: { name: ev.name, count: 0, first: ev.value, last: ev.value, min: ev.value, max: ev.value, points: [] },
        all: [],
      };
      byName.set(ev.name, entry);
    }
    const s = entry.summary;
    s.count += 1;
    s.last = ev.value;
    if (ev.value < s.min) s.min = ev.value;
    if (ev.value > s.max) s.max = ev.value;
    entry.all.push({ x: ev.step ?? ev.epoch ?? s.count, y: ev.value });
  }
  return [...byName.values()].map(({ summary, all }) => ({ ...summary, points: thin(all, maxPoints) }));
}

function thin(points: MetricPoint[], maxPoints: number): MetricPoint[] {
  if (points.length <= maxPoints || maxPoints < 2) return points;
  const out: MetricPoint[] = [];
  const stride = (points.length - 1) / (maxPoints - 1);
  for (let i = 0; i < maxPoints; i++) out.push(points[Math.round(i * stride)]!);
  return out;
}

/** "loss 2.31 → 0.412 (min 0.398, 30 values)"; an accuracy (a fraction) in %: "val_acc 12.5 % → 43.1 % (…)". */
export function metricText(m: MetricSummary): string {
  const f = /acc/i.test(m.name) && m.min >= 0 && m.max <= 1 ? percentText : (v: number) => formatNumber(v);
  if (m.count === 1) return `${m.name} ${f(m.last)}`;
  return `${m.name} ${f(m.first)} → ${f(m.last)} (min ${f(m.min)}, max ${f(m.max)}, ${m.count} values)`;
}
