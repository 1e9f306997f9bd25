/**
 * IDX files (MNIST, Fashion-MNIST, KMNIST, EMNIST): `train-images-idx3-ubyte[.gz]` + `train-labels-idx1-ubyte[.gz]`
 * and the `t10k-` pair, in a folder, or one images (or labels) file whose partner sits beside it.
 * gzip is recognised by its magic bytes, not the name. Items are views into the (decompressed) file buffer.
 */
import path from 'node:path';
import type { Split } from '../../../shared/datasets.js';
import type { FormatReader, ReaderOptions, SourceItem, SourceScan } from '../types.js';
import { SourceError } from '../types.js';
import {
  listNames,
  compareStrings,
  fingerprint,
  gunzipPrefix,
  hex32,
  isGzip,
  readHead,
  readMaybeGzip,
  stampOf,
  statSource,
  throwIfAborted,
  type FileStamp,
} from './util.js';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
const HEADER_IMAGES = 16;
const HEADER_LABELS = 8;
/** Rows or columns beyond this are not images a person stores as IDX; the header is corrupt. */
const MAX_SIDE = 16384;

/**
 * The parts of an IDX file name: `emnist-letters-train-images-idx3-ubyte.gz` ->
 * {prefix: 'emnist-letters-', part: 'train', kind: 'images'}. Dots and dashes are interchangeable
 * (`train-images.idx3-ubyte`), `.gz` is optional, case is ignored.
 */
export function parseIdxName(
  name: string,
): { prefix: string; part: 'train' | 'test'; kind: 'images' | 'labels' } | null {
  const base = name.toLowerCase().replace(/\.gz$/, '').replace(/[._]/g, '-');
  const m = /^(.*?)(train|t10k|test)-(images|labels)-idx([13])-ubyte$/.exec(base);
  if (!m) return null;
  const kind = m[3] as 'images' | 'labels';
  if ((kind === 'images') !== (m[4] === '3')) return null;
  return { prefix: m[1]!, part: m[2] === 'train' ? 'train' : 'test', kind };
}

export function isIdxName(name: string): boolean {
  return parseIdxName(name) !== null;
}

/** True when the bytes start like an IDX file: two zero bytes, a known data type, 1 to 4 dimensions. */
export function hasIdxMagic(head: Uint8Array): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0 &&
    head[1] === 0 &&
    [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e].includes(head[2]!) &&
    head[3]! >= 1 &&
    head[3]! <= 4
  );
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

interface IdxImages {
  n: number;
  rows: number;
  cols: number;
  /** n*rows*cols pixel bytes, a view. */
  pixels: Uint8Array;
}

function checkImagesMagic(name: string, b: Uint8Array): void {
  const magic = u32(b, 0);
  if (magic !== IDX_IMAGES_MAGIC) {
    const hint = magic === IDX_LABELS_MAGIC ? ' It is a labels file: choose the images file.' : '';
    throw new SourceError(
      `${name} is not an IDX images file (magic ${hex32(magic)}, expected ${hex32(IDX_IMAGES_MAGIC)}).${hint}`,
    );
  }
}

/** The image count and size an IDX images header announces (magic and dimensions checked). */
function imagesHeader(name: string, b: Uint8Array): { n: number; rows: number; cols: number } {
  checkImagesMagic(name, b);
  const rows = u32(b, 8);
  const cols = u32(b, 12);
  if (rows < 1 || cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE) {
    throw new SourceError(
      `${name} has invalid image dimensions ${rows}×${cols} in its header; the file is damaged: download it again.`,
    );
  }
  return { n: u32(b, 4), rows, cols };
}

/** The label count an IDX labels header announces (magic checked). */
function labelsHeader(name: string, b: Uint8Array): number {
  const magic = u32(b, 0);
  if (magic !== IDX_LABELS_MAGIC)
    throw new SourceError(
      `${name} is not an IDX labels file (magic ${hex32(magic)}, expected ${hex32(IDX_LABELS_MAGIC)}).`,
    );
  return u32(b, 4);
}

/** Validates and parses an IDX images file's bytes; `name` is what error messages call the file. */
export function parseIdxImages(name: string, b: Uint8Array): IdxImages {
  if (b.length < 4) throw new SourceError(`${name} is ${b.length} bytes, too short to be an IDX images file.`);
  checkImagesMagic(name, b);
  if (b.length < HEADER_IMAGES)
    throw new SourceError(`${name} is ${b.length} bytes, too short for an IDX images header (${HEADER_IMAGES} bytes).`);
  const { n, rows, cols } = imagesHeader(name, b);
  const expected = n * rows * cols;
  const actual = b.length - HEADER_IMAGES;
  if (actual !== expected) {
    const what = actual < expected ? 'is truncated' : 'has extra bytes';
    throw new SourceError(
      `${name} ${what}: expected ${expected} bytes of pixels (${n} images of ${rows}×${cols}) after the header, found ${actual}. Download it again.`,
    );
  }
  return { n, rows, cols, pixels: b.subarray(HEADER_IMAGES) };
}

/** Validates and parses an IDX labels file's bytes. */
export function parseIdxLabels(name: string, b: Uint8Array): Uint8Array {
  if (b.length < 4) throw new SourceError(`${name} is ${b.length} bytes, too short to be an IDX labels file.`);
  const magic = u32(b, 0);
  if (magic !== IDX_LABELS_MAGIC) {
    throw new SourceError(
      `${name} is not an IDX labels file (magic ${hex32(magic)}, expected ${hex32(IDX_LABELS_MAGIC)}).`,
    );
  }
  if (b.length < HEADER_LABELS)
    throw new SourceError(`${name} is ${b.length} bytes, too short for an IDX labels header (${HEADER_LABELS} bytes).`);
  const n = u32(b, 4);
  const actual = b.length - HEADER_LABELS;
  if (actual !== n) {
    const what = actual < n ? 'is truncated' : 'has extra bytes';
    throw new SourceError(
      `${name} ${what}: expected ${n} bytes of labels after the header, found ${actual}. Download it again.`,
    );
  }
  return b.subarray(HEADER_LABELS);
}

interface Pair {
  part: 'train' | 'test';
  images: string;
  labels: string;
}

/** Prefers `x` over `x.gz` when a folder holds both (an unpacked download next to its archive). */
function pickOne(names: string[]): string {
  return [...names].sort(
    (a, b) => Number(a.toLowerCase().endsWith('.gz')) - Number(b.toLowerCase().endsWith('.gz')) || compareStrings(a, b),
  )[0]!;
}

/** Finds the train/t10k pairs in a folder. */
function pairsInFolder(dir: string, names: string[]): Pair[] {
  const groups = new Map<string, Map<string, string[]>>();
  for (const name of names) {
    const p = parseIdxName(name);
    if (!p) continue;
    const g = groups.get(p.prefix) ?? new Map<string, string[]>();
    groups.set(p.prefix, g);
    const key = `${p.part}-${p.kind}`;
    g.set(key, [...(g.get(key) ?? []), name]);
  }
  if (groups.size === 0) {
    throw new SourceError(
      `${dir} holds no IDX files: expected train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may end in .gz).`,
    );
  }
  // Several data sets in one folder (EMNIST ships six): keep those with images, and ask for one if several remain.
  const withImages = [...groups.entries()].filter(([, g]) => g.has('train-images') || g.has('test-images'));
  if (withImages.length === 0)
    throw new SourceError(`${dir} holds IDX labels files but no images file (…-images-idx3-ubyte).`);
  if (withImages.length > 1) {
    const list = withImages.map(([prefix]) => `${prefix}train-images-idx3-ubyte`).join(', ');
    throw new SourceError(
      `${dir} holds several IDX data sets (${list}): choose one images file instead of the folder.`,
    );
  }
  const g = withImages[0]![1];
  const pairs: Pair[] = [];
  for (const part of ['train', 'test'] as const) {
    const imgs = g.get(`${part}-images`);
    const labs = g.get(`${part}-labels`);
    if (!imgs && !labs) continue;
    if (!imgs) throw new SourceError(`${dir} has ${pickOne(labs!)} but no matching images file.`);
    if (!labs)
      throw new SourceError(
        `${dir} has ${pickOne(imgs)} but no matching labels file (${expectedLabelsName(pickOne(imgs))}).`,
      );
    pairs.push({ part, images: path.join(dir, pickOne(imgs)), labels: path.join(dir, pickOne(labs)) });
  }
  return pairs;
}

function expectedLabelsName(imagesName: string): string {
  return imagesName
    .replace(/images/i, 'labels')
    .replace(/idx3/i, 'idx1')
    .replace(/imgs/i, 'labels');
}

function expectedImagesName(labelsName: string): string {
  return labelsName.replace(/labels/i, 'images').replace(/idx1/i, 'idx3');
}

/** The partner of a single file given by the user, found beside it by name (dots, dashes, .gz ignored). */
function partnerBeside(file: string, names: string[], isImages: boolean): string {
  const base = path.basename(file);
  const wanted = isImages ? expectedLabelsName(base) : expectedImagesName(base);
  const norm = (s: string): string => s.toLowerCase().replace(/\.gz$/, '').replace(/[._]/g, '-');
  const hits = names.filter((n) => n !== base && norm(n) === norm(wanted));
  if (hits.length === 0) {
    throw new SourceError(
      `No ${isImages ? 'labels' : 'images'} file beside ${base}: expected ${wanted} (or .gz) in ${path.dirname(file)}.`,
    );
  }
  return path.join(path.dirname(file), pickOne(hits));
}

export const readIdx: FormatReader = async (p: string, options: ReaderOptions): Promise<SourceScan> => {
  const root = path.resolve(p);
  const st = await statSource(root);
  const warnings: string[] = [];
  let pairs: Pair[];
  let baseDir: string;
  if (st.isDirectory()) {
    baseDir = root;
    const names = await listNames(root);
    pairs = pairsInFolder(root, names);
    const parts = new Set(pairs.map((x) => x.part));
    if (!parts.has('train'))
      warnings.push('No train-images/train-labels files were found; the test files are split into train and test.');
    else if (!parts.has('test'))
      warnings.push(
        'No t10k-images/t10k-labels files were found; a test split will be held out from the training files.',
      );
  } else {
    baseDir = path.dirname(root);
    const names = await listNames(baseDir);
    // Which kind the user chose: from its magic (read below) when the name does not say.
    const parsed = parseIdxName(path.basename(root));
    let isImages: boolean;
    if (parsed) isImages = parsed.kind === 'images';
    else {
      let head = await readHead(root, 64);
      if (isGzip(head)) head = gunzipPrefix(await readHead(root, 4096));
      const magic = head.length >= 4 ? u32(head, 0) : 0;
      isImages = magic !== IDX_LABELS_MAGIC;
    }
    const partner = partnerBeside(root, names, isImages);
    const part = parsed?.part ?? 'train';
    pairs = [{ part, images: isImages ? root : partner, labels: isImages ? partner : root }];
  }
  const hasOwnSplit = pairs.length === 2;

  const stamps: FileStamp[] = [];
  const loaded: Array<{ part: Split; imagesName: string; img: IdxImages; labels: Uint8Array }> = [];
  for (const pair of pairs) {
    throwIfAborted(options.signal);
    const imagesName = path.basename(pair.images);
    const labelsName = path.basename(pair.labels);
    // labels first (small): the images file's header must then announce as many images, so a compressed images file
    // is inflated only up to what its header claims, and only when that claim is consistent
    const labFile = await readMaybeGzip(pair.labels, {
      headerBytes: HEADER_LABELS,
      claimedBytes: (h) => HEADER_LABELS + labelsHeader(labelsName, h),
    });
    const labels = parseIdxLabels(labelsName, labFile.data);
    const mismatch = (n: number) =>
      new SourceError(
        `${imagesName} holds ${n} images but ${labelsName} holds ${labels.length} labels; they must match. Check that both files belong to the same data set.`,
      );
    const imgFile = await readMaybeGzip(pair.images, {
      headerBytes: HEADER_IMAGES,
      claimedBytes: (h) => {
        const { n, rows, cols } = imagesHeader(imagesName, h);
        if (n !== labels.length) throw mismatch(n);
        return HEADER_IMAGES + n * rows * cols;
      },
    });
    stamps.push(stampOf(path.relative(baseDir, pair.images).split(path.sep).join('/'), imgFile.stat));
    stamps.push(stampOf(path.relative(baseDir, pair.labels).split(path.sep).join('/'), labFile.stat));
    const img = parseIdxImages(imagesName, imgFile.data);
    if (labels.length !== img.n) throw mismatch(img.n);
    loaded.push({ part: pair.part, imagesName, img, labels });
  }
  const first = loaded[0]!.img;
  for (const l of loaded) {
    if (l.img.rows !== first.rows || l.img.cols !== first.cols) {
      throw new SourceError(
        `${loaded[0]!.imagesName} holds ${first.rows}×${first.cols} images but ${l.imagesName} holds ${l.img.rows}×${l.img.cols}; all images must have one size.`,
      );
    }
  }

  // Classes: the distinct label values, in numeric order.
  const present = new Uint8Array(256);
  for (const l of loaded) for (let i = 0; i < l.labels.length; i++) present[l.labels[i]!] = 1;
  const values: number[] = [];
  for (let v = 0; v < 256; v++) if (present[v]) values.push(v);
  const indexOf = new Int32Array(256).fill(-1);
  values.forEach((v, i) => (indexOf[v] = i));

  const items: SourceItem[] = [];
  for (const l of loaded) {
    const size = l.img.rows * l.img.cols;
    const { pixels, rows, cols } = l.img;
    for (let i = 0; i < l.img.n; i++) {
      const it: SourceItem = {
        source: `${l.imagesName}#${i}`,
        label: indexOf[l.labels[i]!]!,
        payload: {
          kind: 'raw',
          width: cols,
          height: rows,
          channels: 1,
          data: pixels.subarray(i * size, (i + 1) * size),
        },
      };
      if (hasOwnSplit) it.split = l.part;
      items.push(it);
    }
  }
  if (values.length === 1) warnings.push(`Every label is ${values[0]}: only one class; a search needs at least two.`);

  return {
    format: 'idx',
    root,
    classes: values.map(String),
    items,
    rejected: [],
    warnings,
    hasOwnSplit,
    native: { width: first.cols, height: first.rows, channels: 1 },
    fingerprint: fingerprint(stamps),
  };
};
