/** Scratch folders for tests: each test's are removed after it, with anything else it registers. */
import path from 'node:path';
import { afterEach } from 'vitest';
import { tempDir } from './tmp.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs `cleanup` after the current test (the latest registered runs first). */
export function later(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A fresh folder removed after the current test; with `name`, a path of that name inside it (not created). */
export function scratch(name?: string): string {
  const t = tempDir();
  later(t.cleanup);
  return name ? path.join(t.dir, name) : t.dir;
}
