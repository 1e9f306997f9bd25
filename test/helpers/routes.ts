/** Route checks shared by the renderer tests of the pages whose route can name one stored item. */
import { expect } from 'vitest';
import { hrefFor, parseHash } from '../../renderer/src/lib/routes.js';
import type { PageId } from '../../renderer/src/lib/routes.js';

/**
 * `#/<page>/<id>` opens item `id` (under `idKey`); no id, 0 or a non-number opens the page alone; and hrefFor
 * builds what parseHash reads back.
 */
export function expectItemRoutes(page: PageId, idKey: string, id = 12): void {
  expect(parseHash(`#/${page}`)).toEqual({ page, jobId: null });
  expect(parseHash(`#/${page}/${id}`)).toEqual({ page, jobId: null, [idKey]: id });
  expect(parseHash(`#/${page}/0`)).toEqual({ page, jobId: null });
  expect(parseHash(`#/${page}/x`)).toEqual({ page, jobId: null });
  expect(hrefFor(page, id)).toBe(`#/${page}/${id}`);
  expect(hrefFor(page)).toBe(`#/${page}`);
  expect(parseHash(hrefFor(page, 5))).toEqual({ page, jobId: null, [idKey]: 5 });
}
