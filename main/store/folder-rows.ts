/**
 * Rows whose files live in a folder of the data folder (datasets, autoencoders, models): the row and its folder
 * are created together and handed back together, and the folder is recorded relative to the data folder.
 */
import type { Db } from './db.js';
import type { DataPaths } from './paths.js';

export type FolderTable = 'datasets' | 'autoencoders' | 'models';

/**
 * INSERTs one row into `table` from `values` (column name -> value): the table's own columns only, so a record that
 * carries more fields than the table stores writes what it stores; returns the row's id.
 */
export function insertRecord(db: Db, table: FolderTable, values: Record<string, unknown>): number {
  const known = new Set(
    (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name),
  );
  const columns = Object.keys(values).filter((c) => known.has(c));
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  return Number(db.prepare(sql).run(...columns.map((c) => values[c])).lastInsertRowid);
}

/**
 * Runs `insertRow` (which writes the row with an empty dir and returns its id), then `commitFiles` (which moves
 * the files into place and returns their folder), and records the folder: one immediate transaction, so either
 * the row and the files both exist or neither does.
 */
export function insertWithFolder(
  db: Db,
  paths: DataPaths,
  table: FolderTable,
  insertRow: () => number,
  commitFiles: (id: number) => string,
): number {
  return db
    .transaction(() => {
      const id = insertRow();
      db.prepare(`UPDATE ${table} SET dir = ? WHERE id = ?`).run(paths.toStored(commitFiles(id)), id);
      return id;
    })
    .immediate();
}

/** Removes the row; returns its folder (absolute) for the caller to delete once the row is gone. */
export function deleteWithFolder(db: Db, paths: DataPaths, table: FolderTable, id: number): string | undefined {
  const row = db.prepare(`SELECT dir FROM ${table} WHERE id = ?`).get(id) as { dir: string } | undefined;
  db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(id);
  return row ? paths.toAbsolute(row.dir) : undefined;
}

/** The rows of `select` (whose table is aliased `alias`), newest first, all or those of one dataset. */
export function newestFirst<R>(db: Db, select: string, alias: string, datasetId?: number): R[] {
  return (
    datasetId === undefined
      ? db.prepare(`${select} ORDER BY ${alias}.id DESC`).all()
      : db.prepare(`${select} WHERE ${alias}.dataset_id = ? ORDER BY ${alias}.id DESC`).all(datasetId)
  ) as R[];
}

/**
 * A repository of rows with folders (autoencoders, models): inserting a record's columns with its files, listing
 * newest first (`select` aliases the table `alias`), and deleting a row, handing back its folder.
 */
export abstract class FolderRepo<Row extends { dir: string }, Summary> {
  protected abstract readonly table: FolderTable;
  protected abstract readonly select: string;
  protected abstract readonly alias: string;
  protected abstract toSummary(row: Row): Summary;

  constructor(
    protected readonly db: Db,
    protected readonly paths: DataPaths,
  ) {}

  /** Inserts the row; `commitFiles` runs inside the transaction and returns the folder the files now live in. */
  protected insertColumns(columns: Record<string, unknown>, commitFiles: (id: number) => string): number {
    const insertRow = () => insertRecord(this.db, this.table, { ...columns, dir: '', created_at: Date.now() });
    return insertWithFolder(this.db, this.paths, this.table, insertRow, commitFiles);
  }

  /** Newest first: all, or those of one dataset. */
  list(datasetId?: number): Summary[] {
    return newestFirst<Row>(this.db, this.select, this.alias, datasetId).map((r) => this.toSummary(r));
  }

  /** Removes the row; returns the folder to delete (the caller removes files after the row is gone). */
  delete(id: number): string | undefined {
    return deleteWithFolder(this.db, this.paths, this.table, id);
  }
}
