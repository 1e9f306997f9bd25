/**
 * Imports generated datasets in every format end to end: the API starts an `import` job, the real engine
 * worker decodes with sharp, the host commits. Also what must never happen: half datasets, orphan files.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail, ImportResult, Rejection, ThumbnailPage } from '../../shared/datasets.js';
import type { JobSummary } from '../../shared/jobs.js';
import { openHost, workerLogFile, type WinnowHost } from '../../main/api/host.js';
import { IMAGES_FILE } from '../../main/data/staged.js';
import { PackedImages } from '../../main/data/tensor-store.js';
import { forkLauncher } from '../../main/supervisor/launchers.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/tmp.js';
import { writeCifar10, writeClassFolders, writeCsvDataset, writeIdxDataset } from '../fixtures/datasets.js';

const t = tempDir();
const dataDir = path.join(t.dir, 'data');
const src = (name: string) => path.join(t.dir, 'sources', name);
let host: WinnowHost;

beforeAll(async () => {
  host = await openHost({
    dataDir,
    transport: 'in-process',
    launcher: forkLauncher({ logFile: workerLogFile(dataDir) }),
  });
});
afterAll(async () => {
  await host.close();
  t.cleanup();
});

async function importJob(params: Record<string, unknown>): Promise<JobSummary> {
  const started = (await host.api.dispatch('jobs.start', { kind: 'import', params })) as JobSummary;
  await host.supervisor.whenIdle();
  return host.store.jobs.get(started.id)!;
}

async function imported(params: Record<string, unknown>): Promise<{ result: ImportResult; detail: DatasetDetail }> {
  const job = await importJob(params);
  if (job.state !== 'done') throw new Error(`import ${job.state}: ${job.message}`);
  const result = job.result as ImportResult;
  return { result, detail: (await host.api.dispatch('datasets.get', { id: result.id })) as DatasetDetail };
}

/** No staging folder may survive a job, whatever its end. */
function stagingLeft(): string[] {
  const jobs = path.join(dataDir, 'jobs');
  return fs.existsSync(jobs) ? fs.readdirSync(jobs).filter((j) => fs.existsSync(path.join(jobs, j, 'staging'))) : [];
}

describe('importing datasets (engine worker + commit)', () => {
  it('class folders with train/test, bad files listed with reasons, greyscale converted', async () => {
    const root = src('folders');
    await writeClassFolders(root, { 'train/cat': 4, 'train/dog': 4, 'test/cat': 2, 'test/dog': 2 }, { size: 40 });
    fs.writeFileSync(path.join(root, 'train', 'cat', 'notes.txt'), 'hello');
    fs.writeFileSync(path.join(root, 'train', 'cat', 'empty.png'), '');
    fs.writeFileSync(
      path.join(root, 'train', 'dog', 'broken.png'),
      (
        await sharp({ create: { width: 40, height: 40, channels: 3, background: '#123456' } })
          .png()
          .toBuffer()
      ).subarray(0, 60),
    );
    await sharp({ create: { width: 50, height: 30, channels: 3, background: '#808080' } })
      .toColourspace('b-w')
      .png()
      .toFile(path.join(root, 'train', 'dog', 'grey.png'));
    const { result, detail } = await imported({ source: { kind: 'path', path: root } });
    expect(result).toMatchObject({ images: 13, classes: 2, splits: { train: 9, test: 4 } });
    const reasons = Object.fromEntries(result.rejected.map((r: Rejection) => [path.basename(r.path), r.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['broken.png', 'empty.png', 'notes.txt']);
    expect(reasons['empty.png']).toMatch(/empty/);
    expect(reasons['notes.txt']).toMatch(/not an image/);
    // mixed sizes (40×40 and a 50×30 grey one): the default is 32 px, RGB since some files have colour
    expect(detail).toMatchObject({ width: 32, height: 32, channels: 3, classNames: ['cat', 'dog'] });
    const grey = (await host.api.dispatch('datasets.thumbnails', {
      id: result.id,
      label: 1,
      limit: 10,
    })) as ThumbnailPage;
    expect(grey.items.map((i) => i.source)).toContain('train/dog/grey.png');
    // the images within a folder are identical: reported, kept
    expect(result.duplicates.count).toBeGreaterThan(0);
    expect(result.duplicates.dropped).toBe(false);
  });

  it('class folders of one size ≤ 64 px keep it; grey files stay one channel', async () => {
    const root = src('uniform');
    for (const cls of ['light', 'dark']) {
      fs.mkdirSync(path.join(root, cls), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const v = cls === 'light' ? 200 + i : 20 + i;
        await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: v, g: v, b: v } } })
          .toColourspace('b-w')
          .png()
          .toFile(path.join(root, cls, `${i}.png`));
      }
    }
    const { detail } = await imported({ source: { kind: 'path', path: root } });
    expect(detail).toMatchObject({ width: 20, height: 20, channels: 1, images: 6, classNames: ['dark', 'light'] });
  });

  it('IDX (gzip) at native size stores the exact pixels, and reads back as batches', async () => {
    const root = src('idx');
    const written = writeIdxDataset(root, { train: 300, test: 50, gzip: true });
    const { result, detail } = await imported({ source: { kind: 'path', path: root, format: 'idx' } });
    expect(result).toMatchObject({ images: 350, classes: 10, splits: { train: 300, test: 50 } });
    expect(detail).toMatchObject({ format: 'idx', width: 28, height: 28, channels: 1 });
    expect(detail.perClass.reduce((n, c) => n + c.trainW + c.trainA, 0)).toBe(300);
    const images = PackedImages.load(path.join(dataDir, 'datasets', String(result.id), IMAGES_FILE), {
      width: 28,
      height: 28,
      channels: 1,
    });
    expect(Buffer.from(images.image(0)).equals(Buffer.from(written.train.pixels.subarray(0, 784)))).toBe(true);
    expect(Buffer.from(images.image(300)).equals(Buffer.from(written.test.pixels.subarray(0, 784)))).toBe(true);
  });

  it('CIFAR-10 binaries: class names from batches.meta.txt, HWC colour pixels', async () => {
    const root = src('cifar');
    writeCifar10(root, { perBatch: 20, test: 20, colour: () => [10, 20, 30] });
    const { result, detail } = await imported({ source: { kind: 'path', path: root } });
    expect(result).toMatchObject({ images: 120, classes: 10, splits: { train: 100, test: 20 } });
    expect(detail.classNames[0]).toBe('airplane');
    expect(detail).toMatchObject({ format: 'cifar10', width: 32, channels: 3 });
    const images = PackedImages.load(path.join(dataDir, 'datasets', String(result.id), IMAGES_FILE), {
      width: 32,
      height: 32,
      channels: 3,
    });
    expect(Array.from(images.image(5).subarray(0, 6))).toEqual([10, 20, 30, 10, 20, 30]);
  });

  it('CSV manifest with groups, resized to the requested size, with thumbnails', async () => {
    const root = src('csv');
    const manifest = await writeCsvDataset(root, { classes: ['ok', 'bad'], perClass: 10, groups: true });
    const { result, detail } = await imported({ source: { kind: 'path', path: manifest }, size: 16, channels: 1 });
    expect(result.images).toBe(20);
    expect(detail).toMatchObject({ format: 'csv', width: 16, channels: 1, hasGroups: true });
    expect(detail.groups.map((g) => g.group)).toEqual(['g0', 'g1']);
    expect(detail.groups.reduce((n, g) => n + g.train + g.test, 0)).toBe(20);
    const page = (await host.api.dispatch('datasets.thumbnails', {
      id: result.id,
      label: 1,
      limit: 4,
    })) as ThumbnailPage;
    expect(page.total).toBe(10);
    expect(page.items).toHaveLength(4);
    expect(page.items.every((i) => i.label === 1 && i.png.startsWith('data:image/png;base64,'))).toBe(true);
    const meta = await sharp(Buffer.from(page.items[0]!.png.split(',')[1]!, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([16, 16]);
  });

  it('the built-in MNIST sample: 10 classes, 10,000 images', async () => {
    const { result } = await imported({ source: { kind: 'mnist-sample' } });
    expect(result).toMatchObject({ images: 10_000, classes: 10, splits: { train: 8000, test: 2000 } });
  });

  it('detects an earlier import of the same source; refuses it unless asked to import again', async () => {
    const root = src('idx');
    const found = (await host.api.dispatch('datasets.detect', { path: root })) as {
      existing: Array<{ id: number }>;
      format: string;
    };
    expect(found.format).toBe('idx');
    expect(found.existing).toHaveLength(1);
    // refused when the job is asked for, before any decoding
    await expect(
      host.api.dispatch('jobs.start', { kind: 'import', params: { source: { kind: 'path', path: root } } }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/already imported as dataset \d+/),
    });
    const sample = (await host.api.dispatch('datasets.existing', { source: { kind: 'mnist-sample' } })) as Array<{
      name: string;
    }>;
    expect(sample.map((d) => d.name)).toEqual(['MNIST sample']);
    expect(
      await host.api.dispatch('datasets.existing', { source: { kind: 'synth-chroma', n: 50, size: 16, seed: 9 } }),
    ).toEqual([]);
    const again = await importJob({ source: { kind: 'path', path: root }, ifExists: 'import-again' });
    expect(again.state).toBe('done');
    expect(stagingLeft()).toEqual([]);
  });

  it('an import with no valid image fails cleanly, listing every rejected file', async () => {
    const root = src('junk');
    await writeClassFolders(root, { a: ['x.txt', 'y.md'], b: ['z.csv'] });
    fs.writeFileSync(path.join(root, 'b', 'zero.png'), '');
    const before = (await host.api.dispatch('datasets.list', {})) as unknown[];
    const job = await importJob({ source: { kind: 'path', path: root, format: 'folder' } });
    expect(job.state).toBe('failed');
    expect(job.message).toMatch(/No valid image/);
    const rejected = (job.result as { rejected: Rejection[] }).rejected;
    expect(rejected.map((r) => path.basename(r.path)).sort()).toEqual(['a', 'x.txt', 'y.md', 'z.csv', 'zero.png']);
    expect(rejected.find((r) => r.path === 'a')?.reason).toMatch(/class folder is empty/);
    expect((await host.api.dispatch('datasets.list', {})) as unknown[]).toHaveLength(before.length);
    expect(stagingLeft()).toEqual([]);
  });

  it('a cancelled import leaves no dataset and no files', async () => {
    const before = fs.readdirSync(path.join(dataDir, 'datasets')).length;
    const started = (await host.api.dispatch('jobs.start', {
      kind: 'import',
      params: { source: { kind: 'synth-chroma', n: 60_000, size: 64, seed: 3 }, size: 24 },
    })) as JobSummary;
    await waitFor(() => (host.store.jobs.get(started.id)!.progress?.step ?? 0) > 100, 60_000, 'decoding to start');
    await host.api.dispatch('jobs.cancel', { id: started.id });
    await host.supervisor.whenIdle();
    expect(host.store.jobs.get(started.id)!.state).toBe('cancelled');
    expect(fs.readdirSync(path.join(dataDir, 'datasets'))).toHaveLength(before);
    expect(stagingLeft()).toEqual([]);
  });

  it('deletes a dataset with its files', async () => {
    const list = (await host.api.dispatch('datasets.list', {})) as Array<{ id: number }>;
    const id = list[0]!.id;
    await host.api.dispatch('datasets.delete', { id });
    expect(fs.existsSync(path.join(dataDir, 'datasets', String(id)))).toBe(false);
    await expect(host.api.dispatch('datasets.get', { id })).rejects.toThrow(/There is no dataset/);
  });
});

describe('winnow dataset (CLI)', () => {
  it('sample mnist --json gives 10 classes and 10,000 images; list and show read it back', async () => {
    const dir = path.join(t.dir, 'cli-data');
    const r = await runCli(['dataset', 'sample', 'mnist', '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      name: 'MNIST sample',
      images: 10_000,
      classes: 10,
      splits: { train: 8000, test: 2000 },
      rejected: [],
    });
    expect(out.duplicates).toMatchObject({ dropped: false });
    const again = await runCli(['dataset', 'sample', 'mnist'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already imported as dataset \d+ \("MNIST sample"\)/);
    const list = JSON.parse((await runCli(['dataset', 'list', '--json'], dir)).stdout);
    expect(list).toHaveLength(1);
    const show = JSON.parse((await runCli(['dataset', 'show', String(out.id), '--json'], dir)).stdout);
    expect(show.perClass).toHaveLength(10);
    const bad = await runCli(['dataset', 'import', path.join(t.dir, 'nowhere')], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/does not exist/);
    const rm = await runCli(['dataset', 'rm', String(out.id), '--json'], dir);
    expect(JSON.parse(rm.stdout)).toEqual({ id: out.id, deleted: true });
  });
});
