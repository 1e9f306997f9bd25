import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenDbOptions {
  /** Path of a better-sqlite3 binary built for another runtime (the Electron app in development). */
  nativeBinding?: string;
  migrations?: readonly Migration[];
}

/** Opens (creating if needed) the database: WAL, foreign keys on, migrations applied. */
export function openDb(dbPath: string, options: OpenDbOptions = {}): Db {
  if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const db = new Database(dbPath, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  // Several Winnow processes (app, serve, CLI) may share one database: wait for a lock instead of failing.
  db.pragma('busy_timeout = 5000');
  migrate(db, options.migrations ?? MIGRATIONS);
  return db;
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const current = schemaVersion(db);
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > latest) {
    throw new Error(
      `This database was written by a newer Winnow (schema ${current}, this version knows ${latest}). ` +
        'Update Winnow, or point it at another data folder with --data-dir.',
    );
  }
  const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  const apply = db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.description,
        Date.now(),
      );
    }
  });
  apply.immediate();
}
