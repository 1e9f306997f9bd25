/**
 * The compression study's cache of decoded JPEG copies (main/engine/compress/cache.ts): a second request is served
 * without encoding; another dataset, or a damaged entry, is encoded again; file sizes measured once are kept and
 * only missing ones are measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodedCopy, fileSizes, readCachedImages } from '../../main/engine/compress/cache.js';
import { jpegSizes, type JpegOptions } from '../../main/engine/compress/codec.js';
import type { ImageShape } from '../../main/data/tensor-store.js';
import { tempDir } from '../helpers/tmp.js';

const t = tempDir();
afterAll(() => t.cleanup());

const shape: ImageShape = { width: 16, height: 16, channels: 3 };
const per = 16 * 16 * 3;
/** 40 seeded noisy images. */
const px = (() => {
  let s = 9;
  const out = new Uint8Array(40 * per);
  for (let i = 0; i < out.length; i++) out[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return out;
})();
const o: JpegOptions = { quality: 30, subsampling: '4:4:4', mozjpeg: false };
const dir = path.join(t.dir, 'cache');

describe('the JPEG cache', () => {
  it('encodes once, then serves the same pixels; re-encodes another dataset and a damaged entry', async () => {
    const first = await decodedCopy(dir, 'sha256:abc', px, shape, o);
    expect(first.cached).toBe(false);
    expect(first.data.length).toBe(px.length);
    const second = await decodedCopy(dir, 'sha256:abc', px, shape, o);
    expect(second.cached).toBe(true);
    expect(second.seconds).toBe(0);
    expect(second.data.equals(first.data)).toBe(true);
    // another dataset (content hash), another entry; another quality, another entry
    expect((await decodedCopy(dir, 'sha256:def', px, shape, o)).cached).toBe(false);
    expect((await decodedCopy(dir, 'sha256:abc', px, shape, { ...o, quality: 31 })).cached).toBe(false);
    // a truncated entry is encoded again, to the same pixels
    const entries = fs.readdirSync(path.join(dir, 'abc'));
    expect(entries.sort()).toEqual(['q30-444', 'q31-444']);
    fs.truncateSync(path.join(dir, 'abc', 'q30-444', 'images.u8'), 100);
    const again = await decodedCopy(dir, 'sha256:abc', px, shape, o);
    expect(again.cached).toBe(false);
    expect(again.data.equals(first.data)).toBe(true);
    // the viewer reads single images back
    expect(
      Buffer.from(readCachedImages(dir, 'sha256:abc', shape, o, [3])![0]!).equals(
        first.data.subarray(3 * per, 4 * per),
      ),
    ).toBe(true);
    expect(readCachedImages(dir, 'sha256:abc', shape, { ...o, quality: 50 }, [3])).toBeNull();
  });

  it('keeps measured file sizes and measures only the missing ones', async () => {
    const sizes = await fileSizes(dir, 'sha256:abc', px, shape, [0, 5], o);
    expect(sizes).toEqual(await jpegSizes(px, shape, [0, 5], o));
    const file = path.join(dir, 'abc', 'q30-444', 'sizes.json');
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')) as object).sort()).toEqual(['0', '5']);
    // a size already known is read, not measured: a doctored value comes back as written
    fs.writeFileSync(file, JSON.stringify({ 0: 1, 5: sizes[1] }));
    expect(await fileSizes(dir, 'sha256:abc', px, shape, [0, 7], o)).toEqual([
      1,
      (await jpegSizes(px, shape, [7], o))[0],
    ]);
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')) as object).sort()).toEqual(['0', '5', '7']);
  });
});
