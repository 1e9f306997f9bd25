/**
 * Rows whose files live in a folder of the data folder (datasets, autoencoders, models): the row and its folder
 * are created together and handed back together, and the folder is recorded relative to the data folder.
 */
import type { Db } from './db.js';
import type { DataPaths } from './paths.js';

export type FolderTable = 'datasets' | 'autoencoders' | 'models';

/** INSERTs one row (column name -> value, in the table's column order) into `table`; returns its id. */
export function insertRecord(db: Db, table: FolderTable, values: Record<string, unknown>): number {
  const columns = Object.keys(values);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  return Number(db.prepare(sql).run(...Object.values(values)).lastInsertRowid);
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
