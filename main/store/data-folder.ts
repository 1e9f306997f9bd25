/**
 * Opening a data folder safely. A folder has an identity: a random id in `winnow-folder.json`, written when the
 * folder is first used and recorded in its database. A folder whose database is missing, empty or belongs to
 * another folder while datasets/, models/, autoencoders/ or jobs/ already hold data is refused with a message
 * that says what was found and what to do; Winnow never silently starts a fresh database over existing data
 * (a fresh database would hand out ids 1, 2, … again and overwrite the folders of the old ones).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { OpenDbOptions } from './db.js';
import { Store } from './index.js';
import { dbPathFor } from './paths.js';

export const MARKER_FILE = 'winnow-folder.json';
/** Where a data folder keeps files the database points at. */
export const DATA_SUBFOLDERS = ['datasets', 'models', 'autoencoders', 'jobs'] as const;

/** The data folder cannot be opened as it is; the message says what was found and what to do. */
export class DataFolderError extends Error {
  override name = 'DataFolderError';
}

interface Marker {
  id: string;
  createdAt: number;
}

/** What the data folder's subfolders hold, e.g. ["datasets/ (3 entries)", "jobs/ (5 entries)"]. */
export function dataFound(dataDir: string): string[] {
  const found: string[] = [];
  for (const name of DATA_SUBFOLDERS) {
    let n = 0;
    try {
      n = fs.readdirSync(path.join(dataDir, name)).filter((e) => !e.startsWith('.')).length;
    } catch {
      continue;
    }
    if (n > 0) found.push(`${name}/ (${n} ${n === 1 ? 'entry' : 'entries'})`);
  }
  return found;
}

export function readMarker(dataDir: string): Marker | null {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dataDir, MARKER_FILE), 'utf8')) as Partial<Marker>;
    return typeof m.id === 'string' && m.id.length > 0 ? { id: m.id, createdAt: Number(m.createdAt) || 0 } : null;
  } catch {
    return null;
  }
}

function writeMarker(dataDir: string, marker: Marker): void {
  const file = path.join(dataDir, MARKER_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(marker, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** 'missing', 'empty' (no bytes, or no Winnow tables), or 'present'. Never creates or changes the file. */
function databaseState(dbPath: string, options: OpenDbOptions): 'missing' | 'empty' | 'present' {
  let size: number;
  try {
    size = fs.statSync(dbPath).size;
  } catch {
    return 'missing';
  }
  if (size === 0) return 'empty';
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, {
      readonly: true,
      fileMustExist: true,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
    const row = db
      .prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
      .get() as { n: number };
    return row.n === 0 ? 'empty' : 'present';
  } catch {
    return 'present'; // damaged or locked: opening it says what is wrong
  } finally {
    db?.close();
  }
}

const restoreAdvice = (dataDir: string): string =>
  `Restore winnow.db from a backup (or from the copy you made of this folder), or start a new data folder elsewhere (--data-dir DIR or WINNOW_DATA_DIR); ${dataDir} is left as it is.`;

/** Opens the store of a data folder, creating the folder and its identity on first use; refuses what is unsafe. */
export function openDataFolder(dataDir: string, options: OpenDbOptions = {}): Store {
  const dbPath = dbPathFor(dataDir);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw openError(e, dataDir, dbPath);
  }
  const state = databaseState(dbPath, options);
  const found = state === 'present' ? [] : dataFound(dataDir);
  if (found.length > 0) {
    throw new DataFolderError(
      `The data folder ${dataDir} holds data (${found.join(', ')}) but its database ${dbPath} is ${state === 'missing' ? 'missing' : 'empty'}. ` +
        `Winnow will not start a new database over existing data. ${restoreAdvice(dataDir)}`,
    );
  }
  let store: Store;
  try {
    store = Store.open(dbPath, options);
  } catch (e) {
    throw openError(e, dataDir, dbPath);
  }
  try {
    quickCheck(store);
    adoptIdentity(store, dataDir);
  } catch (e) {
    store.close();
    throw e instanceof DataFolderError ? e : openError(e, dataDir, dbPath);
  }
  return store;
}

const DAMAGED_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_IOERR_SHORT_READ']);
const READ_ONLY_CODES = new Set([
  'EROFS',
  'EACCES',
  'EPERM',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY_DIRECTORY',
  'SQLITE_READONLY_DBMOVED',
]);
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

const damagedAdvice = (dbPath: string): string =>
  `Run \`winnow doctor\` for details. Restore winnow.db from a backup (a copy of the whole data folder), or move ${dbPath} away to keep it and start a new data folder (--data-dir DIR).`;

/** Free bytes on the disk holding `dir` (or its closest existing parent); null when the platform cannot say. */
function freeBytes(dir: string): number | null {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const s = fs.statfsSync(d);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      if (path.dirname(d) === d) return null;
    }
  }
}

/** Whether the closest existing folder at or above `dir` cannot be written (read-only disk, no permission). */
function notWritable(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(d)) {
      try {
        fs.accessSync(d, fs.constants.W_OK);
        return false;
      } catch {
        return true;
      }
    }
    if (path.dirname(d) === d) return false;
  }
}

/** An error opening the database as a message that names the file and says what to do (no SQLite jargon alone). */
export function openError(e: unknown, dataDir: string, dbPath: string): Error {
  if (e instanceof DataFolderError) return e;
  let code = String((e as { code?: unknown }).code ?? '');
  const why = e instanceof Error ? e.message : String(e);
  // a full disk shows up as an I/O error when SQLite cannot even map its shared-memory file
  if ((code.startsWith('SQLITE_IOERR') || code === 'ENOSPC') && (freeBytes(dataDir) ?? Infinity) < 1 << 20)
    code = 'SQLITE_FULL';
  // mkdir on a read-only disk may say ENOENT or EROFS; fs.access tells
  if ((code === 'ENOENT' || code.startsWith('SQLITE_IOERR')) && notWritable(dataDir)) code = 'EROFS';
  if (DAMAGED_CODES.has(code) || code.startsWith('SQLITE_CORRUPT')) {
    return new DataFolderError(`The database ${dbPath} is damaged (${why}). ${damagedAdvice(dbPath)}`);
  }
  if (READ_ONLY_CODES.has(code) || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return new DataFolderError(
      `Winnow cannot write to the data folder ${dataDir} (${code === 'EROFS' ? 'read-only file system' : why}): it is read-only or not yours. ` +
        'Make it writable, or choose another data folder with --data-dir DIR (or WINNOW_DATA_DIR).',
    );
  }
  if (FULL_CODES.has(code) || code.startsWith('SQLITE_FULL')) {
    return new DataFolderError(
      `The disk holding ${dataDir} is full (needs about 1 MB to open the database). Free some space there, then try again.`,
    );
  }
  return e instanceof Error ? e : new Error(why);
}

/** `PRAGMA quick_check` (fast: no index cross-checks) at every open; a damaged database is refused with advice. */
function quickCheck(store: Store): void {
  const rows = store.db.pragma('quick_check') as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0) {
    throw new DataFolderError(
      `The database ${store.dbPath} is damaged: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}. ${damagedAdvice(store.dbPath)}`,
    );
  }
}

function adoptIdentity(store: Store, dataDir: string): void {
  const marker = readMarker(dataDir);
  const recorded = store.folderId();
  if (recorded && marker && recorded !== marker.id) {
    const found = dataFound(dataDir);
    if (found.length > 0) {
      throw new DataFolderError(
        `The database ${store.dbPath} belongs to another data folder (its id is ${recorded}; ${path.join(dataDir, MARKER_FILE)} says ${marker.id}), ` +
          `and this folder holds data (${found.join(', ')}). Put this folder's own winnow.db back, or open that database in the folder it came from. ${restoreAdvice(dataDir)}`,
      );
    }
  }
  if (recorded) {
    if (!marker || marker.id !== recorded) writeMarker(dataDir, { id: recorded, createdAt: Date.now() });
    return;
  }
  const id = store.recordFolderId(marker?.id ?? randomUUID());
  if (!marker || marker.id !== id) writeMarker(dataDir, { id, createdAt: Date.now() });
}
