/**
 * The image decoder: turns one Payload (an encoded file, or raw pixels from IDX/CIFAR/built-in data) into
 * exactly size×size×channels uint8 HWC pixels, the layout of the packed tensor file.
 *
 * Files go through one sharp pipeline:
 *   decode (first frame/page only; failOn 'warning', sharp's level for untrusted input; limitInputPixels)
 *   -> EXIF orientation -> alpha flattened onto white -> resize (lanczos3) -> 8-bit sRGB -> raw uchar,
 * then, when grey is asked for, ITU-R BT.601 luma in JS. Every colour space (CMYK, 16-bit, palette,
 * grey(+alpha), ICC-tagged) thus ends as 8-bit sRGB first, and grey is computed the same way for files and
 * raw payloads, so a CIFAR binary and the same pictures as PNGs give the same grey dataset.
 *
 * Raw payloads (IDX, CIFAR, built-in) of the requested size are copied without sharp; small ones that need
 * resizing use the Lanczos-3 resampler below (same kernel and geometry as sharp, ~50× faster per image).
 *
 * Errors a user can hit become DecodeError with a short reason (never a libvips dump); see `decodeErrorFor`.
 */
import fs from 'node:fs';
import os from 'node:os';
import sharp, { type Metadata, type OutputInfo, type ResizeOptions } from 'sharp';
import type { ResizeFit } from '../../shared/datasets.js';
import { DecodeError, type DecodeOptions, type Payload } from './types.js';

/** sharp's decompression-bomb guard when the caller gives none: 50 megapixels (e.g. 7071×7071). */
export const DEFAULT_LIMIT_INPUT_PIXELS = 50_000_000;

export interface ImageProbe {
  /** Size as displayed, i.e. after EXIF orientation (first frame for animations). */
  width: number;
  height: number;
  /** 1 for grey (with or without alpha), else 3 (RGB, CMYK, palette, Lab...). */
  channels: 1 | 3;
  hasAlpha: boolean;
}

/**
 * Reads only the header (fast): size, grey or colour, alpha. Used to choose import defaults. Throws
 * DecodeError with the same reasons as decodeImage for files it cannot read. No pixel limit applies here:
 * the header of a huge image is still worth reporting.
 */
export async function probeImage(path: string): Promise<ImageProbe> {
  await checkReadable(path);
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw await decodeErrorFor(err, path, DEFAULT_LIMIT_INPUT_PIXELS);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.pageHeight ?? meta.height;
  const grey = meta.space === 'b-w' || meta.space === 'grey16';
  return { width, height, channels: grey ? 1 : 3, hasAlpha: meta.hasAlpha };
}

/** Decodes one image to exactly options.size² × options.channels bytes (HWC, uint8). Throws DecodeError. */
export async function decodeImage(payload: Payload, options: DecodeOptions): Promise<Uint8Array> {
  checkOptions(options);
  return payload.kind === 'raw' ? decodeRaw(payload, options) : decodeFile(payload.path, options);
}

export interface DecodeManyOptions {
  /** Images decoded at once; default os.availableParallelism() × 2 (sharp queues them on libuv's pool). */
  concurrency?: number;
  /**
   * Called once per payload, in payload order (0, 1, 2...), with the pixels or the DecodeError. Results
   * that finish early wait for their predecessors, so at most about 2 × concurrency results are held.
   * An exception thrown here stops decodeMany, which then rejects with it.
   */
  onEach: (index: number, result: Uint8Array | DecodeError) => void;
  /** When it fires, no further image is started; decodeMany resolves after the ones in flight (the caller checks the signal). */
  signal?: AbortSignal;
}

/**
 * Decodes many payloads with bounded concurrency, delivering results in order. Memory stays bounded:
 * only a window of 2 × concurrency results exists at any time, whatever the number of payloads.
 */
export async function decodeMany(
  payloads: readonly Payload[],
  options: DecodeOptions,
  many: DecodeManyOptions,
): Promise<void> {
  checkOptions(options);
  const concurrency = Math.max(1, Math.floor(many.concurrency ?? os.availableParallelism() * 2));
  const window = concurrency * 2;
  const n = payloads.length;
  const ready = new Map<number, Uint8Array | DecodeError>();
  let next = 0; // next payload to start
  let delivered = 0; // next payload to hand to onEach
  let inFlight = 0;
  let failure: { error: unknown } | null = null;

  // Raw payloads decode synchronously inside promise callbacks; without a pause the event loop (IPC,
  // cancellation, progress timers) would not run until the whole batch is done. So every YIELD_MS of
  // continuous work, the next step waits for setImmediate.
  let slicedAt = performance.now();
  let paused = false;

  return new Promise<void>((resolve, reject) => {
    const finishIfIdle = (): void => {
      if (inFlight > 0 || paused) return;
      if (failure) reject(failure.error);
      else if (delivered >= n || many.signal?.aborted) resolve();
    };
    const step = (): void => {
      if (performance.now() - slicedAt < YIELD_MS) {
        pump();
        finishIfIdle();
      } else if (!paused) {
        paused = true;
        setImmediate(() => {
          paused = false;
          slicedAt = performance.now();
          pump();
          finishIfIdle();
        });
      }
    };
    const pump = (): void => {
      while (!failure && !many.signal?.aborted && inFlight < concurrency && next < n && next < delivered + window) {
        const i = next++;
        inFlight++;
        decodeImage(payloads[i]!, options)
          .catch((err: unknown) => (err instanceof DecodeError ? err : new DecodeError(shortReason(err))))
          .then((result) => {
            inFlight--;
            ready.set(i, result);
            try {
              while (!failure && ready.has(delivered)) {
                const r = ready.get(delivered)!;
                ready.delete(delivered);
                many.onEach(delivered, r);
                delivered++;
              }
            } catch (err) {
              failure ??= { error: err };
              ready.clear();
            }
            step();
          });
      }
    };
    pump();
    finishIfIdle();
  });
}

/** Longest stretch of synchronous decoding before decodeMany lets the event loop run. */
const YIELD_MS = 25;

// ---------------------------------------------------------------------------------------------------------
// files

async function decodeFile(path: string, options: DecodeOptions): Promise<Uint8Array> {
  await checkReadable(path);
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(path, {
      // 'warning' also rejects JPEGs whose entropy-coded data is corrupt (libjpeg only warns and paints grey);
      // libvips already ignores the benign "extraneous bytes before marker" warning.
      failOn: 'warning',
      limitInputPixels: limit,
      // first frame of an animated GIF/WebP, first page of a TIFF
      pages: 1,
      page: 0,
    })
      .rotate() // EXIF orientation
      .flatten({ background: '#ffffff' }) // transparent pixels become white (no-op without alpha)
      .resize(options.size, options.size, resizeOptions(options.fit))
      .toColourspace('srgb') // CMYK, Lab, 16-bit, palette and grey all end as 8-bit sRGB
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw await decodeErrorFor(err, path, limit);
  }
  return finish(out.data, out.info.width, out.info.height, out.info.channels, options);
}

/** Checks sharp's output and converts it to the requested channels (it is normally 3-channel sRGB). */
function finish(data: Uint8Array, width: number, height: number, channels: number, options: DecodeOptions): Uint8Array {
  const px = options.size * options.size;
  if (width !== options.size || height !== options.size || data.length !== px * channels) {
    throw new DecodeError(
      `decoder returned ${width}×${height}×${channels} pixels instead of ${options.size}×${options.size}`,
    );
  }
  if (channels === options.channels) return copy(data);
  if (channels === 3 && options.channels === 1) return rgbToGrey(data, px);
  if (channels === 1 && options.channels === 3) return greyToRgb(data, px);
  // 2 (grey+alpha) or 4 (RGBA/CMYK) should not survive removeAlpha + toColourspace; handle them anyway
  if (channels === 2 || channels === 4) {
    const colour = dropLastChannel(data, px, channels);
    return finish(colour, width, height, channels - 1, options);
  }
  throw new DecodeError(`decoder returned ${channels} channels, expected 1 or 3`);
}

// ---------------------------------------------------------------------------------------------------------
// raw pixels

async function decodeRaw(p: Extract<Payload, { kind: 'raw' }>, options: DecodeOptions): Promise<Uint8Array> {
  const { width, height, channels, data } = p;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new DecodeError(`invalid image size ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 3) throw new DecodeError(`unsupported channel count ${String(channels)}`);
  const px = width * height;
  if (data.length !== px * channels) {
    throw new DecodeError(
      `record has ${data.length} bytes, expected ${px * channels} for ${width}×${height}×${channels}`,
    );
  }
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  if (px > limit) throw new DecodeError(tooLarge(width, height, limit));
  const same = width === options.size && height === options.size;
  // fast path: no sharp at all
  if (same) {
    if (channels === options.channels) return copy(data);
    return channels === 3 ? rgbToGrey(data, px) : greyToRgb(data, px);
  }
  // reduce channels before resizing (less work), expand after
  const src = channels === 3 && options.channels === 1 ? rgbToGrey(data, px) : data;
  const srcChannels = channels === 3 && options.channels === 1 ? 1 : channels;
  if (px <= JS_RESIZE_MAX_PIXELS) {
    // small records (IDX, CIFAR, built-in): resampled here, ~50× faster than a sharp pipeline per image
    const resized = resampleLanczos3(src, width, height, srcChannels, options.size, options.fit);
    return finish(resized, options.size, options.size, srcChannels, options);
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(Buffer.from(src.buffer, src.byteOffset, src.byteLength), {
      raw: { width, height, channels: srcChannels },
      limitInputPixels: limit,
    })
      .resize(options.size, options.size, resizeOptions(options.fit))
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new DecodeError(`could not resize the image: ${shortReason(err)}`);
  }
  return finish(out.data, out.info.width, out.info.height, out.info.channels, options);
}

// ---------------------------------------------------------------------------------------------------------
// resampling of small raw images in JS

/**
 * Raw images up to this many pixels are resized in JS. A sharp pipeline costs about 0.6–0.8 ms per image
 * whatever its size (measured on 2 cores: 10,000 MNIST digits 28 -> 32 took 8 s); the JS resampler does the
 * same in about 15 µs, so a 70,000-image IDX import resized to 32 px takes seconds instead of a minute.
 * Larger raw images (rare) still go through sharp.
 */
const JS_RESIZE_MAX_PIXELS = 256 * 256;

/** sinc(t)·sinc(t/3) on |t| < 3. */
function lanczos3(t: number): number {
  if (t === 0) return 1;
  if (t <= -3 || t >= 3) return 0;
  const a = Math.PI * t;
  return (3 * Math.sin(a) * Math.sin(a / 3)) / (a * a);
}

/** Per output sample along one axis: the first source index and the normalised weights of its taps. */
interface AxisWeights {
  first: Int32Array;
  /** Stride of `weights` per output sample. */
  taps: number;
  /** Taps actually read: `taps`, or the source length when the source is shorter than the kernel. */
  span: number;
  weights: Float32Array;
}

/**
 * Weights mapping the source span [s0, s0 + slen) (fractional allowed) onto `outLen` samples. When shrinking,
 * the kernel is stretched by the scale factor (antialiasing), as libvips' reduce does. Taps outside the
 * image repeat the edge pixel.
 */
function axisWeights(srcLen: number, s0: number, slen: number, outLen: number): AxisWeights {
  const scale = slen / outLen;
  const stretch = Math.max(1, scale);
  const support = 3 * stretch;
  const taps = Math.ceil(2 * support) + 1;
  const first = new Int32Array(outLen);
  const weights = new Float32Array(outLen * taps);
  for (let i = 0; i < outLen; i++) {
    const centre = s0 + (i + 0.5) * scale - 0.5;
    const lo = Math.ceil(centre - support);
    first[i] = lo;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const w = lanczos3((lo + k - centre) / stretch);
      weights[i * taps + k] = w;
      sum += w;
    }
    for (let k = 0; k < taps; k++) weights[i * taps + k]! /= sum;
  }
  // fold taps that fall outside the image onto the edge pixels
  for (let i = 0; i < outLen; i++) {
    const lo = first[i]!;
    if (lo >= 0 && lo + taps <= srcLen) continue;
    const folded = new Float32Array(taps);
    const newLo = Math.min(Math.max(lo, 0), Math.max(0, srcLen - taps));
    for (let k = 0; k < taps; k++) {
      const j = Math.min(Math.max(lo + k, 0), srcLen - 1);
      const slot = j - newLo;
      if (slot >= 0 && slot < taps) folded[slot]! += weights[i * taps + k]!;
    }
    weights.set(folded, i * taps);
    first[i] = newLo;
  }
  return { first, taps, span: Math.min(taps, srcLen), weights };
}

/**
 * Resizes uint8 HWC pixels to size×size with a separable Lanczos-3 filter and sharp's geometry for each
 * fit: 'fill' stretches; 'cover' scales the shorter side to `size` and keeps the centre; 'contain' scales the
 * longer side to `size` and centres the result on black. Images smaller than the kernel's reach (< 7 px)
 * work too: their edge pixels are repeated.
 */
export function resampleLanczos3(
  src: Uint8Array,
  width: number,
  height: number,
  channels: number,
  size: number,
  fit: ResizeFit,
): Uint8Array {
  // per axis: source span, output offset and length
  let sx0 = 0;
  let sxLen = width;
  let sy0 = 0;
  let syLen = height;
  let ox = 0;
  let oy = 0;
  let ow = size;
  let oh = size;
  if (fit === 'cover') {
    // as sharp does: scale the shorter side to `size`, round the other, crop its centre at a whole pixel
    // (offsets rounded half up: this matches sharp to a fraction of a level when shrinking)
    const scale = Math.max(size / width, size / height);
    const rw = Math.max(size, Math.round(width * scale));
    const rh = Math.max(size, Math.round(height * scale));
    sxLen = (size * width) / rw;
    syLen = (size * height) / rh;
    sx0 = (Math.round((rw - size) / 2) * width) / rw;
    sy0 = (Math.round((rh - size) / 2) * height) / rh;
  } else if (fit === 'contain') {
    const scale = Math.min(size / width, size / height);
    ow = Math.max(1, Math.min(size, Math.round(width * scale)));
    oh = Math.max(1, Math.min(size, Math.round(height * scale)));
    ox = Math.floor((size - ow) / 2);
    oy = Math.floor((size - oh) / 2);
  }
  const hx = axisWeights(width, sx0, sxLen, ow);
  const hy = axisWeights(height, sy0, syLen, oh);
  // only the source rows some output row reads
  const rowLo = Math.max(0, hy.first[0]!);
  const rowHi = Math.min(height, hy.first[oh - 1]! + hy.span);
  const rows = rowHi - rowLo;
  // horizontal pass: rows × ow × channels floats
  const tmp = new Float32Array(rows * ow * channels);
  for (let r = 0; r < rows; r++) {
    const srcRow = (rowLo + r) * width * channels;
    const dstRow = r * ow * channels;
    for (let i = 0; i < ow; i++) {
      const lo = hx.first[i]!;
      const wo = i * hx.taps;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < hx.span; k++) acc += hx.weights[wo + k]! * src[srcRow + (lo + k) * channels + c]!;
        tmp[dstRow + i * channels + c] = acc;
      }
    }
  }
  // vertical pass into the (black) output
  const out = new Uint8Array(size * size * channels);
  const rowStride = ow * channels;
  for (let j = 0; j < oh; j++) {
    const lo = hy.first[j]! - rowLo;
    const wo = j * hy.taps;
    const dst = ((oy + j) * size + ox) * channels;
    for (let x = 0; x < rowStride; x++) {
      let acc = 0.5; // rounds on truncation
      for (let k = 0; k < hy.span; k++) acc += hy.weights[wo + k]! * tmp[(lo + k) * rowStride + x]!;
      out[dst + x] = acc <= 0 ? 0 : acc >= 255 ? 255 : acc | 0;
    }
  }
  return out;
}

/**
 * Square output: 'cover' crops the centre, 'fill' stretches, 'contain' letterboxes and pads with opaque
 * BLACK (files are flattened onto white before, so only the padding is black). lanczos3 (sharp's default)
 * keeps detail with little aliasing when shrinking; JPEGs may first be shrunk on load by libjpeg's DCT
 * scaling (sharp's fastShrinkOnLoad), which is much faster for large photos and stays well above the
 * target size before lanczos3 does the rest.
 */
function resizeOptions(fit: ResizeFit): ResizeOptions {
  return { fit, position: 'centre', kernel: 'lanczos3', background: { r: 0, g: 0, b: 0, alpha: 1 } };
}

// ---------------------------------------------------------------------------------------------------------
// pixel helpers

function copy(data: Uint8Array): Uint8Array {
  return new Uint8Array(data);
}

/** ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B, rounded (integer arithmetic: grey stays grey exactly). */
export function rgbToGrey(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    out[i] = (299 * rgb[j]! + 587 * rgb[j + 1]! + 114 * rgb[j + 2]! + 500) / 1000;
  }
  return out;
}

/** Grey to RGB by replication. */
export function greyToRgb(grey: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    const v = grey[i]!;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
  }
  return out;
}

function dropLastChannel(data: Uint8Array, pixels: number, channels: number): Uint8Array {
  const keep = channels - 1;
  const out = new Uint8Array(pixels * keep);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < keep; c++) out[i * keep + c] = data[i * channels + c]!;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// errors

function checkOptions(o: DecodeOptions): void {
  if (!Number.isInteger(o.size) || o.size < 1 || o.size > 4096)
    throw new RangeError(`decode size must be an integer in 1..4096, got ${o.size}`);
  if (o.channels !== 1 && o.channels !== 3)
    throw new RangeError(`decode channels must be 1 or 3, got ${String(o.channels)}`);
  if (o.fit !== 'cover' && o.fit !== 'contain' && o.fit !== 'fill')
    throw new RangeError(`unknown fit ${String(o.fit)}`);
}

/** Throws DecodeError when the path is not a readable, non-empty regular file (with the OS's reason). */
async function checkReadable(path: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
    if (stat.isFile()) await fs.promises.access(path, fs.constants.R_OK);
  } catch (err) {
    throw new DecodeError(`cannot read the file: ${osReason(err)}`);
  }
  if (stat.isDirectory()) throw new DecodeError('cannot read the file: it is a folder');
  if (!stat.isFile()) throw new DecodeError('cannot read the file: not a regular file');
  if (stat.size === 0) throw new DecodeError('empty file (0 bytes)');
}

const OS_REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a folder in its path is a file',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'path too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

function osReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code && OS_REASONS[code]) return `${OS_REASONS[code]} (${code})`;
  return shortReason(err);
}

function tooLarge(width: number, height: number, limit: number): string {
  return `image is too large to decode safely (${width}×${height} pixels; limit ${limit.toLocaleString('en-US')})`;
}

/** First line of an error message, without libvips' loader prefixes, at most 120 characters. */
function shortReason(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  let line = (raw.split('\n').find((l) => l.trim() !== '') ?? raw).trim();
  line = line.replace(/^(Vips\w*|vips\w*|\w+load(?:_\w+)?|TIFFReadDirectory|TIFF\w*|VipsForeignLoad\w*):\s*/, '');
  line = line.replace(/:\s*$/, '');
  return line.length > 120 ? `${line.slice(0, 117)}...` : line || 'unknown error';
}

/** Formats that sharp's bundled libvips does not read, recognised by their first bytes. */
function sniffUnsupported(head: Buffer): string | null {
  const ascii = head.toString('latin1');
  if (ascii.startsWith('BM')) return 'BMP';
  if (ascii.startsWith('8BPS')) return 'Photoshop PSD';
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0) return 'ICO';
  if (ascii.startsWith('%PDF')) return 'PDF';
  if (/^....ftyp(heic|heix|hevc|hevx|mif1|msf1)/s.test(ascii)) return 'HEIC';
  if (ascii.startsWith('\x00\x00\x00\x0cjP  ') || ascii.startsWith('\xff\x4f\xff\x51')) return 'JPEG 2000';
  if (ascii.startsWith('II*\x00') || ascii.startsWith('MM\x00*')) return null; // TIFF: supported, a real error
  return null;
}

async function readHead(path: string, bytes = 16): Promise<Buffer> {
  try {
    const fh = await fs.promises.open(path, 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** Maps a sharp/libvips failure to a DecodeError with a short, human reason. */
async function decodeErrorFor(err: unknown, path: string, limit: number): Promise<DecodeError> {
  if (err instanceof DecodeError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit/i.test(msg)) {
    try {
      const m = await sharp(path, { limitInputPixels: false }).metadata();
      return new DecodeError(tooLarge(m.width, m.pageHeight ?? m.height, limit));
    } catch {
      return new DecodeError(`image is too large to decode safely (more than ${limit.toLocaleString('en-US')} pixels)`);
    }
  }
  if (/unsupported image format/i.test(msg) || /heif.*(unsupported|codec|plugin)|no decoding plugin/i.test(msg)) {
    const named = sniffUnsupported(await readHead(path));
    return new DecodeError(
      named ? `not a supported image format (${named}; convert it to PNG or JPEG)` : 'not a supported image format',
    );
  }
  if (/Input file is missing|ENOENT|EACCES|EPERM|permission denied/i.test(msg)) {
    try {
      await checkReadable(path);
    } catch (e) {
      if (e instanceof DecodeError) return e;
    }
    return new DecodeError(`cannot read the file: ${shortReason(err)}`);
  }
  if (/corrupt header/i.test(msg))
    return new DecodeError('corrupt or truncated image: the header is damaged or cut short');
  return new DecodeError(`corrupt or truncated image: ${shortReason(err)}`);
}
