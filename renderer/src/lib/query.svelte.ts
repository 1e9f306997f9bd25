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

/**
 * What `load(input())` answers; a null input loads nothing. A failure is reported with `failure(input)` ("Could not
 * load the thumbnails") and sets `failed`.
 */
export function createQuery<I, T>(
  input: () => I | null,
  load: (input: I) => Promise<T>,
  failure: (input: I) => string,
): Query<T> {
  let value = $state.raw<T | null>(null);
  let loading = $state(false);
  let failed = $state(false);

  $effect(() => {
    const wanted = input();
    if (wanted == null) return;
    let stale = false;
    loading = true;
    failed = false;
    load(wanted)
      .then((v) => {
        if (!stale) value = v;
      })
      .catch((e: unknown) => {
        if (stale) return;
        failed = true;
        errors.report(e, failure(wanted));
      })
      .finally(() => {
        if (!stale) loading = false;
      });
    return () => {
      stale = true;
    };
  });

  return {
    get value() {
      return value;
    },
    get loading() {
      return loading;
    },
    get failed() {
      return failed;
    },
  };
}
