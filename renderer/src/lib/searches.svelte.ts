/**
 * The searches (`searches.list`) and the search form, shared by the Search page's views. The list shows searches
 * while they run (epochs done, the latest genotype): see JobRunList.
 */
import type { JobSummary } from '../../../shared/jobs.js';
import type { SearchSummary } from '../../../shared/search.js';
import { client } from './api.js';
import { JobRunList } from './job-run-list.svelte.js';
import { defaultSearchForm, type SearchForm, type SearchStartInput } from './search.js';

class SearchStore extends JobRunList<SearchSummary, 'search', SearchForm> {
  /** The searches ticked for comparison on the Runs page (job ids, in the order ticked), kept across pages. */
  compare = $state.raw<number[]>([]);

  /** Starts a search (`startJob`, by its own name). */
  startSearch(params: SearchStartInput): Promise<JobSummary | null> {
    return this.startJob(params);
  }
}

export const searches = new SearchStore({
  kind: 'search',
  progressEvent: 'search-epoch',
  load: () => client.call('searches.list', {}),
  nouns: ['search', 'searches'],
  form: defaultSearchForm,
});
