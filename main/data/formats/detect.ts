/**
 * Which format a path holds, from names, sizes and magic bytes only (nothing is decoded, big files are not
 * read). The readers then validate the content.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetFormat } from '../../../shared/datasets.js';
import { SourceError } from '../types.js';
import { CIFAR100_RECORD, CIFAR100_SUBDIR, CIFAR10_RECORD, CIFAR10_SUBDIR } from './cifar.js';
import { EXPECTED_FOLDER_LAYOUT } from './folder.js';
import { hasIdxMagic, parseIdxName } from './idx.js';
import { gunzipPrefix, isGzip, isHidden, isImageName, osReason, readHead, statSource } from './util.js';

export interface Detection {
  format: DatasetFormat;
  /** Why, in words ("found train-images-idx3-ubyte.gz and 3 more IDX files"). */
  reason: string;
}

export const SUPPORTED_LAYOUTS =
  'Winnow reads: a folder with one subfolder of images per class (optionally inside train/ and test/); ' +
  'a folder of IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…, optionally .gz) or one IDX images file; ' +
  'the CIFAR-10 binary version (data_batch_1.bin … test_batch.bin) or CIFAR-100 binary version (train.bin, test.bin), as a folder or one .bin file; ' +
  'a CSV manifest with a header row path,label[,group][,split].';

async function startsWithIdxMagic(file: string): Promise<boolean> {
  try {
    let head = await readHead(file, 16);
    if (isGzip(head)) head = gunzipPrefix(await readHead(file, 4096));
    return hasIdxMagic(head);
  } catch {
    return false;
  }
}

async function detectFile(p: string, size: number): Promise<Detection> {
  const name = path.basename(p);
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return { format: 'csv', reason: `${name} is a CSV manifest` };
  if (await startsWithIdxMagic(p)) return { format: 'idx', reason: `${name} starts with an IDX header` };
  if (lower.endsWith('.bin')) {
    const c10 = size > 0 && size % CIFAR10_RECORD === 0;
    const c100 = size > 0 && size % CIFAR100_RECORD === 0;
    if (c10 && c100) {
      return lower === 'train.bin' || lower === 'test.bin'
        ? {
            format: 'cifar100',
            reason: `${name} holds whole ${CIFAR100_RECORD}-byte CIFAR-100 records (and is named like a CIFAR-100 file)`,
          }
        : { format: 'cifar10', reason: `${name} holds whole ${CIFAR10_RECORD}-byte CIFAR-10 records` };
    }
    if (c10) return { format: 'cifar10', reason: `${name} holds whole ${CIFAR10_RECORD}-byte CIFAR-10 records` };
    if (c100) return { format: 'cifar100', reason: `${name} holds whole ${CIFAR100_RECORD}-byte CIFAR-100 records` };
    throw new SourceError(
      `${name} is ${size} bytes, neither a multiple of ${CIFAR10_RECORD} (CIFAR-10 record) nor of ${CIFAR100_RECORD} (CIFAR-100 record); it may be truncated. ${SUPPORTED_LAYOUTS}`,
    );
  }
  if (isImageName(name)) {
    throw new SourceError(
      `${p} is a single image. Choose the folder that holds one subfolder per class instead. ${SUPPORTED_LAYOUTS}`,
    );
  }
  throw new SourceError(`${p} is not a dataset file Winnow can read. ${SUPPORTED_LAYOUTS}`);
}

/** True when the folder holds an image file within `depth` levels (bounded: looks at most at `budget` entries). */
async function holdsImages(dir: string, depth: number, budget: { left: number }): Promise<boolean> {
  if (budget.left <= 0) return false;
  let ents: Dirent[];
  try {
    ents = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  budget.left -= ents.length;
  const dirs: string[] = [];
  for (const d of ents) {
    if (isHidden(d.name)) continue;
    if (isImageName(d.name) && (d.isFile() || d.isSymbolicLink())) return true;
    if (d.isDirectory() || d.isSymbolicLink()) dirs.push(d.name);
  }
  if (depth <= 0) return false;
  for (const n of dirs) if (await holdsImages(path.join(dir, n), depth - 1, budget)) return true;
  return false;
}

async function detectFolder(p: string): Promise<Detection> {
  let ents: Dirent[];
  try {
    ents = await fs.promises.readdir(p, { withFileTypes: true });
  } catch (err) {
    throw new SourceError(`${p} cannot be read (${osReason(err)}).`);
  }
  const visible = ents.filter((d) => !isHidden(d.name));
  const names = visible.map((d) => d.name);
  const idx = names.filter((n) => parseIdxName(n));
  if (idx.length) {
    const first = idx.sort()[0]!;
    return {
      format: 'idx',
      reason: `found ${first}${idx.length > 1 ? ` and ${idx.length - 1} more IDX file${idx.length > 2 ? 's' : ''}` : ''}`,
    };
  }
  const batches = names.filter((n) => /^data_batch_\d+\.bin$/.test(n) || n === 'test_batch.bin');
  if (batches.length)
    return {
      format: 'cifar10',
      reason: `found ${batches.length} CIFAR-10 batch file${batches.length > 1 ? 's' : ''} (${batches.sort().join(', ')})`,
    };
  const c100 = names.filter((n) => n === 'train.bin' || n === 'test.bin');
  if (c100.length) return { format: 'cifar100', reason: `found CIFAR-100 ${c100.sort().join(' and ')}` };
  if (names.includes(CIFAR10_SUBDIR))
    return { format: 'cifar10', reason: `found the unpacked CIFAR-10 folder ${CIFAR10_SUBDIR}/` };
  if (names.includes(CIFAR100_SUBDIR))
    return { format: 'cifar100', reason: `found the unpacked CIFAR-100 folder ${CIFAR100_SUBDIR}/` };

  const subdirs: string[] = [];
  for (const d of visible) {
    if (d.isDirectory()) subdirs.push(d.name);
    else if (d.isSymbolicLink()) {
      try {
        if ((await fs.promises.stat(path.join(p, d.name))).isDirectory()) subdirs.push(d.name);
      } catch {
        // a broken link: the folder reader reports it
      }
    }
  }
  const budget = { left: 20_000 };
  const withImages: string[] = [];
  for (const s of subdirs.sort()) {
    if (await holdsImages(path.join(p, s), 4, budget)) withImages.push(s);
  }
  if (withImages.length) {
    return {
      format: 'folder',
      reason: `found ${withImages.length} subfolder${withImages.length > 1 ? 's' : ''} with images (${withImages.slice(0, 5).join(', ')}${withImages.length > 5 ? ', …' : ''})`,
    };
  }
  const looseImages = visible.filter((d) => isImageName(d.name)).length;
  if (looseImages) {
    throw new SourceError(
      `${p} holds ${looseImages} image${looseImages > 1 ? 's' : ''} but no class folders. ${EXPECTED_FOLDER_LAYOUT}`,
    );
  }
  const csvs = names.filter((n) => n.toLowerCase().endsWith('.csv'));
  const csvHint = csvs.length ? ` To import a CSV manifest, choose the file itself (${csvs[0]}).` : '';
  throw new SourceError(`${p} holds no dataset Winnow recognises.${csvHint} ${SUPPORTED_LAYOUTS}`);
}

/** Detects the format at `p` (a file or folder). Throws a SourceError when the path is missing or unknown. */
export async function detectFormat(p: string): Promise<Detection> {
  const abs = path.resolve(p);
  const st = await statSource(abs);
  if (st.isDirectory()) return detectFolder(abs);
  return detectFile(abs, st.size);
}
