/**
 * The API contract shared by the main side (which implements it in main/api/) and the renderer (which
 * calls it through window.winnow). Inputs are zod schemas, validated at every transport; outputs are types.
 */
import { z } from 'zod';
import type { AeDetail, AeReconstruction, AeSummary } from './autoencoder.js';
import { BackendChoice, type BackendReport } from './backend.js';
import {
  ImportFormat,
  ImportSource,
  Split,
  type DatasetDetail,
  type DatasetSummary,
  type DetectResult,
  type Rejection,
  type Thumbnail,
  type ThumbnailPage,
} from './datasets.js';
import { GenotypeExportFormat, type GenotypeExport, type SearchDetail, type SearchSummary } from './search.js';
import {
  ModelFileName,
  type EvaluationDetail,
  type EvaluationSummary,
  type ModelFile,
  type ModelSummary,
} from './evaluate.js';
import type { CompressionDetail, CompressionImages, CompressionSummary } from './compress.js';
import type { CostEstimate } from './cost.js';
import type { ExperimentDetail, ExperimentPlanView, ExperimentSummary } from './experiment.js';
import { JobState, type JobStartRequest, type JobSummary, type PushMessage, type StoredJobEvent } from './jobs.js';

export interface SystemInfo {
  app: { name: string; version: string };
  dataDir: string;
  dbPath: string;
  /** How this UI reaches the API. */
  transport: 'electron' | 'http' | 'in-process';
  platform: string;
  arch: string;
  nodeVersion: string;
  electronVersion: string | null;
  cpu: { model: string; cores: number };
  memory: { totalBytes: number; freeBytes: number };
  backend: BackendReport;
}

export interface Settings {
  backend: BackendChoice;
}

/** The native-engine setup started from Settings, as the page follows it. */
export interface NativeSetupStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  variant: 'cpu' | 'gpu' | null;
  /** The step under way (running) and the ones finished, with their notes. */
  current: string | null;
  steps: Array<{ step: string; seconds: number; note: string }>;
  startedAt: number | null;
  finishedAt: number | null;
  /** failed: what happened and what to do (with the log's path when there is one). */
  error: string | null;
  /** done: what was set up. */
  result: { backend: string; tfVersion: string; packageVersion: string; source: string; alreadySetUp: boolean } | null;
}

const JobId = z.number().int().positive();
const DatasetId = z.number().int().positive();
const AeId = z.number().int().positive();
const ModelId = z.number().int().positive();

/** Method name -> input schema. Every transport validates with these before calling a handler. */
export const apiInputs = {
  'system.info': z
    .object({
      /** Probe the backends again instead of using the cached report. */
      refresh: z.boolean().default(false),
      /** Report for this preference instead of the saved setting. */
      backend: BackendChoice.optional(),
    })
    .default({ refresh: false }),
  /** Starts `winnow setup tensorflow [--gpu]` in the host (one at a time); follow it with system.nativeSetupStatus. */
  'system.setupNative': z.object({ gpu: z.boolean().default(false) }).default({ gpu: false }),
  'system.nativeSetupStatus': z.object({}).default({}),
  'settings.get': z.object({}).default({}),
  'settings.set': z.object({ backend: BackendChoice.optional() }),
  'jobs.list': z
    .object({
      limit: z.number().int().min(1).max(1000).default(200),
      kind: z.string().optional(),
      state: JobState.optional(),
    })
    .default({ limit: 200 }),
  'jobs.get': z.object({ id: JobId }),
  /** The job kinds this host runs (built-in and plug-in), with what the UI and the CLI call them. */
  'jobs.kinds': z.object({}).default({}),
  'jobs.events': z.object({
    id: JobId,
    afterSeq: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(10_000).default(1000),
    types: z.array(z.string()).optional(),
  }),
  // any registered kind (main/jobs/registry.ts); its own schema parses the params. Callers see the built-in kinds'
  // types (ApiInput below)
  'jobs.start': z.object({ kind: z.string().min(1).max(64), params: z.unknown() }),
  // Cost before Start: what a job of these parameters would cost (time, images, disk), without starting it
  'jobs.estimate': z.object({ kind: z.string().min(1).max(64), params: z.unknown() }),
  'jobs.cancel': z.object({ id: JobId }),
  // restart: move the job's files (a damaged checkpoint) to leftovers/ and run it again from the start
  'jobs.resume': z.object({ id: JobId, restart: z.boolean().default(false) }),
  'datasets.list': z.object({}).default({}),
  'datasets.get': z.object({ id: DatasetId }),
  /** Looks at a path and says what an import would find there, without importing. */
  /**
   * The browser mode's folder browser: one folder's entries (folders first; files too for kind 'file'), limited to
   * the home folder and mounted volumes. No path = the home folder.
   */
  'files.browse': z
    .object({
      path: z.string().min(1).max(4096).optional(),
      kind: z.enum(['folder', 'file']).default('folder'),
      showHidden: z.boolean().default(false),
    })
    .default({ kind: 'folder', showHidden: false }),
  'datasets.detect': z.object({ path: z.string().min(1).max(4096), format: ImportFormat.default('auto') }),
  /** Datasets imported before from this source (same files, or same built-in parameters). */
  'datasets.existing': z.object({ source: ImportSource, cifar100Labels: z.enum(['fine', 'coarse']).default('fine') }),
  'datasets.thumbnails': z.object({
    id: DatasetId,
    label: z.number().int().min(0).optional(),
    split: Split.optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(200).default(48),
  }),
  /** Thumbnails of the given images (by stored index), in that order: e.g. a DDS subset. */
  'datasets.thumbnailsOf': z.object({ id: DatasetId, indices: z.array(z.number().int().min(0)).min(1).max(1000) }),
  'datasets.rejections': z.object({
    id: DatasetId,
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(100),
  }),
  'datasets.delete': z.object({ id: DatasetId }),
  'autoencoders.list': z.object({ datasetId: DatasetId.optional() }).default({}),
  'autoencoders.get': z.object({ id: AeId }),
  'autoencoders.reconstructions': z.object({ id: AeId, count: z.number().int().min(1).max(64).default(16) }),
  'autoencoders.delete': z.object({ id: AeId }),
  'searches.list': z.object({ datasetId: DatasetId.optional() }).default({}),
  'searches.get': z.object({ id: JobId }),
  /** The final genotype (or, for a search still running, the latest epoch's) as text to save or copy. */
  'searches.export': z.object({
    id: JobId,
    format: GenotypeExportFormat,
    cell: z.enum(['normal', 'reduce']).default('normal'),
  }),
  'evaluations.list': z.object({ datasetId: DatasetId.optional() }).default({}),
  'evaluations.get': z.object({ id: JobId }),
  'models.list': z.object({ datasetId: DatasetId.optional() }).default({}),
  'models.get': z.object({ id: ModelId }),
  /** One file of a stored model, to download or to write out (`winnow export model`). */
  'models.file': z.object({ id: ModelId, file: ModelFileName }),
  /** A stored model as one `<name>.winnow-model.zip` (base64): model.json, weights, report.json, genotype.json. */
  'models.archive': z.object({ id: ModelId }),
  /** Imports a model exported by Winnow: its `.winnow-model.zip`, or a folder (model.json, weights, report.json). */
  'models.import': z.object({
    path: z.string().min(1).max(4096),
    name: z.string().trim().min(1).max(200).optional(),
  }),
  'models.delete': z.object({ id: ModelId }),
  'compressions.list': z.object({ datasetId: DatasetId.optional() }).default({}),
  'compressions.get': z.object({ id: JobId }),
  /** The image viewer: `count` test images (or these dataset indices) at every finished grid point. */
  'compressions.images': z.object({
    id: JobId,
    count: z.number().int().min(1).max(24).default(6),
    indices: z.array(z.number().int().min(0)).min(1).max(24).optional(),
  }),
  /** The whole study as CSV (what `winnow export table` writes). */
  'compressions.table': z.object({ id: JobId }),
  /** An experiment's plan before Start: its cells, child jobs and cost (the params are parsed as `jobs.start` does). */
  'experiments.plan': z.object({ params: z.unknown() }),
  'experiments.list': z.object({ datasetId: DatasetId.optional() }).default({}),
  'experiments.get': z.object({ id: JobId }),
  /** The report folder (report.md, results.csv, experiment.json, charts) as one zip. */
  'experiments.archive': z.object({ id: JobId }),
} as const;

/** A job kind as `jobs.kinds` describes it (from its module in main/jobs/). */
export interface JobKindInfo {
  kind: string;
  /** What lists call it: "Search". */
  label: string;
  /** What one job is called in a sentence: "search". */
  noun: string;
  /** The page showing one of its jobs (`#/<page>`), or null. */
  page: string | null;
  /** Whether `resume` continues from a checkpoint (otherwise it runs the job again from the start). */
  resumable: boolean;
  /** `winnow <command>` starts one, or null where the CLI has no command for it. */
  command: string | null;
}

/** Method name -> output type. */
export interface ApiOutputs {
  'system.info': SystemInfo;
  'system.setupNative': NativeSetupStatus;
  'system.nativeSetupStatus': NativeSetupStatus;
  'settings.get': Settings;
  'settings.set': Settings;
  'jobs.list': JobSummary[];
  'jobs.get': JobSummary;
  'jobs.kinds': JobKindInfo[];
  'jobs.events': StoredJobEvent[];
  'jobs.start': JobSummary;
  'jobs.estimate': CostEstimate;
  'jobs.cancel': JobSummary;
  'jobs.resume': JobSummary;
  'datasets.list': DatasetSummary[];
  'datasets.get': DatasetDetail;
  'files.browse': BrowseListing;
  'datasets.detect': DetectResult;
  'datasets.existing': DatasetSummary[];
  'datasets.thumbnails': ThumbnailPage;
  'datasets.thumbnailsOf': Thumbnail[];
  'datasets.rejections': { total: number; offset: number; items: Rejection[] };
  'datasets.delete': { id: number; deleted: true };
  'autoencoders.list': AeSummary[];
  'autoencoders.get': AeDetail;
  'autoencoders.reconstructions': AeReconstruction[];
  'autoencoders.delete': { id: number; deleted: true };
  'searches.list': SearchSummary[];
  'searches.get': SearchDetail;
  'searches.export': GenotypeExport;
  'evaluations.list': EvaluationSummary[];
  'evaluations.get': EvaluationDetail;
  'models.list': ModelSummary[];
  'models.get': ModelSummary;
  'models.file': ModelFile;
  'models.archive': ModelFile;
  'models.import': ModelSummary;
  'models.delete': { id: number; deleted: true };
  'compressions.list': CompressionSummary[];
  'compressions.get': CompressionDetail;
  'compressions.images': CompressionImages;
  'compressions.table': { filename: string; csv: string };
  'experiments.plan': ExperimentPlanView;
  'experiments.list': ExperimentSummary[];
  'experiments.get': ExperimentDetail;
  'experiments.archive': ModelFile;
}

export type ApiMethod = keyof typeof apiInputs & keyof ApiOutputs;
export const API_METHODS = Object.keys(apiInputs) as ApiMethod[];
/** What a caller passes (defaults may be omitted). */
export type ApiInput<M extends ApiMethod> = M extends 'jobs.start' | 'jobs.estimate'
  ? z.input<typeof JobStartRequest>
  : z.input<(typeof apiInputs)[M]>;
/** What a handler receives (defaults applied). */
export type ApiParsedInput<M extends ApiMethod> = z.output<(typeof apiInputs)[M]>;
export type ApiOutput<M extends ApiMethod> = ApiOutputs[M];

/** A failure a user can act on: carries a stable code and a message that says what to do. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; issues?: unknown };
}
export type ApiErrorCode = 'bad_input' | 'not_found' | 'conflict' | 'unauthorized' | 'internal';

/**
 * The client the renderer talks to. In Electron the preload exposes it as `window.winnow`; in browser mode
 * the renderer builds one over HTTP + WebSocket. Pages do not know which.
 */
export interface WinnowClient {
  call<M extends ApiMethod>(method: M, input?: ApiInput<M>): Promise<ApiOutput<M>>;
  /** Subscribe to pushed messages; returns the unsubscribe function. */
  subscribe(listener: (message: PushMessage) => void): () => void;
  readonly transport: 'electron' | 'http';
  /**
   * Opens a folder or file picker and resolves with the chosen path, or null when the user cancels. The desktop
   * app's preload opens the system's picker; a browser cannot hand out paths of the machine running `winnow serve`,
   * so the renderer gives the HTTP client its own folder browser over `files.browse` (renderer/src/lib/api.ts).
   */
  pickPath?(kind: PickPathKind): Promise<string | null>;
}

/** A place the folder browser starts from: the home folder or a mounted volume. */
export interface BrowseRoot {
  label: string;
  path: string;
}

export interface BrowseListing {
  /** The folder listed (links resolved). */
  path: string;
  /** Its parent, or null at the top of its root. */
  parent: string | null;
  /** The root it lies in. */
  root: string;
  roots: BrowseRoot[];
  /** Names and sizes only (size null for folders); at most 2,000, `truncated` when there were more. */
  entries: Array<{ name: string; kind: 'folder' | 'file'; size: number | null }>;
  truncated: boolean;
}

/** What `WinnowClient.pickPath` asks the system picker for. */
export type PickPathKind = 'folder' | 'file';
