/**
 * The job list shared by the status bar and the pages: loaded with `jobs.list`, kept current by `job.updated`
 * (authoritative) and `job.event` (progress between updates) pushes, re-listed after a reconnect.
 */
import type { JobSummary, PushMessage } from '../../../shared/jobs.js';
import { client, handle } from './api.js';
import { errors } from './errors.svelte.js';
import { activeJob, applyPush, canCancel, sortJobs, stillCancelling, upsertJob } from './jobs.js';

class JobStore {
  list = $state.raw<JobSummary[]>([]);
  loaded = $state(false);
  readonly active = $derived(activeJob(this.list));
  readonly queuedCount = $derived(this.list.reduce((n, j) => n + (j.state === 'queued' ? 1 : 0), 0));
  /**
   * Jobs whose Cancel was pressed, until their state changes: every status card says "Cancelling…" and keeps
   * its Cancel button disabled meanwhile (a running job stops at its next step, which can take seconds).
   */
  cancelling = $state.raw<ReadonlySet<number>>(new Set());
  /** Pushes that arrive while a list is in flight, replayed on top of it. */
  private pending: PushMessage[] | null = null;
  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    client.subscribe((m) => this.onPush(m));
    handle.onConnectionChange((_state, reconnected) => {
      if (reconnected) void this.refresh();
    });
    void this.refresh();
  }

  private onPush(message: PushMessage): void {
    this.pending?.push(message);
    this.setList(applyPush(this.list, message));
  }

  private setList(list: JobSummary[]): void {
    this.list = list;
    this.cancelling = stillCancelling(this.cancelling, list);
  }

  /** True from the moment Cancel is pressed on job `job` until it stops running. */
  isCancelling(job: JobSummary): boolean {
    return canCancel(job.state) && this.cancelling.has(job.id);
  }

  async refresh(): Promise<void> {
    if (this.pending) return;
    this.pending = [];
    try {
      const fetched = await client.call('jobs.list', { limit: 200 });
      let next = sortJobs(fetched);
      for (const m of this.pending) next = applyPush(next, m);
      this.setList(next);
      this.loaded = true;
    } catch (e) {
      errors.report(e, 'Could not load the list of runs');
    } finally {
      this.pending = null;
    }
  }

  byId(id: number | null | undefined): JobSummary | undefined {
    if (id == null) return undefined;
    return this.list.find((j) => j.id === id);
  }

  /**
   * Records the summary a call returned (jobs.start, jobs.cancel, jobs.resume) so the UI reacts without waiting
   * for its push. Pushes travel on another connection and may overtake the call's answer, so the answer is
   * applied only if nothing about this job arrived since the call was made (`before` is what the store held
   * then; undefined for a new job). Otherwise the pushes already carry the newer state.
   */
  recordCallResult(job: JobSummary, before: JobSummary | undefined): void {
    if (this.byId(job.id) !== before) return;
    this.setList(upsertJob(this.list, job));
  }

  /**
   * Cancels or resumes job `id` and records the answer; a refusal is reported as "Could not {action} {noun} #id"
   * (e.g. "Could not resume search #4").
   */
  async control(action: 'cancel' | 'resume', id: number, noun: string): Promise<void> {
    const before = this.byId(id);
    if (action === 'cancel') this.cancelling = new Set([...this.cancelling, id]);
    try {
      this.recordCallResult(await client.call(action === 'cancel' ? 'jobs.cancel' : 'jobs.resume', { id }), before);
    } catch (e) {
      if (action === 'cancel') this.cancelling = new Set([...this.cancelling].filter((x) => x !== id));
      errors.report(e, `Could not ${action} ${noun} #${id}`);
    }
  }
}

export const jobs = new JobStore();
