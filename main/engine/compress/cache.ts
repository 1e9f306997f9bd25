/**
 * The on-disk cache of decoded JPEG copies, so repeating or extending a study does not encode again. One entry per
 * (dataset content hash, quality, subsampling, mozjpeg, codec version): the whole dataset decoded, packed like the
 * dataset's own images.u8, plus the file sizes of the images measured one by one. Entries are written to a temporary
 * folder and renamed into place, so a cancelled or crashed study never leaves a half-written entry behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { gridKey } from '../../../shared/compress.js';
import { imageBytes, readImages, type ImageShape } from '../../data/tensor-store.js';
import { MOSAIC_LAYOUT, jpegRoundTrip, jpegSizes, type JpegOptions } from './codec.js';

const ENTRY_FILE = 'entry.json';
const IMAGES_FILE = 'images.u8';
const SIZES_FILE = 'sizes.json';
const FORMAT = 'winnow-jpeg-cache';
/** Another libjpeg or libvips may decode differently, and at 4:2:0 another mosaic layout: all are part of the key. */
const CODEC_VERSION = `vips ${sharp.versions.vips}, mozjpeg ${sharp.versions.mozjpeg ?? '-'}, ${MOSAIC_LAYOUT}`;

interface EntryFile {
  format: typeof FORMAT;
  version: 1;
  codec: string;
  quality: number;
  subsampling: string;
  mozjpeg: boolean;
  width: number;
  height: number;
  channels: number;
  count: number;
}

/** Sizes in bytes of single-image JPEG files, by dataset index. */
type SizesFile = Record<string, number>;

/** The folder holding every cached copy of one dataset's images. */
export function datasetCacheDir(cacheDir: string, datasetHash: string): string {
  return path.join(cacheDir, datasetHash.replace(/^sha256:/, '').slice(0, 32));
}

function entryDir(cacheDir: string, datasetHash: string, o: JpegOptions): string {
  return path.join(
    datasetCacheDir(cacheDir, datasetHash),
    `${gridKey(o.quality, o.subsampling)}${o.mozjpeg ? '-moz' : ''}`,
  );
}

function expectedEntry(o: JpegOptions, shape: ImageShape, count: number): EntryFile {
  return {
    format: FORMAT,
    version: 1,
    codec: CODEC_VERSION,
    quality: o.quality,
    subsampling: o.subsampling,
    mozjpeg: o.mozjpeg,
    ...shape,
    count,
  };
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Writes `file` beside its final place and renames it there: readers see the old file or the whole new one. */
export function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export interface DecodedCopy {
  /** Every image of the dataset after a JPEG round trip, packed NHWC like the dataset. */
  data: Buffer;
  cached: boolean;
  /** Seconds spent encoding and decoding (0 when cached). */
  seconds: number;
}

/**
 * The dataset's images after a JPEG round trip at `options`: from the cache, or encoded now and cached. A cache
 * entry that does not match (another codec version, a truncated file) is encoded again and replaced.
 */
export async function decodedCopy(
  cacheDir: string,
  datasetHash: string,
  images: Uint8Array,
  shape: ImageShape,
  options: JpegOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<DecodedCopy> {
  const count = images.length / imageBytes(shape);
  const dir = entryDir(cacheDir, datasetHash, options);
  const want = expectedEntry(options, shape, count);
  const have = readJson<EntryFile>(path.join(dir, ENTRY_FILE));
  if (have && JSON.stringify(have) === JSON.stringify(want)) {
    try {
      const data = fs.readFileSync(path.join(dir, IMAGES_FILE));
      if (data.length === images.length) return { data, cached: true, seconds: 0 };
    } catch {
      // unreadable: encode again below
    }
  }
  const t0 = performance.now();
  const decoded = await jpegRoundTrip(images, shape, count, options, (done) => onProgress?.(done, count));
  const seconds = (performance.now() - t0) / 1000;
  // build the entry in a temporary folder and swap it in whole
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, IMAGES_FILE), decoded);
  fs.writeFileSync(path.join(tmp, ENTRY_FILE), `${JSON.stringify(want)}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, dir);
  } catch {
    // another study wrote the same entry meanwhile: theirs is as good as ours
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { data: Buffer.from(decoded.buffer, decoded.byteOffset, decoded.byteLength), cached: false, seconds };
}

/**
 * JPEG file sizes of the images at `indices` encoded one by one (headers included: what a user's files weigh),
 * from the entry's size list where known; the missing ones are encoded now and added to it.
 */
export async function fileSizes(
  cacheDir: string,
  datasetHash: string,
  images: Uint8Array,
  shape: ImageShape,
  indices: readonly number[],
  options: JpegOptions,
): Promise<number[]> {
  const dir = entryDir(cacheDir, datasetHash, options);
  const file = path.join(dir, SIZES_FILE);
  const known = readJson<SizesFile>(file) ?? {};
  const missing = indices.filter((i) => !(String(i) in known));
  if (missing.length > 0) {
    const sizes = await jpegSizes(images, shape, missing, options);
    missing.forEach((index, k) => (known[String(index)] = sizes[k]!));
    // only beside a decoded copy of the same options (the entry folder exists once decodedCopy ran)
    if (fs.existsSync(dir)) writeAtomically(file, JSON.stringify(known));
  }
  return indices.map((i) => known[String(i)]!);
}

/** Reads a cached decoded copy's images at `indices` (the image viewer); null when the entry is gone. */
export function readCachedImages(
  cacheDir: string,
  datasetHash: string,
  shape: ImageShape,
  options: JpegOptions,
  indices: readonly number[],
): Uint8Array[] | null {
  const dir = entryDir(cacheDir, datasetHash, options);
  const entry = readJson<EntryFile>(path.join(dir, ENTRY_FILE));
  if (
    !entry ||
    entry.codec !== CODEC_VERSION ||
    entry.width !== shape.width ||
    entry.height !== shape.height ||
    entry.channels !== shape.channels
  )
    return null;
  try {
    return readImages(path.join(dir, IMAGES_FILE), shape, indices);
  } catch (e) {
    // the entry's pixels were removed: as good as no entry
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
