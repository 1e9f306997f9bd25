/**
 * Just enough of the ZIP format to take a few members out of an archive without unpacking all of it (a TensorFlow
 * wheel is ~270 MB packed, ~1 GB unpacked, of which the native engine needs two libraries and the C headers; a
 * `.winnow-model.zip` is read the same way): the central directory (with ZIP64 sizes and offsets), stored and
 * deflated members, streamed.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

export class ZipFormatError extends Error {
  constructor(file: string, what: string) {
    super(`${file} is not a readable zip file: ${what}.`);
    this.name = 'ZipFormatError';
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = fs.readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

/** The members of a zip file, from its central directory. */
export function listZip(file: string): ZipEntry[] {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    // the end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = readAt(fd, size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipFormatError(file, 'no end-of-central-directory record');
    let count = tail.readUInt16LE(eocd + 10);
    let dirSize = tail.readUInt32LE(eocd + 12);
    let dirOffset = tail.readUInt32LE(eocd + 16);
    const locator = eocd - 20;
    if (locator >= 0 && tail.readUInt32LE(locator) === ZIP64_LOCATOR_SIGNATURE) {
      const zip64At = Number(tail.readBigUInt64LE(locator + 8));
      const rec = readAt(fd, zip64At, 56);
      if (rec.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw new ZipFormatError(file, 'a broken ZIP64 record');
      count = Number(rec.readBigUInt64LE(32));
      dirSize = Number(rec.readBigUInt64LE(40));
      dirOffset = Number(rec.readBigUInt64LE(48));
    }
    const dir = readAt(fd, dirOffset, dirSize);
    if (dir.length !== dirSize) throw new ZipFormatError(file, 'the central directory is cut short');
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_SIGNATURE)
        throw new ZipFormatError(file, `central directory entry ${i} is damaged`);
      const method = dir.readUInt16LE(p + 10);
      let compressedSize = dir.readUInt32LE(p + 20);
      let uncompressed = dir.readUInt32LE(p + 24);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      let localHeaderOffset = dir.readUInt32LE(p + 42);
      const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
      // ZIP64 extra field (id 1): the 64-bit values of whichever 32-bit fields are 0xFFFFFFFF, in this order
      let e = p + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = dir.readUInt16LE(e);
        const len = dir.readUInt16LE(e + 2);
        if (id === 1) {
          let q = e + 4;
          if (uncompressed === 0xffffffff) {
            uncompressed = Number(dir.readBigUInt64LE(q));
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(dir.readBigUInt64LE(q));
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(dir.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      entries.push({ name, method, compressedSize, size: uncompressed, localHeaderOffset });
      p = extraEnd + commentLength;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes one member to `dest`, streaming (a 788 MB library never sits in memory). */
export async function extractEntry(file: string, entry: ZipEntry, dest: string): Promise<void> {
  const fd = fs.openSync(file, 'r');
  let dataStart: number;
  try {
    const header = readAt(fd, entry.localHeaderOffset, 30);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE)
      throw new ZipFormatError(file, `the header of ${entry.name} is damaged`);
    dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    fs.closeSync(fd);
  }
  if (entry.method !== STORED && entry.method !== DEFLATED)
    throw new ZipFormatError(file, `${entry.name} uses compression method ${entry.method}`);
  const source = fs.createReadStream(file, {
    start: dataStart,
    end: dataStart + entry.compressedSize - 1,
    highWaterMark: 1 << 20,
  });
  const sink = fs.createWriteStream(dest);
  if (entry.method === STORED) await pipeline(source, sink);
  else await pipeline(source, zlib.createInflateRaw(), sink);
  const written = fs.statSync(dest).size;
  if (written !== entry.size)
    throw new ZipFormatError(file, `${entry.name} unpacked to ${written} bytes, expected ${entry.size}`);
}
