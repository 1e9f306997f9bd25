/**
 * Host side of an import: turns what the worker staged into a dataset (rows in SQLite, files in
 * <data dir>/datasets/<id>/) in one step, or removes the staging folder when the job did not finish.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ImportResult } from '../../shared/datasets.js';
import type { Store } from '../store/index.js';
import { datasetDirFor } from '../store/paths.js';
import { IMAGES_FILE, moveStagedFolder, readManifest, stagingDirFor } from './staged.js';

/** Refused because the same source is already a dataset (ifExists: 'refuse'). */
export class AlreadyImportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlreadyImportedError';
  }
}

export function alreadyImportedMessage(existing: { id: number; name: string }): string {
  return (
    `This source was already imported as dataset ${existing.id} ("${existing.name}"). ` +
    'Open that dataset, or import it again (CLI: --again; UI: "Import again").'
  );
}

export function commitImport(store: Store, dataDir: string, jobId: number, jobDir: string): ImportResult {
  const staging = stagingDirFor(jobDir);
  try {
    const staged = readManifest(staging);
    if (staged.options.ifExists === 'refuse') {
      const existing = store.datasets.findByFingerprint(staged.fingerprint)[0];
      if (existing) throw new AlreadyImportedError(alreadyImportedMessage(existing));
    }
    const bytes = fs.statSync(path.join(staging, IMAGES_FILE)).size;
    const id = store.datasets.insert(
      {
        name: staged.name,
        format: staged.format,
        source: staged.source,
        fingerprint: staged.fingerprint,
        width: staged.width,
        height: staged.height,
        channels: staged.channels,
        dir: '',
        bytes,
        options: staged.options,
        duplicates: staged.duplicates,
        importJobId: jobId,
        classes: staged.classes,
        rows: staged.rows,
        rejected: staged.rejected,
      },
      (newId) => moveStagedFolder(staging, datasetDirFor(dataDir, newId)),
    );
    const splits = { train: 0, test: 0 };
    for (const s of staged.rows.split) splits[s]++;
    return {
      id,
      name: staged.name,
      images: staged.images,
      classes: staged.classes.length,
      splits,
      rejected: staged.rejected,
      duplicates: staged.duplicates,
    };
  } finally {
    // on success the folder was moved away; on any failure nothing of the import may stay behind
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export function discardImport(jobDir: string): void {
  fs.rmSync(stagingDirFor(jobDir), { recursive: true, force: true });
}

/** Deletes a dataset: rows first (so it disappears from every list at once), then its files. */
export function deleteDataset(store: Store, id: number): boolean {
  const autoencoderDirs = store.autoencoders.dirsOfDataset(id); // their rows go with the dataset's
  const dir = store.datasets.delete(id);
  if (dir === undefined) return false;
  for (const d of [dir, ...autoencoderDirs]) if (d) store.paths.removeFolder(d);
  return true;
}
