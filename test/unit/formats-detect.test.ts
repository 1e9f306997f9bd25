import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { detectFormat, readSource, SUPPORTED_LAYOUTS } from '../../main/data/formats/index.js';
import {
  idxImagesBytes,
  writeCifar10,
  writeCifar100,
  writeClassFolders,
  writeCsvDataset,
  writeIdx,
  writeIdxDataset,
} from '../fixtures/datasets.js';
import { sourceError } from '../helpers/formats.js';
import { scratch } from '../helpers/scratch.js';

let dir = '';
beforeEach(() => {
  dir = scratch();
});

const sub = (name: string): string => path.join(dir, name);

describe('detectFormat', () => {
  it('recognises files by extension, magic and size', async () => {
    fs.writeFileSync(sub('m.CSV'), 'path,label\n');
    expect(await detectFormat(sub('m.CSV'))).toEqual({ format: 'csv', reason: 'm.CSV is a CSV manifest' });
    // IDX by magic, also gzipped without a .gz name
    fs.writeFileSync(sub('anything'), zlib.gzipSync(idxImagesBytes({ n: 2, rows: 2, cols: 2 })));
    expect((await detectFormat(sub('anything'))).format).toBe('idx');
    fs.writeFileSync(sub('c10.bin'), Buffer.alloc(3073 * 2));
    expect((await detectFormat(sub('c10.bin'))).format).toBe('cifar10');
    fs.writeFileSync(sub('c100.bin'), Buffer.alloc(3074 * 2));
    expect((await detectFormat(sub('c100.bin'))).format).toBe('cifar100');
    // a size that is a multiple of both records: the name decides (sparse files: nothing is written)
    for (const n of ['train.bin', 'other.bin']) {
      fs.writeFileSync(sub(n), '');
      fs.truncateSync(sub(n), 3073 * 3074);
    }
    expect((await detectFormat(sub('train.bin'))).format).toBe('cifar100');
    expect((await detectFormat(sub('other.bin'))).format).toBe('cifar10');
    fs.writeFileSync(sub('bad.bin'), Buffer.alloc(100));
    expect(await sourceError(detectFormat(sub('bad.bin')))).toMatch(
      /^bad\.bin is 100 bytes, neither a multiple of 3073 \(CIFAR-10 record\) nor of 3074/,
    );
    fs.writeFileSync(sub('photo.png'), '');
    expect(await sourceError(detectFormat(sub('photo.png')))).toMatch(/is a single image/);
    fs.writeFileSync(sub('notes.txt'), 'hello');
    expect(await sourceError(detectFormat(sub('notes.txt')))).toBe(
      `${sub('notes.txt')} is not a dataset file Winnow can read. ${SUPPORTED_LAYOUTS}`,
    );
  });

  it('recognises folders by their contents', async () => {
    writeIdxDataset(sub('mnist'), { train: 2, test: 2, rows: 2, cols: 2, gzip: true });
    expect(await detectFormat(sub('mnist'))).toEqual({
      format: 'idx',
      reason: 'found t10k-images-idx3-ubyte.gz and 3 more IDX files',
    });
    writeCifar10(sub('c10'), { perBatch: 1, batches: [1, 2] });
    expect(await detectFormat(sub('c10'))).toEqual({
      format: 'cifar10',
      reason: 'found 3 CIFAR-10 batch files (data_batch_1.bin, data_batch_2.bin, test_batch.bin)',
    });
    writeCifar10(sub('c10-parent/cifar-10-batches-bin'), { perBatch: 1 });
    expect((await detectFormat(sub('c10-parent'))).format).toBe('cifar10');
    writeCifar100(sub('c100'), { train: 1, test: 1 });
    expect(await detectFormat(sub('c100'))).toEqual({
      format: 'cifar100',
      reason: 'found CIFAR-100 test.bin and train.bin',
    });
    await writeClassFolders(sub('folders'), { 'train/cat/deep/er': 1, 'test/cat': 1 });
    expect(await detectFormat(sub('folders'))).toEqual({
      format: 'folder',
      reason: 'found 2 subfolders with images (test, train)',
    });
  });

  it('explains what is missing', async () => {
    expect(await sourceError(detectFormat(sub('nope')))).toMatch(
      new RegExp(`^${sub('nope').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`),
    );
    fs.mkdirSync(sub('empty'));
    expect(await sourceError(detectFormat(sub('empty')))).toBe(
      `${sub('empty')} holds no dataset Winnow recognises. ${SUPPORTED_LAYOUTS}`,
    );
    await writeClassFolders(sub('loose'), { '.': ['a.png', 'b.png'], 'no-images': ['x.txt'] });
    expect(await sourceError(detectFormat(sub('loose')))).toMatch(/holds 2 images but no class folders/);
    fs.mkdirSync(sub('with-csv'));
    fs.writeFileSync(sub('with-csv/list.csv'), 'path,label\n');
    expect(await sourceError(detectFormat(sub('with-csv')))).toMatch(
      /To import a CSV manifest, choose the file itself \(list\.csv\)/,
    );
  });
});

describe('readSource', () => {
  it('detects and dispatches for auto, and honours an explicit format', async () => {
    writeIdx(sub('idx'), { n: 3, rows: 2, cols: 2 });
    writeCifar10(sub('c10'), { perBatch: 1, batches: [1], test: 1 });
    writeCifar100(sub('c100'), { train: 2, test: 1 });
    await writeClassFolders(sub('folder'), { a: 1, b: 2 });
    const csv = await writeCsvDataset(sub('csv'), { classes: ['x', 'y'], perClass: 1 });
    const got = await Promise.all(['idx', 'c10', 'c100', 'folder'].map((n) => readSource(sub(n), 'auto')));
    expect(got.map((s) => [s.format, s.items.length])).toEqual([
      ['idx', 3],
      ['cifar10', 2],
      ['cifar100', 3],
      ['folder', 3],
    ]);
    expect(got[3]!.detection?.reason).toBe('found 2 subfolders with images (a, b)');
    const c = await readSource(csv, 'auto');
    expect([c.format, c.items.length]).toEqual(['csv', 2]);
    expect((await readSource(sub('c100'), 'cifar100', { cifar100Labels: 'coarse' })).classes).toHaveLength(20);
    // an explicit format that does not fit says why
    expect(await sourceError(readSource(sub('c100'), 'cifar10'))).toMatch(/holds no CIFAR-10 binary files/);
  });
});
