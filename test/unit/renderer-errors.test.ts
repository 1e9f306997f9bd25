import { describe, expect, it } from 'vitest';
import {
  MAX_PER_SCOPE,
  addError,
  dialogScope,
  inScope,
  pageScope,
  withoutScope,
  type ShownError,
} from '../../renderer/src/lib/error-scopes.js';

let id = 1;
const error = (scope: string, title = 'Could not read /x', message = 'No such folder.') => ({
  id: id++,
  scope,
  title,
  message,
  code: undefined,
});

describe('error scopes', () => {
  const search = pageScope('search');
  const runs = pageScope('runs');
  const importDialog = dialogScope('import');

  it('shows an error only in its own scope, and the same error once', () => {
    let items: readonly ShownError[] = [];
    items = addError(items, error(importDialog));
    items = addError(items, error(importDialog)); // the same again: counted, not a second line
    items = addError(items, error(search, 'Could not load search #3'));
    expect(inScope(items, importDialog)).toHaveLength(1);
    expect(inScope(items, importDialog)[0]!.count).toBe(2);
    expect(inScope(items, search).map((e) => e.title)).toEqual(['Could not load search #3']);
    expect(inScope(items, runs)).toEqual([]);
    // the same words in another scope are that scope's own error
    items = addError(items, error(search));
    expect(inScope(items, search)).toHaveLength(2);
    expect(inScope(items, importDialog)[0]!.count).toBe(2);
  });

  it('clears a scope when its dialog closes or its page is left, and keeps the others', () => {
    let items: readonly ShownError[] = [error(importDialog), error(search)].map((e) => ({ ...e, count: 1 }));
    items = withoutScope(items, importDialog);
    expect(items.map((e) => e.scope)).toEqual([search]);
    const same = withoutScope(items, runs);
    expect(same).toBe(items); // nothing to clear: the same list, no re-render
  });

  it('keeps the newest few errors of a scope without touching the others', () => {
    let items: readonly ShownError[] = addError([], error(importDialog));
    for (let i = 0; i < MAX_PER_SCOPE + 2; i++) items = addError(items, error(search, `Could not load #${i}`));
    expect(inScope(items, search).map((e) => e.title)).toEqual(
      Array.from({ length: MAX_PER_SCOPE }, (_, i) => `Could not load #${i + 2}`),
    );
    expect(inScope(items, importDialog)).toHaveLength(1);
  });
});
