/**
 * Small helpers shared by the format readers: path checks, abort checks, the source fingerprint, label
 * ordering, gzip by magic bytes, bounded-concurrency stat.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SourceError } from '../types.js';

/** Extensions of the encoded image files the decoder reads (lower case, with the dot). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.tif',
  '.tiff',
  '.gif',
  '.avif',
]);

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/** Throws an Error named 'AbortError' when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const e = new Error('The scan was cancelled.');
    e.name = 'AbortError';
    throw e;
  }
}

/** "EACCES: permission denied" from a Node fs error (its code and description, without the path). */
export function osReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  // Node's fs messages read "EACCES: permission denied, scandir '/x'": keep the part before the path.
  const m = /^([A-Z0-9_]+: [^,]+)/.exec(msg);
  if (m?.[1]) return m[1];
  return e?.code ? `${e.code}: ${msg}` : msg;
}

/** stat() that turns a missing path into a SourceError "… does not exist". */
export async function statSource(p: string): Promise<fs.Stats> {
  try {
    return await fs.promises.stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new SourceError(`${p} does not exist. Check the path, or choose the dataset's folder or file again.`);
    }
    throw new SourceError(`${p} cannot be read (${osReason(err)}).`);
  }
}

/** The names in a folder (hidden ones left out); a SourceError when it cannot be listed. */
export async function listNames(dir: string): Promise<string[]> {
  try {
    return (await fs.promises.readdir(dir)).filter((n) => !isHidden(n));
  } catch (err) {
    throw new SourceError(`${dir} cannot be read (${osReason(err)}).`);
  }
}

/** One file a reader read, for the fingerprint. */
export interface FileStamp {
  /** Path relative to the source root (or absolute for files outside it), '/'-separated. */
  rel: string;
  size: number;
  mtimeMs: number;
}

export function stampOf(rel: string, st: { size: number; mtimeMs: number }): FileStamp {
  return { rel, size: st.size, mtimeMs: st.mtimeMs };
}

/** sha256 hex over the sorted list of (relative path, size, mtimeMs) of the files read. */
export function fingerprint(files: readonly FileStamp[]): string {
  const sorted = [...files].sort((a, b) => compareStrings(a.rel, b.rel));
  const h = createHash('sha256');
  for (const f of sorted) h.update(`${f.rel}\0${f.size}\0${f.mtimeMs}\n`);
  return h.digest('hex');
}

/** Locale-independent comparison by UTF-16 code units (deterministic on every machine). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** True for labels such as '7', '-1', '0.5', '1e3'. */
export function isNumericLabel(s: string): boolean {
  return NUMERIC.test(s.trim());
}

/**
 * Order of class names: numeric-looking names numerically ('2' before '10'), before all other names, which
 * sort by code units. Ties between equal numbers ('1', '01') fall back to code units, so the order is total.
 */
export function compareLabels(a: string, b: string): number {
  const na = isNumericLabel(a);
  const nb = isNumericLabel(b);
  if (na && nb) {
    const d = Number(a) - Number(b);
    if (d !== 0) return d < 0 ? -1 : 1;
    return compareStrings(a, b);
  }
  if (na) return -1;
  if (nb) return 1;
  return compareStrings(a, b);
}

/** '/'-separated relative path (what reports show on every OS). */
export function toPosix(rel: string): string {
  return path.sep === '/' ? rel : rel.split(path.sep).join('/');
}

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** What a path is when it is not a regular file, in words (null for a regular file). */
export function notRegular(st: fs.Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Opens a file for reading only when it is a regular file: stat() first (opening a named pipe would wait for a
 * writer forever, and a few such waits fill libuv's thread pool), then open non-blocking and fstat() the handle,
 * so a file swapped for a pipe in between is refused too. Refusals name what the path is.
 */
export async function openRegular(file: string): Promise<{ fh: fs.promises.FileHandle; stat: fs.Stats }> {
  const refuse = (kind: string) =>
    new SourceError(
      `${file} is ${kind}, not a regular file: Winnow reads only regular files. Choose the dataset's files.`,
    );
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (err) {
    throw new SourceError(`${path.basename(file)} cannot be read (${osReason(err)}).`);
  }
  const kind = notRegular(st);
  if (kind) throw refuse(kind);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new SourceError(`${path.basename(file)} cannot be read (${osReason(err)}).`);
  }
  const fst = await fh.stat();
  const now = notRegular(fst);
  if (now) {
    await fh.close();
    throw refuse(now);
  }
  return { fh, stat: fst };
}

/** The whole of a regular file (see openRegular). */
export async function readRegularFile(file: string): Promise<{ data: Buffer; stat: fs.Stats }> {
  const { fh, stat } = await openRegular(file);
  try {
    return { data: await fh.readFile(), stat };
  } catch (err) {
    throw new SourceError(`${path.basename(file)} cannot be read (${osReason(err)}).`);
  } finally {
    await fh.close();
  }
}

/**
 * The file's bytes, gunzipped when they start with the gzip magic 1f 8b (whatever the name says), as a
 * plain Uint8Array (not a pooled Buffer) so views into it can travel as they are.
 *
 * `claimedBytes` reads the (decompressed) header and returns how many bytes the whole file says it holds; the
 * decompression streams and stops as soon as the output grows past that (a decompression bomb never gets further
 * than its own header's claim), and a claim beyond `maxBytes` is refused before anything is inflated.
 */
export async function readMaybeGzip(
  file: string,
  limits: { headerBytes: number; claimedBytes: (header: Uint8Array) => number; maxBytes?: number } | null = null,
): Promise<{ data: Uint8Array; gzipped: boolean; stat: fs.Stats }> {
  const { fh, stat } = await openRegular(file);
  const name = path.basename(file);
  try {
    const magic = new Uint8Array(2);
    await fh.read(magic, 0, 2, 0);
    if (!isGzip(magic)) {
      const raw = await fh.readFile();
      return { data: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), gzipped: false, stat };
    }
    const out = await gunzipBounded(fh, name, limits);
    return { data: out, gzipped: true, stat };
  } finally {
    await fh.close();
  }
}

async function gunzipBounded(
  fh: fs.promises.FileHandle,
  name: string,
  limits: { headerBytes: number; claimedBytes: (header: Uint8Array) => number; maxBytes?: number } | null,
): Promise<Uint8Array> {
  const max = limits?.maxBytes ?? 2 ** 32;
  const chunks: Buffer[] = [];
  let total = 0;
  let limit = max;
  const gunzip = zlib.createGunzip();
  const source = fh.createReadStream({ start: 0, autoClose: false });
  const damaged = (why: string) =>
    new SourceError(
      `${name} is gzip-compressed but could not be decompressed (${why}); the download may be incomplete: download it again.`,
    );
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const stop = (e: Error | null) => {
      if (settled) return;
      settled = true;
      source.unpipe(gunzip);
      source.destroy();
      gunzip.destroy();
      if (e) reject(e);
      else resolve();
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const before = total;
      total += chunk.length;
      if (limits && before < limits.headerBytes && total >= limits.headerBytes) {
        let claimed: number;
        try {
          claimed = limits.claimedBytes(new Uint8Array(Buffer.concat(chunks, total).subarray(0, limits.headerBytes)));
        } catch (e) {
          stop(e as Error);
          return;
        }
        if (claimed > max) {
          stop(
            new SourceError(
              `${name} says it holds ${claimed.toLocaleString('en')} bytes, more than Winnow imports from one file (${max.toLocaleString('en')}); it is damaged or not a dataset.`,
            ),
          );
          return;
        }
        limit = claimed;
      }
      if (total > limit) {
        stop(
          new SourceError(
            `${name} decompresses to more than the ${limit.toLocaleString('en')} bytes its header announces (a damaged file or a decompression bomb); it was not unpacked further. Download it again.`,
          ),
        );
      }
    });
    gunzip.on('end', () => stop(null));
    gunzip.on('error', (err) => stop(damaged(err.message)));
    source.on('error', (err) => stop(new SourceError(`${name} cannot be read (${osReason(err)}).`)));
    source.pipe(gunzip);
  });
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Decompresses the beginning of a gzip stream (enough to read a header), tolerating the cut-off end. */
export function gunzipPrefix(buf: Uint8Array): Uint8Array {
  try {
    return zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    return new Uint8Array(0);
  }
}

/** Reads at most `n` bytes from the start of a file. */
export async function readHead(file: string, n: number): Promise<Uint8Array> {
  const { fh } = await openRegular(file);
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** What a scan keeps of a file's stat (small: 70,000 fs.Stats with their Dates cost more in GC than the calls). */
export interface FileInfo {
  size: number;
  mtimeMs: number;
  isFile: boolean;
  isDirectory: boolean;
  /** From the mode bits, see readableByMode. */
  readable: boolean;
}

const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
const gids: ReadonlySet<number> =
  typeof process.getgroups === 'function' && typeof process.getegid === 'function'
    ? new Set([process.getegid(), ...process.getgroups()])
    : new Set();

/**
 * Whether this process may read a file, from its mode bits (an access() call per file would double the cost
 * of a scan; ACLs are not consulted, the decoder reports what remains). Always true on Windows and for root.
 */
export function readableByMode(st: { uid: number; gid: number; mode: number }): boolean {
  if (uid < 0 || uid === 0) return true;
  if (st.uid === uid) return (st.mode & 0o400) !== 0;
  if (gids.has(st.gid)) return (st.mode & 0o040) !== 0;
  return (st.mode & 0o004) !== 0;
}

export function infoOf(st: fs.Stats): FileInfo {
  return {
    size: st.size,
    mtimeMs: st.mtimeMs,
    isFile: st.isFile(),
    isDirectory: st.isDirectory(),
    readable: readableByMode(st),
  };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * stat() of many files, in chunks of synchronous calls with a turn of the event loop between chunks:
 * several times faster than one async stat per file (no thread-pool round trip) while staying responsive.
 * Each result is the file's info or the error.
 */
export async function statMany(
  paths: readonly string[],
  signal?: AbortSignal,
  chunk = 1024,
): Promise<Array<FileInfo | NodeJS.ErrnoException>> {
  const out = new Array<FileInfo | NodeJS.ErrnoException>(paths.length);
  for (let start = 0; start < paths.length; start += chunk) {
    throwIfAborted(signal);
    const end = Math.min(paths.length, start + chunk);
    for (let i = start; i < end; i++) {
      try {
        out[i] = infoOf(fs.statSync(paths[i]!));
      } catch (err) {
        out[i] = err as NodeJS.ErrnoException;
      }
    }
    if (end < paths.length) await yieldToLoop();
  }
  return out;
}

export const NOT_READABLE = 'EACCES: permission denied';

export function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

/** A name with its non-ASCII characters spelled out, so two names that look the same can be told apart. */
export function spellOut(name: string): string {
  return [...name]
    .map((ch) =>
      ch.charCodeAt(0) < 128 ? ch : `<U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`,
    )
    .join('');
}
