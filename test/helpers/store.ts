/** Store records for tests that need a dataset's rows without its pixels. */
import fs from 'node:fs';
import { ImportParams } from '../../shared/datasets.js';
import type { DatasetRows } from '../../main/store/datasets-repo.js';
import type { Store } from '../../main/store/index.js';
import { datasetDirFor } from '../../main/store/paths.js';

/**
 * Records a folder-imported dataset of 8x8 grey images with these rows, as an import would leave it (nothing
 * reads the pixels, so no file is written); `commitFiles` places its folder (see makeDatasetDir).
 */
export function insertDatasetRecord(
  store: Store,
  name: string,
  classes: string[],
  rows: DatasetRows,
  commitFiles: (id: number) => string,
): number {
  return store.datasets.insert(
    {
      name,
      format: 'folder',
      source: `/data/${name}`,
      fingerprint: `fp-${name}`,
      width: 8,
      height: 8,
      channels: 1,
      dir: '',
      bytes: rows.label.length * 64,
      options: ImportParams.parse({ source: { kind: 'path', path: `/data/${name}` } }),
      duplicates: { count: 0, examples: [], dropped: false },
      importJobId: null,
      classes,
      rows,
      rejected: [],
    },
    commitFiles,
  );
}

/** The commit step of an insert that makes the dataset's (empty) folder in the data folder. */
export function makeDatasetDir(dataDir: string): (id: number) => string {
  return (id) => {
    const dir = datasetDirFor(dataDir, id);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
}
