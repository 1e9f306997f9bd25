/**
 * A job kind, declared once: its parameters, what the host checks and looks up before it runs, the engine handler
 * that runs it, what the host does with its result, and how the CLI and the UI present it. The supervisor, the API,
 * the CLI and the worker find kinds through registry.ts; none of them names a kind. docs/ARCHITECTURE.md lists the
 * steps to add one.
 */
import type { CostCount, QuickLookKnob } from '../../shared/cost.js';
import type { JobEvent, JobSummary } from '../../shared/jobs.js';
import type { JobHandler } from '../engine/jobs/handler.js';
import type { Store } from '../store/index.js';
import type { JobSupervisor } from '../supervisor/supervisor.js';

/** What host hooks may use: the store and the data folder (never the engine). */
export interface JobHost {
  readonly store: Store;
  readonly dataDir: string;
}

/** What a refusal check may use besides: the engine process reads a path (a hostile file never stalls the host). */
export interface JobCheckHost extends JobHost {
  readonly detect: JobSupervisor['detect'];
}

/** How `winnow` presents a kind: `winnow <command> [flags]` starts it, with flags generated from its parameters. */
export interface JobCliSpec<R> {
  /** The command word, e.g. `search`. */
  command: string;
  /** One line for `winnow --help`. */
  summary: string;
  /** A line for one of the job's events while it runs (printed above the progress bar), or null for none. */
  eventLine?(event: JobEvent): string | null;
  /** What to print on stderr once the job is done (its result on stdout is the `--json` document). */
  doneLines?(job: JobSummary, result: R): string[];
}

/** How the UI presents a kind (the Runs page, links). */
export interface JobUiSpec {
  /** What lists call the kind: "Search", "Compression study". */
  label: string;
  /** What one job is called in a sentence: "search" ("This search's settings…"). */
  noun: string;
  /** The page that shows one of these jobs (a `#/<page>` route), if any. */
  page?: string;
}

/**
 * What a job of these parameters will do, for Cost before Start (main/api/estimate.ts): its work counted from its
 * parameters and dataset (shared/cost-kinds.ts), the shape its time depends on, and what to time.
 */
export interface JobEstimatePlan {
  /** The count, with a quick-look patch (form keys → values) applied when given. */
  count(patch?: Record<string, number>): CostCount;
  /** The network's shape as a cache key (the backend is added by the caller): jobs of one key run at one rate. */
  shapeKey: string;
  /** What the engine times (a ProbeSpec of main/engine/cost/probe.ts), or null for a kind without a network. */
  probe: unknown;
  /** What the quick-look preset may lower, in order. */
  knobs: QuickLookKnob[];
  /** What makes a job of this kind shorter, in a sentence ("Fewer channels or cells make every step cheaper."). */
  shorter?: string;
}

/**
 * What a kind that runs in the host process (`hostRun`) is given: its job, and the supervisor's job operations to
 * start, resume, cancel and watch other jobs (its children) with. Its own events go through `emit`.
 */
export interface HostJobContext<P> {
  readonly jobId: number;
  readonly jobDir: string;
  readonly params: P;
  /** How many times the job has been started before (0 the first time; a resume continues). */
  readonly attempts: number;
  readonly host: JobCheckHost;
  /** Queues a job of any kind, parsed by its schema and refused as `jobs.start` does (throws why it cannot run). */
  startJob(kind: string, params: unknown): Promise<JobSummary>;
  resumeJob(id: number): JobSummary;
  cancelJob(id: number): JobSummary;
  /** Progress, log and metric events of this job. */
  emit(event: JobEvent): void;
  /** Resolves when any job's state changes next, or when this job is asked to cancel. */
  nextChange(): Promise<void>;
  /** Aborted when the user cancels this job (or Winnow closes): stop starting jobs and return. */
  readonly signal: AbortSignal;
}

/**
 * A kind whose work is other jobs (an experiment's children): it runs in the host, takes no engine slot, and its
 * `run` resolves with the result once its children are done. Throwing fails the job; returning after `signal` is
 * aborted ends it as cancelled.
 */
export interface HostJobRunner<P, R> {
  run(ctx: HostJobContext<P>): Promise<R>;
}

/**
 * One job kind. P: its parameters after parsing; R: the engine's result; C: what `prepare` looks up for the engine
 * (the handler's `ctx.hostContext`, typed: no casts).
 */
export interface JobKindSpec<P = unknown, R = unknown, C = unknown> {
  /** The engine half: kind name, parameter schema, resumability and `run`. It runs in the engine worker. */
  readonly engine: JobHandler<P, R, C>;
  /** Event types this kind emits beyond progress, metric, log, artifact, state and result. */
  readonly events?: readonly JobEvent['type'][];
  /**
   * Raw parameters of a new job before parsing, with defaults that depend on other parameters filled in (a search
   * algorithm's paper settings); what the caller gave is kept.
   */
  withDefaults?(raw: unknown): unknown;
  /**
   * Refuses a start or a resume that cannot run (throws an ApiError whose message says why and what to do), so a
   * form shows why at once instead of a job failing a moment later.
   */
  refuse?(host: JobCheckHost, params: P): void | Promise<void>;
  /** Looks up what the engine needs from the store; throwing fails the job with that message. */
  prepare?(host: JobHost, job: { id: number; params: P }): C;
  /** Turns the engine's result into the job's result (e.g. commits staged files as rows); throwing fails the job. */
  finalize?(host: JobHost, job: { id: number; jobDir: string; result: R }): unknown;
  /** Removes what an unfinished job left outside its job folder (staged outputs). */
  discard?(host: JobHost, job: { id: number; jobDir: string }): void;
  /** Cost before Start: the plan of a job with these parameters (throws a user message when it cannot run). */
  estimate?(host: JobHost, params: P): JobEstimatePlan;
  /** Set for a kind that runs in the host instead of the engine worker (its `engine.run` is never called). */
  readonly hostRun?: HostJobRunner<P, R>;
  readonly cli?: JobCliSpec<R>;
  readonly ui?: JobUiSpec;
}

/** Declares a kind with its types checked against each other (prepare's context is what the handler reads). */
export function defineJobKind<P, R, C>(spec: JobKindSpec<P, R, C>): JobKindSpec<P, R, C> {
  return spec;
}

/** A kind of any types, as the registry holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobKindSpec = JobKindSpec<any, any, any>;
