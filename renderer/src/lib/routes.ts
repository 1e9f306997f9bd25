/** Hash routes (`#/runs`, `#/runs/12`, `#/settings`): deep links work under file:// and under /. */

export const PAGES = ['datasets', 'autoencoder', 'search', 'evaluate', 'compression', 'runs', 'settings'] as const;
export type PageId = (typeof PAGES)[number];
export const DEFAULT_PAGE: PageId = 'datasets';

export interface Route {
  page: PageId;
  /** `#/runs/<id>`: the selected job. */
  jobId: number | null;
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').split(/[?#]/)[0] ?? '';
  const [head = '', second] = path.split('/').filter((s) => s.length > 0);
  const page = (PAGES as readonly string[]).includes(head) ? (head as PageId) : DEFAULT_PAGE;
  let jobId: number | null = null;
  if (page === 'runs' && second !== undefined && /^\d+$/.test(second)) {
    const n = Number(second);
    if (Number.isSafeInteger(n) && n > 0) jobId = n;
  }
  return { page, jobId };
}

export function hrefFor(page: PageId, jobId?: number | null): string {
  return jobId != null && page === 'runs' ? `#/runs/${jobId}` : `#/${page}`;
}
