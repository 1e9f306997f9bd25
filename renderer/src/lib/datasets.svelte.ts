/**
 * The dataset list and the import this window started, shared by the Datasets page and its dialog. The list is
 * loaded with `datasets.list` and loaded again whenever an import job finishes or the push connection comes back.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { DatasetSummary, ImportSource } from '../../../shared/datasets.js';
import type { JobSummary } from '../../../shared/jobs.js';
import { client, handle } from './api.js';
import { errorMessage } from './client.js';
import { errors } from './errors.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';

/** What `jobs.start` takes for an import (options left out take their defaults). */
export type ImportInput = Extract<ApiInput<'jobs.start'>, { kind: 'import' }>['params'];

class DatasetStore {
  list = $state.raw<DatasetSummary[]>([]);
  loaded = $state(false);
  loading = $state(false);
  /** The import started from this window; its card stays on the list until dismissed. */
  importJobId = $state<number | null>(null);
  /** Open the dataset when this import finishes (cleared when the user leaves the page). */
  openWhenDone = $state<number | null>(null);
  starting = $state(false);
  /** Why the last `startImport` failed, for the dialog (the banner shows it too). */
  startError = $state<string | null>(null);
  private started = false;
  private again = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    client.subscribe((m) => {
      const job = m.channel === 'job.updated' ? m.job : null;
      if (job && job.kind === 'import' && job.state === 'done') void this.refresh();
      if (m.channel === 'job.event' && m.event.type === 'state' && m.event.state === 'done') {
        if (jobs.byId(m.jobId)?.kind === 'import') void this.refresh();
      }
    });
    handle.onConnectionChange((_state, reconnected) => {
      if (reconnected) void this.refresh();
    });
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
        const list = await client.call('datasets.list', {});
        this.list = [...list].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
        this.loaded = true;
      } while (this.again);
    } catch (e) {
      errors.report(e, 'Could not load the list of datasets');
    } finally {
      this.loading = false;
    }
  }

  byId(id: number): DatasetSummary | undefined {
    return this.list.find((d) => d.id === id);
  }

  /** Starts an import job; returns it, or null when the call failed (the error banner says why). */
  async startImport(params: ImportInput): Promise<JobSummary | null> {
    this.starting = true;
    this.startError = null;
    try {
      const job = await client.call('jobs.start', { kind: 'import', params });
      jobs.recordCallResult(job, undefined);
      this.importJobId = job.id;
      this.openWhenDone = job.id;
      return job;
    } catch (e) {
      errors.report(e, 'Could not start the import');
      this.startError = errorMessage(e);
      return null;
    } finally {
      this.starting = false;
    }
  }

  /**
   * Datasets imported before from `source` (`datasets.existing`); null when the call failed (the error banner
   * says why).
   */
  async findExisting(source: ImportSource, cifar100Labels: 'fine' | 'coarse' = 'fine'): Promise<DatasetSummary[] | null> {
    try {
      return await client.call('datasets.existing', { source, cifar100Labels });
    } catch (e) {
      errors.report(e, 'Could not check whether this source was imported before');
      return null;
    }
  }

  /** The import card shows the job started here, else one started elsewhere that is still running. */
  shownImport(): JobSummary | null {
    const own = jobs.byId(this.importJobId);
    if (own) return own;
    return jobs.list.find((j) => j.kind === 'import' && !isFinishedState(j.state)) ?? null;
  }

  dismissImport(): void {
    this.importJobId = null;
    this.openWhenDone = null;
  }

  /** Deletes a dataset; true when it is gone. */
  async remove(id: number): Promise<boolean> {
    try {
      await client.call('datasets.delete', { id });
      this.list = this.list.filter((d) => d.id !== id);
      void this.refresh();
      return true;
    } catch (e) {
      errors.report(e, `Could not delete dataset #${id}`);
      return false;
    }
  }
}

export const datasets = new DatasetStore();
