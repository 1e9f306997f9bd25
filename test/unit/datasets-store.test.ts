import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ImportParams } from '../../shared/datasets.js';
import { commitImport, deleteDataset, discardImport } from '../../main/data/commit.js';
import { IMAGES_FILE, stagingDirFor, writeManifest, type StagedDataset } from '../../main/data/staged.js';
import { PackedImageWriter } from '../../main/data/tensor-store.js';
import { Store } from '../../main/store/index.js';
import { tempDir } from '../helpers/tmp.js';

let cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

function setup() {
  const t = tempDir();
  const store = Store.open(path.join(t.dir, 'winnow.db'));
  cleanups.push(() => {
    store.close();
    t.cleanup();
  });
  // the import jobs the datasets point back to
  store.jobs.create('selftest', {}, process.pid);
  store.jobs.create('selftest', {}, process.pid);
  return { store, dataDir: t.dir };
}

/** Stages a tiny import (6 images, 2 classes, groups) the way the import job does. */
function stage(jobDir: string, overrides: Partial<StagedDataset> = {}): StagedDataset {
  const dir = stagingDirFor(jobDir);
  fs.mkdirSync(dir, { recursive: true });
  const w = new PackedImageWriter(path.join(dir, IMAGES_FILE), { width: 2, height: 2, channels: 1 });
  for (let i = 0; i < 6; i++) w.append(new Uint8Array(4).fill(i));
  w.close();
  const staged: StagedDataset = {
    version: 1,
    name: 'tiny',
    format: 'folder',
    source: '/data/tiny',
    fingerprint: 'fp-1',
    width: 2,
    height: 2,
    channels: 1,
    classes: ['cat', 'dog'],
    images: 6,
    rows: {
      label: [0, 0, 0, 1, 1, 1],
      split: ['train', 'train', 'test', 'train', 'train', 'test'],
      half: ['w', 'a', null, 'w', 'a', null],
      group: ['x', 'y', 'x', 'x', 'y', 'y'],
      source: ['cat/1.png', 'cat/2.png', 'cat/3.png', 'dog/1.png', 'dog/2.png', 'dog/3.png'],
      hash: ['a', 'b', 'c', 'd', 'e', 'f'],
    },
    rejected: [{ path: 'readme.txt', reason: 'not an image file (.txt)' }],
    duplicates: { count: 0, examples: [], dropped: false },
    warnings: [],
    options: ImportParams.parse({ source: { kind: 'path', path: '/data/tiny' } }),
    ...overrides,
  };
  writeManifest(dir, staged);
  return staged;
}

describe('committing an import', () => {
  it('inserts the rows and moves the files into datasets/<id>/ in one step', () => {
    const { store, dataDir } = setup();
    const jobDir = path.join(dataDir, 'jobs', '1');
    stage(jobDir);
    const result = commitImport(store, dataDir, 1, jobDir);
    expect(result).toMatchObject({ id: 1, name: 'tiny', images: 6, classes: 2, splits: { train: 4, test: 2 } });
    expect(result.rejected).toEqual([{ path: 'readme.txt', reason: 'not an image file (.txt)' }]);
    expect(fs.existsSync(stagingDirFor(jobDir))).toBe(false);
    expect(fs.statSync(path.join(dataDir, 'datasets', '1', IMAGES_FILE)).size).toBe(24);
    const d = store.datasets.detail(1)!;
    expect(d).toMatchObject({
      images: 6,
      classes: 2,
      width: 2,
      channels: 1,
      hasGroups: true,
      rejectedCount: 1,
      bytes: 24,
    });
    expect(d.perClass).toEqual([
      { label: 0, name: 'cat', train: 2, test: 1, trainW: 1, trainA: 1 },
      { label: 1, name: 'dog', train: 2, test: 1, trainW: 1, trainA: 1 },
    ]);
    expect(d.groups).toEqual([
      { group: 'x', train: 2, test: 1 },
      { group: 'y', train: 2, test: 1 },
    ]);
    expect(store.datasets.images(1, { label: 1, split: 'train', offset: 0, limit: 10 })).toEqual({
      total: 2,
      rows: [
        { index: 3, label: 1, split: 'train', half: 'w', group: 'x', source: 'dog/1.png' },
        { index: 4, label: 1, split: 'train', half: 'a', group: 'y', source: 'dog/2.png' },
      ],
    });
    expect(store.datasets.rejections(1, 0, 10).total).toBe(1);
  });

  it('refuses the same source again unless asked to import again, and leaves nothing behind', () => {
    const { store, dataDir } = setup();
    stage(path.join(dataDir, 'jobs', '1'));
    commitImport(store, dataDir, 1, path.join(dataDir, 'jobs', '1'));
    const second = path.join(dataDir, 'jobs', '2');
    stage(second);
    expect(() => commitImport(store, dataDir, 2, second)).toThrow(/already imported as dataset 1 \("tiny"\)/);
    expect(fs.existsSync(stagingDirFor(second))).toBe(false);
    expect(store.datasets.list()).toHaveLength(1);
    stage(second, {
      options: ImportParams.parse({ source: { kind: 'path', path: '/data/tiny' }, ifExists: 'import-again' }),
    });
    expect(commitImport(store, dataDir, 2, second).id).toBe(2);
    expect(store.datasets.findByFingerprint('fp-1').map((d) => d.id)).toEqual([2, 1]);
  });

  it('rolls back the rows when the files cannot be moved', () => {
    const { store, dataDir } = setup();
    const jobDir = path.join(dataDir, 'jobs', '1');
    stage(jobDir);
    fs.writeFileSync(path.join(dataDir, 'datasets'), 'a file where the datasets folder should be');
    expect(() => commitImport(store, dataDir, 1, jobDir)).toThrow();
    expect(store.datasets.list()).toEqual([]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM dataset_images').get()).toEqual({ n: 0 });
  });

  it('discards staging and deletes datasets with their files', () => {
    const { store, dataDir } = setup();
    const jobDir = path.join(dataDir, 'jobs', '1');
    stage(jobDir);
    discardImport(jobDir);
    expect(fs.existsSync(stagingDirFor(jobDir))).toBe(false);
    stage(jobDir);
    const { id } = commitImport(store, dataDir, 1, jobDir);
    expect(deleteDataset(store, id)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'datasets', String(id)))).toBe(false);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM dataset_images').get()).toEqual({ n: 0 });
    expect(deleteDataset(store, id)).toBe(false);
  });
});
