/**
 * The one registry of API methods: name -> zod input schema (shared/api.ts) -> handler. Both transports
 * (Electron IPC, HTTP) and the CLI call `dispatch`; nothing else validates or routes.
 */
import os from 'node:os';
import path from 'node:path';
import { apiInputs, type ApiMethod, type ApiOutput, type ApiParsedInput, type SystemInfo } from '../../shared/api.js';
import type { BackendReport } from '../../shared/backend.js';
import { ImportParams } from '../../shared/datasets.js';
import { isResumable, type PushMessage } from '../../shared/jobs.js';
import { deleteDataset } from '../data/commit.js';
import { sourceFingerprint } from '../data/import-job.js';
import { pngDataUrl, thumbnails } from '../data/thumbnails.js';
import { IMAGES_FILE } from '../data/staged.js';
import { readImages } from '../data/tensor-store.js';
import { AE_FILES, readMap, readSummary } from '../engine/embed/ae-files.js';
import { SourceError, SourceReadError } from '../data/types.js';
import type { AnyJobKindSpec, JobCheckHost } from '../jobs/kind.js';
import { describeIssues, findJobKind, jobKinds, parseJobParams } from '../jobs/registry.js';
import { SupervisorError, type JobSupervisor } from '../supervisor/supervisor.js';
import type { Store } from '../store/index.js';
import { ApiError } from './errors.js';
import { estimateJob, refusedEstimate } from './estimate.js';
import {
  compressionImages,
  compressionTable,
  deleteDatasetAndJpegCache,
  getCompression,
  listCompressions,
} from './compressions.js';
import {
  deleteModel,
  getEvaluation,
  getModel,
  importModel,
  listEvaluations,
  modelFile,
  modelOr404,
} from './evaluations.js';
import { modelArchive } from './model-archive.js';
import { browse } from './browse.js';
import { experimentArchive, getExperiment, listExperiments, planExperiment } from './experiments.js';
import { exportGenotype, getSearch, listSearches } from './searches.js';
import { nativeSetupStatus, startNativeSetup } from './native-setup.js';
import type { ApiDispatcher } from './types.js';
import { APP_NAME, APP_VERSION } from './version.js';
import { cliHint } from '../../shared/cli-hint.js';

export interface ApiContext {
  store: Store;
  /** The last backend probe, per host: probing starts the engine worker and loads tfjs, so it is cached. */
  backendReport?: { preference: string; report: BackendReport };
  supervisor: JobSupervisor;
  dataDir: string;
  transport: SystemInfo['transport'];
  electronVersion: string | null;
  subscribe(listener: (m: PushMessage) => void): () => void;
}

type Handlers = {
  [M in ApiMethod]: (input: ApiParsedInput<M>, ctx: ApiContext) => Promise<ApiOutput<M>> | ApiOutput<M>;
};

const handlers: Handlers = {
  'experiments.plan': (input, ctx) => planExperiment(estimateHost(ctx), input.params),
  'experiments.list': (input, ctx) => listExperiments(ctx.store, input.datasetId),
  'experiments.get': (input, ctx) => getExperiment(ctx.store, input.id),
  'experiments.archive': (input, ctx) => experimentArchive(ctx.store, ctx.dataDir, input.id),
  'system.info': async (input, ctx) => {
    const preference = input.backend ?? ctx.store.settings.get().backend;
    if (input.refresh || ctx.backendReport?.preference !== preference) {
      ctx.backendReport = { preference, report: await ctx.supervisor.probe(preference) };
    }
    const backend = ctx.backendReport.report;
    const cpus = os.cpus();
    return {
      app: { name: APP_NAME, version: APP_VERSION },
      dataDir: ctx.dataDir,
      dbPath: ctx.store.dbPath,
      transport: ctx.transport,
      platform: process.platform,
      arch: process.arch,
      nodeVersion: process.versions.node,
      electronVersion: ctx.electronVersion,
      cpu: { model: cpus[0]?.model ?? 'unknown', cores: cpus.length },
      memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
      backend,
    };
  },
  'system.setupNative': (input, ctx) => startNativeSetup(input.gpu, ctx),
  'system.nativeSetupStatus': () => nativeSetupStatus(),
  'settings.get': (_input, ctx) => ctx.store.settings.get(),
  'settings.set': (input, ctx) => ctx.store.settings.update(input),
  'jobs.list': (input, ctx) => ctx.store.jobs.list(input),
  'jobs.get': (input, ctx) => ctx.supervisor.get(input.id),
  'jobs.kinds': () =>
    jobKinds().map((k) => ({
      kind: k.engine.kind,
      label: k.ui?.label ?? k.engine.kind,
      noun: k.ui?.noun ?? `${k.engine.kind} job`,
      page: k.ui?.page ?? null,
      resumable: k.engine.resumable,
      command: k.cli?.command ?? null,
    })),
  'jobs.events': (input, ctx) => {
    ctx.supervisor.get(input.id);
    return ctx.store.jobs.events(input.id, input.afterSeq, input.limit, input.types);
  },
  'jobs.start': async (input, ctx) => {
    const { spec, params } = parseJobStart(input, 'jobs.start');
    // a job that cannot run is refused here, so the form shows why at once
    await refuseIfCannotRun(spec, ctx, params);
    return ctx.supervisor.start({ kind: input.kind, params });
  },
  'jobs.estimate': async (input, ctx) => {
    const { spec, params } = parseJobStart(input, 'jobs.estimate');
    if (!spec.estimate) {
      const noun = spec.ui?.noun ?? `${input.kind} job`;
      throw new ApiError('bad_input', `There is no cost estimate for a ${noun} yet.`);
    }
    try {
      await refuseIfCannotRun(spec, ctx, params);
    } catch (e) {
      if (e instanceof ApiError) return refusedEstimate(e.message, ctx.store.settings.get().backend);
      throw e;
    }
    return estimateJob(estimateHost(ctx), spec, params);
  },
  'jobs.cancel': (input, ctx) => ctx.supervisor.cancel(input.id),
  'jobs.resume': async (input, ctx) => {
    const job = ctx.supervisor.get(input.id);
    const spec = findJobKind(job.kind);
    if (spec?.refuse && isResumable(job.state)) {
      const parsed = spec.engine.params.safeParse(job.params);
      if (!parsed.success) {
        // a job recorded under older limits (BDP's T = 1, say) cannot run again
        const noun = spec.ui?.noun ?? `${job.kind} job`;
        throw new ApiError(
          'bad_input',
          `This ${noun}'s settings are no longer accepted (${describeIssues(parsed.error)}). Start a new ${noun} instead.`,
        );
      }
      await refuseIfCannotRun(spec, ctx, parsed.data);
    }
    return ctx.supervisor.resume(input.id, { restart: input.restart });
  },
  'datasets.list': (_input, ctx) => ctx.store.datasets.list(),
  'datasets.get': (input, ctx) => {
    datasetOr404(ctx, input.id);
    return ctx.store.datasets.detail(input.id)!;
  },
  'files.browse': (input) => browse(input),
  'datasets.detect': async (input, ctx) => {
    // read in the engine process: a hostile file (a decompression bomb, a pipe) never stalls the server
    const { fingerprint, ...found } = await ctx.supervisor.detect({ path: input.path, format: input.format });
    return { ...found, existing: ctx.store.datasets.findByFingerprint(fingerprint) };
  },
  'datasets.existing': async (input, ctx) => {
    const params = ImportParams.parse({ source: input.source, cifar100Labels: input.cifar100Labels });
    const src = params.source;
    const fingerprint =
      src.kind === 'path'
        ? (await ctx.supervisor.detect({ path: src.path, format: src.format, cifar100Labels: params.cifar100Labels }))
            .fingerprint
        : await sourceFingerprint(params);
    return ctx.store.datasets.findByFingerprint(fingerprint);
  },
  'datasets.thumbnails': async (input, ctx) => {
    const d = datasetOr404(ctx, input.id);
    const page = ctx.store.datasets.images(input.id, input);
    const dir = ctx.store.datasets.dir(input.id)!;
    return { total: page.total, offset: input.offset, items: await thumbnails(dir, d, page.rows) };
  },
  'datasets.thumbnailsOf': async (input, ctx) => {
    const d = datasetOr404(ctx, input.id);
    let rows;
    try {
      rows = ctx.store.datasets.imagesAt(input.id, input.indices);
    } catch (e) {
      if (e instanceof RangeError)
        throw new ApiError('bad_input', `${e.message} Ask for indices from 0 to ${d.images - 1}.`);
      throw e;
    }
    return thumbnails(ctx.store.datasets.dir(input.id)!, d, rows);
  },
  'datasets.rejections': (input, ctx) => {
    datasetOr404(ctx, input.id);
    return { offset: input.offset, ...ctx.store.datasets.rejections(input.id, input.offset, input.limit) };
  },
  'autoencoders.list': (input, ctx) => ctx.store.autoencoders.list(input.datasetId),
  'autoencoders.get': (input, ctx) => {
    const { dir, ...a } = autoencoderOr404(ctx, input.id);
    return { ...a, classNames: ctx.store.datasets.detail(a.datasetId)?.classNames ?? [], map: readMap(dir) };
  },
  'autoencoders.reconstructions': async (input, ctx) => {
    const a = autoencoderOr404(ctx, input.id);
    const d = datasetOr404(ctx, a.datasetId);
    const summary = readSummary(a.dir);
    const indices = summary.reconstructionIndices.slice(0, input.count);
    const originals = readImages(path.join(ctx.store.datasets.dir(d.id)!, IMAGES_FILE), d, indices);
    const recon = readImages(
      path.join(a.dir, AE_FILES.reconstructions),
      d,
      indices.map((_, i) => i),
    );
    const labels = ctx.store.datasets.labels(d.id).label;
    return Promise.all(
      indices.map(async (index, i) => ({
        index,
        label: labels[index]!,
        original: await pngDataUrl(originals[i]!, d),
        reconstruction: await pngDataUrl(recon[i]!, d),
      })),
    );
  },
  'autoencoders.delete': (input, ctx) => {
    autoencoderOr404(ctx, input.id);
    const dir = ctx.store.autoencoders.delete(input.id);
    if (dir) ctx.store.paths.removeFolder(dir);
    return { id: input.id, deleted: true as const };
  },
  'searches.list': (input, ctx) => listSearches(ctx.store, input.datasetId),
  'searches.get': (input, ctx) => getSearch(ctx.store, input.id),
  'searches.export': (input, ctx) => exportGenotype(ctx.store, ctx.dataDir, input.id, input.format, input.cell),
  'evaluations.list': (input, ctx) => listEvaluations(ctx.store, input.datasetId),
  'evaluations.get': (input, ctx) => getEvaluation(ctx.store, input.id),
  'models.list': (input, ctx) => ctx.store.models.list(input.datasetId),
  'models.get': (input, ctx) => getModel(ctx.store, input.id),
  'models.file': (input, ctx) => modelFile(ctx.store, input.id, input.file),
  'models.archive': (input, ctx) => modelArchive(modelOr404(ctx.store, input.id)),
  'models.import': (input, ctx) => importModel(ctx.store, ctx.dataDir, input),
  'models.delete': (input, ctx) => deleteModel(ctx.store, input.id),
  'compressions.list': (input, ctx) => listCompressions(ctx.store, input.datasetId),
  'compressions.get': (input, ctx) => getCompression(ctx.store, input.id),
  'compressions.images': (input, ctx) => compressionImages(ctx.store, ctx.dataDir, input),
  'compressions.table': (input, ctx) => compressionTable(ctx.store, input.id),
  'datasets.delete': (input, ctx) => {
    datasetOr404(ctx, input.id);
    deleteDatasetAndJpegCache(ctx.store, ctx.dataDir, input.id, () => deleteDataset(ctx.store, input.id));
    return { id: input.id, deleted: true as const };
  },
};

function datasetOr404(ctx: ApiContext, id: number) {
  const d = ctx.store.datasets.get(id);
  if (!d)
    throw new ApiError(
      'not_found',
      `There is no dataset ${id}. ${cliHint('List datasets with `winnow dataset list`.')}`,
    );
  return d;
}

function autoencoderOr404(ctx: ApiContext, id: number) {
  const a = ctx.store.autoencoders.get(id);
  if (!a)
    throw new ApiError('not_found', `There is no autoencoder ${id}. ${cliHint('List them with `winnow ae list`.')}`);
  return a;
}

/** What `jobs.estimate` and `experiments.plan` time jobs with. */
const estimateHost = (ctx: ApiContext) => ({ store: ctx.store, dataDir: ctx.dataDir, supervisor: ctx.supervisor });

/** A `{ kind, params }` request: the kind (bad_input when unknown) and the params its schema parsed. */
function parseJobStart(
  input: { kind: string; params: unknown },
  method: string,
): { spec: AnyJobKindSpec; params: unknown } {
  const spec = findJobKind(input.kind);
  if (!spec)
    throw new ApiError(
      'bad_input',
      `Unknown job kind "${input.kind}". Known kinds: ${jobKinds()
        .map((k) => k.engine.kind)
        .join(', ')}.`,
    );
  const parsed = parseJobParams(spec, input.params);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: ['params', ...i.path] }));
    throw new ApiError(
      'bad_input',
      `Invalid input for ${method}: ${describeIssues(parsed.error, { prefix: 'params' })}`,
      issues,
    );
  }
  return { spec, params: parsed.data };
}

/**
 * Runs a kind's refusal check. What it throws is a refusal: an ApiError keeps its code; a missing or unreadable source
 * and any other error become `bad_input` with their message (a plug-in kind need not know ApiError).
 */
async function refuseIfCannotRun(spec: AnyJobKindSpec, ctx: ApiContext, params: unknown): Promise<void> {
  const host: JobCheckHost = {
    store: ctx.store,
    dataDir: ctx.dataDir,
    detect: (source) => ctx.supervisor.detect(source),
  };
  try {
    await spec.refuse?.(host, params);
  } catch (e) {
    if (e instanceof ApiError || e instanceof SupervisorError) throw e;
    throw new ApiError('bad_input', e instanceof Error ? e.message : String(e));
  }
}

export function createApi(ctx: ApiContext): ApiDispatcher {
  return {
    async dispatch(method, input) {
      if (!Object.hasOwn(apiInputs, method)) {
        throw new ApiError('not_found', `Unknown API method "${method}".`);
      }
      const m = method as ApiMethod;
      const parsed = apiInputs[m].safeParse(input ?? undefined);
      if (!parsed.success) {
        throw new ApiError('bad_input', `Invalid input for ${m}: ${describeIssues(parsed.error)}`, parsed.error.issues);
      }
      try {
        const handler = handlers[m] as (i: unknown, c: ApiContext) => unknown;
        return await handler(parsed.data, ctx);
      } catch (e) {
        if (e instanceof ApiError) throw e;
        if (e instanceof SupervisorError) throw new ApiError(e.code, e.message);
        if (e instanceof SourceError || e instanceof SourceReadError) throw new ApiError('bad_input', e.message);
        throw new ApiError('internal', e instanceof Error ? e.message : String(e));
      }
    },
    subscribe: (listener) => ctx.subscribe(listener),
  };
}
