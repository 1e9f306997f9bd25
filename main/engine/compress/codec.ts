/**
 * JPEG encode + decode with sharp (libvips 8.18, mozjpeg's libjpeg-turbo), fast for many small images, and equal
 * byte for byte to each image encoded and decoded on its own with sharp, in every setting.
 *
 * WHY A MOSAIC. A sharp call costs far more than the codec's own work on a small image: one encode + decode per
 * image runs at about 900 images/s at 32x32. So `jpegRoundTrip` lays many images out as tiles of one mosaic,
 * encodes and decodes the mosaic with two sharp calls and cuts the tiles out again: about 50x faster at 32x32 and
 * 2x at 256x256, where the codec's own work dominates (test/bench/jpeg.ts). That is how 4:4:4 and grey run.
 *
 * 4:2:0 OF RGB IMAGES does not go through a mosaic: it is computed image by image by jpeg-exact.ts, which
 * reproduces libjpeg's integer encoder and decoder with the quantisation tables sharp writes for the quality (see
 * there why no mosaic, gutter or not, can be exact at 4:2:0); images larger than 128x128 go through sharp one by
 * one, where the codec's own work outweighs the cost of a call. The compression study compares 4:2:0 with 4:4:4 per
 * image file ([Poyser-thesis] Chapter 3; keys: docs/REFERENCES.md), so its copies must be exactly those.
 *
 * ALIGNMENT. JPEG codes independent 8x8 blocks (an MCU is 8x8 at 4:4:4 and in grey). Every tile therefore starts on
 * an MCU boundary and is padded to a whole number of MCUs by repeating the image's last column and last row, which
 * is what libjpeg does at an image's right and bottom edges. No block ever holds pixels of two images.
 *
 * EXACTNESS, measured against each image encoded and decoded on its own with the same settings (sizes 2x2 to
 * 256x256, square and not, qualities 1 to 100; test/unit/compress-codec.test.ts, test/bench/jpeg.ts):
 * - 4:4:4 and grey (mosaic): byte for byte equal. Blocks are quantised and decoded independently. Huffman
 *   optimisation (`optimiseCoding`) only changes how the same coefficients are written, so the mosaic skips it.
 * - 4:2:0 (jpeg-exact.ts): byte for byte equal. In a mosaic it was not: the decoder's "fancy" upsampling reads a
 *   border pixel's chroma partly from the neighbouring tile (about 11% of the bytes differed at 32x32, by up to
 *   134 levels), and an even height that is not a multiple of 16 has its subsampled chroma padded, not its pixels.
 * - mozjpeg (`mozjpeg: true`: sharp's trellis quantisation + overshoot deringing + optimised progressive scans +
 *   quantisation table 3): trellis quantisation picks each block's coefficients by a rate estimate that depends
 *   on the whole image, so a mosaic changed 24% to 60% of the bytes, by up to 80 levels, even at 4:4:4 (the
 *   other three settings alone are exact). With mozjpeg every image is therefore encoded and decoded on its
 *   own: exact, and as slow as one call per image.
 *
 * COLOUR. A grey image is encoded as a one-component JPEG and decoded to one channel (`toColourspace('b-w')`;
 * sharp's default would write and return three). No ICC profile is written, so decoding applies no colour
 * management; raw input has no alpha, so nothing is premultiplied; nothing is resized.
 *
 * SPEED NOTE. At 256x256 about a quarter of the CPU time is the kernel handing out fresh zeroed pages: for the
 * output, and for libvips' decoded mosaics, which glibc gives back to the OS between mosaics. Running the process
 * with GLIBC_TUNABLES=glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=268435456 cut the system
 * time from ~25% to ~5% and raised repeated round trips at 256x256 by about 20%.
 */
import os from 'node:os';
import sharp, { type JpegOptions as SharpJpegOptions } from 'sharp';
import type { Subsampling } from '../../../shared/compress.js';
import { imageBytes, type ImageShape } from '../../data/tensor-store.js';
import { jpeg420RoundTrip, quantTablesOf } from './jpeg-exact.js';

export interface JpegOptions {
  quality: number;
  subsampling: Subsampling;
  /** sharp's mozjpeg settings: trellis quantisation, overshoot deringing, optimised progressive scans, table 3. */
  mozjpeg: boolean;
}

/**
 * A mosaic's largest size, px (2048 x 1024 x 3 bytes = 6 MB): 2048 tiles of 32x32, 32 of 256x256. Wide mosaics
 * beat narrow ones (libvips and libjpeg pay per row: a one-tile-wide strip, which would need no copying at all,
 * ran at half the speed at 32x32 and up to 15% slower at 256x256); 1024x1024 (16 tiles of 256x256 a call) was
 * 15% slower at 256x256; 2048x2048 and 4096x1024 were no faster, and smaller mosaics share a small job better.
 */
const MOSAIC_WIDTH = 2048;
const MOSAIC_HEIGHT = 1024;
/**
 * How decoded copies are made; the cache of decoded copies keys its entries by this (change it with any change to
 * how tiles are laid out or to the 4:2:0 path). v2: 4:2:0 is computed per image (jpeg-exact.ts), no longer a mosaic.
 */
export const MOSAIC_LAYOUT = `mosaic ${MOSAIC_WIDTH}x${MOSAIC_HEIGHT} v2, 4:2:0 per image`;
/**
 * Mosaics in flight at once. sharp runs each call on one of libuv's 4 threads, with libvips on that thread alone
 * (sharp.concurrency() is 1 with glibc's allocator), so one mosaic per core keeps the cores encoding and one more
 * has its tiles copied in or out by JS meanwhile. Letting libvips use 2 threads per call (sharp.concurrency(2), a
 * process-wide setting left alone here) was no faster on 2 cores, slightly slower.
 */
const MOSAICS_IN_FLIGHT = Math.min(4, os.availableParallelism() + 1);
/** Images per slice of the 4:2:0 path (about 50 ms at 32x32). */
const EXACT_SLICE = 512;
/**
 * The largest image (pixels) whose 4:2:0 copy jpeg-exact.ts computes; larger ones are encoded and decoded one by
 * one with sharp (exact too). jpeg-exact.ts runs at about 15 M pixels/s on one core, a sharp round trip per image
 * about 900/s at 32x32 (its cost per call), so sharp wins above about 128x128, where libjpeg's SIMD code dominates.
 */
const EXACT_MAX_PIXELS = 128 * 128;
/** Single images in flight (mozjpeg, file sizes): enough to keep the thread pool fed between short calls. */
const IMAGES_IN_FLIGHT = 8;

const colourspaceOf = (shape: ImageShape) => (shape.channels === 1 ? 'b-w' : 'srgb');

/** sharp's JPEG settings for `o`. `optimiseCoding` (two-pass Huffman tables) changes the file, never the pixels. */
const jpegSettings = (o: JpegOptions, optimiseCoding: boolean): SharpJpegOptions => ({
  quality: o.quality,
  chromaSubsampling: o.subsampling,
  mozjpeg: o.mozjpeg,
  optimiseCoding,
});

/** Encodes raw pixels of `width`x`height` with `shape.channels` channels. */
async function encode(
  pixels: Uint8Array,
  width: number,
  height: number,
  shape: ImageShape,
  settings: SharpJpegOptions,
): Promise<Buffer> {
  return sharp(pixels, { raw: { width, height, channels: shape.channels } })
    .toColourspace(colourspaceOf(shape))
    .jpeg(settings)
    .toBuffer();
}

/** Decodes a JPEG to raw pixels with `shape.channels` channels; checks its size. */
async function decode(jpeg: Buffer, width: number, height: number, shape: ImageShape): Promise<Buffer> {
  const { data, info } = await sharp(jpeg)
    .toColourspace(colourspaceOf(shape))
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== shape.channels) {
    throw new Error(
      `The JPEG decoded to ${info.width}x${info.height}x${info.channels}, not ${width}x${height}x${shape.channels}.`,
    );
  }
  return data;
}

/** One image encoded on its own (what a user's JPEG file would be, Huffman tables optimised): its bytes. */
export async function encodeJpeg(pixels: Uint8Array, shape: ImageShape, options: JpegOptions): Promise<Buffer> {
  return encode(pixels, shape.width, shape.height, shape, jpegSettings(options, true));
}

/**
 * Decode a JPEG file to packed pixels with `shape.channels` channels. A grey file asked for 3 channels gives three
 * equal ones; a colour file asked for 1 gives libvips' luminance (linear light, not the BT.601 luma of import).
 */
export async function decodeJpeg(jpeg: Buffer, shape: ImageShape): Promise<Uint8Array> {
  return decode(jpeg, shape.width, shape.height, shape);
}

/** Runs `task(i)` for i in 0..count−1 with at most `limit` in flight. */
async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Where the images go in the mosaics. */
interface Layout {
  /** A tile: the image padded to whole MCUs. */
  tileW: number;
  tileH: number;
  /** Tiles per mosaic row. */
  cols: number;
  /** Images per mosaic (a multiple of `cols`; the last mosaic holds the rest). */
  perMosaic: number;
  mosaics: number;
}

function layoutOf(shape: ImageShape, count: number): Layout {
  // 4:4:4 and grey only (4:2:0 does not use mosaics)
  const mcu = 8;
  const tileW = Math.ceil(shape.width / mcu) * mcu;
  const tileH = Math.ceil(shape.height / mcu) * mcu;
  const cols = Math.max(1, Math.floor(MOSAIC_WIDTH / tileW));
  const most = cols * Math.max(1, Math.floor(MOSAIC_HEIGHT / tileH));
  const mosaics = Math.ceil(count / most);
  // as many mosaics as needed, filled evenly: no small straggler at the end
  const perMosaic = Math.ceil(count / mosaics / cols) * cols;
  return { tileW, tileH, cols, perMosaic, mosaics: Math.ceil(count / perMosaic) };
}

/**
 * Writes images first..first+n−1 into `mosaic` (`l.cols` tiles wide), each padded to its tile by repeating its
 * last column and last row; the unused tiles of a last, partial row are zeroed so the result never depends on
 * what an earlier mosaic left in the buffer.
 */
function fillMosaic(mosaic: Buffer, images: Buffer, shape: ImageShape, first: number, n: number, l: Layout): void {
  const c = shape.channels;
  const rowBytes = shape.width * c;
  const tileRowBytes = l.tileW * c;
  const stride = l.cols * tileRowBytes;
  const per = imageBytes(shape);
  const lastRowStart = Math.floor((n - 1) / l.cols) * l.tileH * stride;
  if (n % l.cols !== 0) mosaic.fill(0, lastRowStart, lastRowStart + l.tileH * stride);
  for (let k = 0; k < n; k++) {
    const src = (first + k) * per;
    const origin = Math.floor(k / l.cols) * l.tileH * stride + (k % l.cols) * tileRowBytes;
    for (let y = 0; y < shape.height; y++) {
      const row = origin + y * stride;
      images.copy(mosaic, row, src + y * rowBytes, src + (y + 1) * rowBytes);
      // right padding: the row's last pixel again
      for (let x = rowBytes; x < tileRowBytes; x += c)
        for (let ch = 0; ch < c; ch++) mosaic[row + x + ch] = mosaic[row + rowBytes - c + ch]!;
    }
    // bottom padding: the tile's last row (padding included) again
    const last = origin + (shape.height - 1) * stride;
    for (let y = shape.height; y < l.tileH; y++) mosaic.copyWithin(origin + y * stride, last, last + tileRowBytes);
  }
}

/** Copies images first..first+n−1 out of a decoded mosaic into `out` (packed NHWC). */
function cutMosaic(decoded: Buffer, out: Buffer, shape: ImageShape, first: number, n: number, l: Layout): void {
  const rowBytes = shape.width * shape.channels;
  const tileRowBytes = l.tileW * shape.channels;
  const stride = l.cols * tileRowBytes;
  const per = imageBytes(shape);
  for (let k = 0; k < n; k++) {
    const origin = Math.floor(k / l.cols) * l.tileH * stride + (k % l.cols) * tileRowBytes;
    const dst = (first + k) * per;
    for (let y = 0; y < shape.height; y++)
      decoded.copy(out, dst + y * rowBytes, origin + y * stride, origin + y * stride + rowBytes);
  }
}

/**
 * Encode + decode every image of `images` (packed NHWC, `count` images of `shape`); returns the decoded pixels
 * packed the same way. Mosaic-based (one image at a time with mozjpeg, see the header). `onProgress` gets the
 * number of images done so far, ending with `count`.
 */
export async function jpegRoundTrip(
  images: Uint8Array,
  shape: ImageShape,
  count: number,
  options: JpegOptions,
  onProgress?: (done: number) => void,
): Promise<Uint8Array> {
  const per = imageBytes(shape);
  if (!Number.isInteger(count) || count < 0 || images.length < count * per) {
    throw new RangeError(
      `${images.length} bytes do not hold ${count} images of ${shape.width}x${shape.height}x${shape.channels}.`,
    );
  }
  // every byte is written below (or the call throws)
  const out = Buffer.allocUnsafe(count * per);
  if (count === 0) return out;
  let done = 0;
  const rgb420 = shape.channels === 3 && options.subsampling === '4:2:0';
  if (options.mozjpeg || (rgb420 && shape.width * shape.height > EXACT_MAX_PIXELS)) {
    await pool(count, IMAGES_IN_FLIGHT, async (i) => {
      const jpeg = await encodeJpeg(images.subarray(i * per, (i + 1) * per), shape, options);
      (await decode(jpeg, shape.width, shape.height, shape)).copy(out, i * per);
      if (++done % 256 === 0 || done === count) onProgress?.(done);
    });
    return out;
  }
  if (rgb420) {
    const tables = quantTablesOf(
      await encode(Buffer.alloc(16 * 16 * 3, 128), 16, 16, shape, jpegSettings(options, false)),
    );
    // in slices, so that the job's messages (progress, cancel) are handled between them
    for (let first = 0; first < count; first += EXACT_SLICE) {
      const n = Math.min(EXACT_SLICE, count - first);
      out.set(
        jpeg420RoundTrip(images.subarray(first * per, (first + n) * per), shape.width, shape.height, n, tables),
        first * per,
      );
      onProgress?.(first + n);
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  const source = Buffer.from(images.buffer, images.byteOffset, images.byteLength);
  const l = layoutOf(shape, count);
  const width = l.cols * l.tileW;
  const settings = jpegSettings(options, false);
  // one mosaic buffer per lane, reused: fresh ones of several MB each cost page faults
  const lanes = Math.min(MOSAICS_IN_FLIGHT, l.mosaics);
  const buffers = Array.from({ length: lanes }, () =>
    Buffer.allocUnsafe((l.perMosaic / l.cols) * l.tileH * width * shape.channels),
  );
  let next = 0;
  await Promise.all(
    buffers.map(async (buffer) => {
      while (next < l.mosaics) {
        const first = next++ * l.perMosaic;
        const n = Math.min(l.perMosaic, count - first);
        const height = Math.ceil(n / l.cols) * l.tileH;
        const mosaic = buffer.subarray(0, height * width * shape.channels);
        fillMosaic(mosaic, source, shape, first, n, l);
        const decoded = await decode(await encode(mosaic, width, height, shape, settings), width, height, shape);
        cutMosaic(decoded, out, shape, first, n, l);
        done += n;
        onProgress?.(done);
      }
    }),
  );
  return out;
}

/** File sizes (bytes) of the images at `indices` encoded one by one (`encodeJpeg`), several in flight. */
export async function jpegSizes(
  images: Uint8Array,
  shape: ImageShape,
  indices: readonly number[],
  options: JpegOptions,
): Promise<number[]> {
  const per = imageBytes(shape);
  const sizes = new Array<number>(indices.length);
  await pool(indices.length, IMAGES_IN_FLIGHT, async (k) => {
    const i = indices[k]!;
    sizes[k] = (await encodeJpeg(images.subarray(i * per, (i + 1) * per), shape, options)).length;
  });
  return sizes;
}
