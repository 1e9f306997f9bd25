import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../main/data/formats/csv.js';
import type { SourceScan } from '../../main/data/types.js';
import { writeClassFolders, writeCsvDataset, writeCsvManifest } from '../fixtures/datasets.js';
import { sourceError } from '../helpers/formats.js';
import { scratch } from '../helpers/scratch.js';

let dir = '';
beforeEach(() => {
  dir = scratch();
});

const touch = (...names: string[]): void => {
  for (const n of names) {
    fs.mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
    fs.writeFileSync(path.join(dir, n), '');
  }
};
const rows = (s: SourceScan): Array<[string, string, string | undefined, string | undefined]> =>
  s.items.map((i) => [i.source, s.classes[i.label]!, i.group, i.split]);

describe('CSV parser', () => {
  it('follows RFC 4180: quotes, doubled quotes, commas and line breaks inside quotes, CRLF', () => {
    const recs = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",\n,\n\nlast,"q"');
    expect(recs).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['x, y', 'say "hi"'] },
      { row: 3, fields: ['multi\nline', ''] },
      { row: 4, fields: ['', ''] },
      { row: 5, fields: [''] },
      { row: 6, fields: ['last', 'q'] },
    ]);
    expect(parseCsv('"open,x\ny')[0]).toEqual({
      row: 1,
      fields: ['open,x\ny'],
      error: 'a quoted field is never closed (a missing ")',
    });
    expect(parseCsv('"a"b,c')[0]!.error).toMatch(/^unexpected text after a closing quote/);
  });
});

describe('CSV manifest', () => {
  it('reads path,label,group,split with quoting, a BOM, CRLF and absolute paths', async () => {
    touch('img/a, "b".png', 'img/c.png', 'img/d.png', 'sub/e.jpg');
    const abs = path.join(dir, 'img', 'd.png');
    const file = writeCsvManifest(
      dir,
      [
        { path: 'img/a, "b".png', label: 'cat, tabby', group: 'g1', split: 'train' },
        { path: 'img/c.png', label: 'dog', group: '', split: 'val' },
        { path: abs, label: 'dog', group: 'g2', split: 'TEST' },
        { path: 'sub\\e.jpg', label: '東京', group: 'g1', split: 'train' },
      ],
      { bom: true, crlf: true },
    );
    expect(
      fs
        .readFileSync(file, 'utf8')
        .startsWith('\uFEFFpath,label,group,split\r\n"img/a, ""b"".png","cat, tabby",g1,train\r\n'),
    ).toBe(true);
    const s = await readCsv(file, {});
    expect(s.format).toBe('csv');
    expect(s.root).toBe(file);
    expect(s.classes).toEqual(['cat, tabby', 'dog', '東京']);
    expect(rows(s)).toEqual([
      ['img/a, "b".png', 'cat, tabby', 'g1', 'train'],
      ['img/c.png', 'dog', undefined, 'test'],
      [abs, 'dog', 'g2', 'test'],
      ['sub/e.jpg', '東京', 'g1', 'train'],
    ]);
    expect(s.items[0]!.payload).toEqual({ kind: 'file', path: path.join(dir, 'img', 'a, "b".png') });
    expect(s.items[3]!.payload).toEqual({ kind: 'file', path: path.join(dir, 'sub', 'e.jpg') });
    expect(s.hasOwnSplit).toBe(true);
    expect(s.rejected).toEqual([]);
    expect(s.native).toBeNull();
  });

  it('without a split column the source has no split; numeric labels sort numerically; header case is ignored', async () => {
    touch('1.png', '2.png', '3.png', '4.png');
    const file = writeCsvManifest(dir, [], { raw: 'Path,LABEL\n1.png,10\n2.png,2\n3.png,1\n4.png,zebra\n' });
    const s = await readCsv(file, {});
    expect(s.hasOwnSplit).toBe(false);
    expect(s.classes).toEqual(['1', '2', '10', 'zebra']);
    expect(s.items.map((i) => i.label)).toEqual([2, 1, 0, 3]);
    expect(s.items.every((i) => i.split === undefined && i.group === undefined)).toBe(true);
  });

  it('rejects bad rows and missing files with their row numbers', async () => {
    touch('ok1.png', 'ok2.png', 'ok3.png', 'folder/x.png');
    const raw = [
      'path,label,split', // row 1
      'ok1.png,a,train', // 2
      'ok2.png,b,test,extra', // 3: too many fields
      ',a,train', // 4: empty path
      'ok2.png, ,train', // 5: empty label
      'ok2.png,a,holdout', // 6: bad split
      'ok2.png,b,', // 7: no split while others have one
      'missing.png,a,train', // 8
      '', // 9: blank, skipped
      'folder,a,train', // 10: a folder
      'ok3.png,b,val', // 11
      'ok2.png', // 12: too few fields
      '"ok2.png"x,a,train', // 13: text after a closing quote
    ].join('\n');
    const s = await readCsv(writeCsvManifest(dir, [], { raw }), {});
    expect(rows(s)).toEqual([
      ['ok1.png', 'a', undefined, 'train'],
      ['ok3.png', 'b', undefined, 'test'],
    ]);
    expect(s.rejected).toEqual([
      { path: 'ok2.png', reason: 'row 3: expected 3 fields, found 4' },
      { path: 'manifest.csv row 4', reason: 'row 4: empty path' },
      { path: 'ok2.png', reason: 'row 5: empty label' },
      { path: 'ok2.png', reason: 'row 6: split "holdout" is not train, test or val' },
      { path: 'ok2.png', reason: 'row 7: no split, but other rows have one (train, test or val)' },
      { path: 'missing.png', reason: 'row 8: file not found' },
      { path: 'folder', reason: 'row 10: not a file' },
      { path: 'ok2.png', reason: 'row 12: expected 3 fields, found 1' },
      {
        path: 'ok2.pngx',
        reason: 'row 13: unexpected text after a closing quote (quotes inside a quoted field are written "")',
      },
    ]);
  });

  it('rejects unknown, duplicate and missing columns, and empty manifests', async () => {
    const e1 = await sourceError(readCsv(writeCsvManifest(dir, [], { raw: 'path,label,colour,\nx.png,a,red,\n' }), {}));
    expect(e1).toBe(
      'manifest.csv has unknown columns "colour", an unnamed column; the allowed columns are path, label, group, split.',
    );
    const e2 = await sourceError(readCsv(writeCsvManifest(dir, [], { raw: 'path,group\nx.png,a\n' }), {}));
    expect(e2).toBe(
      'manifest.csv has no "label" column; the header row must name path and label (optionally also group and split).',
    );
    const e3 = await sourceError(readCsv(writeCsvManifest(dir, [], { raw: 'label\na\n' }), {}));
    expect(e3).toMatch(/has no "path" column/);
    const e4 = await sourceError(readCsv(writeCsvManifest(dir, [], { raw: 'path,label,Label\n' }), {}));
    expect(e4).toMatch(/names the column "label" twice/);
    const e5 = await sourceError(readCsv(writeCsvManifest(dir, [], { raw: '\uFEFF' }), {}));
    expect(e5).toMatch(/^manifest.csv is empty/);
    const e6 = await sourceError(readCsv(writeCsvManifest(dir, [], { raw: 'path,label\n' }), {}));
    expect(e6).toBe('manifest.csv has a header but no rows: add one row per image (path,label).');
    const e7 = await sourceError(readCsv(writeCsvManifest(dir, [{ path: 'gone.png', label: 'a' }]), {}));
    expect(e7).toBe('manifest.csv lists no usable images: its only row was rejected (row 2: file not found).');
    expect(await sourceError(readCsv(path.join(dir, 'none.csv'), {}))).toMatch(/none\.csv does not exist/);
  });

  it('writes and reads a generated CSV dataset, fingerprinting the manifest and the images', async () => {
    const file = await writeCsvDataset(dir, {
      classes: ['b', 'a'],
      perClass: 2,
      groups: true,
      split: (i) => (i % 2 ? 'test' : 'train'),
    });
    const s = await readCsv(file, {});
    expect(s.classes).toEqual(['a', 'b']);
    expect(rows(s)).toEqual([
      ['images/b/0.png', 'b', 'g0', 'train'],
      ['images/b/1.png', 'b', 'g1', 'test'],
      ['images/a/0.png', 'a', 'g0', 'train'],
      ['images/a/1.png', 'a', 'g1', 'test'],
    ]);
    expect((await readCsv(file, {})).fingerprint).toBe(s.fingerprint);
    fs.utimesSync(path.join(dir, 'images', 'a', '1.png'), new Date(7000), new Date(7000));
    const f2 = (await readCsv(file, {})).fingerprint;
    expect(f2).not.toBe(s.fingerprint);
    await writeClassFolders(dir, { unrelated: 1 }); // not listed: not part of the source
    expect((await readCsv(file, {})).fingerprint).toBe(f2);
  });
});
