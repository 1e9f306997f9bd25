/**
 * Errors belong to where they happened: a page (`page:search`) or a dialog (`dialog:import`). Each scope's banner
 * shows only its own errors, once each (the same error again counts up instead of adding a line); a page's errors
 * go when the user leaves the page, a dialog's when it closes. The lost-connection notice is not one of these:
 * the status bar shows it everywhere. Pure list operations; errors.svelte.ts holds the list.
 */

export interface ShownError {
  id: number;
  /** Where it happened: `page:<name>` or `dialog:<name>`. */
  scope: string;
  /** What we were doing, e.g. "Could not cancel job #3". */
  title: string;
  message: string;
  code: string | undefined;
  /** How many times the same error happened while shown. */
  count: number;
}

/** The scope of a page's errors. */
export const pageScope = (page: string): string => `page:${page}`;
/** The scope of a dialog's errors. */
export const dialogScope = (dialog: string): string => `dialog:${dialog}`;

/** Most errors a scope keeps: the oldest go first. */
export const MAX_PER_SCOPE = 5;

/** Adds an error to its scope, or counts it again when the same one is shown there already. */
export function addError(items: readonly ShownError[], error: Omit<ShownError, 'count'>): ShownError[] {
  const same = items.find((e) => e.scope === error.scope && e.title === error.title && e.message === error.message);
  if (same) return items.map((e) => (e === same ? { ...e, count: e.count + 1 } : e));
  const next = [...items, { ...error, count: 1 }];
  const mine = next.filter((e) => e.scope === error.scope);
  if (mine.length <= MAX_PER_SCOPE) return next;
  const drop = new Set(mine.slice(0, mine.length - MAX_PER_SCOPE));
  return next.filter((e) => !drop.has(e));
}

export const inScope = (items: readonly ShownError[], scope: string): ShownError[] =>
  items.filter((e) => e.scope === scope);

/** The list without a scope's errors (the page was left, the dialog closed). */
export function withoutScope(items: readonly ShownError[], scope: string): readonly ShownError[] {
  return items.some((e) => e.scope === scope) ? items.filter((e) => e.scope !== scope) : items;
}
