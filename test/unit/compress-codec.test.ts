import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ImageShape } from '../../main/data/tensor-store.js';
import {
  decodeJpeg,
  encodeJpeg,
  jpegRoundTrip,
  jpegSizes,
  type JpegOptions,
} from '../../main/engine/compress/codec.js';
import { quantTablesOf } from '../../main/engine/compress/jpeg-exact.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import type { Subsampling } from '../../shared/compress-defaults.js';

const rgb = (width: number, height: number): ImageShape => ({ width, height, channels: 3 });
const grey = (width: number, height: number): ImageShape => ({ width, height, channels: 1 });
const bytesOf = (s: ImageShape) => s.width * s.height * s.channels;
const options = (quality: number, subsampling: JpegOptions['subsampling'], mozjpeg = false): JpegOptions => ({
  quality,
  subsampling,
  mozjpeg,
});

/** `count` natural-ish images (seeded): a gradient per channel, a disc of another colour, two 1-px strokes, noise. */
function naturalImages(count: number, shape: ImageShape, seed: number): Uint8Array {
  const { width: w, height: h, channels: c } = shape;
  const rng = mulberry32(seed);
  const out = new Uint8Array(count * bytesOf(shape));
  const colour = () => Array.from({ length: c }, () => 40 + rng() * 175);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const [base, disc, ink] = [colour(), colour(), colour()];
    const gx = Array.from({ length: c }, () => ((rng() - 0.5) * 160) / w);
    const gy = Array.from({ length: c }, () => ((rng() - 0.5) * 160) / h);
    const [cx, cy, r] = [rng() * w, rng() * h, w * (0.15 + rng() * 0.25)];
    const [sx, sy] = [Math.floor(rng() * w), Math.floor(rng() * h)];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
        for (let ch = 0; ch < c; ch++) {
          const v = x === sx || y === sy ? ink[ch]! : inDisc ? disc[ch]! : base[ch]! + gx[ch]! * x + gy[ch]! * y;
          out[o++] = Math.max(0, Math.min(255, Math.round(v + (rng() - 0.5) * 32)));
        }
      }
    }
  }
  return out;
}

/** The reference: every image encoded on its own (`encodeJpeg`) and decoded (`decodeJpeg`). */
async function oneByOne(images: Uint8Array, shape: ImageShape, count: number, o: JpegOptions): Promise<Uint8Array> {
  const per = bytesOf(shape);
  const out = new Uint8Array(count * per);
  await Promise.all(
    Array.from({ length: count }, async (_, i) =>
      out.set(await decodeJpeg(await encodeJpeg(images.subarray(i * per, (i + 1) * per), shape, o), shape), i * per),
    ),
  );
  return out;
}

/** The segments before the scan data of a JPEG: marker byte and payload. */
function segments(jpeg: Buffer): { marker: number; body: Buffer }[] {
  expect(jpeg.readUInt16BE(0)).toBe(0xffd8); // SOI
  const out = [];
  for (let i = 2; i < jpeg.length;) {
    expect(jpeg[i]).toBe(0xff);
    const marker = jpeg[i + 1]!;
    if (marker === 0xda) break; // SOS: entropy-coded data follows
    const length = jpeg.readUInt16BE(i + 2);
    out.push({ marker, body: jpeg.subarray(i + 4, i + 2 + length) });
    i += 2 + length;
  }
  return out;
}

/** Per component of the frame header (SOF0 baseline, SOF2 progressive): [horizontal, vertical] sampling factors. */
function samplingFactors(jpeg: Buffer): [number, number][] {
  const sof = segments(jpeg).find((s) => s.marker === 0xc0 || s.marker === 0xc2)!.body;
  const components = sof[5]!; // after precision (1), height (2), width (2)
  return Array.from({ length: components }, (_, k) => {
    const hv = sof[6 + 3 * k + 1]!;
    return [hv >> 4, hv & 15];
  });
}

/** The DC step of the first quantisation table (luma), 8-bit tables. */
function lumaDcStep(jpeg: Buffer): number {
  return segments(jpeg).find((s) => s.marker === 0xdb)!.body[1]!;
}

/** BT.601 Cr of every pixel of packed RGB (what JPEG stores as the red-difference chroma). */
const chromaRed = (px: Uint8Array) =>
  Float64Array.from(
    { length: px.length / 3 },
    (_, i) => 128 + 0.5 * px[3 * i]! - 0.418688 * px[3 * i + 1]! - 0.081312 * px[3 * i + 2]!,
  );

describe('encodeJpeg and decodeJpeg', () => {
  it('hands the subsampling to libjpeg: Y sampled 2x2 at 4:2:0, 1x1 at 4:4:4, one component for grey', async () => {
    const s = rgb(32, 32);
    const px = naturalImages(1, s, 1);
    expect(samplingFactors(await encodeJpeg(px, s, options(50, '4:2:0')))).toEqual([
      [2, 2],
      [1, 1],
      [1, 1],
    ]);
    expect(samplingFactors(await encodeJpeg(px, s, options(50, '4:4:4')))).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    // mozjpeg writes progressive scans (SOF2) with the same sampling
    expect(samplingFactors(await encodeJpeg(px, s, options(50, '4:2:0', true)))[0]).toEqual([2, 2]);
    const g = grey(28, 28);
    expect(samplingFactors(await encodeJpeg(naturalImages(1, g, 2), g, options(50, '4:2:0')))).toEqual([[1, 1]]);
  });

  it('hands the quality to libjpeg: the quantisation table scales with it', async () => {
    const s = rgb(32, 32);
    const px = naturalImages(1, s, 3);
    // libjpeg's luma table starts at 16, scaled by 50/q below 50 and by 2 − q/50 above
    expect(lumaDcStep(await encodeJpeg(px, s, options(50, '4:2:0')))).toBe(16);
    expect(lumaDcStep(await encodeJpeg(px, s, options(95, '4:2:0')))).toBe(2);
    expect(lumaDcStep(await encodeJpeg(px, s, options(10, '4:2:0')))).toBe(80);
  });

  it('keeps a 1-px colour stroke’s chroma at 4:4:4 and halves it at 4:2:0', async () => {
    const s = rgb(32, 32);
    const px = new Uint8Array(bytesOf(s)).fill(128);
    for (let y = 0; y < 32; y++) px.set([220, 40, 40], (y * 32 + 13) * 3); // a red column at x = 13
    const strokeCr = (decoded: Uint8Array) => {
      const cr = chromaRed(decoded);
      let sum = 0;
      for (let y = 4; y < 28; y++) sum += cr[y * 32 + 13]! - 128;
      return sum / 24;
    };
    const original = strokeCr(px); // ≈ 90
    const full = strokeCr(await decodeJpeg(await encodeJpeg(px, s, options(95, '4:4:4')), s));
    const half = strokeCr(await decodeJpeg(await encodeJpeg(px, s, options(95, '4:2:0')), s));
    expect(full).toBeGreaterThan(0.85 * original);
    // one chroma sample covers the stroke and its grey neighbour: about half the red is left
    expect(half).toBeLessThan(0.65 * original);
  });

  it('makes smaller files at lower quality', async () => {
    const s = rgb(64, 64);
    const px = naturalImages(1, s, 4);
    const size = async (q: number) => (await encodeJpeg(px, s, options(q, '4:2:0'))).length;
    const [q5, q50, q95] = [await size(5), await size(50), await size(95)];
    expect(q5).toBeLessThan(q50);
    expect(q50).toBeLessThan(q95);
    // and 4:4:4 keeps more chroma, so more bytes
    expect((await encodeJpeg(px, s, options(50, '4:4:4'))).length).toBeGreaterThan(q50);
  });

  it('writes no ICC profile and keeps size and channels', async () => {
    for (const s of [rgb(13, 21), grey(13, 21)]) {
      const jpeg = await encodeJpeg(naturalImages(1, s, 5), s, options(75, '4:4:4'));
      const meta = await sharp(jpeg).metadata();
      expect(meta.hasProfile).toBe(false);
      expect([meta.width, meta.height, meta.channels, meta.space]).toEqual([
        13,
        21,
        s.channels,
        s.channels === 1 ? 'b-w' : 'srgb',
      ]);
      expect((await decodeJpeg(jpeg, s)).length).toBe(bytesOf(s));
    }
  });

  it('refuses a JPEG of another size', async () => {
    const s = rgb(16, 16);
    const jpeg = await encodeJpeg(naturalImages(1, s, 6), s, options(50, '4:4:4'));
    await expect(decodeJpeg(jpeg, rgb(16, 8))).rejects.toThrow(/16x16x3, not 16x8x3/);
  });
});

describe('jpegRoundTrip', () => {
  // count 150 leaves the mosaic's last row of tiles partly empty
  const exactCases: [string, ImageShape][] = [
    ['32x32 RGB', rgb(32, 32)],
    ['28x28 RGB', rgb(28, 28)],
    ['13x21 RGB', rgb(13, 21)],
    ['28x28 grey', grey(28, 28)],
  ];
  /** jpegRoundTrip of `count` natural images equals encoding and decoding each one on its own, byte for byte. */
  async function expectAsOneByOne(shape: ImageShape, count: number, seed: number, subsampling: Subsampling) {
    const images = naturalImages(count, shape, seed);
    for (const q of [5, 50, 95]) {
      const o = options(q, subsampling);
      const copy = await jpegRoundTrip(images, shape, count, o);
      expect(copy.length).toBe(count * bytesOf(shape));
      expect(Buffer.compare(copy, await oneByOne(images, shape, count, o)), `quality ${q}`).toBe(0);
    }
  }

  for (const [name, shape] of exactCases) {
    it(`equals one-by-one encoding byte for byte at 4:4:4: ${name}`, () => expectAsOneByOne(shape, 150, 7, '4:4:4'));
  }

  it('is exact across several mosaics, the last one partly filled', async () => {
    // tiles of 1000x600 fit at most a handful per mosaic, so 7 images need several
    const shape = rgb(1000, 600);
    const images = naturalImages(7, shape, 8);
    const o = options(50, '4:4:4');
    expect(Buffer.compare(await jpegRoundTrip(images, shape, 7, o), await oneByOne(images, shape, 7, o))).toBe(0);
  });

  it('grey is exact whatever the subsampling asked for, and stays one channel', async () => {
    const shape = grey(28, 28);
    const images = naturalImages(60, shape, 9);
    const o = options(30, '4:2:0');
    const mosaic = await jpegRoundTrip(images, shape, 60, o);
    expect(mosaic.length).toBe(60 * 28 * 28);
    expect(Buffer.compare(mosaic, await oneByOne(images, shape, 60, o))).toBe(0);
  });

  /*
   * 4:2:0 (issue #20, item 6): the study compares 4:2:0 with 4:4:4 per image file, so every copy must be what the
   * image encoded and decoded on its own gives. A mosaic could not be (fancy upsampling reads the neighbouring
   * tile at the border); jpeg-exact.ts computes each image with libjpeg's own integer pipeline.
   */
  for (const [name, shape] of [
    ['16x16', rgb(16, 16)],
    ['28x28', rgb(28, 28)],
    ['32x32', rgb(32, 32)],
    ['33x33', rgb(33, 33)],
    ['13x21', rgb(13, 21)],
  ] as const) {
    it(`equals one-by-one encoding byte for byte at 4:2:0: ${name}`, () => expectAsOneByOne(shape, 120, 10, '4:2:0'));
  }

  it('4:2:0 stays exact on noise, at the extreme qualities, on images of 2 to 8 px and above 128x128', async () => {
    for (const shape of [rgb(2, 2), rgb(3, 5), rgb(8, 8), rgb(130, 129)]) {
      const count = shape.width > 100 ? 3 : 30;
      const rng = mulberry32(shape.width);
      const noise = Uint8Array.from({ length: count * bytesOf(shape) }, () => Math.floor(rng() * 256));
      for (const q of [1, 100]) {
        const o = options(q, '4:2:0');
        expect(
          Buffer.compare(await jpegRoundTrip(noise, shape, count, o), await oneByOne(noise, shape, count, o)),
          `${shape.width}x${shape.height} q${q}`,
        ).toBe(0);
      }
    }
  });

  it('reads the quantisation tables of a 4:2:0 file and refuses other layouts', async () => {
    const s = rgb(16, 16);
    const px = naturalImages(1, s, 3);
    const t = quantTablesOf(await encodeJpeg(px, s, options(50, '4:2:0')));
    expect(t.luma[0]).toBe(16); // the standard luma table at quality 50
    expect(t.chroma[0]).toBe(17);
    const full = await encodeJpeg(px, s, options(50, '4:4:4'));
    expect(() => quantTablesOf(full)).toThrow(/4:2:0/);
    expect(() => quantTablesOf(Uint8Array.from([0xff, 0xd8]))).toThrow(/4:2:0/);
  });

  it('with mozjpeg encodes every image on its own: exact', async () => {
    const shape = rgb(24, 24);
    const images = naturalImages(40, shape, 11);
    for (const sub of ['4:2:0', '4:4:4'] as const) {
      const o = options(60, sub, true);
      expect(Buffer.compare(await jpegRoundTrip(images, shape, 40, o), await oneByOne(images, shape, 40, o))).toBe(0);
    }
  });

  it('returns an empty array for no images', async () => {
    const progress: number[] = [];
    const out = await jpegRoundTrip(new Uint8Array(0), rgb(32, 32), 0, options(50, '4:2:0'), (n) => progress.push(n));
    expect(out.length).toBe(0);
    expect(progress).toEqual([]);
  });

  it('reports progress up to the count, with fewer images than the buffer holds', async () => {
    const shape = rgb(32, 32);
    const images = naturalImages(5000, shape, 12);
    for (const mozjpeg of [false, true]) {
      const count = mozjpeg ? 300 : 4999;
      const progress: number[] = [];
      const out = await jpegRoundTrip(images, shape, count, options(50, '4:2:0', mozjpeg), (n) => progress.push(n));
      expect(out.length).toBe(count * bytesOf(shape));
      expect(progress.at(-1)).toBe(count);
      expect(progress.every((n, k) => k === 0 || n > progress[k - 1]!)).toBe(true);
    }
  });

  it('refuses a count the buffer does not hold', async () => {
    await expect(jpegRoundTrip(new Uint8Array(100), rgb(8, 8), 1, options(50, '4:4:4'))).rejects.toThrow(RangeError);
  });
});

describe('jpegSizes', () => {
  it('gives the size of each image encoded on its own, in the order asked', async () => {
    const shape = rgb(32, 32);
    const images = naturalImages(10, shape, 13);
    const o = options(40, '4:2:0');
    const indices = [7, 2, 2, 9];
    const expected = await Promise.all(
      indices.map(async (i) => (await encodeJpeg(images.subarray(i * 3072, (i + 1) * 3072), shape, o)).length),
    );
    expect(await jpegSizes(images, shape, indices, o)).toEqual(expected);
    expect(new Set(expected).size).toBeGreaterThan(1);
  });
});
