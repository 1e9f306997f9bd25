import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { Store } from '../../main/store/index.js';
import { dbPathFor } from '../../main/store/paths.js';
import { runCli } from './cli.js';
import { WINNOW_BIN, tempDir } from './tmp.js';

/** Runs `winnow <args> --json` on the data folder, expects it to succeed and returns the document it printed. */
export async function runCliJson<T = Record<string, unknown>>(
  args: string[],
  dataDir: string,
  timeoutMs?: number,
): Promise<T> {
  const r = await runCli([...args, '--json'], dataDir, timeoutMs);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** Imports a dataset with `winnow <args> --json` into the data folder; returns its id. */
export async function importWithCli(dataDir: string, args: string[]): Promise<number> {
  return (await runCliJson<{ id: number }>(args, dataDir)).id;
}

/**
 * A test file's data folder: `dir`, in a fresh temporary folder (`root`, for the file's other files), the dataset of
 * `winnow <importArgs>` imported into it before the file's tests (within `importTimeoutMs`), both removed after them.
 * `datasetId` is set once the import has run.
 */
export function cliDataFolder(
  importArgs: string[],
  importTimeoutMs: number,
): { root: string; dir: string; datasetId: number; withStore: <T>(fn: (store: Store) => T) => T } {
  const t = tempDir();
  const dir = path.join(t.dir, 'data');
  const folder = { root: t.dir, dir, datasetId: 0, withStore: <T>(fn: (store: Store) => T): T => withStoreAt(dir, fn) };
  beforeAll(async () => {
    folder.datasetId = await importWithCli(dir, importArgs);
  }, importTimeoutMs);
  afterAll(() => t.cleanup());
  return folder;
}

/** A job's result as `winnow jobs show <id> --json` reports it (the store, not the page). */
export async function jobResultWithCli<T>(dataDir: string, id: number): Promise<T> {
  return (await runCliJson<{ job: { result: T } }>(['jobs', 'show', String(id)], dataDir)).job.result;
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

/** Starts `winnow <args>` on the data folder without waiting: its stderr so far, and its exit code once it exits. */
export function startCli(
  args: string[],
  dataDir: string,
): { child: ChildProcess; output: { stderr: string }; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [WINNOW_BIN, ...args], {
    env: { ...process.env, WINNOW_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stderr: '' };
  child.stderr!.on('data', (d) => (output.stderr += d));
  child.stdout!.resume();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output, exited };
}
