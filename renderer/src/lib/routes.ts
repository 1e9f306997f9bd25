/**
 * Hash routes (`#/runs`, `#/runs/12`, `#/datasets/3`, `#/autoencoder/4`, `#/autoencoder/compare/4/5`,
 * `#/search/12`, `#/evaluate/14`, `#/compression/15`, `#/experiments/16`,
 * `#/settings`): deep links work under file:// and under /.
 */

export const PAGES = [
  'datasets',
  'autoencoder',
  'search',
  'evaluate',
  'compression',
  'experiments',
  'runs',
  'settings',
] as const;
export type PageId = (typeof PAGES)[number];
export const DEFAULT_PAGE: PageId = 'datasets';

export interface Route {
  page: PageId;
  /** `#/runs/<id>`: the selected job. */
  jobId: number | null;
  /** `#/datasets/<id>`: the dataset whose details are open (absent otherwise). */
  datasetId?: number;
  /** `#/autoencoder/<id>`: the autoencoder whose results are open. */
  autoencoderId?: number;
  /** `#/autoencoder/compare/<a>/<b>`: two autoencoders side by side. */
  compare?: [number, number];
  /** `#/search/<jobId>`: the search (its job's id) whose live view or results are open. */
  searchId?: number;
  /** `#/evaluate/<jobId>`: the evaluation (its job's id) whose live view or results are open. */
  evaluationId?: number;
  /** `#/compression/<jobId>`: the compression study (its job's id) whose live view or results are open. */
  compressionId?: number;
  /** `#/experiments/<jobId>`: the experiment (its job's id) whose children and report are open. */
  experimentId?: number;
}

function positiveId(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').split(/[?#]/)[0] ?? '';
  const [head = '', second, third, fourth] = path.split('/').filter((s) => s.length > 0);
  const page = (PAGES as readonly string[]).includes(head) ? (head as PageId) : DEFAULT_PAGE;
  const jobId = page === 'runs' ? positiveId(second) : null;
  const datasetId = page === 'datasets' ? positiveId(second) : null;
  if (page === 'autoencoder') {
    const a = positiveId(third);
    const b = positiveId(fourth);
    if (second === 'compare' && a !== null && b !== null) return { page, jobId, compare: [a, b] };
    const autoencoderId = positiveId(second);
    return autoencoderId === null ? { page, jobId } : { page, jobId, autoencoderId };
  }
  if (page === 'search') {
    const searchId = positiveId(second);
    return searchId === null ? { page, jobId } : { page, jobId, searchId };
  }
  if (page === 'evaluate') {
    const evaluationId = positiveId(second);
    return evaluationId === null ? { page, jobId } : { page, jobId, evaluationId };
  }
  if (page === 'compression') {
    const compressionId = positiveId(second);
    return compressionId === null ? { page, jobId } : { page, jobId, compressionId };
  }
  if (page === 'experiments') {
    const experimentId = positiveId(second);
    return experimentId === null ? { page, jobId } : { page, jobId, experimentId };
  }
  return datasetId === null ? { page, jobId } : { page, jobId, datasetId };
}

/**
 * `#/<page>`, or `#/runs/<id>` / `#/datasets/<id>` / `#/autoencoder/<id>` / `#/search/<jobId>` /
 * `#/evaluate/<jobId>` / `#/compression/<jobId>` / `#/experiments/<jobId>` for pages that open one item.
 */
export function hrefFor(page: PageId, id?: number | null): string {
  return id != null &&
    (page === 'runs' ||
      page === 'datasets' ||
      page === 'autoencoder' ||
      page === 'search' ||
      page === 'evaluate' ||
      page === 'compression' ||
      page === 'experiments')
    ? `#/${page}/${id}`
    : `#/${page}`;
}

/** `#/autoencoder/compare/<a>/<b>`. */
export function compareHref(a: number, b: number): string {
  return `#/autoencoder/compare/${a}/${b}`;
}
