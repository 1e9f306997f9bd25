import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readFolder } from '../../main/data/formats/folder.js';
import { SourceError, type SourceScan } from '../../main/data/types.js';
import { writeClassFolders } from '../fixtures/datasets.js';
import { rejectsWith } from '../helpers/errors.js';
import { scratch } from '../helpers/scratch.js';
import { tempDir } from '../helpers/tmp.js';

let dir = '';
beforeEach(() => {
  dir = scratch();
});

const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
const summary = (s: SourceScan): Array<[string, string, string | undefined]> =>
  s.items.map((i) => [i.source, s.classes[i.label]!, i.split]);

const sourceError = (p: Promise<unknown>): Promise<SourceError> => rejectsWith(p, SourceError);

describe('class folders', () => {
  it('lists images per class folder, recursing, case-insensitive extensions, rejecting what is not an image', async () => {
    await writeClassFolders(dir, {
      cat: ['a.png', 'b.JPG', 'notes.txt', 'sub/c.PnG', 'sub/deeper/d.jpeg', '.hidden.png', '.DS_Store'],
      dog: ['x.webp', 'meta.json', 'noext'],
      '.git': ['objects.png'],
    });
    fs.writeFileSync(path.join(dir, 'stray.png'), 'x');
    fs.writeFileSync(path.join(dir, 'README.txt'), 'x');
    fs.writeFileSync(path.join(dir, '.hidden-root.png'), 'x');
    const s = await readFolder(dir, {});
    expect(s.format).toBe('folder');
    expect(s.root).toBe(path.resolve(dir));
    expect(s.classes).toEqual(['cat', 'dog']);
    expect(summary(s)).toEqual([
      ['cat/a.png', 'cat', undefined],
      ['cat/b.JPG', 'cat', undefined],
      ['cat/sub/c.PnG', 'cat', undefined],
      ['cat/sub/deeper/d.jpeg', 'cat', undefined],
      ['dog/x.webp', 'dog', undefined],
    ]);
    expect(s.items[0]!.payload).toEqual({ kind: 'file', path: path.join(path.resolve(dir), 'cat', 'a.png') });
    expect([...s.rejected].sort(byPath)).toEqual([
      { path: 'README.txt', reason: 'not an image file (.txt)' },
      { path: 'cat/notes.txt', reason: 'not an image file (.txt)' },
      { path: 'dog/meta.json', reason: 'not an image file (.json)' },
      { path: 'dog/noext', reason: 'not an image file (no extension)' },
      { path: 'stray.png', reason: 'not inside a class folder' },
    ]);
    expect(s.hasOwnSplit).toBe(false);
    expect(s.native).toBeNull();
    expect(s.warnings).toEqual([]);
    expect(s.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts every image extension', async () => {
    const exts = ['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'gif', 'avif', 'TIF', 'AVIF'];
    fs.mkdirSync(path.join(dir, 'a'));
    fs.mkdirSync(path.join(dir, 'b'));
    for (const e of exts) fs.writeFileSync(path.join(dir, 'a', `x.${e}`), '');
    fs.writeFileSync(path.join(dir, 'b', 'y.bmp'), '');
    fs.writeFileSync(path.join(dir, 'b', 'z.png'), '');
    const s = await readFolder(dir, {});
    expect(s.items.filter((i) => i.label === 0)).toHaveLength(exts.length);
    expect(s.rejected).toEqual([{ path: 'b/y.bmp', reason: 'not an image file (.bmp)' }]);
  });

  it('uses train/ and test/ (or val/) as the split; classes are the union, sorted', async () => {
    await writeClassFolders(dir, { 'train/dog': 2, 'train/cat': 1, 'val/cat': 1, 'test/bird': 1, extra: 1 });
    fs.writeFileSync(path.join(dir, 'train', 'loose.png'), '');
    const s = await readFolder(dir, {});
    expect(s.hasOwnSplit).toBe(true);
    expect(s.classes).toEqual(['bird', 'cat', 'dog']);
    expect(summary(s)).toEqual([
      ['test/bird/0.png', 'bird', 'test'],
      ['train/cat/0.png', 'cat', 'train'],
      ['train/dog/0.png', 'dog', 'train'],
      ['train/dog/1.png', 'dog', 'train'],
      ['val/cat/0.png', 'cat', 'test'],
    ]);
    expect([...s.rejected].sort(byPath)).toEqual([
      {
        path: 'extra',
        reason: 'folder ignored: this source is split into train/ and test/ folders, and this folder is neither',
      },
      { path: 'train/loose.png', reason: 'not inside a class folder' },
    ]);
  });

  it('reads a lone train/ folder as class folders without a split of its own', async () => {
    await writeClassFolders(dir, { 'train/a': 1, 'train/b': 1 });
    const s = await readFolder(dir, {});
    expect(s.classes).toEqual(['a', 'b']);
    expect(s.hasOwnSplit).toBe(false);
    expect(s.items.every((i) => i.split === undefined)).toBe(true);
    expect(s.warnings[0]).toMatch(/Only a train\/ folder was found/);
  });

  it('keeps Unicode class names exactly, NFC-normalised, and sorts numeric names numerically', async () => {
    await writeClassFolders(dir, { 'cafe\u0301 ☕': 1, 東京: 2, '10': 1, '9': 1 });
    const s = await readFolder(dir, {});
    expect(s.classes).toEqual(['9', '10', 'café ☕', '東京']);
    expect(s.classes[2]).toBe('caf\u00e9 ☕');
    expect(summary(s).map(([, c]) => c)).toEqual(['10', '9', 'café ☕', '東京', '東京']);
  });

  it('rejects empty class folders with a warning; a single class is fine', async () => {
    await writeClassFolders(dir, { cat: 2, empty: [], 'texts-only': ['a.txt'] });
    const s = await readFolder(dir, {});
    expect(s.classes).toEqual(['cat']);
    expect(s.items).toHaveLength(2);
    expect([...s.rejected].sort(byPath)).toEqual([
      { path: 'empty', reason: 'class folder is empty' },
      { path: 'texts-only', reason: 'class folder is empty' },
      { path: 'texts-only/a.txt', reason: 'not an image file (.txt)' },
    ]);
    expect(s.warnings).toEqual([
      '2 class folders have no images and are not used as classes: empty/, texts-only/.',
      'Only one class (cat) was found; a search needs at least two.',
    ]);
  });

  it('follows links to files and folders, and rejects link loops without recursing forever', async () => {
    const outside = tempDir('winnow-folder-out-');
    try {
      await writeClassFolders(outside.dir, { fish: 2 });
      await writeClassFolders(dir, { cat: 1, a: 1, b: 1 });
      fs.symlinkSync(path.join(outside.dir, 'fish'), path.join(dir, 'fish'));
      fs.symlinkSync(path.join(outside.dir, 'fish', '0.png'), path.join(dir, 'cat', 'linked.png'));
      fs.symlinkSync('..', path.join(dir, 'cat', 'up')); // -> root: a loop
      fs.symlinkSync('.', path.join(dir, 'cat', 'self')); // -> cat itself
      fs.symlinkSync(path.join(dir, 'b'), path.join(dir, 'a', 'to-b')); // a -> b -> a
      fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'b', 'to-a'));
      fs.symlinkSync('self-link', path.join(dir, 'cat', 'self-link')); // ELOOP
      fs.symlinkSync('nowhere.png', path.join(dir, 'cat', 'broken.png'));
      fs.symlinkSync(dir, path.join(dir, 'root-loop'));
      const s = await readFolder(dir, {});
      expect(s.classes).toEqual(['a', 'b', 'cat', 'fish']);
      expect(summary(s).map(([p]) => p)).toEqual([
        'a/0.png',
        'a/to-b/0.png',
        'b/0.png',
        'b/to-a/0.png',
        'cat/0.png',
        'cat/linked.png',
        'fish/0.png',
        'fish/1.png',
      ]);
      const link = s.items.find((i) => i.source === 'fish/0.png')!;
      expect(link.payload).toEqual({ kind: 'file', path: path.join(path.resolve(dir), 'fish', '0.png') });
      const rejected = [...s.rejected].sort(byPath);
      expect(rejected.map((r) => [r.path, r.reason.replace(/ \(.*/, '')])).toEqual([
        ['a/to-b/to-a', 'symbolic link loop'],
        ['b/to-a/to-b', 'symbolic link loop'],
        ['cat/broken.png', 'broken symbolic link'],
        ['cat/self', 'symbolic link loop'],
        ['cat/self-link', 'symbolic link loop'],
        ['cat/up', 'symbolic link loop'],
        ['root-loop', 'symbolic link loop'],
      ]);
      expect(rejected.find((r) => r.path === 'cat/broken.png')!.reason).toBe(
        'broken symbolic link (ENOENT: no such file or directory)',
      );
    } finally {
      outside.cleanup();
    }
  });

  it.skipIf(process.getuid?.() === 0)('rejects unreadable folders and files with the OS reason', async () => {
    await writeClassFolders(dir, { cat: 2, locked: 1 });
    fs.chmodSync(path.join(dir, 'locked'), 0o000);
    fs.chmodSync(path.join(dir, 'cat', '1.png'), 0o000);
    try {
      const s = await readFolder(dir, {});
      expect(s.classes).toEqual(['cat']);
      expect([...s.rejected].sort(byPath)).toEqual([
        { path: 'cat/1.png', reason: 'cannot read file (EACCES: permission denied)' },
        { path: 'locked', reason: 'cannot read folder (EACCES: permission denied)' },
      ]);
    } finally {
      fs.chmodSync(path.join(dir, 'locked'), 0o755);
    }
  });

  it('throws a SourceError naming the expected layout when nothing is importable', async () => {
    fs.writeFileSync(path.join(dir, 'a.png'), '');
    fs.writeFileSync(path.join(dir, 'b.png'), '');
    fs.mkdirSync(path.join(dir, 'empty'));
    const e = await sourceError(readFolder(dir, {}));
    expect(e.message).toContain('has no class folders with images');
    expect(e.message).toContain('one folder per class');
    expect(e.message).toContain('2 images sit directly in the folder: move them into class folders.');
  });

  it('throws for a missing path and for a file', async () => {
    const missing = path.join(dir, 'nope');
    expect((await sourceError(readFolder(missing, {}))).message).toContain(`${missing} does not exist`);
    fs.writeFileSync(path.join(dir, 'f.png'), '');
    expect((await sourceError(readFolder(path.join(dir, 'f.png'), {}))).message).toMatch(/is a file, not a folder/);
  });

  it('stops with an AbortError when the signal fires', async () => {
    await writeClassFolders(dir, { a: 1, b: 1 });
    const ac = new AbortController();
    ac.abort();
    await expect(readFolder(dir, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fingerprints the listed files: same source same print, any change a new one', async () => {
    await writeClassFolders(dir, { a: 2, b: 1 });
    const f1 = (await readFolder(dir, {})).fingerprint;
    expect((await readFolder(dir, {})).fingerprint).toBe(f1);
    fs.writeFileSync(path.join(dir, 'a', 'notes.txt'), 'ignored: not an image');
    expect((await readFolder(dir, {})).fingerprint).toBe(f1);
    fs.utimesSync(path.join(dir, 'a', '0.png'), new Date(1000), new Date(1000));
    const f2 = (await readFolder(dir, {})).fingerprint;
    expect(f2).not.toBe(f1);
    fs.writeFileSync(path.join(dir, 'b', 'new.png'), '');
    expect((await readFolder(dir, {})).fingerprint).not.toBe(f2);
  });
});
