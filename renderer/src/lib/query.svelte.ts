/**
 * A value loaded from the engine for an input that may change (a dataset's page of thumbnails, a job's detail):
 * loaded again whenever the input changes, an answer for an earlier input dropped. Call `createQuery` while a
 * component initialises: it owns an effect.
 */
import { errors } from './errors.svelte.js';

export interface Query<T> {
  /** The latest answer (kept while the next one loads). */
  readonly value: T | null;
  readonly loading: boolean;
  /** True when the latest load failed (the error banner says why). */
  readonly failed: boolean;
}

class QueryState<T> implements Query<T> {
  value = $state.raw<T | null>(null);
  loading = $state(false);
  failed = $state(false);
}

/**
 * What `load(input())` answers; a null input loads nothing. A failure is reported with `failure(input)` ("Could not
 * load the thumbnails") and sets `failed`.
 */
export function createQuery<I, T>(
  input: () => I | null,
  load: (input: I) => Promise<T>,
  failure: (input: I) => string,
): Query<T> {
  const q = new QueryState<T>();
  $effect(() => {
    const wanted = input();
    if (wanted == null) return;
    let stale = false;
    q.loading = true;
    q.failed = false;
    load(wanted)
      .then((v) => {
        if (!stale) q.value = v;
      })
      .catch((e: unknown) => {
        if (stale) return;
        q.failed = true;
        errors.report(e, failure(wanted));
      })
      .finally(() => {
        if (!stale) q.loading = false;
      });
    return () => {
      stale = true;
    };
  });
  return q;
}
