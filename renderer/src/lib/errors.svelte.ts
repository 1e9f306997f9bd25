/** Errors from calls, shown in a dismissible banner. Never swallowed: each is also logged to the console. */
import { errorCode, errorMessage } from './client.js';

export interface ShownError {
  id: number;
  /** What we were doing, e.g. "Could not cancel job #3". */
  title: string;
  message: string;
  code: string | undefined;
  /** How many times the same error happened while shown. */
  count: number;
}

class ErrorStore {
  items = $state<ShownError[]>([]);
  private nextId = 1;

  report(error: unknown, title: string): void {
    console.error(`[winnow] ${title}:`, error);
    const message = errorMessage(error);
    const same = this.items.find((e) => e.title === title && e.message === message);
    if (same) {
      same.count += 1;
      return;
    }
    this.items.push({ id: this.nextId++, title, message, code: errorCode(error), count: 1 });
    if (this.items.length > 5) this.items.splice(0, this.items.length - 5);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((e) => e.id !== id);
  }

  dismissAll(): void {
    this.items = [];
  }
}

export const errors = new ErrorStore();
