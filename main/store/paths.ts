import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where Winnow keeps its database and files. Order: an explicit path (--data-dir), then
 * WINNOW_DATA_DIR, then $XDG_DATA_HOME/winnow, then ~/.local/share/winnow. The Electron app passes
 * its userData folder as the explicit path unless the user gave one.
 */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit && explicit.trim() !== '') return path.resolve(explicit);
  if (env.WINNOW_DATA_DIR && env.WINNOW_DATA_DIR.trim() !== '') return path.resolve(env.WINNOW_DATA_DIR);
  const xdg =
    env.XDG_DATA_HOME && env.XDG_DATA_HOME.trim() !== ''
      ? env.XDG_DATA_HOME
      : path.join(os.homedir(), '.local', 'share');
  return path.resolve(xdg, 'winnow');
}

export const dbPathFor = (dataDir: string): string => path.join(dataDir, 'winnow.db');
export const jobDirFor = (dataDir: string, jobId: number): string => path.join(dataDir, 'jobs', String(jobId));
export const datasetDirFor = (dataDir: string, datasetId: number): string =>
  path.join(dataDir, 'datasets', String(datasetId));
export const autoencoderDirFor = (dataDir: string, id: number): string =>
  path.join(dataDir, 'autoencoders', String(id));
export const modelDirFor = (dataDir: string, id: number): string => path.join(dataDir, 'models', String(id));

/**
 * Paths the store keeps are relative to the data folder (`datasets/3`, `jobs/7/genotype.json`), so a data
 * folder still works after `cp -a` or `mv`, and deleting in one copy never reaches into another. A path
 * outside the data folder (none is written today) stays absolute.
 */
export class DataPaths {
  constructor(readonly dataDir: string | null) {}

  /** The form written to the database: relative with forward slashes when inside the data folder. */
  toStored(p: string): string {
    if (!this.dataDir || p === '' || !path.isAbsolute(p)) return p;
    const rel = path.relative(this.dataDir, p);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return p;
    return rel.split(path.sep).join('/');
  }

  /** The absolute path of a stored path (rows written before schema 5 may still be absolute). */
  toAbsolute(stored: string): string {
    if (!this.dataDir || stored === '' || path.isAbsolute(stored)) return stored;
    return path.join(this.dataDir, ...stored.split('/'));
  }

  /** Whether `p` lies strictly inside the data folder. */
  isInside(p: string): boolean {
    if (!this.dataDir) return false;
    const rel = path.relative(this.dataDir, path.resolve(p));
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  /**
   * Deletes a folder the store pointed at, only when it lies inside this data folder: a row that still names
   * another folder (an old absolute path) never deletes anything outside. Returns whether it was removed.
   */
  removeFolder(dir: string): boolean {
    if (!this.isInside(dir)) return false;
    fs.rmSync(dir, { recursive: true, force: true });
    return true;
  }
}

export const LEFTOVERS_DIR = 'leftovers';

/**
 * Moves a folder that is in the way of a new id (`datasets/4` left by a lost database, `jobs/9` with a stale
 * checkpoint) to <data folder>/leftovers/, never deleting it. `dir` is <data folder>/<kind>/<id>. Returns the new
 * place, or null when there was nothing there.
 */
export function moveAside(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const kind = path.basename(path.dirname(dir));
  const leftovers = path.join(path.dirname(path.dirname(dir)), LEFTOVERS_DIR);
  fs.mkdirSync(leftovers, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = path.join(leftovers, `${kind}-${path.basename(dir)}-${stamp}`);
  for (let n = 2; fs.existsSync(target); n++)
    target = path.join(leftovers, `${kind}-${path.basename(dir)}-${stamp}-${n}`);
  fs.renameSync(dir, target);
  return target;
}

/** The data folder of a database file (none for an in-memory database). */
export const dataDirOfDb = (dbPath: string): string | null =>
  dbPath === ':memory:' ? null : path.dirname(path.resolve(dbPath));
