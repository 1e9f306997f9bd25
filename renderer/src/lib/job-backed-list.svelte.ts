/**
 * A list loaded from the engine that is loaded again whenever a job of one kind finishes or the push connection
 * comes back, together with the job of that kind this window started. The dataset and autoencoder stores build
 * on it.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { JobKind, JobSummary } from '../../../shared/jobs.js';
import { EngineList, finishedWell, newestFirst } from './engine-list.svelte.js';
import { errors } from './errors.svelte.js';

/** What `jobs.start` takes for a job of kind `K` (options left out take their defaults). */
export type JobParamsInput<K extends JobKind> = Extract<ApiInput<'jobs.start'>, { kind: K }>['params'];

export interface JobBackedListConfig<T, K extends JobKind> {
  /** The job kind whose finishing changes the list, and that `startJob` starts. */
  kind: K;
  /** Fetches the list (in any order; it is kept newest first). */
  load: () => Promise<T[]>;
  /** What one item is called in error messages ("dataset": "the list of datasets", "dataset #3"). */
  noun: string;
  /** What a started job does, for the error message when it could not start ("the import"). */
  startWhat: string;
  /** Deletes one item on the engine. */
  delete: (id: number) => Promise<unknown>;
}

export class JobBackedList<T extends { id: number; createdAt: number }, K extends JobKind> extends EngineList<T> {
  /** The job started from this window; its card stays until dismissed. */
  jobId = $state<number | null>(null);
  /** Open the result when this job finishes (cleared when the user leaves the page). */
  openWhenDone = $state<number | null>(null);
  private readonly config: JobBackedListConfig<T, K>;

  constructor(config: JobBackedListConfig<T, K>) {
    super({
      load: config.load,
      order: newestFirst,
      what: `the list of ${config.noun}s`,
    });
    this.config = config;
  }

  start(): void {
    this.listenOnce((m) => {
      if (finishedWell(m, this.config.kind)) void this.refresh();
    });
  }

  byId(id: number): T | undefined {
    return this.list.find((item) => item.id === id);
  }

  /** Starts a job of this list's kind; returns it, or null when the call failed (the error banner says why). */
  startJob(params: JobParamsInput<K>): Promise<JobSummary | null> {
    const input = { kind: this.config.kind, params } as ApiInput<'jobs.start'>;
    return this.startJobWith(input, this.config.startWhat, (job) => {
      this.jobId = job.id;
      this.openWhenDone = job.id;
    });
  }

  /**
   * `job` when it is the one started here to be opened when done (`openWhenDone`) and it has finished well: forgets
   * that wish and loads the list again (the page then opens the result). Null for any other job or state.
   */
  finishedHere(job: JobSummary | null): JobSummary | null {
    if (!job || job.id !== this.openWhenDone || job.state !== 'done') return null;
    this.openWhenDone = null;
    void this.refresh();
    return job;
  }

  /** Forgets the job started here (its card goes away). */
  dismissJob(): void {
    this.jobId = null;
    this.openWhenDone = null;
  }

  /** Deletes an item; true when it is gone. */
  async remove(id: number): Promise<boolean> {
    try {
      await this.config.delete(id);
      this.list = this.list.filter((item) => item.id !== id);
      this.removed(id);
      void this.refresh();
      return true;
    } catch (e) {
      errors.report(e, `Could not delete ${this.config.noun} #${id}`);
      return false;
    }
  }

  /** Called when `remove` has deleted `id`, before the list is loaded again. */
  protected removed(_id: number): void {}
}
