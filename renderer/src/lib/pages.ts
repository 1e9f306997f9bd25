/** Titles and one-line descriptions of every page. */
import type { PageId } from './routes.js';

export interface PageInfo {
  title: string;
  subtitle: string;
}

export const PAGE_INFO: Record<PageId, PageInfo> = {
  datasets: {
    title: 'Datasets',
    subtitle: 'Your image collections, decoded once and ready for search.',
  },
  autoencoder: {
    title: 'Autoencoder',
    subtitle: 'The similarity model that data selection relies on: train it, see how well it clusters, compare.',
  },
  search: {
    title: 'Search',
    subtitle:
      'Architecture search on your data: DARTS-style with live α weights, DSM-NAS subspace mining, or NASWOT ranking.',
  },
  evaluate: {
    title: 'Evaluate',
    subtitle: 'Train a searched cell (or a baseline) from scratch and measure it on the held-out test split.',
  },
  compression: {
    title: 'Compression',
    subtitle: 'How JPEG quality and chroma subsampling change a trained network’s accuracy and its bias across groups.',
  },
  experiments: {
    title: 'Experiments',
    subtitle:
      'Compare data selection strategies, search algorithms and JPEG compression in one grid of searches and evaluations.',
  },
  runs: {
    title: 'Runs',
    subtitle: 'Every long task Winnow has run or is running, with its live progress and log.',
  },
  settings: {
    title: 'Settings',
    subtitle: 'The training backend and facts about this installation.',
  },
};

/** The words of a page that starts one kind of job (see JobPage) besides its explanations. */
export interface JobPageWords {
  /** Starts the page's test ids: `<prefix>-no-datasets`, `<prefix>-go-datasets`, `<prefix>-list-empty`, `<prefix>-import-note`. */
  prefix: string;
  /** Heading shown while there is no dataset. */
  noDatasetTitle: string;
  /** One run ("study"): "Import a dataset to start a new study." */
  one: string;
  /** Several runs ("studies"): "Loading studies…", "No studies yet". */
  plural: string;
}

export type JobPageId = 'search' | 'evaluate' | 'compression' | 'autoencoder' | 'experiments';

export const JOB_PAGE_WORDS: Record<JobPageId, JobPageWords> = {
  search: { prefix: 'search', noDatasetTitle: 'No dataset to search on', one: 'search', plural: 'searches' },
  evaluate: {
    prefix: 'evaluate',
    noDatasetTitle: 'No dataset to evaluate on',
    one: 'evaluation',
    plural: 'evaluations',
  },
  compression: { prefix: 'compress', noDatasetTitle: 'No dataset to compress', one: 'study', plural: 'studies' },
  autoencoder: { prefix: 'ae', noDatasetTitle: 'No dataset to train on', one: 'autoencoder', plural: 'autoencoders' },
  experiments: {
    prefix: 'experiment',
    noDatasetTitle: 'No dataset to experiment on',
    one: 'experiment',
    plural: 'experiments',
  },
};

/** A record's own page (see DetailPage), by what the record is: its test id prefix and the list page it belongs to. */
export const DETAIL_PAGES = {
  dataset: { prefix: 'dataset', list: 'datasets' },
  autoencoder: { prefix: 'ae', list: 'autoencoder' },
} as const satisfies Record<string, { prefix: string; list: PageId }>;

export type DetailNoun = keyof typeof DETAIL_PAGES;
