/**
 * Shared setup for the image decoder tests: the fixture images (generated with sharp, or by hand for the broken
 * ones, into a temporary folder) and the checks on decoded pixels.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, expect } from 'vitest';
import { DecodeError, type DecodeOptions, type Payload } from '../../main/data/types.js';
import { tempDir } from './tmp.js';

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];

/** An image of width × height × channels (raw, for sharp) whose pixel (x, y) is `paint(x, y)`; null leaves it 0. */
function painted(
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  paint: (x: number, y: number) => readonly number[] | null,
): ReturnType<typeof sharp> {
  const pixels = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = paint(x, y);
      if (p) pixels.set(p, (y * width + x) * channels);
    }
  return sharp(pixels, { raw: { width, height, channels } });
}

export const RGB8: DecodeOptions = { size: 8, channels: 3, fit: 'fill' };
export const GREY8: DecodeOptions = { size: 8, channels: 1, fit: 'fill' };

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

export async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).reason;
  }
  throw new Error('expected a DecodeError');
}

export function pixel(data: Uint8Array, size: number, channels: number, x: number, y: number): number[] {
  const o = (y * size + x) * channels;
  return Array.from(data.subarray(o, o + channels));
}

/** Equal within a few levels (lanczos3 rings a little next to hard edges). */
export function expectNear(actual: number[], expected: number[], tolerance = 6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) =>
    expect(Math.abs(v - expected[i]!), `${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`).toBeLessThanOrEqual(
      tolerance,
    ),
  );
}

/** A temporary folder holding every fixture image the decoder tests read. */
export async function decodeFixtures(): Promise<{ dir: string; cleanup: () => void }> {
  const { dir, cleanup } = tempDir('winnow-decode-');
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
  w(
    'palette.png',
    await painted(16, 16, 3, (x) => (x < 8 ? RED : BLUE))
      .png({ palette: true, colours: 4, dither: 0 })
      .toBuffer(),
  );
  // RGBA: transparent everywhere except an opaque red square in the middle
  const inSquare = (v: number) => v >= 4 && v < 12;
  w(
    'alpha.png',
    await painted(16, 16, 4, (x, y) => (inSquare(x) && inSquare(y) ? [...RED, 255] : null))
      .png()
      .toBuffer(),
  );
  // white strokes on a fully transparent (black) background: the whole image must come out white
  const strokes = painted(16, 16, 4, (_, y) => (y % 4 === 0 ? [255, 255, 255, 255] : null));
  w('white-on-transparent.png', await strokes.png().toBuffer());
  // grey + alpha: grey 100, half transparent left
  const greyAlpha = painted(16, 16, 2, (x) => [100, x < 8 ? 0 : 255]);
  w('grey-alpha.png', await greyAlpha.toColourspace('b-w').png().toBuffer());
  const grey = () => painted(16, 16, 1, () => [77]).toColourspace('b-w');
  w('grey.png', await grey().png().toBuffer());
  w('grey.jpg', await grey().jpeg({ quality: 100 }).toBuffer());
  // non-square 64×32: green for x < 16, red for 16 <= x < 32, blue for x >= 32
  w(
    'wide.png',
    await painted(64, 32, 3, (x) => (x < 16 ? GREEN : x < 32 ? RED : BLUE))
      .png()
      .toBuffer(),
  );
  // 40 wide × 20 high, top half red, bottom half blue, EXIF orientation 6 (display rotated 90° clockwise)
  w(
    'exif6.jpg',
    await painted(40, 20, 3, (_, y) => (y < 10 ? RED : BLUE))
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
  return { dir, cleanup };
}

/** Makes the fixtures before the calling file's tests and removes them after; returns a file payload by fixture name. */
export function useDecodeFixtures(): (name: string) => Payload {
  let fixtures = { dir: '', cleanup: (): void => {} };
  beforeAll(async () => {
    fixtures = await decodeFixtures();
  });
  afterAll(() => fixtures.cleanup());
  return (name) => ({ kind: 'file', path: path.join(fixtures.dir, name) });
}
