/**
 * The searches (`searches.list`) and the search form, shared by the Search page's views. The list shows searches
 * while they run (epochs done, the latest genotype): see JobRunList.
 */
import type { JobSummary } from '../../../shared/jobs.js';
import type { SearchSummary } from '../../../shared/search.js';
import { client } from './api.js';
import { JobRunList } from './job-run-list.svelte.js';
import { defaultSearchForm, type SearchForm, type SearchStartInput } from './search.js';

class SearchStore extends JobRunList<SearchSummary> {
  /** The form's values, kept while the user visits other pages. */
  form = $state<SearchForm>(defaultSearchForm());
  /** The searches ticked for comparison on the Runs page (job ids, in the order ticked), kept across pages. */
  compare = $state.raw<number[]>([]);

  constructor() {
    super({
      kind: 'search',
      progressEvent: 'search-epoch',
      load: () => client.call('searches.list', {}),
      what: 'the list of searches',
    });
  }

  startSearch(params: SearchStartInput): Promise<JobSummary | null> {
    return this.startRun({ kind: 'search', params }, 'the search');
  }
}

export const searches = new SearchStore();
