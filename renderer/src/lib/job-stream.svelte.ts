/**
 * A job's data that is "stored, then pushed": the detail view of a search, an evaluation or a compression study
 * loads what the store has recorded so far, then folds in each pushed event of that job. Pushes that arrive
 * while the load is in flight are buffered and merged on top of it, so none is lost or applied twice. The load
 * runs again after a reconnect (pushes may have been missed) and once the job has finished (its result is
 * recorded then). Call `createJobStream` while a component initialises: it owns two effects.
 */
import type { ApiInput, ApiOutput } from '../../../shared/api.js';
import type { JobSummary, PushMessage } from '../../../shared/jobs.js';
import { client } from './api.js';
import { connection } from './connection.svelte.js';
import { errors } from './errors.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';
import { createQuery } from './query.svelte.js';
import { mergeEpochs } from './search-curves.js';

export interface JobStreamSource<Detail, Pushed, Data> {
  /** The job in error messages: "Could not load {noun} #id". */
  noun: string;
  /** The stored detail of job `id` (e.g. `searches.get`). */
  load: (id: number) => Promise<Detail>;
  /** The piece a pushed message carries for job `id`, else null. */
  fromPush: (message: PushMessage, id: number) => Pushed | null;
  /** The data before anything is loaded. */
  empty: () => Data;
  /** The data the stored detail holds. */
  fromDetail: (detail: Detail) => Data;
  /** Folds pieces into the data: a later piece of the same key (epoch, point) replaces an earlier one. */
  merge: (data: Data, pieces: readonly Pushed[]) => Data;
  /** Folds one live push into the data; `merge` with one piece unless the kind lines pushes up its own way. */
  append?: (data: Data, piece: Pushed) => Data;
}

export interface JobStream<Detail, Data> {
  /** The job's summary: from the shared store, else fetched on its own (older than the store's window). */
  readonly job: JobSummary | null;
  /** True once the job could not be fetched (it may have been removed). */
  readonly jobMissing: boolean;
  readonly detail: Detail | null;
  readonly data: Data;
  /** True once the first load has answered (or failed). */
  readonly loaded: boolean;
  readonly finished: boolean;
  /** Queued or running. */
  readonly active: boolean;
}

/**
 * The record `load(id())` answers, loaded again when the id changes (a null id loads nothing); `current` is null
 * until the record of the current id is in. A failure is reported as "Could not load {what} #id" and sets `failed`.
 */
export function createLoaded<T extends { id: number }>(
  id: () => number | null,
  load: (id: number) => Promise<T>,
  what: string,
): { readonly current: T | null; readonly failed: boolean } {
  const query = createQuery(id, load, (wanted) => `Could not load ${what} #${wanted}`);
  const current = $derived(query.value?.id === id() ? query.value : null);
  return {
    get current() {
      return current;
    },
    get failed() {
      return query.failed;
    },
  };
}

/** A record the API gives by id (`datasets.get`), loaded as `createLoaded` does; `what` names it in errors. */
export function createRecord<M extends 'datasets.get' | 'autoencoders.get'>(id: () => number, method: M, what: string) {
  return createLoaded<ApiOutput<M>>(id, (wanted) => client.call(method, { id: wanted } as ApiInput<M>), what);
}

/** The summary of job `jobId()`: the shared store's, else fetched once (a job older than the store's window). */
export function createJobSummary(
  jobId: () => number,
  noun: string,
): { readonly job: JobSummary | null; readonly missing: boolean } {
  const inStore = $derived(jobs.byId(jobId()) !== undefined);
  const fetched = createLoaded(
    () => (jobs.loaded && !inStore ? jobId() : null),
    (id) => client.call('jobs.get', { id }),
    noun,
  );
  const job = $derived(jobs.byId(jobId()) ?? fetched.current);

  return {
    get job() {
      return job;
    },
    get missing() {
      return fetched.failed;
    },
  };
}

export function createJobStream<Detail, Pushed, Data>(
  jobId: () => number,
  source: JobStreamSource<Detail, Pushed, Data>,
): JobStream<Detail, Data> {
  const summary = createJobSummary(jobId, source.noun);
  const append = source.append ?? ((data: Data, piece: Pushed) => source.merge(data, [piece]));

  let detail = $state.raw<Detail | null>(null);
  let data = $state.raw<Data>(source.empty());
  let loaded = $state(false);
  const finished = $derived(summary.job ? isFinishedState(summary.job.state) : false);
  const active = $derived(summary.job ? summary.job.state === 'running' || summary.job.state === 'queued' : false);

  $effect(() => {
    const id = jobId();
    void connection.reconnects; // fetch again after a reconnect: pushes may have been missed
    void finished; // and once the job has finished: the result is recorded
    let stale = false;
    let buffer: Pushed[] | null = [];
    const unsubscribe = client.subscribe((m) => {
      const piece = source.fromPush(m, id);
      if (piece == null) return;
      if (buffer) buffer.push(piece);
      else data = append(data, piece);
    });
    source
      .load(id)
      .then((d) => {
        if (stale) return;
        detail = d;
        // The stored data is authoritative (a resume may have dropped epochs); pushes during the load add to it.
        data = source.merge(source.fromDetail(d), buffer ?? []);
      })
      .catch((e: unknown) => {
        if (stale) return;
        data = source.merge(data, buffer ?? []);
        errors.report(e, `Could not load ${source.noun} #${id}`);
      })
      .finally(() => {
        if (stale) return;
        buffer = null;
        loaded = true;
      });
    return () => {
      stale = true;
      unsubscribe();
    };
  });

  return {
    get job() {
      return summary.job;
    },
    get jobMissing() {
      return summary.missing;
    },
    get detail() {
      return detail;
    },
    get data() {
      return data;
    },
    get loaded() {
      return loaded;
    },
    get finished() {
      return finished;
    },
    get active() {
      return active;
    },
  };
}

/**
 * The source of a stream of epochs (a search, an evaluation): the detail's `epochs`, then each pushed epoch, a later
 * copy of an epoch replacing an earlier one.
 */
export function epochSource<Detail extends { epochs: E[] }, E extends { epoch: number }>(
  noun: string,
  load: (id: number) => Promise<Detail>,
  fromPush: (message: PushMessage, id: number) => E | null,
  append?: (data: E[], piece: E) => E[],
): JobStreamSource<Detail, E, E[]> {
  return { noun, load, fromPush, empty: () => [], fromDetail: (d) => d.epochs, merge: mergeEpochs, append };
}

/** A job's stored record as far as `createJobFacts` reads it. */
interface RecordedJob<P, R> {
  params: Partial<P>;
  summary: { datasetName?: string | null };
  result: R | null;
}

/**
 * What a job view shows of a job's settings and result: from its stored record once loaded, until then from the
 * job itself (`paramsOfJob` reads its params, `parseResult` the result a finished job carries).
 */
export function createJobFacts<P extends { datasetId: number | null }, R>(
  stream: JobStream<RecordedJob<P, R>, unknown>,
  paramsOfJob: (job: JobSummary | null) => P,
  parseResult: (raw: unknown) => R | null,
): { readonly params: P; readonly datasetName: string | null; readonly result: R | null } {
  return new JobFacts(stream, paramsOfJob, parseResult);
}

class JobFacts<P extends { datasetId: number | null }, R> {
  readonly params: P;
  readonly datasetName: string | null;
  readonly result: R | null;

  constructor(
    stream: JobStream<RecordedJob<P, R>, unknown>,
    paramsOfJob: (job: JobSummary | null) => P,
    parseResult: (raw: unknown) => R | null,
  ) {
    this.params = $derived<P>({ ...paramsOfJob(stream.job), ...stream.detail?.params });
    this.datasetName = $derived(
      stream.detail?.summary.datasetName ??
        (this.params.datasetId != null ? `dataset #${this.params.datasetId}` : null),
    );
    this.result = $derived(
      stream.detail?.result ?? (stream.job?.state === 'done' ? parseResult(stream.job.result) : null),
    );
  }
}
