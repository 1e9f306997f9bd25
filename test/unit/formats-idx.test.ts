import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseIdxName, readIdx } from '../../main/data/formats/idx.js';
import { idxImagesBytes, idxLabelsBytes, idxPixel, writeIdx, writeIdxDataset } from '../fixtures/datasets.js';
import { raw, sourceError } from '../helpers/formats.js';
import { scratch } from '../helpers/scratch.js';

let dir = '';
beforeEach(() => {
  dir = scratch();
});

describe('IDX names', () => {
  it('recognises the MNIST names and their variants', () => {
    expect(parseIdxName('train-images-idx3-ubyte')).toEqual({ prefix: '', part: 'train', kind: 'images' });
    expect(parseIdxName('t10k-labels-idx1-ubyte.gz')).toEqual({ prefix: '', part: 'test', kind: 'labels' });
    expect(parseIdxName('train-images.idx3-ubyte')).toEqual({ prefix: '', part: 'train', kind: 'images' });
    expect(parseIdxName('emnist-digits-test-images-idx3-ubyte.gz')).toEqual({
      prefix: 'emnist-digits-',
      part: 'test',
      kind: 'images',
    });
    expect(parseIdxName('train-images-idx1-ubyte')).toBeNull();
    expect(parseIdxName('train.csv')).toBeNull();
  });
});

describe('IDX reader', () => {
  it('reads a train/t10k folder: split, classes, native size, pixels as views', async () => {
    const w = writeIdxDataset(dir, { train: 12, test: 5, rows: 4, cols: 3 });
    const s = await readIdx(dir, {});
    expect(s.format).toBe('idx');
    expect(s.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(s.hasOwnSplit).toBe(true);
    expect(s.native).toEqual({ width: 3, height: 4, channels: 1 });
    expect(s.items).toHaveLength(17);
    expect(s.items.filter((i) => i.split === 'train')).toHaveLength(12);
    expect(s.items.filter((i) => i.split === 'test')).toHaveLength(5);
    expect(s.items[11]!.source).toBe('train-images-idx3-ubyte#11');
    expect(s.items[12]!.source).toBe('t10k-images-idx3-ubyte#0');
    expect(s.items.map((i) => Number(s.classes[i.label]))).toEqual([...w.train.labels, ...w.test.labels]);
    // Pixels round-trip, and every item of a file is a view into one buffer.
    const p = raw(s.items[7]!.payload);
    expect(p).toMatchObject({ width: 3, height: 4, channels: 1 });
    expect([...p.data]).toEqual([...w.train.pixels.subarray(7 * 12, 8 * 12)]);
    expect(p.data[1 * 3 + 2]).toBe(idxPixel(7, 1, 2));
    expect(p.data.buffer).toBe(raw(s.items[0]!.payload).data.buffer);
    expect(p.data.byteOffset).toBe(16 + 7 * 12);
    expect(s.rejected).toEqual([]);
    expect(s.warnings).toEqual([]);
  });

  it('detects gzip by magic bytes, not by name', async () => {
    const a = path.join(dir, 'gz-named-plain');
    const b = path.join(dir, 'gz-unnamed');
    writeIdx(a, { n: 6, rows: 2, cols: 2, gzip: false, gzName: true });
    writeIdx(b, { n: 6, rows: 2, cols: 2, gzip: true, gzName: false });
    expect(fs.readdirSync(a).sort()).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    expect(fs.readFileSync(path.join(b, 'train-images-idx3-ubyte'))[0]).toBe(0x1f);
    const sa = await readIdx(a, {});
    const sb = await readIdx(b, {});
    expect(sa.items).toHaveLength(6);
    expect(sb.items).toHaveLength(6);
    expect([...raw(sb.items[5]!.payload).data]).toEqual([...raw(sa.items[5]!.payload).data]);
  });

  it('accepts dotted names, .gz files, and one images or labels file with its partner beside it', async () => {
    const w = writeIdxDataset(dir, { train: 4, test: 3, rows: 2, cols: 2, style: 'dot', gzip: true });
    expect(path.basename(w.train.imagesPath)).toBe('train-images.idx3-ubyte.gz');
    expect((await readIdx(dir, {})).items).toHaveLength(7);
    const one = await readIdx(w.test.imagesPath, {});
    expect(one.root).toBe(w.test.imagesPath);
    expect(one.items).toHaveLength(3);
    expect(one.hasOwnSplit).toBe(false);
    expect(one.items.every((i) => i.split === undefined)).toBe(true);
    expect((await readIdx(w.train.labelsPath, {})).items).toHaveLength(4);
  });

  it('prefers an unpacked file over its .gz twin, and warns when the t10k files are missing', async () => {
    writeIdx(dir, { n: 3, rows: 2, cols: 2 });
    writeIdx(dir, { n: 5, rows: 2, cols: 2, gzip: true });
    const s = await readIdx(dir, {});
    expect(s.items).toHaveLength(3);
    expect(s.hasOwnSplit).toBe(false);
    expect(s.warnings).toEqual([
      'No t10k-images/t10k-labels files were found; a test split will be held out from the training files.',
    ]);
  });

  it('uses the distinct label values, sorted numerically, as classes', async () => {
    writeIdx(dir, { n: 5, rows: 1, cols: 1, labels: [12, 3, 7, 12, 3] });
    const s = await readIdx(dir, {});
    expect(s.classes).toEqual(['3', '7', '12']);
    expect(s.items.map((i) => i.label)).toEqual([2, 0, 1, 2, 0]);
  });

  it('rejects a wrong magic number', async () => {
    writeIdx(dir, { n: 2, rows: 2, cols: 2 });
    fs.writeFileSync(
      path.join(dir, 'train-images-idx3-ubyte'),
      idxImagesBytes({ n: 2, rows: 2, cols: 2, magic: 0x00000801 }),
    );
    expect(await sourceError(readIdx(dir, {}))).toBe(
      'train-images-idx3-ubyte is not an IDX images file (magic 0x00000801, expected 0x00000803). It is a labels file: choose the images file.',
    );
    fs.writeFileSync(
      path.join(dir, 'train-images-idx3-ubyte'),
      idxImagesBytes({ n: 2, rows: 2, cols: 2, magic: 0x00000d03 }),
    );
    expect(await sourceError(readIdx(dir, {}))).toBe(
      'train-images-idx3-ubyte is not an IDX images file (magic 0x00000d03, expected 0x00000803).',
    );
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxImagesBytes({ n: 2, rows: 2, cols: 2 }));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxLabelsBytes([1, 2], 0x00000803));
    expect(await sourceError(readIdx(dir, {}))).toBe(
      'train-labels-idx1-ubyte is not an IDX labels file (magic 0x00000803, expected 0x00000801).',
    );
  });

  it('rejects wrong dimensions', async () => {
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxImagesBytes({ n: 2, rows: 0, cols: 28 }));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxLabelsBytes([1, 2]));
    expect(await sourceError(readIdx(dir, {}))).toMatch(/^train-images-idx3-ubyte has invalid image dimensions 0×28/);
    writeIdxDataset(dir, { train: 2, test: 0, rows: 4, cols: 4 });
    writeIdx(dir, { n: 2, rows: 3, cols: 3, part: 't10k' });
    expect(await sourceError(readIdx(dir, {}))).toBe(
      'train-images-idx3-ubyte holds 4×4 images but t10k-images-idx3-ubyte holds 3×3; all images must have one size.',
    );
    fs.writeFileSync(
      path.join(dir, 't10k-images-idx3-ubyte'),
      idxImagesBytes({ n: 2, rows: 4, cols: 4 }).subarray(0, 10),
    );
    expect(await sourceError(readIdx(dir, {}))).toBe(
      't10k-images-idx3-ubyte is 10 bytes, too short for an IDX images header (16 bytes).',
    );
  });

  it('rejects truncated data, naming expected and actual byte counts', async () => {
    writeIdx(dir, { n: 3, rows: 4, cols: 4 });
    const f = path.join(dir, 'train-images-idx3-ubyte');
    fs.truncateSync(f, 16 + 40);
    expect(await sourceError(readIdx(dir, {}))).toBe(
      'train-images-idx3-ubyte is truncated: expected 48 bytes of pixels (3 images of 4×4) after the header, found 40. Download it again.',
    );
    // gzipped and truncated after decompression
    fs.writeFileSync(f, zlib.gzipSync(idxImagesBytes({ n: 3, rows: 4, cols: 4 }).subarray(0, 60)));
    expect(await sourceError(readIdx(dir, {}))).toMatch(/found 44\./);
    // a cut gzip stream
    fs.writeFileSync(f, zlib.gzipSync(idxImagesBytes({ n: 3, rows: 4, cols: 4 })).subarray(0, 20));
    expect(await sourceError(readIdx(dir, {}))).toMatch(
      /^train-images-idx3-ubyte is gzip-compressed but could not be decompressed/,
    );
    fs.writeFileSync(f, idxImagesBytes({ n: 3, rows: 4, cols: 4 }));
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxLabelsBytes([1, 2, 3]).subarray(0, 10));
    expect(await sourceError(readIdx(dir, {}))).toBe(
      'train-labels-idx1-ubyte is truncated: expected 3 bytes of labels after the header, found 2. Download it again.',
    );
  });

  it('rejects a label count that differs from the image count', async () => {
    writeIdx(dir, { n: 10, rows: 2, cols: 2 });
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxLabelsBytes([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(await sourceError(readIdx(dir, {}))).toBe(
      'train-images-idx3-ubyte holds 10 images but train-labels-idx1-ubyte holds 9 labels; they must match. Check that both files belong to the same data set.',
    );
  });

  it('says which file is missing', async () => {
    const w = writeIdx(dir, { n: 2, rows: 2, cols: 2 });
    fs.rmSync(w.labelsPath);
    expect(await sourceError(readIdx(dir, {}))).toBe(
      `${path.resolve(dir)} has train-images-idx3-ubyte but no matching labels file (train-labels-idx1-ubyte).`,
    );
    expect(await sourceError(readIdx(w.imagesPath, {}))).toMatch(
      /^No labels file beside train-images-idx3-ubyte: expected train-labels-idx1-ubyte/,
    );
    expect(await sourceError(readIdx(path.join(dir, 'missing'), {}))).toMatch(/does not exist/);
    fs.rmSync(w.imagesPath);
    expect(await sourceError(readIdx(dir, {}))).toMatch(/holds no IDX files/);
  });

  it('fingerprints both files', async () => {
    const w = writeIdx(dir, { n: 2, rows: 2, cols: 2 });
    const f1 = (await readIdx(dir, {})).fingerprint;
    expect((await readIdx(dir, {})).fingerprint).toBe(f1);
    fs.utimesSync(w.labelsPath, new Date(5000), new Date(5000));
    expect((await readIdx(dir, {})).fingerprint).not.toBe(f1);
  });
});
