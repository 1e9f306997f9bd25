/**
 * renderer/src/lib/pages.ts: the words a job page's frame (JobPage) draws for Search, Evaluate, Compression and
 * Autoencoder; lib/job-views.ts: the note over a view's empty training curves. The e2e tests find the empty states
 * by the test ids these prefixes make; the headings and notes read as sentences.
 */
import { describe, expect, it } from 'vitest';
import { EVALUATION_VIEW, SEARCH_VIEW } from '../../renderer/src/lib/job-views.js';
import { JOB_PAGE_WORDS, PAGE_INFO } from '../../renderer/src/lib/pages.js';

describe('JOB_PAGE_WORDS', () => {
  it('keeps the test id prefixes the e2e tests use', () => {
    expect(Object.fromEntries(Object.entries(JOB_PAGE_WORDS).map(([page, w]) => [page, w.prefix]))).toEqual({
      search: 'search',
      evaluate: 'evaluate',
      compression: 'compress',
      autoencoder: 'ae',
      experiments: 'experiment',
    });
  });

  it('names one run and several, for the import note and the list states', () => {
    expect(JOB_PAGE_WORDS.compression.one).toBe('study');
    expect(JOB_PAGE_WORDS.compression.plural).toBe('studies');
    for (const [page, w] of Object.entries(JOB_PAGE_WORDS)) {
      expect(PAGE_INFO[page as keyof typeof PAGE_INFO], page).toBeDefined();
      expect(w.noDatasetTitle, page).toMatch(/^No dataset to \w+/);
      expect(w.plural.startsWith(w.one.slice(0, 3)), page).toBe(true);
      expect(w.one, page).toMatch(/^[a-z]+$/);
    }
  });
});

describe('the first-epoch note over empty training curves', () => {
  it('says what a search draws besides the curves; an evaluation keeps the plain note', () => {
    expect(SEARCH_VIEW.firstEpochNote).toMatch(/α and the cell appear when the first epoch ends/);
    expect(EVALUATION_VIEW.firstEpochNote).toBeUndefined();
  });
});
