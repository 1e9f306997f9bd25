/**
 * The image decoder. Every fixture is generated here with sharp (or by hand, for the broken ones) into a
 * temporary folder: no binary is committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, decodeMany, probeImage, resampleLanczos3, rgbToGrey } from '../../main/data/decode.js';
import { DecodeError, type DecodeOptions, type Payload } from '../../main/data/types.js';
import { tempDir } from '../helpers/tmp.js';

let dir = '';
let cleanup = (): void => {};
const file = (name: string): Payload => ({ kind: 'file', path: path.join(dir, name) });
const RGB8: DecodeOptions = { size: 8, channels: 3, fit: 'fill' };
const GREY8: DecodeOptions = { size: 8, channels: 1, fit: 'fill' };

/** A PNG chunk with its CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A valid-looking PNG of a few hundred bytes whose header declares width×height RGB pixels. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    sig,
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 16-bit PNG (grey or RGB) written by hand, so the 16-bit samples are exactly the ones given. */
function png16(
  width: number,
  height: number,
  channels: 1 | 3,
  sample: (x: number, y: number, c: number) => number,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16;
  ihdr[9] = channels === 3 ? 2 : 0;
  const stride = 1 + width * channels * 2;
  const rows = Buffer.alloc(stride * height); // filter byte 0 (none) on every row
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) rows.writeUInt16BE(sample(x, y, c), y * stride + 1 + (x * channels + c) * 2);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    sig,
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal, valid 2×2 24-bit BMP (a format sharp's libvips does not read). */
function bmp2x2(): Buffer {
  const rowBytes = 8; // 2 px × 3 bytes, padded to 4
  const pixels = Buffer.alloc(rowBytes * 2, 0x80);
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(2, 18);
  header.writeInt32LE(2, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

function noise(width: number, height: number, channels: number, seed = 1): Buffer {
  const b = Buffer.alloc(width * height * channels);
  let s = seed;
  for (let i = 0; i < b.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).reason;
  }
  throw new Error('expected a DecodeError');
}

function pixel(data: Uint8Array, size: number, channels: number, x: number, y: number): number[] {
  const o = (y * size + x) * channels;
  return Array.from(data.subarray(o, o + channels));
}

/** Equal within a few levels (lanczos3 rings a little next to hard edges). */
function expectNear(actual: number[], expected: number[], tolerance = 6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) =>
    expect(Math.abs(v - expected[i]!), `${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`).toBeLessThanOrEqual(
      tolerance,
    ),
  );
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('winnow-decode-'));
  const w = (name: string, data: Buffer | string): void => fs.writeFileSync(path.join(dir, name), data);
  const red = { r: 220, g: 20, b: 30 };

  w(
    'rgb.png',
    await sharp({ create: { width: 40, height: 30, channels: 3, background: red } })
      .png()
      .toBuffer(),
  );
  w('empty.png', Buffer.alloc(0));
  w('notes.png', 'This is a text file with an image name.\n');
  w('photo.bmp', bmp2x2());

  const npng = await sharp(noise(128, 128, 3), { raw: { width: 128, height: 128, channels: 3 } })
    .png()
    .toBuffer();
  const njpg = await sharp(noise(128, 128, 3), { raw: { width: 128, height: 128, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  w('truncated.png', npng.subarray(0, Math.floor(npng.length / 2)));
  w('truncated.jpg', njpg.subarray(0, Math.floor(njpg.length / 2)));
  w('header-only.png', npng.subarray(0, 30));
  // a stray RST marker in the middle of the entropy-coded data (as a flipped bit near a stuffed 0xFF makes)
  const cj = Buffer.from(njpg);
  cj[cj.length >> 1] = 0xff;
  cj[(cj.length >> 1) + 1] = 0xd3;
  w('corrupt.jpg', cj);
  const cp = Buffer.from(npng);
  for (let i = 200; i < cp.length - 20; i += 97) cp[i] = cp[i]! ^ 0xff;
  w('corrupt.png', cp);

  // 16-bit RGB and 16-bit grey PNGs: 0x8080 must become 128, 0xffff 255, 0x4040 64
  w(
    'rgb16.png',
    png16(16, 16, 3, (x, y, c) => (y === 0 && c === 0 ? 0xffff : 0x8080)),
  );
  w(
    'grey16.png',
    png16(16, 16, 1, () => 0x4040),
  );
  w(
    'cmyk.jpg',
    await sharp({ create: { width: 32, height: 32, channels: 3, background: red } })
      .toColourspace('cmyk')
      .jpeg({ quality: 95 })
      .toBuffer(),
  );
  // palette PNG with two exact colours: left half red, right half blue
  const two = Buffer.alloc(16 * 16 * 3);
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++) two.set(x < 8 ? [255, 0, 0] : [0, 0, 255], (y * 16 + x) * 3);
  w(
    'palette.png',
    await sharp(two, { raw: { width: 16, height: 16, channels: 3 } })
      .png({ palette: true, colours: 4, dither: 0 })
      .toBuffer(),
  );
  // RGBA: transparent everywhere except an opaque red square in the middle
  const rgba = Buffer.alloc(16 * 16 * 4);
  for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) rgba.set([255, 0, 0, 255], (y * 16 + x) * 4);
  w(
    'alpha.png',
    await sharp(rgba, { raw: { width: 16, height: 16, channels: 4 } })
      .png()
      .toBuffer(),
  );
  // white strokes on a fully transparent (black) background: the whole image must come out white
  const wt = Buffer.alloc(16 * 16 * 4);
  for (let y = 0; y < 16; y += 4) for (let x = 0; x < 16; x++) wt.set([255, 255, 255, 255], (y * 16 + x) * 4);
  w(
    'white-on-transparent.png',
    await sharp(wt, { raw: { width: 16, height: 16, channels: 4 } })
      .png()
      .toBuffer(),
  );
  // grey + alpha: grey 100, half transparent left
  const ga = Buffer.alloc(16 * 16 * 2);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) ga.set([100, x < 8 ? 0 : 255], (y * 16 + x) * 2);
  w(
    'grey-alpha.png',
    await sharp(ga, { raw: { width: 16, height: 16, channels: 2 } })
      .toColourspace('b-w')
      .png()
      .toBuffer(),
  );
  w(
    'grey.png',
    await sharp(Buffer.alloc(16 * 16, 77), { raw: { width: 16, height: 16, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer(),
  );
  w(
    'grey.jpg',
    await sharp(Buffer.alloc(16 * 16, 77), { raw: { width: 16, height: 16, channels: 1 } })
      .toColourspace('b-w')
      .jpeg({ quality: 100 })
      .toBuffer(),
  );
  // non-square 64×32: green for x < 16, red for 16 <= x < 32, blue for x >= 32
  const wide = Buffer.alloc(64 * 32 * 3);
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 64; x++) wide.set(x < 16 ? [0, 255, 0] : x < 32 ? [255, 0, 0] : [0, 0, 255], (y * 64 + x) * 3);
  w(
    'wide.png',
    await sharp(wide, { raw: { width: 64, height: 32, channels: 3 } })
      .png()
      .toBuffer(),
  );
  // 40 wide × 20 high, top half red, bottom half blue, EXIF orientation 6 (display rotated 90° clockwise)
  const tall = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++)
    for (let x = 0; x < 40; x++) tall.set(y < 10 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  w(
    'exif6.jpg',
    await sharp(tall, { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer(),
  );
  // animated GIF: frame 0 green, frame 1 magenta
  const frames = Buffer.alloc(16 * 32 * 3);
  for (let i = 0; i < 16 * 16; i++) frames.set([0, 255, 0], i * 3);
  for (let i = 16 * 16; i < 32 * 16; i++) frames.set([255, 0, 255], i * 3);
  w(
    'anim.gif',
    await sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } })
      .gif({ loop: 0, delay: [100, 100] })
      .toBuffer(),
  );
  w(
    'anim.webp',
    await sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } })
      .webp({ lossless: true, loop: 0, delay: [100, 100] })
      .toBuffer(),
  );
  w('bomb.png', pngDeclaring(100_000, 100_000));
  w(
    'big.png',
    await sharp({ create: { width: 300, height: 200, channels: 3, background: red } })
      .png()
      .toBuffer(),
  );
  fs.mkdirSync(path.join(dir, 'folder.png'));
});

afterAll(() => cleanup());

describe('decodeImage: bad input is rejected with a short reason', () => {
  it('zero-byte file', async () => {
    expect(await reasonOf(decodeImage(file('empty.png'), RGB8))).toBe('empty file (0 bytes)');
  });

  it('truncated PNG and JPEG', async () => {
    for (const name of ['truncated.png', 'truncated.jpg', 'header-only.png']) {
      const reason = await reasonOf(decodeImage(file(name), RGB8));
      expect(reason, name).toMatch(/^corrupt or truncated image: \S/);
      expect(reason.length, name).toBeLessThan(160);
      expect(reason, name).not.toMatch(/\n|vips/i);
    }
    expect(await reasonOf(decodeImage(file('truncated.jpg'), RGB8))).toMatch(/premature end/i);
  });

  it('corrupt JPEG (garbage in the entropy-coded data) and corrupt PNG (bad checksums)', async () => {
    // libjpeg only warns about a corrupt scan and paints grey; failOn 'warning' turns it into a rejection
    expect(await reasonOf(decodeImage(file('corrupt.jpg'), RGB8))).toMatch(
      /^corrupt or truncated image: Corrupt JPEG data: /,
    );
    expect(await reasonOf(decodeImage(file('corrupt.png'), RGB8))).toMatch(/^corrupt or truncated image: /);
  });

  it('a text file named .png, and an unsupported format named after its magic bytes', async () => {
    expect(await reasonOf(decodeImage(file('notes.png'), RGB8))).toBe('not a supported image format');
    expect(await reasonOf(decodeImage(file('photo.bmp'), RGB8))).toBe(
      'not a supported image format (BMP; convert it to PNG or JPEG)',
    );
  });

  it('missing file and folder: the OS reason', async () => {
    expect(await reasonOf(decodeImage(file('missing.png'), RGB8))).toBe(
      'cannot read the file: file not found (ENOENT)',
    );
    expect(await reasonOf(decodeImage(file('folder.png'), RGB8))).toBe('cannot read the file: it is a folder');
  });

  it('decompression bomb: a 600-byte PNG declaring 100,000×100,000 pixels', async () => {
    expect(fs.statSync(path.join(dir, 'bomb.png')).size).toBeLessThan(1000);
    expect(await reasonOf(decodeImage(file('bomb.png'), RGB8))).toBe(
      'image is too large to decode safely (100000×100000 pixels; limit 50,000,000)',
    );
  });

  it('decompression bomb: a real image above a lowered limit; decodes under the default', async () => {
    expect(await reasonOf(decodeImage(file('big.png'), { ...RGB8, limitInputPixels: 10_000 }))).toBe(
      'image is too large to decode safely (300×200 pixels; limit 10,000)',
    );
    expect((await decodeImage(file('big.png'), RGB8)).length).toBe(8 * 8 * 3);
  });
});

describe('decodeImage: every colour layout ends as 8-bit sRGB or grey', () => {
  it('returns exactly size×size×channels bytes', async () => {
    const rgb = await decodeImage(file('rgb.png'), { size: 12, channels: 3, fit: 'cover' });
    expect(rgb).toBeInstanceOf(Uint8Array);
    expect(rgb.length).toBe(12 * 12 * 3);
    expect(pixel(rgb, 12, 3, 5, 5)).toEqual([220, 20, 30]);
    const grey = await decodeImage(file('rgb.png'), { size: 12, channels: 1, fit: 'cover' });
    expect(grey.length).toBe(12 * 12);
    expect(grey[0]).toBe(Math.round(0.299 * 220 + 0.587 * 20 + 0.114 * 30)); // BT.601 luma
  });

  it('16-bit PNGs are scaled to 8 bits, not clipped', async () => {
    const rgb = await decodeImage(file('rgb16.png'), { size: 16, channels: 3, fit: 'fill' });
    expect(pixel(rgb, 16, 3, 3, 0)).toEqual([255, 128, 128]);
    expect(pixel(rgb, 16, 3, 3, 8)).toEqual([128, 128, 128]);
    const grey = await decodeImage(file('grey16.png'), { size: 16, channels: 1, fit: 'fill' });
    expect(new Set(grey)).toEqual(new Set([64]));
  });

  it('CMYK JPEG becomes sRGB close to the original colour', async () => {
    const rgb = await decodeImage(file('cmyk.jpg'), RGB8);
    const [r, g, b] = pixel(rgb, 8, 3, 4, 4);
    expect(r).toBeGreaterThan(180);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
  });

  it('palette PNG keeps its exact colours', async () => {
    const rgb = await decodeImage(file('palette.png'), { size: 16, channels: 3, fit: 'fill' });
    expect(pixel(rgb, 16, 3, 2, 2)).toEqual([255, 0, 0]);
    expect(pixel(rgb, 16, 3, 13, 2)).toEqual([0, 0, 255]);
  });

  it('alpha is flattened onto white', async () => {
    const rgb = await decodeImage(file('alpha.png'), { size: 16, channels: 3, fit: 'fill' });
    expect(pixel(rgb, 16, 3, 0, 0)).toEqual([255, 255, 255]);
    expect(pixel(rgb, 16, 3, 8, 8)).toEqual([255, 0, 0]);
    const white = await decodeImage(file('white-on-transparent.png'), RGB8);
    expect(Math.min(...white)).toBe(255);
    const ga = await decodeImage(file('grey-alpha.png'), { size: 16, channels: 1, fit: 'fill' });
    expect(pixel(ga, 16, 1, 2, 5)).toEqual([255]); // transparent half -> white
    expect(pixel(ga, 16, 1, 13, 5)).toEqual([100]);
  });

  it('greyscale files in an RGB dataset are converted (R = G = B), not rejected', async () => {
    for (const name of ['grey.png', 'grey.jpg']) {
      const rgb = await decodeImage(file(name), RGB8);
      for (let i = 0; i < rgb.length; i += 3) {
        expect(rgb[i]).toBe(rgb[i + 1]);
        expect(rgb[i]).toBe(rgb[i + 2]);
        expect(Math.abs(rgb[i]! - 77)).toBeLessThanOrEqual(1);
      }
      const grey = await decodeImage(file(name), GREY8);
      expect(Math.abs(grey[0]! - 77)).toBeLessThanOrEqual(1);
    }
  });

  it('applies the EXIF orientation', async () => {
    expect(await probeImage(path.join(dir, 'exif6.jpg'))).toMatchObject({
      width: 20,
      height: 40,
      channels: 3,
      hasAlpha: false,
    });
    // stored: red on top, blue below; orientation 6 displays it rotated 90° clockwise: blue left, red right
    const rgb = await decodeImage(file('exif6.jpg'), { size: 16, channels: 3, fit: 'fill' });
    const left = pixel(rgb, 16, 3, 2, 8);
    const right = pixel(rgb, 16, 3, 13, 8);
    expect(left[2]).toBeGreaterThan(200);
    expect(left[0]).toBeLessThan(60);
    expect(right[0]).toBeGreaterThan(200);
    expect(right[2]).toBeLessThan(60);
  });

  it('animated GIF and WebP: the first frame only', async () => {
    for (const name of ['anim.gif', 'anim.webp']) {
      const rgb = await decodeImage(file(name), RGB8);
      expect(rgb.length, name).toBe(8 * 8 * 3);
      for (let i = 0; i < rgb.length; i += 3) expect([rgb[i], rgb[i + 1], rgb[i + 2]], name).toEqual([0, 255, 0]);
    }
  });

  it('fit modes differ on a non-square image: fill squeezes, cover crops the centre, contain pads with black', async () => {
    const opts = { size: 16, channels: 3 } as const;
    const fill = await decodeImage(file('wide.png'), { ...opts, fit: 'fill' });
    const cover = await decodeImage(file('wide.png'), { ...opts, fit: 'cover' });
    const contain = await decodeImage(file('wide.png'), { ...opts, fit: 'contain' });
    expect(Buffer.compare(fill, cover)).not.toBe(0);
    expect(Buffer.compare(fill, contain)).not.toBe(0);
    expect(Buffer.compare(cover, contain)).not.toBe(0);
    // fill: the whole image squeezed to 16×16: green, red, blue from the left, no padding
    expectNear(pixel(fill, 16, 3, 1, 0), [0, 255, 0]);
    expectNear(pixel(fill, 16, 3, 6, 0), [255, 0, 0]);
    expectNear(pixel(fill, 16, 3, 14, 15), [0, 0, 255]);
    // cover: the centre 32×32 crop (x 16..47): red then blue, the green strip cut away
    expectNear(pixel(cover, 16, 3, 1, 0), [255, 0, 0]);
    expectNear(pixel(cover, 16, 3, 14, 15), [0, 0, 255]);
    // contain: the 16×8 image in rows 4..11, black bands above and below
    expectNear(pixel(contain, 16, 3, 1, 0), [0, 0, 0]);
    expectNear(pixel(contain, 16, 3, 8, 15), [0, 0, 0]);
    expectNear(pixel(contain, 16, 3, 1, 8), [0, 255, 0]);
    expectNear(pixel(contain, 16, 3, 14, 8), [0, 0, 255]);
  });
});

describe('probeImage', () => {
  it('reads size, grey or colour and alpha from the header', async () => {
    expect(await probeImage(path.join(dir, 'rgb.png'))).toEqual({
      width: 40,
      height: 30,
      channels: 3,
      hasAlpha: false,
    });
    expect(await probeImage(path.join(dir, 'grey.png'))).toMatchObject({ channels: 1, hasAlpha: false });
    expect(await probeImage(path.join(dir, 'grey16.png'))).toMatchObject({ channels: 1 });
    expect(await probeImage(path.join(dir, 'grey-alpha.png'))).toMatchObject({ channels: 1, hasAlpha: true });
    expect(await probeImage(path.join(dir, 'alpha.png'))).toMatchObject({ channels: 3, hasAlpha: true });
    expect(await probeImage(path.join(dir, 'anim.gif'))).toMatchObject({ width: 16, height: 16 });
    expect(await probeImage(path.join(dir, 'bomb.png'))).toMatchObject({ width: 100_000, height: 100_000 });
    expect(await reasonOf(probeImage(path.join(dir, 'empty.png')))).toBe('empty file (0 bytes)');
    expect(await reasonOf(probeImage(path.join(dir, 'notes.png')))).toBe('not a supported image format');
  });
});

describe('raw payloads', () => {
  const raw = (width: number, height: number, channels: 1 | 3, data: Uint8Array): Payload => ({
    kind: 'raw',
    width,
    height,
    channels,
    data,
  });

  it('fast path: same size and channels returns identical bytes in a new array (a view is fine)', async () => {
    const big = new Uint8Array(3 * 784);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 255;
    const view = big.subarray(784, 2 * 784);
    const out = await decodeImage(raw(28, 28, 1, view), { size: 28, channels: 1, fit: 'cover' });
    expect(out).toEqual(view);
    expect(out.buffer).not.toBe(big.buffer);
    expect(out.byteOffset).toBe(0);
  });

  it('channel conversions without resizing: grey -> RGB replicates, RGB -> grey is BT.601 luma', async () => {
    const grey = Uint8Array.from([0, 50, 128, 255]);
    expect(Array.from(await decodeImage(raw(2, 2, 1, grey), { size: 2, channels: 3, fit: 'fill' }))).toEqual([
      0, 0, 0, 50, 50, 50, 128, 128, 128, 255, 255, 255,
    ]);
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    expect(Array.from(await decodeImage(raw(2, 2, 3, rgb), { size: 2, channels: 1, fit: 'fill' }))).toEqual([
      76, 150, 29, 18,
    ]);
    expect(Array.from(rgbToGrey(Uint8Array.from([7, 7, 7, 200, 200, 200]), 2))).toEqual([7, 200]);
  });

  it('resizes: 28×28 grey -> 32×32 RGB, CIFAR-like 32×32 RGB -> 16×16 grey', async () => {
    const digit = new Uint8Array(28 * 28);
    for (let y = 8; y < 20; y++) for (let x = 8; x < 20; x++) digit[y * 28 + x] = 255;
    const up = await decodeImage(raw(28, 28, 1, digit), { size: 32, channels: 3, fit: 'fill' });
    expect(up.length).toBe(32 * 32 * 3);
    expect(pixel(up, 32, 3, 16, 16)).toEqual([255, 255, 255]);
    expect(pixel(up, 32, 3, 1, 1)).toEqual([0, 0, 0]);
    const cifar = new Uint8Array(32 * 32 * 3);
    for (let i = 0; i < cifar.length; i += 3) cifar.set([200, 100, 50], i);
    const down = await decodeImage(raw(32, 32, 3, cifar), { size: 16, channels: 1, fit: 'cover' });
    expect(down.length).toBe(256);
    expect(new Set(down)).toEqual(new Set([Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)]));
  });

  it('the JS resampler for small records matches sharp when shrinking, for every fit', async () => {
    // a smooth-ish RGB test card with detail at every scale
    const w = 60;
    const h = 38;
    const src = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        src.set([(x * 4) & 255, (y * 6 + ((x >> 3) & 1) * 90) & 255, ((x * y) >> 2) & 255], (y * w + x) * 3);
      }
    }
    for (const size of [32, 17, 8]) {
      for (const fit of ['cover', 'contain', 'fill'] as const) {
        const ours = resampleLanczos3(src, w, h, 3, size, fit);
        const theirs = await sharp(src, { raw: { width: w, height: h, channels: 3 } })
          .resize(size, size, { fit, kernel: 'lanczos3', background: { r: 0, g: 0, b: 0, alpha: 1 } })
          .raw()
          .toBuffer();
        let err = 0;
        for (let i = 0; i < ours.length; i++) err += Math.abs(ours[i]! - theirs[i]!);
        // measured 0.3–2.7 levels on this harsh card (libvips pre-shrinks by whole factors with a box filter)
        expect(err / ours.length, `${size} ${fit}`).toBeLessThan(3.5);
      }
    }
  });

  it('the JS resampler is centre-aligned when enlarging (symmetric input, symmetric output)', () => {
    // (libvips' upsampling is offset by about half an output pixel; ours is not)
    const src = new Uint8Array(8 * 8);
    for (let y = 0; y < 8; y++) src.set([200, 200], y * 8 + 3);
    for (const size of [16, 11, 32]) {
      const out = resampleLanczos3(src, 8, 8, 1, size, 'fill');
      const row = Array.from(out.subarray(0, size));
      expect(row, String(size)).toEqual([...row].reverse());
      expect(Math.max(...row)).toBeGreaterThan(190);
    }
    // a 2×2 image enlarged: corners keep their values' order, edges repeat, nothing is NaN or out of range
    const tiny = resampleLanczos3(Uint8Array.from([0, 255, 255, 0]), 2, 2, 1, 5, 'fill');
    expect(tiny.length).toBe(25);
    expect(tiny[0]).toBeLessThan(60);
    expect(tiny[4]).toBeGreaterThan(195);
  });

  it('large records go through sharp (1-channel in, the right channels out)', async () => {
    const big = new Uint8Array(300 * 300);
    for (let i = 0; i < big.length; i++) big[i] = i % 300 < 150 ? 30 : 220;
    const grey = await decodeImage(raw(300, 300, 1, big), { size: 10, channels: 1, fit: 'fill' });
    expect(grey.length).toBe(100);
    expect(grey[0]).toBe(30);
    expect(grey[9]).toBe(220);
    const rgb = await decodeImage(raw(300, 300, 1, big), { size: 10, channels: 3, fit: 'fill' });
    expect(pixel(rgb, 10, 3, 9, 9)).toEqual([220, 220, 220]);
  });

  it('rejects a record of the wrong length', async () => {
    expect(
      await reasonOf(decodeImage(raw(28, 28, 1, new Uint8Array(700)), { size: 28, channels: 1, fit: 'fill' })),
    ).toBe('record has 700 bytes, expected 784 for 28×28×1');
  });
});

describe('decodeMany', () => {
  it('delivers results in order with bounded concurrency, errors in place', async () => {
    const n = 3000;
    const big = new Uint8Array(n * 16);
    for (let i = 0; i < n; i++) big.fill(i & 255, i * 16, i * 16 + 16);
    const payloads: Payload[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 500 === 7) payloads.push(file('empty.png'));
      else if (i % 500 === 9) payloads.push(file('rgb.png'));
      else payloads.push({ kind: 'raw', width: 4, height: 4, channels: 1, data: big.subarray(i * 16, i * 16 + 16) });
    }
    const seen: number[] = [];
    await decodeMany(
      payloads,
      { size: 4, channels: 1, fit: 'fill' },
      {
        concurrency: 3,
        onEach: (i, r) => {
          seen.push(i);
          if (i % 500 === 7) expect((r as DecodeError).reason).toBe('empty file (0 bytes)');
          else if (i % 500 === 9) expect(r).toBeInstanceOf(Uint8Array);
          else expect(Array.from(r as Uint8Array)).toEqual(new Array(16).fill(i & 255));
        },
      },
    );
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('lets the event loop run during long runs of raw images (cancel and progress stay responsive)', async () => {
    const digit = new Uint8Array(28 * 28).fill(9);
    const payloads: Payload[] = Array.from({ length: 6000 }, () => ({
      kind: 'raw',
      width: 28,
      height: 28,
      channels: 1,
      data: digit,
    }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    let done = 0;
    const t0 = performance.now();
    await decodeMany(payloads, { size: 32, channels: 1, fit: 'cover' }, { onEach: () => done++ });
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect(done).toBe(6000);
    if (ms > 100) expect(ticks).toBeGreaterThan(0);
    console.log(`decodeMany: 6,000 raw 28×28 -> 32×32 in ${ms.toFixed(0)} ms, ${ticks} timer ticks`);
  });

  it('stops starting images when the signal fires, and rejects when onEach throws', async () => {
    const payloads: Payload[] = Array.from({ length: 1000 }, () => ({
      kind: 'raw',
      width: 2,
      height: 2,
      channels: 1,
      data: new Uint8Array(4),
    }));
    const ac = new AbortController();
    let count = 0;
    await decodeMany(
      payloads,
      { size: 2, channels: 1, fit: 'fill' },
      {
        concurrency: 4,
        signal: ac.signal,
        onEach: () => {
          if (++count === 10) ac.abort();
        },
      },
    );
    expect(count).toBeGreaterThanOrEqual(10);
    expect(count).toBeLessThan(30);
    await expect(
      decodeMany(
        payloads,
        { size: 2, channels: 1, fit: 'fill' },
        {
          onEach: (i) => {
            if (i === 5) throw new Error('disk full');
          },
        },
      ),
    ).rejects.toThrow('disk full');
    let none = 0;
    await decodeMany([], RGB8, { onEach: () => none++ });
    expect(none).toBe(0);
  });
});
