/**
 * The host's side of the evaluation stage: resolving what an `evaluate` job trains (a finished search's genotype,
 * a pasted one, or a baseline) and the dataset it trains on, storing the model it produces, and the
 * `evaluations.*` / `models.*` API. An evaluation is a job of kind `evaluate`; its model becomes a row in `models`.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  EvaluateParams,
  type EvaluateEpochData,
  type EvaluateResult,
  type EvaluationDetail,
  type EvaluationSummary,
  type ModelFile,
  type ModelFileName,
  type ModelReportFile,
  type ModelSummary,
  type NetworkDescription,
} from '../../shared/evaluate.js';
import { parseGenotype, parseGenotypeJson, toGenotypeJson, type Genotype } from '../../shared/genotype.js';
import { GenotypeFormatError, formatGenotype } from '../../shared/genotype/text.js';
import type { JobSummary, StoredJobEvent } from '../../shared/jobs.js';
import { appendEpoch } from '../../shared/search-defaults.js';
import type { SearchResult } from '../../shared/search.js';
import type { DsmResult } from '../../shared/dsm.js';
import type { DatasetDetail, Split } from '../../shared/datasets.js';
import { moveStagedFolder } from '../data/staged.js';
import {
  EVALUATE_FILES,
  describeNetwork,
  evaluateRefusal,
  type EvaluateJobContext,
} from '../engine/evaluate/context.js';
import { MODEL_FILES, ModelFolderError, readModelFolder } from '../engine/evaluate/model-folder.js';
import type { DatasetFacts, SplitDatasetJobContext } from '../engine/jobs/dataset-context.js';
import type { Store } from '../store/index.js';
import { jobDirFor, modelDirFor } from '../store/paths.js';
import { DSM_FILES } from '../engine/search/dsm/context.js';
import { ApiError } from './errors.js';
import { jobsWithParams } from './job-list.js';
import { unpackModelArchive } from './model-archive.js';
import { datasetContentHash, datasetJobContext, exportGenotype, missingDataset } from './searches.js';
import { APP_NAME, APP_VERSION } from './version.js';
import { cliHint } from '../../shared/cli-hint.js';

const APP = `${APP_NAME} ${APP_VERSION}`;

// ---- what an evaluation trains ----------------------------------------------------------------------

interface ResolvedSource {
  genotype: Genotype | null;
  genotypeText: string | null;
  genotypeJson: string | null;
}

/**
 * What a finished search job hands an evaluation: its genotype and its cost. A DARTS search (kind `search`) or a
 * DSM-NAS search (kind `dsm-search`: its best centre; its cost includes the supernet's training). Null when the job
 * has not finished.
 */
function searchedOf(
  job: JobSummary,
): { genotype: Genotype; seconds: number; images: number | null; strategy: string } | null {
  if (job.state !== 'done' || !job.result || typeof job.result !== 'object') return null;
  if (job.kind === 'dsm-search') {
    const r = job.result as DsmResult;
    const strategy = ((job.params as { init?: unknown[] }).init ?? []).length ? 'dsm-nas+' : 'dsm-nas';
    return { genotype: r.best.genotype, seconds: r.seconds + r.supernet.seconds, images: null, strategy };
  }
  const r = job.result as SearchResult;
  if (!r.genotype) return null;
  return {
    genotype: r.genotype,
    seconds: r.seconds,
    // images the search's weight steps processed (older results: its throughput times its time)
    images: r.imagesProcessed ?? Math.round(r.imagesPerSecond * r.seconds),
    strategy: r.strategy,
  };
}

/** The genotype an evaluation's source names, with the genotype.json to keep beside the model. Throws ApiError. */
function resolveSource(store: Store, dataDir: string, params: EvaluateParams): ResolvedSource {
  const src = params.source;
  if (src.kind === 'baseline') return { genotype: null, genotypeText: null, genotypeJson: null };
  if (src.kind === 'search') {
    const job = store.jobs.get(src.jobId);
    if (!job || (job.kind !== 'search' && job.kind !== 'dsm-search'))
      throw new ApiError(
        'not_found',
        `There is no search ${src.jobId}. ${cliHint('List searches with `winnow search list`.')}`,
      );
    const searched = searchedOf(job);
    if (!searched) {
      throw new ApiError(
        'conflict',
        `Search ${src.jobId} has not finished (it is ${job.state}), so it has no final genotype. Wait for it to finish, resume it, or paste a genotype instead.`,
      );
    }
    // the search's own genotype.json carries its provenance (dataset, strategy, seed, α)
    const json =
      job.kind === 'dsm-search'
        ? fs.readFileSync(path.join(jobDirFor(dataDir, job.id), DSM_FILES.genotypeJson), 'utf8')
        : exportGenotype(store, dataDir, src.jobId, 'json', 'normal').text;
    return { genotype: searched.genotype, genotypeText: formatGenotype(searched.genotype), genotypeJson: json };
  }
  let genotype: Genotype;
  try {
    genotype = parseGenotype(src.text);
  } catch (e) {
    if (e instanceof GenotypeFormatError) throw new ApiError('bad_input', `The genotype cannot be read: ${e.message}.`);
    throw e;
  }
  const isJson = src.text.trim().startsWith('{');
  const json = isJson
    ? `${JSON.stringify(parseGenotypeJson(src.text), null, 2)}\n`
    : `${JSON.stringify(
        // a pasted genotype has no search behind it: no dataset, seed, epochs or α are known (0 / null say so)
        toGenotypeJson(genotype, {
          app: APP,
          createdAt: new Date().toISOString(),
          jobId: null,
          datasetId: null,
          datasetName: null,
          datasetHash: null,
          space: genotype.space,
          strategy: 'external',
          seed: 0,
          epochs: 0,
          alphas: null,
          metrics: {},
        }),
        null,
        2,
      )}\n`;
  return { genotype, genotypeText: formatGenotype(genotype), genotypeJson: json };
}

/** What the refusals of an evaluation or a compression study check a dataset against: its shape and split counts. */
export function refusalFacts(
  d: DatasetFacts,
  rows: { label: ArrayLike<number>; split: readonly string[] },
  limitPerClass: number | null,
) {
  const { name, classes, width, height, channels } = d;
  return { name, classes, width, height, channels, ...splitCounts(rows, classes, limitPerClass) };
}

/**
 * Training images (at most `limitPerClass` of each class) and test images of a dataset's stored rows: what the
 * refusals of an evaluation or a compression study count.
 */
export function splitCounts(
  rows: { label: ArrayLike<number>; split: readonly string[] },
  classes: number,
  limitPerClass: number | null,
): { trainImages: number; testImages: number } {
  const perClassTrain = new Array<number>(classes).fill(0);
  let testImages = 0;
  rows.split.forEach((s, i) => {
    if (s === 'train') perClassTrain[rows.label[i]!]!++;
    else testImages++;
  });
  return { trainImages: perClassTrain.reduce((a, n) => a + Math.min(n, limitPerClass ?? Infinity), 0), testImages };
}

/** The dataset part of an evaluation's or a compression's context: the dataset, each image's label, split and group. */
export function splitDatasetJobContext(
  store: Store,
  d: DatasetDetail,
  rows: { label: ArrayLike<number>; split: Split[] },
): SplitDatasetJobContext {
  return {
    ...datasetJobContext(store, d, rows.label),
    splits: rows.split,
    groups: d.hasGroups ? store.datasets.groups(d.id) : null,
  };
}

/**
 * The kind's `prepare` and its refusal check in one: the context the engine runs on but for the JPEG cache's folder
 * (the kind adds it), or an ApiError saying why not (the supervisor shows a failed prepare's message as the job's).
 */
export function evaluateJobContext(
  store: Store,
  dataDir: string,
  params: EvaluateParams,
): Omit<EvaluateJobContext, 'cacheDir'> {
  const d = store.datasets.detail(params.datasetId);
  if (!d) throw new ApiError('not_found', missingDataset(params.datasetId));
  const source = resolveSource(store, dataDir, params);
  const network = describeNetwork(params, source.genotype);
  const rows = store.datasets.labels(d.id);
  const refusal = evaluateRefusal(params, network, refusalFacts(d, rows, params.limitPerClass));
  if (refusal) throw new ApiError('bad_input', refusal);
  return {
    ...splitDatasetJobContext(store, d, rows),
    app: APP,
    network,
    genotypeJson: source.genotypeJson,
    genotypeText: source.genotypeText,
  };
}

// ---- the finished job's model -----------------------------------------------------------------------

/** Inserts a model row for a checked model folder and moves the folder into place, in one transaction. */
function storeModelFolder(
  store: Store,
  dataDir: string,
  staging: string,
  report: ModelReportFile,
  who: Pick<ModelSummary, 'name' | 'origin' | 'jobId' | 'datasetId'>,
): number {
  return store.models.insert(
    {
      ...who,
      network: report.network,
      classNames: report.classNames,
      preprocessing: report.preprocessing,
      parameters: report.parameters,
      multiplyAdds: report.multiplyAdds,
      testAccuracy: report.test?.accuracy ?? null,
      genotypeText: report.genotypeText,
    },
    (id) => moveStagedFolder(staging, modelDirFor(dataDir, id)),
  );
}

/** The evaluate job's `finalize`: its staged model folder becomes a stored model; the result names it. */
export function commitEvaluation(
  store: Store,
  dataDir: string,
  job: { id: number; jobDir: string; result: EvaluateResult },
): EvaluateResult {
  const result = job.result;
  const staging = path.join(job.jobDir, EVALUATE_FILES.modelStaging);
  try {
    const { report } = readModelFolder(staging);
    // the dataset it trained on may have been deleted meanwhile: the model outlives it
    const datasetId = report.dataset.id !== null && store.datasets.get(report.dataset.id) ? report.dataset.id : null;
    const modelId = storeModelFolder(store, dataDir, staging, report, {
      name: report.name,
      origin: 'evaluate',
      jobId: job.id,
      datasetId,
    });
    return { ...result, modelId };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export function discardEvaluation(job: { jobDir: string }): void {
  // the checkpoint stays for `resume`; only a half-written model folder goes
  fs.rmSync(path.join(job.jobDir, EVALUATE_FILES.modelStaging), { recursive: true, force: true });
}

// ---- evaluations.list / get ----------------------------------------------------------------------------

function evaluateJobOr404(store: Store, id: number): { job: JobSummary; params: EvaluateParams } {
  const job = store.jobs.get(id);
  if (!job || job.kind !== 'evaluate')
    throw new ApiError(
      'not_found',
      `There is no evaluation ${id}. ${cliHint('List evaluations with `winnow evaluate list`.')}`,
    );
  return { job, params: EvaluateParams.parse(job.params) };
}

/** Finished epochs in order; a resumed run's repeated epochs replace the cut-off attempt's. */
export function evaluateTimeline(events: readonly StoredJobEvent[]): EvaluateEpochData[] {
  let out: EvaluateEpochData[] = [];
  for (const e of events) if (e.event.type === 'evaluate-epoch') out = appendEpoch(out, e.event.data);
  return out;
}

function doneResult(job: JobSummary): EvaluateResult | null {
  return job.state === 'done' && job.result && typeof job.result === 'object' ? (job.result as EvaluateResult) : null;
}

/** The network an evaluation builds, known before it finishes (null when its source no longer resolves). */
function plannedNetwork(params: EvaluateParams, searched: Genotype | null): NetworkDescription | null {
  const src = params.source;
  try {
    if (src.kind === 'baseline') return describeNetwork(params, null);
    if (src.kind === 'genotype') return describeNetwork(params, parseGenotype(src.text));
    return searched ? describeNetwork(params, searched) : null;
  } catch {
    return null;
  }
}

function summaryOf(
  store: Store,
  job: JobSummary,
  params: EvaluateParams,
  names: Map<number, string>,
  last: EvaluateEpochData | undefined,
): EvaluationSummary {
  const result = doneResult(job);
  let search: EvaluationSummary['search'] = null;
  let planned: Genotype | null = null;
  if (params.source.kind === 'search') {
    const s = store.jobs.get(params.source.jobId);
    const searched = s ? searchedOf(s) : null;
    planned = searched?.genotype ?? null;
    search = {
      jobId: params.source.jobId,
      seconds: searched?.seconds ?? null,
      images: searched?.images ?? null,
      strategy: searched?.strategy ?? (s?.params as { strategy?: string } | undefined)?.strategy ?? 'unknown',
    };
  }
  return {
    jobId: job.id,
    state: job.state,
    datasetId: params.datasetId,
    datasetName: names.get(params.datasetId) ?? null,
    network: result?.network ?? plannedNetwork(params, planned),
    source: params.source,
    search,
    epochs: params.epochs,
    epochsDone: last?.epoch ?? 0,
    createdAt: job.createdAt,
    testAccuracy: result?.test.accuracy ?? last?.testAccuracy ?? null,
    parameters: result?.parameters ?? null,
    multiplyAdds: result?.multiplyAdds ?? null,
    seconds: result?.seconds ?? null,
    modelId: result?.modelId ?? null,
  };
}

export function listEvaluations(store: Store, datasetId?: number): EvaluationSummary[] {
  const names = store.datasets.names();
  return jobsWithParams(store, 'evaluate', EvaluateParams, datasetId).map(({ job, params }) => {
    const last = store.jobs.lastEvent(job.id, 'evaluate-epoch');
    return summaryOf(store, job, params, names, last?.event.type === 'evaluate-epoch' ? last.event.data : undefined);
  });
}

export function getEvaluation(store: Store, id: number): EvaluationDetail {
  const { job, params } = evaluateJobOr404(store, id);
  const epochs = evaluateTimeline(store.jobs.events(id, 0, Number.MAX_SAFE_INTEGER, ['evaluate-epoch']));
  return {
    summary: summaryOf(store, job, params, store.datasets.names(), epochs[epochs.length - 1]),
    params,
    epochs,
    result: doneResult(job),
  };
}

// ---- models.* -----------------------------------------------------------------------------------------

export function modelOr404(store: Store, id: number) {
  const m = store.models.get(id);
  if (!m)
    throw new ApiError('not_found', `There is no model ${id}. ${cliHint('List models with `winnow model list`.')}`);
  return m;
}

export function getModel(store: Store, id: number): ModelSummary {
  const { dir: _dir, ...m } = modelOr404(store, id);
  return m;
}

const MIME: Record<ModelFileName, string> = {
  'model.json': 'application/json',
  'weights.bin': 'application/octet-stream',
  'genotype.json': 'application/json',
  'report.json': 'application/json',
};

export function modelFile(store: Store, id: number, file: ModelFileName): ModelFile {
  const m = modelOr404(store, id);
  const p = path.join(m.dir, file);
  if (!fs.existsSync(p)) {
    if (file === 'genotype.json')
      throw new ApiError(
        'not_found',
        `Model ${id} (${m.network?.label ?? m.name}) has no genotype: it is a baseline or was imported without one.`,
      );
    throw new ApiError(
      'not_found',
      `Model ${id}'s ${file} is missing from ${m.dir}. Delete the model and evaluate or import it again.`,
    );
  }
  const binary = file === 'weights.bin';
  const bytes = fs.readFileSync(p);
  return {
    filename: file,
    mime: MIME[file],
    encoding: binary ? 'base64' : 'utf8',
    data: binary ? bytes.toString('base64') : bytes.toString('utf8'),
  };
}

/** The model an evaluate job produced (for `winnow export model <job>`). */
export function modelOfJob(store: Store, jobId: number): ModelSummary {
  const { job } = evaluateJobOr404(store, jobId);
  const m = store.models.byJob(jobId);
  if (!m)
    throw new ApiError(
      'conflict',
      `Evaluation ${jobId} has no stored model: it is ${job.state}${job.state === 'done' ? '' : '; a model is stored when it finishes'}.`,
    );
  return getModel(store, m.id);
}

/**
 * Imports a model exported by Winnow — its folder or its `.winnow-model.zip` — checked first (model.json is a
 * LayersModel whose weights are all there, report.json is Winnow's), then copied into the models folder; the
 * source is never changed.
 */
export async function importModel(
  store: Store,
  dataDir: string,
  input: { path: string; name?: string },
): Promise<ModelSummary> {
  const source = path.resolve(input.path);
  const staging = path.join(dataDir, 'models', `.import-${process.pid}-${Date.now()}`);
  fs.mkdirSync(staging, { recursive: true });
  try {
    // an archive is unpacked into the staging folder first, then checked like a folder
    const isArchive = fs.existsSync(source) && fs.statSync(source).isFile();
    if (isArchive) await unpackModelArchive(source, staging);
    const dir = isArchive ? staging : source;
    let folder: ReturnType<typeof readModelFolder>;
    try {
      folder = readModelFolder(dir);
    } catch (e) {
      if (e instanceof ModelFolderError) throw new ApiError('bad_input', e.message);
      throw e;
    }
    const { report } = folder;
    if (!isArchive) {
      const copies = [
        MODEL_FILES.modelJson,
        MODEL_FILES.report,
        ...folder.weightFiles,
        ...(folder.hasGenotype ? [MODEL_FILES.genotype] : []),
      ];
      for (const f of copies) fs.copyFileSync(path.join(dir, f), path.join(staging, f));
    }
    // a model.json whose single weights file has another name is stored as is; models.file serves weights.bin only
    const datasetId =
      report.dataset.id !== null &&
      report.dataset.hash !== null &&
      store.datasets.get(report.dataset.id) &&
      datasetContentHash(store, report.dataset.id) === report.dataset.hash
        ? report.dataset.id
        : null;
    const id = storeModelFolder(store, dataDir, staging, report, {
      name: input.name ?? report.name,
      origin: 'import',
      jobId: null,
      datasetId,
    });
    return getModel(store, id);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export function deleteModel(store: Store, id: number): { id: number; deleted: true } {
  modelOr404(store, id);
  const dir = store.models.delete(id);
  if (dir) store.paths.removeFolder(dir);
  return { id, deleted: true };
}
