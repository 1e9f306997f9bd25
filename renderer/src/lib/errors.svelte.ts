/**
 * Errors from calls, shown in a dismissible banner where they happened: the page the user is on, or a dialog that
 * names its own scope (lib/error-scopes.ts). Never swallowed: each is also logged to the console.
 */
import { errorCode, errorMessage } from './client.js';
import { addError, inScope, pageScope, withoutScope, type ShownError } from './error-scopes.js';

export type { ShownError };

class ErrorStore {
  items = $state.raw<readonly ShownError[]>([]);
  /** The page the user is on: errors reported without a scope belong to it. */
  page = $state(pageScope(''));
  private nextId = 1;

  /** Records an error in `scope` (a dialog's), or in the current page's when none is given. */
  report(error: unknown, title: string, scope: string = this.page): void {
    console.error(`[winnow] ${title}:`, error);
    this.items = addError(this.items, {
      id: this.nextId++,
      scope,
      title,
      message: errorMessage(error),
      code: errorCode(error),
    });
  }

  /** The errors a banner for `scope` shows. */
  shown(scope: string): ShownError[] {
    return inScope(this.items, scope);
  }

  /** The user moved to page `name`: the last page's errors go. */
  enterPage(name: string): void {
    const next = pageScope(name);
    if (next === this.page) return;
    this.clear(this.page);
    this.page = next;
  }

  /** Removes a scope's errors (its dialog closed). */
  clear(scope: string): void {
    this.items = withoutScope(this.items, scope);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((e) => e.id !== id);
  }
}

export const errors = new ErrorStore();
