/**
 * What an import job leaves in its staging folder for the host to commit: the packed images file and a
 * columnar manifest. The engine worker never writes the database; the host inserts the rows and moves the
 * folder into place in one step, so a failed or cancelled import leaves nothing behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetSummary, DuplicateReport, ImportParams, Rejection } from '../../shared/datasets.js';
import type { DatasetRows } from '../store/datasets-repo.js';
import { moveAside } from '../store/paths.js';

export const STAGING_DIR = 'staging';
export const IMAGES_FILE = 'images.u8';
export const MANIFEST_FILE = 'manifest.json';

export interface StagedDataset {
  version: 1;
  name: string;
  format: DatasetSummary['format'];
  source: string;
  fingerprint: string;
  width: number;
  height: number;
  channels: 1 | 3;
  classes: string[];
  images: number;
  rows: DatasetRows;
  rejected: Rejection[];
  duplicates: DuplicateReport;
  warnings: string[];
  options: ImportParams;
}

export const stagingDirFor = (jobDir: string): string => path.join(jobDir, STAGING_DIR);

export function writeManifest(dir: string, staged: StagedDataset): void {
  const tmp = path.join(dir, MANIFEST_FILE + '.tmp');
  fs.writeFileSync(tmp, JSON.stringify(staged));
  fs.renameSync(tmp, path.join(dir, MANIFEST_FILE));
}

export function readManifest(dir: string): StagedDataset {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) throw new Error(`The import left no manifest in ${dir}.`);
  const staged = JSON.parse(fs.readFileSync(file, 'utf8')) as StagedDataset;
  if (staged.version !== 1) throw new Error(`Unknown import manifest version ${String(staged.version)}.`);
  return staged;
}

/**
 * Moves a staged folder to its final place (the host does this inside the transaction that inserts the rows).
 * A folder already there (a crash between the move and the commit, or the folder of a row a lost or restored
 * database no longer has) is moved to leftovers/, never deleted.
 */
export function moveStagedFolder(staging: string, destination: string): string {
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  moveAside(destination);
  fs.renameSync(staging, destination);
  return destination;
}
