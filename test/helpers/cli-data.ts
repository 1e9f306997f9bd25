import { expect } from 'vitest';
import { Store } from '../../main/store/index.js';
import { dbPathFor } from '../../main/store/paths.js';
import { runCli } from './cli.js';

/** Imports a dataset with `winnow <args> --json` into the data folder; returns its id. */
export async function importWithCli(dataDir: string, args: string[]): Promise<number> {
  const r = await runCli([...args, '--json'], dataDir);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: number }).id;
}

/** Opens the data folder's store for `fn` (the CLI that wrote it has exited), closing it after. */
export function withStoreAt<T>(dataDir: string, fn: (store: Store) => T): T {
  const store = Store.open(dbPathFor(dataDir));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}
