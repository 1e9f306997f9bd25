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
  constructor(message: string) {
    super(message);
    this.name = 'DataFolderError';
  }
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
    db = new Database(dbPath, { readonly: true, fileMustExist: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
    const row = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get() as { n: number };
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
  const state = databaseState(dbPath, options);
  const found = state === 'present' ? [] : dataFound(dataDir);
  if (found.length > 0) {
    throw new DataFolderError(
      `The data folder ${dataDir} holds data (${found.join(', ')}) but its database ${dbPath} is ${state === 'missing' ? 'missing' : 'empty'}. ` +
        `Winnow will not start a new database over existing data. ${restoreAdvice(dataDir)}`,
    );
  }
  const store = Store.open(dbPath, options);
  try {
    adoptIdentity(store, dataDir);
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
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
