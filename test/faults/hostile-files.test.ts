/**
 * Hostile and odd source files: a gzip bomb is inflated only up to what its header claims, in the engine process;
 * named pipes are refused by name instead of hanging; class names that differ only in Unicode normalisation are
 * refused instead of merged; a CSV header error never echoes file content; damaged data exits 1, not 2.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { openHost, type WinnowHost } from '../../main/api/host.js';
import { readMaybeGzip } from '../../main/data/formats/util.js';
import { forkLauncher } from '../../main/supervisor/launchers.js';
import { idxImagesBytes, idxLabelsBytes, writeClassFolders, writeCsvManifest, writeIdx } from '../fixtures/datasets.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { scratch } from '../helpers/scratch.js';

/** An IDX pair whose images header claims `n` 28x28 images but whose gzip stream inflates to `inflated` bytes. */
function bomb(root: string, n: number, inflated: number): Promise<string> {
  const src = path.join(root, 'bomb');
  fs.mkdirSync(src, { recursive: true });
  const header = idxImagesBytes({ n: 0, rows: 28, cols: 28, headerN: n });
  const gz = zlib.createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  gz.write(header);
  const zeros = Buffer.alloc(1 << 20);
  for (let left = inflated; left > 0; left -= zeros.length) gz.write(zeros.subarray(0, Math.min(left, zeros.length)));
  gz.end();
  return new Promise<string>((resolve) =>
    gz.on('end', () => {
      fs.writeFileSync(path.join(src, 'train-images-idx3-ubyte.gz'), Buffer.concat(chunks));
      fs.writeFileSync(
        path.join(src, 'train-labels-idx1-ubyte.gz'),
        zlib.gzipSync(idxLabelsBytes(Array.from({ length: n }, (_, i) => i % 10))),
      );
      resolve(src);
    }),
  );
}

describe('a gzip bomb', () => {
  it('is cut off as soon as it inflates past its header claim (unit: the streaming reader)', async () => {
    const src = await bomb(scratch(), 100, 300 << 20);
    const t0 = performance.now();
    const claim = (h: Uint8Array) => 16 + new DataView(h.buffer, h.byteOffset).getUint32(4) * 28 * 28;
    await expect(
      readMaybeGzip(path.join(src, 'train-images-idx3-ubyte.gz'), { headerBytes: 16, claimedBytes: claim }),
    ).rejects.toThrow(/decompresses to more than the 78,416 bytes its header announces/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('winnow dataset import: fails in seconds with the reason, exit 1, nothing stored', async () => {
    const root = scratch();
    const src = await bomb(root, 100, 1 << 30);
    expect(fs.statSync(path.join(src, 'train-images-idx3-ubyte.gz')).size).toBeLessThan(2 << 20);
    const t0 = performance.now();
    const r = await runCli(['dataset', 'import', src, '--json'], path.join(root, 'data'), 60_000);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/its header announces \(a damaged file or a decompression bomb\)/),
    });
    expect(fs.existsSync(path.join(root, 'data', 'datasets'))).toBe(false);
  });

  it('a header that disagrees with its labels file is refused before inflating anything', async () => {
    const root = scratch();
    const src = await bomb(root, 60_000, 64 << 20);
    fs.writeFileSync(path.join(src, 'train-labels-idx1-ubyte.gz'), zlib.gzipSync(idxLabelsBytes([1, 2, 3])));
    const r = await runCli(['dataset', 'import', src, '--json'], path.join(root, 'data'), 60_000);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatch(/holds 60000 images but train-labels-idx1-ubyte\.gz holds 3 labels/);
  });
});

describe('damaged source data', () => {
  it('a truncated IDX file: exit 1 (a failure), not 2 (bad arguments)', async () => {
    const root = scratch();
    const w = writeIdx(path.join(root, 'src'), { n: 20 });
    fs.truncateSync(w.imagesPath, 16 + 28 * 28 * 5);
    const r = await runCli(['dataset', 'import', path.join(root, 'src'), '--json'], path.join(root, 'data'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatch(/is truncated/);
  });
});

describe.skipIf(process.platform === 'win32')('named pipes (FIFO)', () => {
  let host: WinnowHost;
  let root: string;
  beforeAll(async () => {
    const t = tempDir('winnow-faults-');
    root = t.dir;
    host = await openHost({
      dataDir: path.join(root, 'data'),
      transport: 'in-process',
      launcher: forkLauncher({ logFile: path.join(root, 'engine.log') }),
    });
    return async () => {
      await host.close();
      t.cleanup();
    };
  });

  it('an IDX images file that is a FIFO: the import is refused by name, without hanging', async () => {
    const src = path.join(root, 'fifo-idx');
    writeIdx(src, { n: 10 });
    fs.rmSync(path.join(src, 'train-images-idx3-ubyte'));
    execFileSync('mkfifo', [path.join(src, 'train-images-idx3-ubyte')]);
    const r = await runCli(['dataset', 'import', src, '--json'], path.join(root, 'cli-data'), 30_000);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatch(/train-images-idx3-ubyte is a named pipe \(FIFO\), not a regular file/);
  });

  it('datasets.detect on four FIFOs: each refused by name; the server keeps answering', async () => {
    const pipes = [0, 1, 2, 3].map((i) => {
      const p = path.join(root, `pipe-${i}.csv`);
      execFileSync('mkfifo', [p]);
      return p;
    });
    const results = await Promise.allSettled(
      pipes.map((p) => host.api.dispatch('datasets.detect', { path: p, format: 'csv' })),
    );
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        code: 'bad_input',
        message: expect.stringMatching(/is a named pipe \(FIFO\)/),
      });
    }
    // file operations still run: a real folder is detected at once
    await writeClassFolders(path.join(root, 'ok'), { a: 2, b: 2 }, { size: 8 });
    const ok = (await host.api.dispatch('datasets.detect', { path: path.join(root, 'ok'), format: 'auto' })) as {
      classes: string[];
    };
    expect(ok.classes).toEqual(['a', 'b']);
  });
});

describe('Unicode class names', () => {
  it('class folders "café" in NFC and in NFD are refused, both named, not merged', async () => {
    const root = scratch();
    const src = path.join(root, 'src');
    await writeClassFolders(src, { ['caf\u00e9']: 2, ['cafe\u0301']: 2, other: 2 }, { size: 8 });
    const r = await runCli(['dataset', 'import', src, '--json'], path.join(root, 'data'));
    expect(r.code).toBe(1);
    const msg = (JSON.parse(r.stdout) as { state: string; error: string }).error;
    expect(msg).toMatch(/caf<U\+00E9>/);
    expect(msg).toMatch(/cafe<U\+0301>/);
    expect(msg).toMatch(/same name once Unicode-normalised \(NFC\)/);
  });

  it('CSV labels written in NFC and NFD are refused', async () => {
    const root = scratch();
    const src = path.join(root, 'src');
    await writeClassFolders(src, { a: 2 }, { size: 8 });
    const manifest = writeCsvManifest(src, [
      { path: 'a/0.png', label: 'caf\u00e9' },
      { path: 'a/1.png', label: 'cafe\u0301' },
    ]);
    const r = await runCli(['dataset', 'import', manifest, '--json'], path.join(root, 'data'));
    expect(r.code).toBe(1);
    expect(JSON.stringify(JSON.parse(r.stdout))).toMatch(/row 2, caf<U\+00E9>.*row 3, cafe<U\+0301>/);
  });

  it('one spelling in several places is one class (NFC throughout)', async () => {
    const root = scratch();
    const src = path.join(root, 'src');
    await writeClassFolders(
      src,
      { ['train/cafe\u0301']: 3, ['test/cafe\u0301']: 2, ['train/b']: 3, ['test/b']: 2 },
      { size: 8 },
    );
    const r = await runCli(['dataset', 'import', src, '--json'], path.join(root, 'data'));
    expect(r.code, r.stderr).toBe(0);
    const show = await runCli(['dataset', 'show', '1', '--json'], path.join(root, 'data'));
    expect((JSON.parse(show.stdout) as { classNames: string[] }).classNames).toEqual(['b', 'caf\u00e9']);
  });
});

describe('a CSV header error', () => {
  it('names columns only, never the file content (over the API too)', async () => {
    const root = scratch();
    const secret = 'root:$6$Zq9w$S3cr3tHashThatMustNotLeak0123456789:19000:0:99999:7:::';
    const file = path.join(root, 'shadow');
    fs.writeFileSync(file, `${secret}\ndaemon:*:19000:0:99999:7:::\n`);
    const r = await runCli(['dataset', 'import', file, '--format', 'csv', '--json'], path.join(root, 'data'));
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).not.toContain('S3cr3t');
    expect(r.stdout + r.stderr).toMatch(/not a column name \(is this a CSV manifest\?\)/);
    const named = path.join(root, 'named.csv');
    fs.writeFileSync(named, 'path,label,colour\n');
    const n = await runCli(['dataset', 'import', named, '--json'], path.join(root, 'data'));
    expect(n.stdout).toMatch(/unknown column \\"colour\\"/);
  });
});
