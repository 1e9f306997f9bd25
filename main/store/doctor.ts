/**
 * `winnow doctor [--repair]`: the full integrity check of a data folder's database, and what its folders and rows
 * disagree on. It never needs the folder to open normally (it is what to run when opening is refused), and
 * --repair only does what loses nothing: remove staging and temporary folders of jobs that are not running,
 * move folders no row points at to leftovers/, rebuild indexes, restore the identity marker.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATA_SUBFOLDERS, MARKER_FILE, dataFound, readMarker } from './data-folder.js';
import { DataPaths, LEFTOVERS_DIR, dbPathFor, moveAside } from './paths.js';

export interface DoctorProblem {
  /** e.g. 'integrity', 'database', 'orphan-folder', 'missing-folder', 'staging', 'marker'. */
  kind: string;
  message: string;
  /** What --repair did about it, if anything. */
  repaired?: string;
}

export interface DoctorReport {
  dataDir: string;
  dbPath: string;
  integrity: 'ok' | 'damaged' | 'not-checked';
  problems: DoctorProblem[];
  leftovers: string[];
  /** True when nothing is left to fix (after --repair, if given). */
  healthy: boolean;
}

const ID_FOLDER = /^[1-9][0-9]*$/;
/** Entries a job folder may hold while a job writes: partial outputs, safe to delete once the job is not running. */
const isStaging = (name: string): boolean => name === 'staging' || name.endsWith('-staging') || name.endsWith('.tmp');

function tableNames(db: Database.Database): Set<string> {
  return new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map(
      (r) => r.name,
    ),
  );
}

export function runDoctor(dataDir: string, options: { repair: boolean; nativeBinding?: string }): DoctorReport {
  const dbPath = dbPathFor(dataDir);
  const report: DoctorReport = {
    dataDir,
    dbPath,
    integrity: 'not-checked',
    problems: [],
    leftovers: [],
    healthy: false,
  };
  const problem = (p: DoctorProblem) => report.problems.push(p);
  try {
    report.leftovers = fs.readdirSync(path.join(dataDir, LEFTOVERS_DIR)).map((n) => `${LEFTOVERS_DIR}/${n}`);
  } catch {
    // none
  }
  const size = fs.existsSync(dbPath) ? fs.statSync(dbPath).size : -1;
  if (size <= 0) {
    const found = dataFound(dataDir);
    problem({
      kind: 'database',
      message: `${dbPath} is ${size < 0 ? 'missing' : 'empty'}${found.length ? ` while the folder holds data (${found.join(', ')}): restore it from a backup` : ''}.`,
    });
    report.healthy = found.length === 0;
    return report;
  }
  let db: Database.Database;
  try {
    db = new Database(dbPath, {
      fileMustExist: true,
      readonly: !options.repair,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (e) {
    problem({ kind: 'database', message: `${dbPath} cannot be opened: ${(e as Error).message}.` });
    return report;
  }
  try {
    checkIntegrity(db, report, options.repair);
    if (report.integrity === 'ok') checkFolders(db, dataDir, report, options.repair);
  } catch (e) {
    problem({
      kind: 'database',
      message: `${dbPath} cannot be read: ${(e as Error).message}. Restore it from a backup.`,
    });
    report.integrity = 'damaged';
  } finally {
    db.close();
  }
  report.healthy = report.integrity === 'ok' && report.problems.every((p) => p.repaired !== undefined);
  return report;
}

function integrityProblems(db: Database.Database): string[] {
  return (db.pragma('integrity_check') as Array<{ integrity_check: string }>)
    .map((r) => r.integrity_check)
    .filter((r) => r !== 'ok');
}

function checkIntegrity(db: Database.Database, report: DoctorReport, repair: boolean): void {
  let problems = integrityProblems(db);
  if (problems.length === 0) {
    report.integrity = 'ok';
    return;
  }
  if (repair) {
    // damaged indexes are rebuilt from the tables; damaged tables cannot be repaired without losing rows
    db.exec('REINDEX');
    problems = integrityProblems(db);
    if (problems.length === 0) {
      report.integrity = 'ok';
      report.problems.push({ kind: 'integrity', message: 'Damaged indexes.', repaired: 'rebuilt (REINDEX)' });
      return;
    }
  }
  report.integrity = 'damaged';
  report.problems.push({
    kind: 'integrity',
    message: `The database is damaged: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}. Restore winnow.db from a backup.`,
  });
}

function checkFolders(db: Database.Database, dataDir: string, report: DoctorReport, repair: boolean): void {
  const tables = tableNames(db);
  const paths = new DataPaths(dataDir);
  const marker = readMarker(dataDir);
  const folderId = tables.has('data_folder')
    ? ((db.prepare('SELECT id FROM data_folder').get() as { id: string } | undefined)?.id ?? null)
    : null;
  if (folderId && marker?.id !== folderId) {
    const p: DoctorProblem = {
      kind: 'marker',
      message: marker
        ? `${MARKER_FILE} names folder ${marker.id}, the database ${folderId}: this database comes from another data folder.`
        : `${MARKER_FILE} is missing.`,
    };
    if (repair && !marker) {
      fs.writeFileSync(
        path.join(dataDir, MARKER_FILE),
        `${JSON.stringify({ id: folderId, createdAt: Date.now() }, null, 2)}\n`,
      );
      p.repaired = 'written from the database';
    }
    report.problems.push(p);
  }
  // rows <-> folders, per kind that keeps a folder per row
  for (const kind of DATA_SUBFOLDERS) {
    if (!tables.has(kind)) continue;
    const rows = new Map<number, string | null>(
      kind === 'jobs'
        ? (db.prepare('SELECT id, state FROM jobs').all() as Array<{ id: number; state: string }>).map((r) => [
            r.id,
            r.state,
          ])
        : (db.prepare(`SELECT id, dir FROM ${kind}`).all() as Array<{ id: number; dir: string }>).map((r) => [
            r.id,
            r.dir,
          ]),
    );
    const parent = path.join(dataDir, kind);
    const entries = fs.existsSync(parent) ? fs.readdirSync(parent) : [];
    for (const name of entries) {
      const full = path.join(parent, name);
      const id = ID_FOLDER.test(name) ? Number(name) : null;
      if (id === null || !rows.has(id)) {
        const p: DoctorProblem = {
          kind: 'orphan-folder',
          message: `${kind}/${name} belongs to no ${kind.replace(/s$/, '')} in the database.`,
        };
        if (repair) p.repaired = `moved to ${path.relative(dataDir, moveAside(full)!)}`;
        report.problems.push(p);
        continue;
      }
      if (kind === 'jobs') {
        const state = rows.get(id);
        if (state === 'running' || state === 'queued' || !fs.statSync(full).isDirectory()) continue;
        for (const entry of fs.readdirSync(full).filter(isStaging)) {
          const p: DoctorProblem = {
            kind: 'staging',
            message: `jobs/${name}/${entry} is a partial output of job ${id} (${state}).`,
          };
          if (repair) {
            fs.rmSync(path.join(full, entry), { recursive: true, force: true });
            p.repaired = 'removed';
          }
          report.problems.push(p);
        }
      }
    }
    if (kind === 'jobs') continue;
    for (const [id, dir] of rows) {
      const abs = paths.toAbsolute(dir ?? '');
      if (dir && !fs.existsSync(abs)) {
        report.problems.push({
          kind: 'missing-folder',
          message: `${kind.replace(/s$/, '')} ${id}'s folder ${dir} is missing: delete it (\`winnow ${kind === 'datasets' ? 'dataset' : kind === 'models' ? 'model' : 'ae'} rm ${id}\`) or restore the folder.`,
        });
      }
    }
  }
}
