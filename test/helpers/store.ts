/** Store records for tests that need a dataset's rows without its pixels. */
import fs from 'node:fs';
import { ImportParams, type SearchHalf, type Split } from '../../shared/datasets.js';
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

/**
 * A dataset of 8x8 grey images: per class `w` train_w, `a` train_α and `test` test images. Pixel hashes are
 * made up (the store records them; nothing reads the pixels here).
 */
export function addSearchDataset(
  h: { store: Store; dataDir: string },
  name: string,
  classes: string[],
  per: { w: number; a: number; test: number },
  salt = '',
): number {
  const rows = {
    label: [] as number[],
    split: [] as Split[],
    half: [] as Array<SearchHalf | null>,
    group: [] as Array<string | null>,
    source: [] as string[],
    hash: [] as string[],
  };
  classes.forEach((_, label) => {
    const kinds: Array<[Split, SearchHalf | null, number]> = [
      ['train', 'w', per.w],
      ['train', 'a', per.a],
      ['test', null, per.test],
    ];
    for (const [split, half, n] of kinds) {
      for (let i = 0; i < n; i++) {
        rows.label.push(label);
        rows.split.push(split);
        rows.half.push(half);
        rows.group.push(null);
        rows.source.push(`${label}/${split}-${half ?? 'x'}-${i}.png`);
        rows.hash.push(`${salt}${label}-${split}-${half}-${i}`);
      }
    }
  });
  return insertDatasetRecord(h.store, name, classes, rows, makeDatasetDir(h.dataDir));
}
