/**
 * CIFAR binary version. CIFAR-10: `data_batch_1.bin`..`data_batch_5.bin` + `test_batch.bin`, records of
 * 1 label byte + 3072 pixel bytes (R, G, B planes of 32×32: CHW). CIFAR-100: `train.bin` + `test.bin`, records
 * of a coarse byte, a fine byte and 3072 pixel bytes. A folder (or the folder holding the unpacked
 * `cifar-10-batches-bin/` / `cifar-100-binary/`) or a single .bin file.
 *
 * Each file is read once and transposed CHW -> HWC in one pass into one new buffer; items are views into it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Split } from '../../../shared/datasets.js';
import type { FormatReader, ReaderOptions, SourceItem, SourceScan } from '../types.js';
import { SourceError } from '../types.js';
import {
  fingerprint,
  listNames,
  osReason,
  readRegularFile,
  stampOf,
  statSource,
  throwIfAborted,
  type FileStamp,
} from './util.js';

export const CIFAR_SIDE = 32;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * 3;
export const CIFAR10_RECORD = 1 + CIFAR_PIXELS;
export const CIFAR100_RECORD = 2 + CIFAR_PIXELS;
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const CIFAR10_SUBDIR = 'cifar-10-batches-bin';
export const CIFAR100_SUBDIR = 'cifar-100-binary';

/**
 * CHW records -> HWC pixels, in one pass over the whole file: record r's pixels land at r*3072 in the
 * returned buffer. `header` is the number of label bytes before each record's pixels.
 */
export function cifarToHwc(buf: Uint8Array, n: number, record: number, header: number): Uint8Array {
  const out = new Uint8Array(n * CIFAR_PIXELS);
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  for (let r = 0; r < n; r++) {
    const b = r * record + header;
    let o = r * CIFAR_PIXELS;
    for (let p = 0; p < plane; p++) {
      out[o] = buf[b + p]!;
      out[o + 1] = buf[b + plane + p]!;
      out[o + 2] = buf[b + 2 * plane + p]!;
      o += 3;
    }
  }
  return out;
}

interface Variant {
  format: 'cifar10' | 'cifar100';
  title: string;
  record: number;
  subdir: string;
  /** Files of a folder, in order, with their split. */
  filesIn(names: string[]): { files: Array<{ name: string; split: Split }>; warnings: string[] };
  expectedFiles: string;
}

const CIFAR10: Variant = {
  format: 'cifar10',
  title: 'CIFAR-10',
  record: CIFAR10_RECORD,
  subdir: CIFAR10_SUBDIR,
  expectedFiles: 'data_batch_1.bin … data_batch_5.bin and test_batch.bin',
  filesIn(names) {
    const batches = names
      .map((n) => ({ n, m: /^data_batch_(\d+)\.bin$/.exec(n) }))
      .filter((x) => x.m)
      .map((x) => ({ name: x.n, k: Number(x.m![1]) }))
      .sort((a, b) => a.k - b.k);
    const warnings: string[] = [];
    const files: Array<{ name: string; split: Split }> = batches.map((b) => ({ name: b.name, split: 'train' }));
    if (batches.length) {
      const missing = [1, 2, 3, 4, 5].filter((k) => !batches.some((b) => b.k === k)).map((k) => `data_batch_${k}.bin`);
      if (missing.length)
        warnings.push(
          `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: importing ${batches.length} of the 5 training batches.`,
        );
    }
    if (names.includes('test_batch.bin')) files.push({ name: 'test_batch.bin', split: 'test' });
    return { files, warnings };
  },
};

const CIFAR100: Variant = {
  format: 'cifar100',
  title: 'CIFAR-100',
  record: CIFAR100_RECORD,
  subdir: CIFAR100_SUBDIR,
  expectedFiles: 'train.bin and test.bin',
  filesIn(names) {
    const files: Array<{ name: string; split: Split }> = [];
    if (names.includes('train.bin')) files.push({ name: 'train.bin', split: 'train' });
    if (names.includes('test.bin')) files.push({ name: 'test.bin', split: 'test' });
    return { files, warnings: [] };
  },
};

/** Class names from a text file beside the data (one a line, empty lines skipped), or defaults. */
async function namesFrom(
  dir: string,
  file: string,
  count: number,
  defaults: string[],
  warnings: string[],
  stamps: FileStamp[],
): Promise<string[]> {
  const p = path.join(dir, file);
  let text: string;
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(p);
    if (!st.isFile()) return defaults; // a pipe or device named like the label file is not read
    text = (await readRegularFile(p)).data.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      warnings.push(`${file} cannot be read (${osReason(err)}); using default class names.`);
    return defaults;
  }
  stamps.push(stampOf(file, st));
  const names = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n|\r/)
    .map((l) => l.trim().normalize('NFC'))
    .filter((l) => l.length > 0);
  if (names.length !== count) {
    warnings.push(`${file} lists ${names.length} class names, expected ${count}; using default class names.`);
    return defaults;
  }
  if (new Set(names).size !== names.length) {
    warnings.push(`${file} repeats a class name; using default class names.`);
    return defaults;
  }
  return names;
}

async function readCifar(v: Variant, p: string, options: ReaderOptions): Promise<SourceScan> {
  let root = path.resolve(p);
  const st = await statSource(root);
  const warnings: string[] = [];
  let dir: string;
  let files: Array<{ name: string; split: Split | undefined }>;
  if (st.isDirectory()) {
    let names = await listNames(root);
    let found = v.filesIn(names);
    if (found.files.length === 0 && names.includes(v.subdir)) {
      // The folder the archive was unpacked in: read the data folder inside it.
      root = path.join(root, v.subdir);
      names = await listNames(root);
      found = v.filesIn(names);
    }
    if (found.files.length === 0)
      throw new SourceError(`${root} holds no ${v.title} binary files: expected ${v.expectedFiles}.`);
    dir = root;
    warnings.push(...found.warnings);
    const splits = new Set(found.files.map((f) => f.split));
    const own = splits.has('train') && splits.has('test');
    if (!own) {
      warnings.push(
        splits.has('train')
          ? `No ${v.format === 'cifar10' ? 'test_batch.bin' : 'test.bin'}: a test split will be held out from the training files.`
          : 'No training files: the test file is split into train and test.',
      );
    }
    files = found.files.map((f) => ({ name: f.name, split: own ? f.split : undefined }));
  } else {
    dir = path.dirname(root);
    files = [{ name: path.basename(root), split: undefined }];
  }
  const hasOwnSplit = files.some((f) => f.split === 'train') && files.some((f) => f.split === 'test');

  const stamps: FileStamp[] = [];
  let classes: string[];
  let labelByte: number;
  if (v.format === 'cifar10') {
    classes = await namesFrom(dir, 'batches.meta.txt', 10, CIFAR10_CLASSES, warnings, stamps);
    labelByte = 0;
  } else {
    const coarse = options.cifar100Labels === 'coarse';
    const count = coarse ? 20 : 100;
    const kind = coarse ? 'coarse' : 'fine';
    const defaults = Array.from({ length: count }, (_, i) => `${kind}_${i}`);
    classes = await namesFrom(dir, `${kind}_label_names.txt`, count, defaults, warnings, stamps);
    labelByte = coarse ? 0 : 1;
  }
  const header = v.record - CIFAR_PIXELS;

  const items: SourceItem[] = [];
  for (const f of files) {
    throwIfAborted(options.signal);
    const file = path.join(dir, f.name);
    let buf: Buffer;
    let fst: fs.Stats;
    try {
      ({ data: buf, stat: fst } = await readRegularFile(file));
    } catch (err) {
      throw err instanceof SourceError ? err : new SourceError(`${f.name} cannot be read (${osReason(err)}).`);
    }
    stamps.push(stampOf(f.name, fst));
    if (buf.length === 0)
      throw new SourceError(`${f.name} is empty (0 bytes); download the ${v.title} binary version again.`);
    if (buf.length % v.record !== 0) {
      throw new SourceError(
        `${f.name} is ${buf.length} bytes, not a multiple of ${v.record} (${v.title} record). It may be truncated or another format; download the ${v.title} binary version again.`,
      );
    }
    const n = buf.length / v.record;
    for (let r = 0; r < n; r++) {
      const label = buf[r * v.record + labelByte]!;
      if (label >= classes.length) {
        const other = v.format === 'cifar10' ? ' Is this a CIFAR-100 file?' : '';
        throw new SourceError(
          `${f.name} record ${r} has label ${label}, but ${v.title} ${v.format === 'cifar100' ? `${labelByte ? 'fine' : 'coarse'} ` : ''}labels are 0 to ${classes.length - 1}.${other}`,
        );
      }
    }
    const pixels = cifarToHwc(buf, n, v.record, header);
    for (let r = 0; r < n; r++) {
      const it: SourceItem = {
        source: `${f.name}#${r}`,
        label: buf[r * v.record + labelByte]!,
        payload: {
          kind: 'raw',
          width: CIFAR_SIDE,
          height: CIFAR_SIDE,
          channels: 3,
          data: pixels.subarray(r * CIFAR_PIXELS, (r + 1) * CIFAR_PIXELS),
        },
      };
      if (f.split) it.split = f.split;
      items.push(it);
    }
  }

  return {
    format: v.format,
    root,
    classes,
    items,
    rejected: [],
    warnings,
    hasOwnSplit,
    native: { width: CIFAR_SIDE, height: CIFAR_SIDE, channels: 3 },
    fingerprint: fingerprint(stamps),
  };
}

export const readCifar10: FormatReader = (p, options) => readCifar(CIFAR10, p, options);
export const readCifar100: FormatReader = (p, options) => readCifar(CIFAR100, p, options);
