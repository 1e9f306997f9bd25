/** Architecture search: a supernet trained on a dataset, data chosen by a selection strategy; ends with a genotype. */
import { jpegCacheDir } from '../api/compressions.js';
import { checkSearchCanStart, searchJobContext } from '../api/searches.js';
import { searchHandler } from '../engine/search/darts.js';
import { searchEventLine } from '../cli/search.js';
import { withAlgorithmDefaults } from '../../shared/search.js';
import { defineJobKind } from './kind.js';
import { searchEstimatePlan } from './search-estimate.js';

export const searchKind = defineJobKind({
  engine: searchHandler,
  events: ['search-epoch'],
  withDefaults: withAlgorithmDefaults,
  refuse: (host, params) => checkSearchCanStart(host.store, params),
  prepare: (host, job) => ({ ...searchJobContext(host.store, job.params), cacheDir: jpegCacheDir(host.dataDir) }),
  estimate: (host, params) => searchEstimatePlan(host.store, params),
  // a search keeps everything in its job folder: the checkpoint that `resume` continues from, genotype.json and
  // alphas.json. Nothing is staged elsewhere, so an unfinished search leaves nothing to clean, and no finalize is
  // needed: the result and the files stay with the job.
  cli: {
    command: 'search',
    summary: 'search a cell architecture on a dataset (DARTS or NAS-Bench-201 space)',
    eventLine: searchEventLine,
  },
  ui: { label: 'Search', noun: 'search', page: 'search' },
});
