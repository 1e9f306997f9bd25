/**
 * The stored and pushed events of one kind of a job, for views whose kind has no detail call of its own (NASWOT
 * rankings, DSM-NAS searches): `jobs.events` read page by page, and the same piece from a push.
 */
import type { JobEvent, PushMessage } from '../../../shared/jobs.js';
import { client } from './api.js';
import type { JobStreamSource } from './job-stream.svelte.js';

const PAGE = 10_000;

type DataOf<T extends JobEvent['type']> = Extract<JobEvent, { type: T }> extends { data: infer D } ? D : never;

/** Every stored event of `type` of job `id`, in order: their data. */
export async function storedEventData<T extends JobEvent['type']>(id: number, type: T): Promise<DataOf<T>[]> {
  const out: DataOf<T>[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await client.call('jobs.events', { id, afterSeq, limit: PAGE, types: [type] });
    for (const e of page) if (e.event.type === type) out.push((e.event as unknown as { data: DataOf<T> }).data);
    if (page.length < PAGE) return out;
    afterSeq = page[page.length - 1]!.seq;
  }
}

/** The data of a pushed event of `type` of job `id`, else null. */
export function pushedEventData<T extends JobEvent['type']>(m: PushMessage, id: number, type: T): DataOf<T> | null {
  if (m.channel !== 'job.event' || m.jobId !== id || m.event.type !== type) return null;
  return (m.event as unknown as { data: DataOf<T> }).data;
}

/**
 * `createJobStream`'s source for a view fed by the events of one `type`: the stored ones, then each pushed one,
 * folded into `empty` by `merge` (and `append` for a live one, where the kind lines pushes up its own way).
 */
export function eventStreamSource<T extends JobEvent['type'], Data>(
  noun: string,
  type: T,
  empty: Data,
  merge: (data: Data, pieces: readonly DataOf<T>[]) => Data,
  append?: (data: Data, piece: DataOf<T>) => Data,
): JobStreamSource<DataOf<T>[], DataOf<T>, Data> {
  return {
    noun,
    load: (id) => storedEventData(id, type),
    fromPush: (m, id) => pushedEventData(m, id, type),
    empty: () => empty,
    fromDetail: (pieces) => merge(empty, pieces),
    merge,
    append,
  };
}
