/**
 * The searches (`searches.list`) and the search form, shared by the Search page's views. Unlike the dataset and
 * autoencoder lists, the list shows searches while they run (epochs done, the latest genotype), so it is loaded
 * again when a search job changes state and, at most once a second, after each finished epoch; and after a
 * reconnect.
 */
import type { JobSummary } from '../../../shared/jobs.js';
import type { SearchSummary } from '../../../shared/search.js';
import { client } from './api.js';
import { EngineList } from './engine-list.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';
import { defaultSearchForm, type SearchForm, type SearchStartInput } from './search.js';

const EPOCH_REFRESH_MS = 1000;

class SearchStore extends EngineList<SearchSummary> {
  /** The form's values, kept while the user visits other pages. */
  form = $state<SearchForm>(defaultSearchForm());
  /** The searches ticked for comparison on the Runs page (job ids, in the order ticked), kept across pages. */
  compare = $state.raw<number[]>([]);
  private started = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super({
      load: () => client.call('searches.list', {}),
      order: (a, b) => b.createdAt - a.createdAt || b.jobId - a.jobId,
      what: 'the list of searches',
    });
  }

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
    this.refreshOnReconnect();
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
  startSearch(params: SearchStartInput): Promise<JobSummary | null> {
    return this.startJobWith({ kind: 'search', params }, 'the search', () => this.refreshSoon(0));
  }
}

export const searches = new SearchStore();
