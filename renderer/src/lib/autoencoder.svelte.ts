/**
 * The stored autoencoders and the training this window started, shared by the Autoencoder page's views. The
 * list is loaded with `autoencoders.list` and loaded again whenever an autoencoder job finishes, an autoencoder
 * is deleted, or the push connection comes back.
 */
import type { AeSummary } from '../../../shared/autoencoder.js';
import type { JobSummary } from '../../../shared/jobs.js';
import { defaultAeForm, type AeForm } from './autoencoder.js';
import { client } from './api.js';
import { JobBackedList } from './job-backed-list.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';

class AutoencoderStore extends JobBackedList<AeSummary, 'autoencoder'> {
  /** The train form's values, kept while the user visits other pages. */
  form = $state<AeForm>(defaultAeForm());
  /** The (at most two) autoencoders ticked for comparison. */
  compareIds = $state<number[]>([]);

  constructor() {
    super({
      kind: 'autoencoder',
      load: () => client.call('autoencoders.list', {}),
      noun: 'autoencoder',
      startWhat: 'training the autoencoder',
      delete: (id) => client.call('autoencoders.delete', { id }),
    });
  }

  /** The card shows the training started here, else one started elsewhere that is still running or queued. */
  shownJob(): JobSummary | null {
    const own = jobs.byId(this.jobId);
    if (own) return own;
    return jobs.list.find((j) => j.kind === 'autoencoder' && j.state === 'running') ?? null;
  }

  /** Autoencoder jobs waiting or running, other than `except`. */
  othersActive(except: number | null): number {
    return jobs.list.reduce(
      (n, j) => n + (j.kind === 'autoencoder' && j.id !== except && !isFinishedState(j.state) ? 1 : 0),
      0,
    );
  }

  protected override removed(id: number): void {
    this.compareIds = this.compareIds.filter((c) => c !== id);
  }
}

export const autoencoders = new AutoencoderStore();
