/**
 * The stored autoencoders and the training this window started, shared by the Autoencoder page's views. The
 * list is loaded with `autoencoders.list` and loaded again whenever an autoencoder job finishes, an autoencoder
 * is deleted, or the push connection comes back.
 */
import type { AeSummary } from '../../../shared/autoencoder.js';
import type { JobSummary } from '../../../shared/jobs.js';
import { defaultAeForm, type AeForm, type AeTrainInput } from './autoencoder.js';
import { client, handle } from './api.js';
import { errorMessage } from './client.js';
import { errors } from './errors.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';

class AutoencoderStore {
  list = $state.raw<AeSummary[]>([]);
  loaded = $state(false);
  loading = $state(false);
  /** The training started from this window; its card stays until dismissed. */
  trainJobId = $state<number | null>(null);
  /** Open the result when this job finishes (cleared when the user leaves the list). */
  openWhenDone = $state<number | null>(null);
  starting = $state(false);
  /** Why the last `startTraining` failed, for the form (the banner shows it too). */
  startError = $state<string | null>(null);
  /** The train form's values, kept while the user visits other pages. */
  form = $state<AeForm>(defaultAeForm());
  /** The (at most two) autoencoders ticked for comparison. */
  compareIds = $state<number[]>([]);
  private started = false;
  private again = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    client.subscribe((m) => {
      if (m.channel === 'job.updated' && m.job.kind === 'autoencoder' && m.job.state === 'done') void this.refresh();
      if (m.channel === 'job.event' && m.event.type === 'state' && m.event.state === 'done') {
        if (jobs.byId(m.jobId)?.kind === 'autoencoder') void this.refresh();
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
        const list = await client.call('autoencoders.list', {});
        this.list = [...list].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
        this.loaded = true;
      } while (this.again);
    } catch (e) {
      errors.report(e, 'Could not load the list of autoencoders');
    } finally {
      this.loading = false;
    }
  }

  byId(id: number): AeSummary | undefined {
    return this.list.find((a) => a.id === id);
  }

  /** Starts a training job; returns it, or null when the call failed (the error banner says why). */
  async startTraining(params: AeTrainInput): Promise<JobSummary | null> {
    this.starting = true;
    this.startError = null;
    try {
      const job = await client.call('jobs.start', { kind: 'autoencoder', params });
      jobs.recordCallResult(job, undefined);
      this.trainJobId = job.id;
      this.openWhenDone = job.id;
      return job;
    } catch (e) {
      errors.report(e, 'Could not start training the autoencoder');
      this.startError = errorMessage(e);
      return null;
    } finally {
      this.starting = false;
    }
  }

  /** The card shows the training started here, else one started elsewhere that is still running or queued. */
  shownJob(): JobSummary | null {
    const own = jobs.byId(this.trainJobId);
    if (own) return own;
    return jobs.list.find((j) => j.kind === 'autoencoder' && j.state === 'running') ?? null;
  }

  /** Autoencoder jobs waiting or running, other than `except`. */
  othersActive(except: number | null): number {
    return jobs.list.reduce((n, j) => n + (j.kind === 'autoencoder' && j.id !== except && !isFinishedState(j.state) ? 1 : 0), 0);
  }

  dismissTraining(): void {
    this.trainJobId = null;
    this.openWhenDone = null;
  }

  /** Deletes an autoencoder; true when it is gone. */
  async remove(id: number): Promise<boolean> {
    try {
      await client.call('autoencoders.delete', { id });
      this.list = this.list.filter((a) => a.id !== id);
      this.compareIds = this.compareIds.filter((c) => c !== id);
      void this.refresh();
      return true;
    } catch (e) {
      errors.report(e, `Could not delete autoencoder #${id}`);
      return false;
    }
  }
}

export const autoencoders = new AutoencoderStore();
