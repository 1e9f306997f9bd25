/**
 * The dataset list and the import this window started, shared by the Datasets page and its dialog. The list is
 * loaded with `datasets.list` and loaded again whenever an import job finishes or the push connection comes back.
 */
import type { DatasetSummary, ImportSource } from '../../../shared/datasets.js';
import type { JobSummary } from '../../../shared/jobs.js';
import { client } from './api.js';
import { errors } from './errors.svelte.js';
import { JobBackedList, type JobParamsInput } from './job-backed-list.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';

/** What `jobs.start` takes for an import (options left out take their defaults). */
export type ImportInput = JobParamsInput<'import'>;

class DatasetStore extends JobBackedList<DatasetSummary, 'import'> {
  constructor() {
    super({
      kind: 'import',
      load: () => client.call('datasets.list', {}),
      noun: 'dataset',
      startWhat: 'the import',
      delete: (id) => client.call('datasets.delete', { id }),
    });
  }

  /**
   * Datasets imported before from `source` (`datasets.existing`); null when the call failed (the error banner
   * says why).
   */
  async findExisting(
    source: ImportSource,
    cifar100Labels: 'fine' | 'coarse' = 'fine',
  ): Promise<DatasetSummary[] | null> {
    try {
      return await client.call('datasets.existing', { source, cifar100Labels });
    } catch (e) {
      errors.report(e, 'Could not check whether this source was imported before');
      return null;
    }
  }

  /** A dataset's name for a job's heading or row: "dataset #4" when the list does not have it; null without an id. */
  nameOf(id: number | null | undefined): string | null {
    return id == null ? null : (this.list.find((d) => d.id === id)?.name ?? `dataset #${id}`);
  }

  /** The import card shows the job started here, else one started elsewhere that is still running. */
  shownImport(): JobSummary | null {
    const own = jobs.byId(this.jobId);
    if (own) return own;
    return jobs.list.find((j) => j.kind === 'import' && !isFinishedState(j.state)) ?? null;
  }
}

export const datasets = new DatasetStore();
