/**
 * The host's side of the compression study: resolving what a `compress` job studies (a stored model or a baseline
 * to train first) on which dataset, and the `compressions.*` API (list, detail, image viewer, CSV table). A study
 * is a job of kind `compress`; its finished pieces arrive as `compress-point` events, its result at the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CompressParams,
  compressTableCsv,
  expectedRows,
  type CodecPoint,
  type CompressResult,
  type CompressRow,
  type CompressReference,
  type CompressionDetail,
  type CompressionImages,
  type CompressionSummary,
} from '../../shared/compress.js';
import type { JobSummary, StoredJobEvent } from '../../shared/jobs.js';
import { pngDataUrl } from '../data/thumbnails.js';
import { IMAGES_FILE } from '../data/staged.js';
import { readImages, type ImageShape } from '../data/tensor-store.js';
import { datasetCacheDir, readCachedImages } from '../engine/compress/cache.js';
import { evenlySpaced, studyGrid, type CompressJobContext } from '../engine/compress/context.js';
import { describeNetwork, evaluateRefusal } from '../engine/evaluate/context.js';
import { psnr } from '../engine/embed/metrics.js';
import type { Store } from '../store/index.js';
import { ApiError } from './errors.js';
import { jobsWithParams } from './job-list.js';
import { refuseMeaninglessModel } from './model-meaning.js';
import { refusalFacts, splitDatasetJobContext } from './evaluations.js';
import { datasetContentHash, missingDataset } from './searches.js';
import { cliHint } from '../../shared/cli-hint.js';

/** Where decoded JPEG copies are cached (shared by every study and every job's JPEG stage, keyed by content). */
export const jpegCacheDir = (dataDir: string): string => path.join(dataDir, 'cache', 'jpeg');

/**
 * Deletes a dataset and its decoded JPEG copies, unless another dataset holds the same images (same content hash):
 * the copies are keyed by content, so an identical import keeps using them.
 */
export function deleteDatasetAndJpegCache(store: Store, dataDir: string, id: number, deleteDataset: () => void): void {
  const hash = datasetContentHash(store, id);
  deleteDataset();
  if (hash === null) return;
  const shared = store.datasets.list().some((d) => datasetContentHash(store, d.id) === hash);
  if (!shared) fs.rmSync(datasetCacheDir(jpegCacheDir(dataDir), hash), { recursive: true, force: true });
}

/**
 * The kind's `prepare` and its refusal check in one: the context the engine runs on, or an ApiError saying why not
 * (the supervisor shows a failed prepare's message as the job's).
 */
export function compressJobContext(store: Store, dataDir: string, params: CompressParams): CompressJobContext {
  const d = store.datasets.detail(params.datasetId);
  if (!d) throw new ApiError('not_found', missingDataset(params.datasetId));
  const rows = store.datasets.labels(d.id);
  const facts = refusalFacts(d, rows, params.limitPerClass);
  const trains = params.protocols.includes('retrain') || params.protocols.includes('mixed');
  let model: CompressJobContext['model'];
  if (params.model.kind === 'baseline') {
    const network = describeNetwork(
      { source: { kind: 'baseline', name: params.model.name }, preset: params.preset },
      null,
    );
    model = { kind: 'baseline', network };
  } else {
    const m = store.models.get(params.model.modelId);
    if (!m)
      throw new ApiError(
        'not_found',
        `There is no model ${params.model.modelId}. ${cliHint('List models with `winnow model list`.')}`,
      );
    const p = m.preprocessing;
    if (p.width !== d.width || p.height !== d.height || p.channels !== d.channels) {
      throw new ApiError(
        'bad_input',
        `Model ${m.id} ("${m.name}") takes ${p.width}x${p.height}x${p.channels} images, but dataset "${d.name}" holds ${d.width}x${d.height}x${d.channels}. Choose a model trained on this dataset, or train a baseline first.`,
      );
    }
    if (m.classNames.length !== d.classes || m.classNames.some((n, i) => n !== d.classNames[i])) {
      throw new ApiError(
        'bad_input',
        `Model ${m.id} ("${m.name}") predicts the classes ${m.classNames.join(', ')}, not this dataset's (${d.classNames.join(', ')}). Choose a model trained on this dataset, or train a baseline first.`,
      );
    }
    if (trains && !m.network) {
      throw new ApiError(
        'bad_input',
        `Model ${m.id} ("${m.name}") was imported without a network description, so it cannot be retrained. Choose the test protocol only, or train a baseline first.`,
      );
    }
    refuseMeaninglessModel(m, params.allowMeaninglessModel);
    model = { kind: 'stored', dir: m.dir, name: m.name, network: m.network };
  }
  if (model.kind === 'baseline' || trains) {
    const refusal = evaluateRefusal(params, model.network!, facts);
    if (refusal) throw new ApiError('bad_input', refusal);
  } else if (facts.testImages === 0) {
    throw new ApiError(
      'bad_input',
      `Dataset "${d.name}" has no test images, so there is nothing to measure accuracy on. Import it again with a test split.`,
    );
  }
  return {
    ...splitDatasetJobContext(store, d, rows),
    cacheDir: jpegCacheDir(dataDir),
    model,
  };
}

// ---- compressions.list / get / images / table ------------------------------------------------------------

function compressJobOr404(store: Store, id: number): { job: JobSummary; params: CompressParams } {
  const job = store.jobs.get(id);
  if (!job || job.kind !== 'compress')
    throw new ApiError(
      'not_found',
      `There is no compression study ${id}. ${cliHint('List studies with `winnow compress list`.')}`,
    );
  return { job, params: CompressParams.parse(job.params) };
}

function doneResult(job: JobSummary): CompressResult | null {
  return job.state === 'done' && job.result && typeof job.result === 'object' ? (job.result as CompressResult) : null;
}

/** The study's finished pieces from its events (a resumed study never repeats a piece). */
export function studyTimeline(events: readonly StoredJobEvent[]): {
  reference: CompressReference | null;
  model: string | null;
  codec: CodecPoint[];
  rows: CompressRow[];
} {
  let reference: CompressReference | null = null;
  let model: string | null = null;
  const codec: CodecPoint[] = [];
  const rows: CompressRow[] = [];
  for (const e of events) {
    if (e.event.type !== 'compress-point') continue;
    const d = e.event.data;
    if (d.kind === 'reference') ({ reference, model } = d);
    else if (d.kind === 'codec') codec.push(d.point);
    else rows.push(d.row);
  }
  return { reference, model, codec, rows };
}

function modelLabel(store: Store, params: CompressParams): string {
  if (params.model.kind === 'baseline')
    return describeNetwork({ source: { kind: 'baseline', name: params.model.name }, preset: params.preset }, null)
      .label;
  return store.models.get(params.model.modelId)?.name ?? `model ${params.model.modelId} (deleted)`;
}

function summaryOf(
  store: Store,
  job: JobSummary,
  params: CompressParams,
  names: Map<number, string>,
  rowsDone: number,
  model: string | null,
): CompressionSummary {
  const result = doneResult(job);
  const channels = store.datasets.get(params.datasetId)?.channels ?? 3;
  return {
    jobId: job.id,
    state: job.state,
    datasetId: params.datasetId,
    datasetName: names.get(params.datasetId) ?? null,
    model: result?.model ?? model ?? modelLabel(store, params),
    qualities: [...params.qualities].sort((a, b) => b - a),
    subsampling: params.subsampling,
    protocols: params.protocols,
    rowsDone,
    rowsTotal: expectedRows(params, channels),
    createdAt: job.createdAt,
    seconds: result?.seconds ?? null,
  };
}

const studyEvents = (store: Store, id: number) => store.jobs.events(id, 0, Number.MAX_SAFE_INTEGER, ['compress-point']);

export function listCompressions(store: Store, datasetId?: number): CompressionSummary[] {
  const names = store.datasets.names();
  return jobsWithParams(store, 'compress', CompressParams, datasetId).map(({ job, params }) => {
    const t = studyTimeline(studyEvents(store, job.id));
    return summaryOf(store, job, params, names, t.rows.length, t.model);
  });
}

export function getCompression(store: Store, id: number): CompressionDetail {
  const { job, params } = compressJobOr404(store, id);
  const t = studyTimeline(studyEvents(store, id));
  const result = doneResult(job);
  const channels = store.datasets.get(params.datasetId)?.channels;
  const notes =
    result?.notes ??
    (channels === 1 && params.subsampling.length > 1
      ? ['The images are grey: a grey JPEG has no chroma to subsample, so the study runs one subsampling only.']
      : []);
  return {
    summary: summaryOf(store, job, params, store.datasets.names(), t.rows.length, t.model),
    params,
    reference: t.reference,
    codec: t.codec,
    rows: t.rows,
    notes,
  };
}

export function compressionTable(store: Store, id: number): { filename: string; csv: string } {
  const detail = getCompression(store, id);
  if (detail.rows.length === 0 && !detail.reference) {
    throw new ApiError(
      'conflict',
      `Study ${id} has no results yet (it is ${detail.summary.state}). Wait for its first grid point.`,
    );
  }
  return { filename: `compression-study-${id}.csv`, csv: compressTableCsv(detail) };
}

/** |decoded − original| per pixel (mean over channels), ×4, as a black → red → yellow → white heat map (RGB). */
export function differenceHeatmap(
  original: Uint8Array,
  decoded: Uint8Array,
  shape: ImageShape,
): { pixels: Uint8Array; maxDiff: number } {
  const n = shape.width * shape.height;
  const c = shape.channels;
  const out = new Uint8Array(n * 3);
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const d = Math.abs(original[i * c + k]! - decoded[i * c + k]!);
      sum += d;
      if (d > maxDiff) maxDiff = d;
    }
    const v = Math.min(1, (4 * sum) / c / 255);
    out[i * 3] = Math.round(255 * Math.min(1, 3 * v));
    out[i * 3 + 1] = Math.round(255 * Math.min(1, Math.max(0, 3 * v - 1)));
    out[i * 3 + 2] = Math.round(255 * Math.max(0, 3 * v - 2));
  }
  return { pixels: out, maxDiff };
}

export async function compressionImages(
  store: Store,
  dataDir: string,
  input: { id: number; count: number; indices?: number[] },
): Promise<CompressionImages> {
  const { params } = compressJobOr404(store, input.id);
  const d = store.datasets.detail(params.datasetId);
  if (!d) throw new ApiError('not_found', missingDataset(params.datasetId));
  const shape: ImageShape = { width: d.width, height: d.height, channels: d.channels };
  const rows = store.datasets.labels(d.id);
  if (input.indices?.some((i) => i >= rows.label.length))
    throw new ApiError(
      'bad_input',
      `Dataset "${d.name}" has ${rows.label.length} images; ask for indices from 0 to ${rows.label.length - 1}.`,
    );
  const testRows = rows.split.flatMap((s, i) => (s === 'test' ? [i] : []));
  const indices = input.indices ?? evenlySpaced(testRows, input.count);
  const groups = d.hasGroups ? store.datasets.groups(d.id) : null;
  const hash = datasetContentHash(store, d.id, d)!;
  const originals = readImages(path.join(store.datasets.dir(d.id)!, IMAGES_FILE), shape, indices);
  const points = studyGrid(params, d.channels)
    .map((p) => ({
      ...p,
      pixels: readCachedImages(jpegCacheDir(dataDir), hash, shape, { ...p, mozjpeg: params.mozjpeg }, indices),
    }))
    .filter((p): p is typeof p & { pixels: Uint8Array[] } => p.pixels !== null);
  if (points.length === 0) {
    throw new ApiError(
      'conflict',
      `Study ${input.id} has no decoded images to show: none of its grid points is encoded yet, or the cache was cleared. Wait for the first grid point, or resume the study.`,
    );
  }
  return {
    width: d.width,
    height: d.height,
    images: await Promise.all(
      indices.map(async (index, k) => ({
        index,
        className: d.classNames[rows.label[index]!]!,
        group: groups?.[index] ?? null,
        original: await pngDataUrl(originals[k]!, shape),
        points: await Promise.all(
          points.map(async (p) => {
            const decoded = p.pixels[k]!;
            const heat = differenceHeatmap(originals[k]!, decoded, shape);
            return {
              quality: p.quality,
              subsampling: p.subsampling,
              image: await pngDataUrl(decoded, shape),
              diff: await pngDataUrl(heat.pixels, { ...shape, channels: 3 }),
              psnr: psnr(originals[k]!, decoded),
              maxDiff: heat.maxDiff,
            };
          }),
        ),
      })),
    ),
  };
}
