/**
 * The `import` job (runs in the engine worker): read a source, decode and resize every image once with
 * sharp, write the packed tensor file and a manifest into the job's staging folder. The host commits them
 * (main/data/commit.ts); the worker never touches the database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ImportParams, type DuplicateReport, type ImportFormat, type Rejection } from '../../shared/datasets.js';
import { JobUserError, type JobContext } from '../engine/jobs/context.js';
import { dataDirOfJob, describeWriteError } from '../engine/jobs/disk.js';
import type { JobHandler } from '../engine/jobs/handler.js';
import type { SourceSummary } from '../engine/jobs/protocol.js';
import { alreadyImportedMessage } from './commit.js';
import { mnistFingerprint, mnistSample, synthChroma, synthChromaFingerprint } from './builtin.js';
import { decodeMany, probeImage } from './decode.js';
import { readSource } from './formats/index.js';
import { assignSearchHalves, assignSplits } from './splits.js';
import { IMAGES_FILE, stagingDirFor, writeManifest, type StagedDataset } from './staged.js';
import { PackedImageWriter } from './tensor-store.js';
import { DecodeError, type SourceScan } from './types.js';

/** Sources larger than this are imported at 32 px unless a size is given (issue: "native if at most 64 px, else 32"). */
const MAX_NATIVE_SIZE = 64;
const DEFAULT_SIZE = 32;
/** How many files are probed (spread over the whole source) for the default size and channels. */
const CHANNEL_PROBES = 256;

/** What the host prepares for an import: the stored datasets' source fingerprints (for "already imported?"). */
export interface ImportJobContext {
  existing: Array<{ id: number; name: string; fingerprint: string }>;
}

export interface ImportJobResult {
  staged: true;
  name: string;
  images: number;
  rejected: number;
}

export async function scanSource(params: ImportParams, signal?: AbortSignal): Promise<SourceScan> {
  const src = params.source;
  if (src.kind === 'mnist-sample') return mnistSample();
  if (src.kind === 'synth-chroma') return synthChroma({ n: src.n, size: src.size, seed: src.seed });
  const scan = await readSource(src.path, src.format, {
    cifar100Labels: params.cifar100Labels,
    ...(signal ? { signal } : {}),
  });
  // the same CIFAR-100 files with the other label set are a different dataset
  if (scan.format === 'cifar100')
    scan.fingerprint = crypto.createHash('sha256').update(`${scan.fingerprint}|${params.cifar100Labels}`).digest('hex');
  return scan;
}

/** The source's fingerprint, without generating built-in data (for the "already imported?" check). */
export async function sourceFingerprint(params: ImportParams): Promise<string> {
  const src = params.source;
  if (src.kind === 'mnist-sample') return mnistFingerprint();
  if (src.kind === 'synth-chroma') return synthChromaFingerprint(src);
  return (await scanSource(params)).fingerprint;
}

/** What `datasets.detect` shows about a path (run in the engine process: reading a source may inflate files). */
export async function summariseSource(
  path_: string,
  format: ImportFormat,
  cifar100Labels?: 'fine' | 'coarse',
): Promise<SourceSummary> {
  const scan = await scanSource(
    ImportParams.parse({
      source: { kind: 'path', path: path_, format },
      ...(cifar100Labels ? { cifar100Labels } : {}),
    }),
  );
  return {
    format: scan.format as SourceSummary['format'],
    path: scan.root,
    images: scan.items.length,
    classes: scan.classes,
    hasOwnSplit: scan.hasOwnSplit,
    hasGroups: scan.items.some((i) => i.group !== undefined),
    native: scan.native,
    defaults: { ...(await defaultShape(scan)), name: defaultName(scan) },
    rejected: scan.rejected,
    warnings: scan.warnings,
    fingerprint: scan.fingerprint,
  };
}

export function defaultName(scan: SourceScan): string {
  if (scan.root.startsWith('builtin:mnist')) return 'MNIST sample';
  if (scan.root.startsWith('builtin:synth-chroma')) return 'Synthetic chroma';
  return path.basename(scan.root.replace(/[\\/]+$/, '')) || scan.root;
}

/**
 * What the import stores when the user gives no size or channels. Size: the native size when it is at most
 * 64 px, else 32; for encoded files "native" means every probed file has the same square size. Channels:
 * the source's, i.e. RGB as soon as one probed file has colour. Up to 256 files, spread over the whole
 * source, are probed (headers only).
 */
export async function defaultShape(scan: SourceScan): Promise<{ size: number; channels: 1 | 3 }> {
  const pick = (w: number, h: number) => (w === h && w <= MAX_NATIVE_SIZE ? w : DEFAULT_SIZE);
  if (scan.native) return { size: pick(scan.native.width, scan.native.height), channels: scan.native.channels };
  const files = scan.items.filter((i) => i.payload.kind === 'file');
  const step = Math.max(1, Math.floor(files.length / CHANNEL_PROBES));
  const sizes = new Set<string>();
  let side = 0;
  let channels: 1 | 3 = 1;
  for (let k = 0; k < files.length; k += step) {
    const p = files[k]!.payload;
    if (p.kind !== 'file') continue;
    try {
      const probe = await probeImage(p.path);
      sizes.add(`${probe.width}x${probe.height}`);
      side = probe.width;
      if (probe.channels === 3) channels = 3;
    } catch {
      // unreadable files are reported when decoded
    }
  }
  const [only] = sizes;
  const [w, h] = (only ?? '0x0').split('x').map(Number) as [number, number];
  return { size: sizes.size === 1 && side > 0 ? pick(w, h) : DEFAULT_SIZE, channels };
}

async function run(ctx: JobContext<ImportJobContext | undefined>, params: ImportParams): Promise<ImportJobResult> {
  // what the staged files need on disk (the packed images plus about a kilobyte per row), once known
  const need = { bytes: 0 };
  try {
    return await stageImport(ctx, params, need);
  } catch (e) {
    // nothing of a failed import stays behind: a full disk gets its space back before anything else is written
    fs.rmSync(stagingDirFor(ctx.jobDir), { recursive: true, force: true });
    throw describeWriteError(e, dataDirOfJob(ctx.jobDir), need.bytes);
  }
}

async function stageImport(
  ctx: JobContext<ImportJobContext | undefined>,
  params: ImportParams,
  need: { bytes: number },
): Promise<ImportJobResult> {
  ctx.progress({ done: 0, total: 1, message: 'Reading the source…' });
  const scan = await scanSource(params, ctx.signal);
  ctx.checkCancelled();
  if (params.ifExists === 'refuse') {
    // the host passes what is stored (it never reads the source itself): refuse before decoding anything
    const known = ctx.hostContext?.existing?.find((d) => d.fingerprint === scan.fingerprint);
    if (known) throw new JobUserError(alreadyImportedMessage(known));
  }
  for (const w of scan.warnings) ctx.log('warn', w);
  const defaults = params.size === undefined || params.channels === undefined ? await defaultShape(scan) : null;
  const size = params.size ?? defaults!.size;
  const channels = params.channels ?? defaults!.channels;
  const name = params.name ?? defaultName(scan);
  const total = scan.items.length;
  ctx.log(
    'info',
    `${scan.format}: ${total} images in ${scan.classes.length} classes at ${scan.root}; storing ${size}×${size}×${channels}.`,
  );

  const staging = stagingDirFor(ctx.jobDir);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const writer = new PackedImageWriter(path.join(staging, IMAGES_FILE), { width: size, height: size, channels });
  need.bytes = total * (writer.bytesPerImage + 1024);

  const rejected: Rejection[] = [...scan.rejected];
  const kept: number[] = [];
  const hashes: string[] = [];
  const firstByHash = new Map<string, string>();
  const duplicates: DuplicateReport = { count: 0, examples: [], dropped: params.duplicates === 'drop' };
  const t0 = performance.now();
  let done = 0;
  try {
    await decodeMany(
      scan.items.map((i) => i.payload),
      { size, channels, fit: params.fit },
      {
        signal: ctx.signal,
        onEach: (i, pixels) => {
          done++;
          const item = scan.items[i]!;
          if (pixels instanceof DecodeError) {
            rejected.push({ path: item.source, reason: pixels.reason });
          } else {
            const hash = crypto.createHash('sha1').update(pixels).digest('hex');
            const first = firstByHash.get(hash);
            if (first !== undefined) {
              duplicates.count++;
              if (duplicates.examples.length < 10) duplicates.examples.push({ path: item.source, sameAs: first });
            } else firstByHash.set(hash, item.source);
            if (first === undefined || params.duplicates === 'keep') {
              writer.append(pixels);
              kept.push(i);
              hashes.push(hash);
            }
          }
          const seconds = (performance.now() - t0) / 1000;
          const rate = done / Math.max(seconds, 1e-3);
          ctx.progress({
            done,
            total,
            message: `${done.toLocaleString('en')} of ${total.toLocaleString('en')} images, ${Math.round(rate)} images/s`,
          });
        },
      },
    );
  } finally {
    writer.close();
  }
  ctx.checkCancelled();

  if (kept.length === 0) {
    // the result carries the rejected list even though the job fails, so the UI and CLI can show it
    ctx.emit({ type: 'result', result: { rejected } });
    fs.rmSync(staging, { recursive: true, force: true });
    const first = rejected[0];
    throw new JobUserError(
      `No valid image in ${scan.root}: ${rejected.length} file(s) rejected${first ? ` (first: ${first.path}: ${first.reason})` : ''}. ` +
        'Check the folder layout and formats, then import again.',
    );
  }

  // classes that kept no image are dropped and the rest renumbered, so every label has images
  const used = [...new Set(kept.map((i) => scan.items[i]!.label))].sort((a, b) => a - b);
  const remap = new Map(used.map((old, neu) => [old, neu]));
  for (let l = 0; l < scan.classes.length; l++) {
    if (!remap.has(l)) ctx.log('warn', `Class "${scan.classes[l]}" has no valid image and was left out.`);
  }
  const labels = kept.map((i) => remap.get(scan.items[i]!.label)!);
  const splits = assignSplits(
    labels,
    scan.hasOwnSplit ? kept.map((i) => scan.items[i]!.split) : null,
    params.testFraction,
    params.seed,
  );
  const halves = assignSearchHalves(labels, splits, params.searchWeightFraction, params.seed);
  const staged: StagedDataset = {
    version: 1,
    name,
    format: scan.format,
    source: scan.root,
    fingerprint: scan.fingerprint,
    width: size,
    height: size,
    channels,
    classes: used.map((l) => scan.classes[l]!),
    images: kept.length,
    rows: {
      label: labels,
      split: splits,
      half: halves,
      group: kept.map((i) => scan.items[i]!.group ?? null),
      source: kept.map((i) => scan.items[i]!.source),
      hash: hashes,
    },
    rejected,
    duplicates,
    warnings: scan.warnings,
    options: params,
  };
  writeManifest(staging, staged);
  const seconds = (performance.now() - t0) / 1000;
  ctx.metric('images_per_second', Math.round(total / Math.max(seconds, 1e-3)));
  ctx.log(
    'info',
    `Decoded ${total} images in ${seconds.toFixed(1)} s; kept ${kept.length}, rejected ${rejected.length}, duplicates ${duplicates.count}.`,
  );
  return { staged: true, name, images: kept.length, rejected: rejected.length };
}

export const importHandler: JobHandler<ImportParams, ImportJobResult, ImportJobContext | undefined> = {
  kind: 'import',
  params: ImportParams,
  // an interrupted import starts over: half-written files are never resumed
  resumable: false,
  run,
};
