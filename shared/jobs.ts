import { z } from 'zod';
import { Seed } from './seed.js';
import { BackendChoice } from './backend.js';
import { AeTrainParams } from './autoencoder.js';
import { ImportParams } from './datasets.js';
import { CompressParams, CompressPointData } from './compress.js';
import { DsmIterationData, DsmParams } from './dsm.js';
import { EvaluateEpochData, EvaluateParams } from './evaluate.js';
import { ExperimentNodeState, ExperimentParams } from './experiment.js';
import { NaswotChunkData, NaswotParams } from './naswot.js';
import { SearchEpochData, SearchParams } from './search.js';

export const JobState = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type JobState = z.infer<typeof JobState>;
/** States after which a job never changes again on its own. */
export const FINISHED_STATES: readonly JobState[] = ['done', 'failed', 'cancelled', 'interrupted'];
export const isFinished = (s: JobState): boolean => FINISHED_STATES.includes(s);
/** States `resume` accepts: the job stopped before it was done. */
export const RESUMABLE_STATES: readonly JobState[] = ['interrupted', 'cancelled', 'failed'];
export const isResumable = (s: JobState): boolean => RESUMABLE_STATES.includes(s);

// ---- job kinds and their parameters -------------------------------------------------------------

export const SelftestParams = z.object({
  steps: z.number().int().min(1).max(100_000).default(30).describe('training steps the test times'),
  batch: z.number().int().min(1).max(512).default(32).describe('images per step'),
  backend: BackendChoice.default('auto'),
  seed: Seed.default(1),
});
export type SelftestParams = z.infer<typeof SelftestParams>;

export const SelftestResult = z.object({
  backend: z.string(),
  steps: z.number(),
  batch: z.number(),
  seconds: z.number(),
  stepsPerSecond: z.number(),
  imagesPerSecond: z.number(),
  initialLoss: z.number(),
  finalLoss: z.number(),
});
export type SelftestResult = z.infer<typeof SelftestResult>;

/**
 * The built-in job kinds with their parameter schemas: the types callers of `jobs.start` see (the API accepts any
 * kind registered in main/jobs/registry.ts and parses its params with that kind's schema).
 */
export const JobStartRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('selftest'), params: SelftestParams }),
  z.object({ kind: z.literal('import'), params: ImportParams }),
  z.object({ kind: z.literal('autoencoder'), params: AeTrainParams }),
  z.object({ kind: z.literal('search'), params: SearchParams }),
  z.object({ kind: z.literal('evaluate'), params: EvaluateParams }),
  z.object({ kind: z.literal('compress'), params: CompressParams }),
  z.object({ kind: z.literal('naswot'), params: NaswotParams }),
  z.object({ kind: z.literal('dsm-search'), params: DsmParams }),
  z.object({ kind: z.literal('experiment'), params: ExperimentParams }),
]);
export type JobStartRequest = z.infer<typeof JobStartRequest>;
export type JobKind = JobStartRequest['kind'];

// ---- events -----------------------------------------------------------------------------------

export const ProgressEvent = z.object({
  type: z.literal('progress'),
  /** 0..1 */
  fraction: z.number().min(0).max(1),
  step: z.number().optional(),
  total: z.number().optional(),
  message: z.string().optional(),
  /** Seconds left in the current phase (the whole job when it has one phase); absent while not yet meaningful. */
  etaSeconds: z.number().optional(),
  /** The phase under way (`training`, `embedding`, `testing`, …), its place among the job's phases, its own 0..1. */
  phase: z.string().optional(),
  phaseIndex: z.number().int().min(0).optional(),
  phaseCount: z.number().int().min(1).optional(),
  phaseFraction: z.number().min(0).max(1).optional(),
});
export const MetricEvent = z.object({
  type: z.literal('metric'),
  name: z.string(),
  value: z.number(),
  step: z.number().optional(),
  epoch: z.number().optional(),
});
export const LogEvent = z.object({
  type: z.literal('log'),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
});
export const ArtifactEvent = z.object({
  type: z.literal('artifact'),
  name: z.string(),
  /** Absolute path on disk. */
  path: z.string(),
  mime: z.string().optional(),
});
export const StateEvent = z.object({
  type: z.literal('state'),
  state: JobState,
  message: z.string().optional(),
});
/** A job's result, sent once, just before its `done` state. */
export const ResultEvent = z.object({ type: z.literal('result'), result: z.unknown() });
/** A search's state after each epoch: losses, α, the derived genotype (what the Search page draws). */
export const SearchEpochEvent = z.object({ type: z.literal('search-epoch'), data: SearchEpochData });
/** An evaluation's losses and accuracies after each epoch (what the Evaluate page's curves draw). */
export const EvaluateEpochEvent = z.object({ type: z.literal('evaluate-epoch'), data: EvaluateEpochData });
/** A compression study's finished piece: the reference accuracy, one grid point's codec numbers, or one accuracy row. */
export const CompressPointEvent = z.object({ type: z.literal('compress-point'), data: CompressPointData });
/** A NASWOT ranking's chunk of scored cells (what a live score histogram draws). */
export const NaswotChunkEvent = z.object({ type: z.literal('naswot-chunk'), data: NaswotChunkData });
/** A DSM-NAS search's iteration: the chosen subspace, the proposal, the reward and the subspace graph after it. */
export const DsmIterationEvent = z.object({ type: z.literal('dsm-iteration'), data: DsmIterationData });
/** An experiment's child jobs, each time one of them changes state (the Experiments page's table). */
export const ExperimentNodesEvent = z.object({
  type: z.literal('experiment-nodes'),
  nodes: z.array(ExperimentNodeState),
});

export const JobEvent = z.discriminatedUnion('type', [
  ProgressEvent,
  MetricEvent,
  LogEvent,
  ArtifactEvent,
  StateEvent,
  ResultEvent,
  SearchEpochEvent,
  EvaluateEpochEvent,
  CompressPointEvent,
  NaswotChunkEvent,
  DsmIterationEvent,
  ExperimentNodesEvent,
]);
export type JobEvent = z.infer<typeof JobEvent>;
export type ProgressEvent = z.infer<typeof ProgressEvent>;

/** An event as stored: numbered per job, timestamped (ms since epoch). */
export interface StoredJobEvent {
  jobId: number;
  seq: number;
  ts: number;
  event: JobEvent;
}

export interface JobProgress {
  /** The whole job's 0..1; never goes backwards. */
  fraction: number;
  message?: string;
  /** Seconds left in the current phase. */
  etaSeconds?: number;
  step?: number;
  total?: number;
  phase?: string;
  phaseIndex?: number;
  phaseCount?: number;
  phaseFraction?: number;
}

export interface JobSummary {
  id: number;
  kind: JobKind;
  state: JobState;
  params: Record<string, unknown>;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  progress: JobProgress | null;
  /** For failed / interrupted / cancelled jobs: what happened and what to do. */
  message: string | null;
  result: unknown;
  /** How many times the job has been started (resume increments it). */
  attempts: number;
}

/** Messages pushed from the API to connected UIs. */
export type PushMessage =
  | { channel: 'job.event'; jobId: number; seq: number; ts: number; event: JobEvent }
  | { channel: 'job.updated'; job: JobSummary };
