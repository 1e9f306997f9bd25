/**
 * A list of runs of one job kind that shows them while they run (searches and evaluations: epochs done;
 * compression studies: rows done): loaded again when a job of that kind changes state, at most once a second after
 * each of its progress events, and after a reconnect; with the form that starts one, kept while the user visits other
 * pages. The searches, evaluations and compression studies build on it.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { JobKind, JobSummary } from '../../../shared/jobs.js';
import { EngineList } from './engine-list.svelte.js';
import type { JobParamsInput } from './job-backed-list.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';

const PROGRESS_REFRESH_MS = 1000;

/** Calls `run` after `ms` (0: now, replacing a later one planned); one at a time. */
export class Debounced {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly run: () => void;
  constructor(run: () => void) {
    this.run = run;
  }
  soon(ms: number): void {
    if (this.timer !== null) {
      if (ms > 0) return; // one is already planned
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, ms);
  }
}

export interface JobRunListConfig<T, K extends JobKind, F> {
  kind: K;
  /** The event type a running job emits as it progresses (`evaluate-epoch`, `compress-point`). */
  progressEvent: string;
  load: () => Promise<T[]>;
  /** What one run and many are called in error messages (`['evaluation', 'evaluations']`: "the list of evaluations"). */
  nouns: readonly [one: string, many: string];
  /** The form's values when the window opens. */
  form: () => F;
}

export class JobRunList<T extends { jobId: number; createdAt: number }, K extends JobKind, F> extends EngineList<T> {
  /** The form's values, kept while the user visits other pages. */
  form: F;
  protected readonly later = new Debounced(() => void this.refresh());
  private readonly runConfig: JobRunListConfig<T, K, F>;

  constructor(config: JobRunListConfig<T, K, F>) {
    super({
      load: config.load,
      order: (a, b) => b.createdAt - a.createdAt || b.jobId - a.jobId,
      what: `the list of ${config.nouns[1]}`,
    });
    this.runConfig = config;
    this.form = $state(config.form());
  }

  start(): void {
    const { kind, progressEvent } = this.runConfig;
    this.listenOnce((m) => {
      if (m.channel === 'job.updated') {
        if (m.job.kind === kind) this.later.soon(0);
        return;
      }
      if (m.event.type === progressEvent) this.later.soon(PROGRESS_REFRESH_MS);
      else if (m.event.type === 'state' && jobs.byId(m.jobId)?.kind === kind) this.later.soon(0);
    });
  }

  byJobId(id: number): T | undefined {
    return this.list.find((s) => s.jobId === id);
  }

  /** Jobs of this kind waiting or running. */
  activeCount(): number {
    return jobs.list.reduce((n, j) => n + (j.kind === this.runConfig.kind && !isFinishedState(j.state) ? 1 : 0), 0);
  }

  /**
   * Starts a job of this kind; returns it, or null when the call was refused (the banner and `startError` say why:
   * `jobs.start` checks the dataset and the settings before queueing anything).
   */
  startJob(params: JobParamsInput<K>): Promise<JobSummary | null> {
    const input = { kind: this.runConfig.kind, params } as ApiInput<'jobs.start'>;
    return this.startJobWith(input, `the ${this.runConfig.nouns[0]}`, () => this.later.soon(0));
  }
}
