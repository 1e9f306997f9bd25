/**
 * The images a training job sees (main/engine/compress/job-images.ts): the dataset's own without a JPEG stage;
 * with one, the compression study's cached decoded copy — encoded by the first job, read back by the next — and
 * grey images share one entry whichever subsampling was asked for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/jobs.js';
import { jpegStageOf } from '../../shared/jpeg-stage.js';
import { decodedCopy } from '../../main/engine/compress/cache.js';
import {
  ENCODING_PHASE,
  encodingPhases,
  jobImages,
  type JobImagesHost,
} from '../../main/engine/compress/job-images.js';
import { IMAGES_FILE } from '../../main/data/staged.js';
import { PackedImageWriter, type ImageShape } from '../../main/data/tensor-store.js';
import { createJobContext } from '../../main/engine/jobs/context.js';
import { tempDir } from '../helpers/tmp.js';

const t = tempDir();
afterAll(() => t.cleanup());

/** A dataset folder of `count` seeded noisy images of `shape`, and its host. */
function dataset(name: string, shape: ImageShape, count: number): { host: JobImagesHost; pixels: Uint8Array } {
  const datasetDir = path.join(t.dir, name);
  fs.mkdirSync(datasetDir);
  const per = shape.width * shape.height * shape.channels;
  let s = 7;
  const pixels = Uint8Array.from(
    { length: count * per },
    () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24,
  );
  const writer = new PackedImageWriter(path.join(datasetDir, IMAGES_FILE), shape);
  for (let i = 0; i < count; i++) writer.append(pixels.subarray(i * per, (i + 1) * per));
  writer.close();
  return { host: { datasetDir, datasetHash: `sha256:${name}`, shape, cacheDir: path.join(t.dir, 'cache') }, pixels };
}

/** A job context that keeps its events. */
function context(host: JobImagesHost) {
  const events: JobEvent[] = [];
  const ctx = createJobContext(
    {
      jobId: 1,
      jobDir: t.dir,
      resume: false,
      backendPreference: 'cpu',
      signal: new AbortController().signal,
      hostContext: host,
    },
    (e) => events.push(e),
    () => 0,
    0,
  );
  const logs = () => events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
  return { ctx, events, logs };
}

const rgb: ImageShape = { width: 16, height: 16, channels: 3 };

describe("a job's images with and without a JPEG stage", () => {
  it("without a quality: the dataset's own images, no encoding phase, no cache entry", async () => {
    const { host, pixels } = dataset('plain', rgb, 12);
    const { ctx, events } = context(host);
    const stage = jpegStageOf({ jpegQuality: null, jpegSubsampling: '4:2:0' });
    expect(stage).toBeNull();
    expect(encodingPhases(stage)).toEqual([]);
    const images = await jobImages(ctx, host, stage);
    expect(Buffer.compare(images.data, Buffer.from(pixels))).toBe(0);
    expect(events).toEqual([]);
    expect(fs.existsSync(host.cacheDir)).toBe(false);
  });

  it('with a quality: the decoded copy, encoded once and then read from the cache', async () => {
    const { host, pixels } = dataset('rgb', rgb, 24);
    const stage = jpegStageOf({ jpegQuality: 15, jpegSubsampling: '4:2:0' })!;
    // the compression study's mozjpeg default, so the entries are the study's own
    expect(stage).toEqual({ quality: 15, subsampling: '4:2:0', mozjpeg: false });
    expect(encodingPhases(stage).map((p) => p.name)).toEqual([ENCODING_PHASE]);

    const first = context(host);
    first.ctx.phases(encodingPhases(stage));
    const images = await jobImages(first.ctx, host, stage);
    expect(images.count).toBe(24);
    expect(Buffer.compare(images.data, Buffer.from(pixels))).not.toBe(0);
    expect(first.logs()).toEqual([
      expect.stringMatching(/^Compressed the images at quality 15 \(4:2:0\) — encoded in [\d.]+ s\.$/),
    ]);
    const progress = first.events.flatMap((e) => (e.type === 'progress' ? [e] : []));
    expect(progress.every((p) => p.phase === ENCODING_PHASE)).toBe(true);
    expect(progress.at(-1)!.fraction).toBe(1);

    // the same pixels the compression study's cache holds for these settings, and now served from it
    const copy = await decodedCopy(host.cacheDir, host.datasetHash, pixels, rgb, stage);
    expect(copy.cached).toBe(true);
    expect(Buffer.compare(images.data, copy.data)).toBe(0);
    const second = context(host);
    const again = await jobImages(second.ctx, host, stage);
    expect(second.logs()).toEqual(['Compressed the images at quality 15 (4:2:0) — from the cache.']);
    expect(Buffer.compare(again.data, images.data)).toBe(0);

    // 4:4:4 keeps more colour: another entry, other pixels
    const full = await jobImages(context(host).ctx, host, { ...stage, subsampling: '4:4:4' });
    expect(Buffer.compare(full.data, images.data)).not.toBe(0);
  });

  it('grey images: 4:2:0 and 4:4:4 are one entry, and the log says so', async () => {
    const { host } = dataset('grey', { width: 16, height: 16, channels: 1 }, 10);
    const asked = context(host);
    const a = await jobImages(asked.ctx, host, { quality: 30, subsampling: '4:2:0', mozjpeg: false });
    expect(asked.logs()[0]).toMatch(/^Grey images have no colour to subsample/);
    expect(asked.logs()[1]).toMatch(/^Compressed the images at quality 30 \(4:4:4\) — encoded in/);
    const other = context(host);
    const b = await jobImages(other.ctx, host, { quality: 30, subsampling: '4:4:4', mozjpeg: false });
    expect(other.logs()).toEqual(['Compressed the images at quality 30 (4:4:4) — from the cache.']);
    expect(Buffer.compare(a.data, b.data)).toBe(0);
  });
});
