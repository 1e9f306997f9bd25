/**
 * A list loaded from the engine, and the jobs started from it: the base of the dataset, autoencoder and search
 * stores. `refresh` loads the list again (a call while one is in flight runs once more after it) and keeps it in
 * the store's order; `startJobWith` asks `jobs.start`, with `starting` and `startError` for the form.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { JobKind, JobSummary, PushMessage } from '../../../shared/jobs.js';
import { client, handle } from './api.js';
import { errorMessage } from './client.js';
import { errors } from './errors.svelte.js';
import { jobs } from './jobs.svelte.js';

export interface EngineListSource<T> {
  /** Fetches the list (in any order). */
  load: () => Promise<T[]>;
  /** The order the list is kept in. */
  order: (a: T, b: T) => number;
  /** What the list is, for the error message when it could not be loaded ("the list of datasets"). */
  what: string;
}

/** The order of a list kept newest first (the higher id first among equal times). */
export const newestFirst = (a: { createdAt: number; id: number }, b: { createdAt: number; id: number }): number =>
  b.createdAt - a.createdAt || b.id - a.id;

/** Whether a pushed message says that a job of `kind` has finished well (its updated row, or its state event). */
export function finishedWell(m: PushMessage, kind: JobKind): boolean {
  if (m.channel === 'job.updated') return m.job.kind === kind && m.job.state === 'done';
  return m.event.type === 'state' && m.event.state === 'done' && jobs.byId(m.jobId)?.kind === kind;
}

export class EngineList<T> {
  list = $state.raw<T[]>([]);
  loaded = $state(false);
  loading = $state(false);
  starting = $state(false);
  /** Why the last start failed, for the form (the banner shows it too). */
  startError = $state<string | null>(null);
  private readonly source: EngineListSource<T>;
  private again = false;
  private listening = false;

  constructor(source: EngineListSource<T>) {
    this.source = source;
  }

  /** Loads the list again; a call while one is in flight runs once more after it. */
  async refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    try {
      do {
        this.again = false;
        const list = await this.source.load();
        this.list = [...list].sort(this.source.order);
        this.loaded = true;
      } while (this.again);
    } catch (e) {
      errors.report(e, `Could not load ${this.source.what}`);
    } finally {
      this.loading = false;
    }
  }

  /** Once: `onPush` gets every pushed message, and the list loads again whenever the push connection comes back. */
  protected listenOnce(onPush: (m: PushMessage) => void): void {
    if (this.listening) return;
    this.listening = true;
    client.subscribe(onPush);
    this.refreshOnReconnect();
  }

  /** Loads the list again whenever the push connection comes back. */
  private refreshOnReconnect(): void {
    handle.onConnectionChange((_state, reconnected) => {
      if (reconnected) void this.refresh();
    });
  }

  /**
   * Starts a job; returns it (after `started` saw it), or null when the call was refused (`startError` says why,
   * for the form to show; `what` names it in the console: "the import").
   */
  protected async startJobWith(
    input: ApiInput<'jobs.start'>,
    what: string,
    started?: (job: JobSummary) => void,
  ): Promise<JobSummary | null> {
    this.starting = true;
    this.startError = null;
    try {
      const job = await client.call('jobs.start', input);
      jobs.recordCallResult(job, undefined);
      started?.(job);
      return job;
    } catch (e) {
      // the form shows it (startError), once and where it happened: not the page's banner as well
      console.error(`[winnow] Could not start ${what}:`, e);
      this.startError = errorMessage(e);
      return null;
    } finally {
      this.starting = false;
    }
  }
}
