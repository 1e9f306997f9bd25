/** The words and ids of each job view (JobView.svelte): one record per kind, so the views differ only in data. */
import type { PageId } from './routes.js';

export interface JobViewAbout {
  /** The start of every test id and element id in the view: `{prefix}-view`, `{prefix}-status`, …. */
  prefix: string;
  /** The job in labels and errors: "Progress of {noun} #id", "Could not resume {noun} #id". */
  noun: string;
  /** The placeholder's heading while the job loads: "{title} #id". */
  title: string;
  /** The list of this kind of job: the back link and Dismiss go there. */
  list: PageId;
  backLabel: string;
  /** Said when the job could not be loaded. */
  missing: string;
  /** What Resume continues from. */
  resumeNote: string;
  /** Show "step n of m" while the engine has no message. */
  showSteps: boolean;
  /**
   * Views with training curves: what appears when the first epoch ends, said over the empty charts meanwhile
   * (TrainingCurves says "The curves appear when the first epoch ends." when it is left out).
   */
  firstEpochNote?: string;
}

const gone = (what: string) => `This ${what} could not be loaded. Its job may have been removed.`;
const FROM_LAST_EPOCH = 'Continues from the last finished epoch';

export const SEARCH_VIEW: JobViewAbout = {
  prefix: 'search',
  noun: 'search',
  title: 'Search',
  list: 'search',
  backLabel: '← All searches',
  missing: gone('search'),
  resumeNote: `${FROM_LAST_EPOCH} (weights, α, optimiser and random state).`,
  showSteps: true,
  firstEpochNote: 'The curves, α and the cell appear when the first epoch ends.',
};

export const EVALUATION_VIEW: JobViewAbout = {
  prefix: 'evaluate',
  noun: 'evaluation',
  title: 'Evaluation',
  list: 'evaluate',
  backLabel: '← All evaluations',
  missing: gone('evaluation'),
  resumeNote: `${FROM_LAST_EPOCH} (weights, optimiser and random state).`,
  showSteps: true,
};

export const COMPRESSION_VIEW: JobViewAbout = {
  prefix: 'compress',
  noun: 'compression study',
  title: 'Compression study',
  list: 'compression',
  backLabel: '← All studies',
  missing: gone('study'),
  resumeNote:
    'Continues where it stopped: encoded points and measured rows are kept, a training resumes from its last epoch.',
  // The study's steps are points and rows, which its own facts count.
  showSteps: false,
};

/** The words and ids of a run list (RunTable.svelte). */
export interface RunListAbout {
  /** Names the section's ids and test ids: `{kind}-list`, `{kind}-list-title`, `{kind}-row-{jobId}`. */
  kind: string;
  heading: string;
  tableTestid: string;
  /** The page a row opens. */
  route: PageId;
  /** A run, in the row link's label: "Open {noun} #id (…)". */
  noun: string;
}

export const EVALUATION_LIST: RunListAbout = {
  kind: 'evaluate',
  heading: 'Evaluations',
  tableTestid: 'evaluate-table',
  route: 'evaluate',
  noun: 'evaluation',
};

export const STUDY_LIST: RunListAbout = {
  kind: 'compress',
  heading: 'Studies',
  tableTestid: 'compress-list-table',
  route: 'compression',
  noun: 'compression study',
};

/** The words of a job form's foot (FormActions.svelte): its test id prefix, Start button and queue note. */
export interface FormWords {
  prefix: string;
  /** The Start button ("Start search"). */
  label: string;
  /** The kind's job, one and many, in "It will wait for the 2 searches already running or queued". */
  nouns: readonly [one: string, many: string];
}

export const SEARCH_FORM: FormWords = { prefix: 'search', label: 'Start search', nouns: ['search', 'searches'] };
export const EVALUATE_FORM: FormWords = {
  prefix: 'evaluate',
  label: 'Start evaluation',
  nouns: ['evaluation', 'evaluations'],
};
export const COMPRESS_FORM: FormWords = { prefix: 'compress', label: 'Start study', nouns: ['study', 'studies'] };
export const NASWOT_FORM: FormWords = { prefix: 'naswot', label: 'Start ranking', nouns: ['ranking', 'rankings'] };
export const DSM_FORM: FormWords = {
  prefix: 'dsm',
  label: 'Start DSM-NAS search',
  nouns: ['DSM-NAS search', 'DSM-NAS searches'],
};
