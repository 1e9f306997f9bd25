/**
 * The searches (`searches.list`) and the search form, shared by the Search page's views. Unlike the dataset and
 * autoencoder lists, the list shows searches while they run (epochs done, the latest genotype), so it is loaded
 * again when a search job changes state and, at most once a second, after each finished epoch; and after a
 * reconnect.
 */
import type { JobSummary } from '../../../shared/jobs.js';
import type { SearchSummary } from '../../../shared/search.js';
import { client, handle } from './api.js';
import { errorMessage } from './client.js';
import { errors } from './errors.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';
import { defaultSearchForm, type SearchForm, type SearchStartInput } from './search.js';

const EPOCH_REFRESH_MS = 1000;

class SearchStore {
  list = $state.raw<SearchSummary[]>([]);
  loaded = $state(false);
  loading = $state(false);
  /** The form's values, kept while the user visits other pages. */
  form = $state<SearchForm>(defaultSearchForm());
  starting = $state(false);
  /** Why the last start failed, for the form (the banner shows it too). */
  startError = $state<string | null>(null);
  private started = false;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (this.started) return;
    this.started = true;
    client.subscribe((m) => {
      if (m.channel === 'job.updated') {
        if (m.job.kind === 'search') this.refreshSoon(0);
        return;
      }
      if (m.event.type === 'search-epoch') this.refreshSoon(EPOCH_REFRESH_MS);
      else if (m.event.type === 'state' && jobs.byId(m.jobId)?.kind === 'search') this.refreshSoon(0);
    });
    handle.onConnectionChange((_state, reconnected) => {
      if (reconnected) void this.refresh();
    });
  }

  private refreshSoon(ms: number): void {
    if (this.timer !== null) {
      if (ms > 0) return; // one is already planned
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, ms);
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
        const list = await client.call('searches.list', {});
        this.list = [...list].sort((a, b) => b.createdAt - a.createdAt || b.jobId - a.jobId);
        this.loaded = true;
      } while (this.again);
    } catch (e) {
      errors.report(e, 'Could not load the list of searches');
    } finally {
      this.loading = false;
    }
  }

  byJobId(id: number): SearchSummary | undefined {
    return this.list.find((s) => s.jobId === id);
  }

  /** Search jobs waiting or running. */
  activeCount(): number {
    return jobs.list.reduce((n, j) => n + (j.kind === 'search' && !isFinishedState(j.state) ? 1 : 0), 0);
  }

  /**
   * Starts a search job; returns it, or null when the call was refused (the banner and `startError` say why:
   * `jobs.start` checks the dataset and the settings before queueing anything).
   */
  async startSearch(params: SearchStartInput): Promise<JobSummary | null> {
    this.starting = true;
    this.startError = null;
    try {
      const job = await client.call('jobs.start', { kind: 'search', params });
      jobs.recordCallResult(job, undefined);
      this.refreshSoon(0);
      return job;
    } catch (e) {
      errors.report(e, 'Could not start the search');
      this.startError = errorMessage(e);
      return null;
    } finally {
      this.starting = false;
    }
  }
}

export const searches = new SearchStore();
