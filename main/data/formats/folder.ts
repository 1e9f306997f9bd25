/**
 * Class folders: `root/<class>/**\/*.{png,jpg,...}`, or `root/{train,test|val}/<class>/**` when the source
 * has its own split. Lists files without decoding them; the decoder reads them later.
 *
 * Rules (see the import issue): hidden entries are skipped silently; non-image files, images outside a class
 * folder, empty class folders, unreadable entries and symbolic-link loops are rejected with a reason; links
 * to files and folders are followed, loops are detected by comparing real paths with the folders being
 * walked.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import type { Rejection, Split } from '../../../shared/datasets.js';
import type { FormatReader, ReaderOptions, SourceItem, SourceScan } from '../types.js';
import { SourceError } from '../types.js';
import {
  IMAGE_EXTENSIONS,
  compareLabels,
  compareStrings,
  fingerprint,
  isHidden,
  isImageName,
  NOT_READABLE,
  osReason,
  infoOf,
  type FileInfo,
  statMany,
  stampOf,
  statSource,
  throwIfAborted,
  spellOut,
  toPosix,
} from './util.js';

const SPLIT_NAMES: Readonly<Record<string, Split>> = { train: 'train', test: 'test', val: 'test' };

export const EXPECTED_FOLDER_LAYOUT =
  'Expected one folder per class holding its images, e.g. <folder>/cat/1.png and <folder>/dog/2.jpg ' +
  '(optionally inside <folder>/train/ and <folder>/test/ or val/); ' +
  `image types: ${[...IMAGE_EXTENSIONS].map((e) => e.slice(1)).join(', ')}.`;

/** Real paths of the folders from the root down to the one being listed (links make it a chain, not a prefix). */
interface Chain {
  real: string;
  up: Chain | null;
}

function inChain(target: string, chain: Chain | null): boolean {
  for (let c = chain; c; c = c.up) {
    // The link points at a folder being walked, or at one that contains it: following it never ends.
    if (c.real === target || c.real.startsWith(target.endsWith(path.sep) ? target : target + path.sep)) return true;
  }
  return false;
}

type Entry =
  | { kind: 'file'; name: string; abs: string; rel: string; stat: FileInfo | null }
  | { kind: 'dir'; name: string; abs: string; rel: string; real: string }
  | { kind: 'rejected'; rejection: Rejection }
  | { kind: 'skip' };

interface Walker {
  root: string;
  rejected: Rejection[];
  signal: AbortSignal | undefined;
}

/** Lists a folder (null + a rejection when it cannot be read). Entries are sorted by name. */
async function listDir(w: Walker, abs: string, rel: string): Promise<Dirent[] | null> {
  throwIfAborted(w.signal);
  try {
    const ents = await fs.promises.readdir(abs, { withFileTypes: true });
    return ents.sort((a, b) => compareStrings(a.name, b.name));
  } catch (err) {
    w.rejected.push({ path: rel, reason: `cannot read folder (${osReason(err)})` });
    return null;
  }
}

/** What a directory entry is, following symbolic links (loops rejected). */
async function classify(w: Walker, dirAbs: string, dirRel: string, chain: Chain, d: Dirent): Promise<Entry> {
  if (isHidden(d.name)) return { kind: 'skip' };
  const abs = path.join(dirAbs, d.name);
  const rel = dirRel ? `${dirRel}/${d.name}` : d.name;
  if (d.isFile()) return { kind: 'file', name: d.name, abs, rel, stat: null };
  if (d.isDirectory()) return { kind: 'dir', name: d.name, abs, rel, real: path.join(chain.real, d.name) };
  if (d.isSymbolicLink()) {
    let st: FileInfo;
    try {
      st = infoOf(await fs.promises.stat(abs));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') return { kind: 'rejected', rejection: { path: rel, reason: 'symbolic link loop' } };
      return { kind: 'rejected', rejection: { path: rel, reason: `broken symbolic link (${osReason(err)})` } };
    }
    if (st.isFile) return { kind: 'file', name: d.name, abs, rel, stat: st };
    if (st.isDirectory) {
      let real: string;
      try {
        real = await fs.promises.realpath(abs);
      } catch (err) {
        return { kind: 'rejected', rejection: { path: rel, reason: `cannot follow symbolic link (${osReason(err)})` } };
      }
      if (inChain(real, chain)) return { kind: 'rejected', rejection: { path: rel, reason: 'symbolic link loop' } };
      return { kind: 'dir', name: d.name, abs, rel, real };
    }
    return { kind: 'rejected', rejection: { path: rel, reason: 'not a regular file' } };
  }
  return { kind: 'rejected', rejection: { path: rel, reason: 'not a regular file' } };
}

function notImage(name: string): string {
  const ext = path.extname(name);
  return ext ? `not an image file (${ext})` : 'not an image file (no extension)';
}

interface FoundFile {
  abs: string;
  rel: string;
  stat: FileInfo | null;
}

/** Walks one class folder recursively: its image files (not yet statted), and whether the folder itself could be listed. */
async function walkClass(
  w: Walker,
  top: { abs: string; rel: string; real: string },
  chain: Chain,
): Promise<{ files: FoundFile[]; listed: boolean }> {
  const files: FoundFile[] = [];
  const stack: Array<{ abs: string; rel: string; chain: Chain }> = [
    { abs: top.abs, rel: top.rel, chain: { real: top.real, up: chain } },
  ];
  let listed = false;
  let first = true;
  while (stack.length) {
    const f = stack.pop()!;
    const ents = await listDir(w, f.abs, f.rel);
    if (first) {
      listed = ents !== null;
      first = false;
    }
    if (!ents) continue;
    const subdirs: Array<{ abs: string; rel: string; chain: Chain }> = [];
    for (const d of ents) {
      if (isHidden(d.name)) continue;
      if (d.isFile()) {
        // the common case, without a promise per file
        if (isImageName(d.name)) files.push({ abs: f.abs + path.sep + d.name, rel: `${f.rel}/${d.name}`, stat: null });
        else w.rejected.push({ path: `${f.rel}/${d.name}`, reason: notImage(d.name) });
        continue;
      }
      const e = await classify(w, f.abs, f.rel, f.chain, d);
      if (e.kind === 'skip') continue;
      if (e.kind === 'rejected') w.rejected.push(e.rejection);
      else if (e.kind === 'file') {
        if (isImageName(e.name)) files.push({ abs: e.abs, rel: e.rel, stat: e.stat });
        else w.rejected.push({ path: e.rel, reason: notImage(e.name) });
      } else subdirs.push({ abs: e.abs, rel: e.rel, chain: { real: e.real, up: f.chain } });
    }
    // Depth first, in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  return { files, listed };
}

interface ClassDir {
  /** NFC-normalised folder name. */
  name: string;
  split: Split | undefined;
  abs: string;
  rel: string;
  real: string;
  parent: Chain;
}

/**
 * Class names are normalised to NFC (so "café" typed on macOS and on Linux is one class). Two different names in one
 * folder that become the same after normalisation would silently merge two sets of images: refused, naming both.
 */
export function refuseNormalisationCollisions(dirs: ReadonlyArray<{ rel: string; name: string }>): void {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const d of dirs) {
    const key = `${path.dirname(d.rel)}\0${d.name}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, d.rel);
    else if (first !== d.rel)
      clashes.push(`"${first}" (${spellOut(path.basename(first))}) and "${d.rel}" (${spellOut(path.basename(d.rel))})`);
  }
  if (clashes.length) {
    throw new SourceError(
      `Class folders ${clashes.slice(0, 5).join(', ')}${clashes.length > 5 ? ` and ${clashes.length - 5} more pairs` : ''} have the same name once Unicode-normalised (NFC): ` +
        'importing would merge two sets of images into one class. Rename one folder of each pair, then import again.',
    );
  }
}

export const readFolder: FormatReader = async (p: string, options: ReaderOptions): Promise<SourceScan> => {
  const root = path.resolve(p);
  const st = await statSource(root);
  if (!st.isDirectory()) throw new SourceError(`${root} is a file, not a folder. ${EXPECTED_FOLDER_LAYOUT}`);
  const w: Walker = { root, rejected: [], signal: options.signal };
  const warnings: string[] = [];
  let rootReal: string;
  try {
    rootReal = await fs.promises.realpath(root);
  } catch (err) {
    throw new SourceError(`${root} cannot be read (${osReason(err)}).`);
  }
  const rootChain: Chain = { real: rootReal, up: null };
  throwIfAborted(options.signal);
  let rootEnts: Dirent[];
  try {
    rootEnts = (await fs.promises.readdir(root, { withFileTypes: true })).sort((a, b) =>
      compareStrings(a.name, b.name),
    );
  } catch (err) {
    throw new SourceError(`${root} cannot be read (${osReason(err)}).`);
  }

  let strayImages = 0;
  /** Files sitting where a class folder was expected (the root, or directly in train/ or test/). */
  const rejectLooseFile = (rel: string, name: string): void => {
    if (isImageName(name)) {
      strayImages++;
      w.rejected.push({ path: rel, reason: 'not inside a class folder' });
    } else w.rejected.push({ path: rel, reason: notImage(name) });
  };

  const topDirs: Array<Extract<Entry, { kind: 'dir' }>> = [];
  for (const d of rootEnts) {
    const e = await classify(w, root, '', rootChain, d);
    if (e.kind === 'skip') continue;
    if (e.kind === 'rejected') w.rejected.push(e.rejection);
    else if (e.kind === 'file') rejectLooseFile(e.rel, e.name);
    else topDirs.push(e);
  }

  // The split layout: train/ plus test/ or val/ (case-insensitive). A lone train/ (or test/, val/) with no
  // other folder beside it is also read as a split folder, but the source then has no split of its own.
  const splitDirs = topDirs.filter((d) => d.name.toLowerCase() in SPLIT_NAMES);
  const splitKinds = new Set(splitDirs.map((d) => SPLIT_NAMES[d.name.toLowerCase()]));
  const fullSplit = splitKinds.has('train') && splitKinds.has('test');
  const loneSplit = !fullSplit && splitDirs.length > 0 && splitDirs.length === topDirs.length;
  const classDirs: ClassDir[] = [];
  if (fullSplit || loneSplit) {
    if (
      splitDirs.some((d) => d.name.toLowerCase() === 'test') &&
      splitDirs.some((d) => d.name.toLowerCase() === 'val')
    ) {
      warnings.push('Both test/ and val/ folders exist; both are used as the test split.');
    }
    if (loneSplit) {
      warnings.push(
        `Only a ${splitDirs.map((d) => `${d.name}/`).join(' and ')} folder was found, no train/ and test/ pair: a test split will be held out from it.`,
      );
    }
    for (const top of topDirs) {
      const split = SPLIT_NAMES[top.name.toLowerCase()];
      if (!split) {
        w.rejected.push({
          path: top.rel,
          reason: 'folder ignored: this source is split into train/ and test/ folders, and this folder is neither',
        });
        continue;
      }
      const chain: Chain = { real: top.real, up: rootChain };
      const ents = await listDir(w, top.abs, top.rel);
      for (const d of ents ?? []) {
        const e = await classify(w, top.abs, top.rel, chain, d);
        if (e.kind === 'skip') continue;
        if (e.kind === 'rejected') w.rejected.push(e.rejection);
        else if (e.kind === 'file') rejectLooseFile(e.rel, e.name);
        else
          classDirs.push({
            name: e.name.normalize('NFC'),
            split: fullSplit ? split : undefined,
            abs: e.abs,
            rel: e.rel,
            real: e.real,
            parent: chain,
          });
      }
    }
  } else {
    for (const e of topDirs)
      classDirs.push({
        name: e.name.normalize('NFC'),
        split: undefined,
        abs: e.abs,
        rel: e.rel,
        real: e.real,
        parent: rootChain,
      });
  }
  refuseNormalisationCollisions(classDirs.map((c) => ({ rel: c.rel, name: c.name })));

  // Walk every class folder.
  const found: Array<{ cls: string; split: Split | undefined; file: FoundFile; error?: string }> = [];
  const emptyDirs: string[] = [];
  for (const c of classDirs) {
    const { files, listed } = await walkClass(w, c, c.parent);
    if (!listed) continue; // already rejected as unreadable
    if (files.length === 0) {
      emptyDirs.push(c.rel);
      w.rejected.push({ path: c.rel, reason: 'class folder is empty' });
      continue;
    }
    for (const file of files) found.push({ cls: c.name, split: c.split, file });
  }
  if (emptyDirs.length) {
    const shown = emptyDirs
      .slice(0, 10)
      .map((d) => `${d}/`)
      .join(', ');
    const more = emptyDirs.length > 10 ? ` and ${emptyDirs.length - 10} more` : '';
    warnings.push(
      `${emptyDirs.length === 1 ? '1 class folder has' : `${emptyDirs.length} class folders have`} no images and ${emptyDirs.length === 1 ? 'is' : 'are'} not used as ${emptyDirs.length === 1 ? 'a class' : 'classes'}: ${shown}${more}.`,
    );
  }

  // Size and date of every image (the fingerprint), and whether it can be read. Links were stat()ed already.
  const toStat = found.filter((f) => !f.file.stat);
  const statted = await statMany(
    toStat.map((f) => f.file.abs),
    options.signal,
  );
  toStat.forEach((f, k) => {
    const r = statted[k]!;
    if (r instanceof Error) f.error = osReason(r);
    else f.file.stat = r;
  });
  const stats = found.map((f): FileInfo | string => f.error ?? (f.file.stat!.readable ? f.file.stat! : NOT_READABLE));

  const classSet = new Set<string>();
  const kept: Array<{ cls: string; split: Split | undefined; file: FoundFile; stat: FileInfo }> = [];
  for (let i = 0; i < found.length; i++) {
    const f = found[i]!;
    const s = stats[i]!;
    if (typeof s === 'string') {
      w.rejected.push({ path: f.file.rel, reason: `cannot read file (${s})` });
      continue;
    }
    classSet.add(f.cls);
    kept.push({ ...f, stat: s });
  }
  const classes = [...classSet].sort(compareLabels);
  if (classes.length === 0) {
    const hint = strayImages
      ? ` ${strayImages} image${strayImages === 1 ? ' sits' : 's sit'} directly in the folder: move them into class folders.`
      : '';
    throw new SourceError(`${root} has no class folders with images. ${EXPECTED_FOLDER_LAYOUT}${hint}`);
  }
  const labelOf = new Map(classes.map((c, i) => [c, i]));
  kept.sort((a, b) => compareStrings(a.file.rel, b.file.rel));
  const items: SourceItem[] = kept.map((k) => {
    const it: SourceItem = {
      source: k.file.rel,
      label: labelOf.get(k.cls)!,
      payload: { kind: 'file', path: k.file.abs },
    };
    if (k.split) it.split = k.split;
    return it;
  });
  if (classes.length === 1) warnings.push(`Only one class (${classes[0]}) was found; a search needs at least two.`);

  return {
    format: 'folder',
    root,
    classes,
    items,
    rejected: w.rejected.map((r) => ({ path: toPosix(r.path), reason: r.reason })),
    warnings,
    hasOwnSplit: fullSplit,
    native: null,
    fingerprint: fingerprint(kept.map((k) => stampOf(k.file.rel, k.stat))),
  };
};
