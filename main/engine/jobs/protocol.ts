/**
 * Messages between the host (main/supervisor) and the engine worker process. The worker runs one job at
 * a time; the host owns the queue, the store and the transports.
 */
import type { BackendChoice, BackendReport } from '../../../shared/backend.js';
import type { DetectResult, ImportFormat } from '../../../shared/datasets.js';
import type { JobEvent, JobKind } from '../../../shared/jobs.js';
import type { ProbeResult } from '../cost/probe.js';

export type HostToWorker =
  | {
      type: 'start';
      jobId: number;
      kind: JobKind;
      params: unknown;
      /** A folder owned by this job: checkpoints and artifacts go here. */
      jobDir: string;
      /** True when this start continues an earlier attempt (resume): the handler reads its checkpoint. */
      resume: boolean;
      /** The backend preference from settings, used when the job's own params do not name one. */
      backend: BackendChoice;
      /** What the host looked up for this job (e.g. a dataset's folder and labels): the engine never reads the store. */
      context?: unknown;
    }
  | { type: 'cancel'; jobId: number }
  | { type: 'probe'; requestId: number; backend: BackendChoice }
  /** What a path holds (datasets.detect): read in the engine process, never in the host that serves the UI. */
  | { type: 'detect'; requestId: number; path: string; format: ImportFormat; cifar100Labels?: 'fine' | 'coarse' }
  /** Cost before Start: time a few steps of a job's network at its shape (`probe`: a ProbeSpec, main/engine/cost/). */
  | { type: 'calibrate'; requestId: number; backend: BackendChoice; probe: unknown };

/** What the worker found at a path: the detect answer without the store's part, plus the source's fingerprint. */
export type SourceSummary = Omit<DetectResult, 'existing'> & { fingerprint: string };

export type WorkerToHost =
  | { type: 'ready'; pid: number }
  | { type: 'event'; jobId: number; event: JobEvent }
  | { type: 'finished'; jobId: number; outcome: 'done' | 'failed' | 'cancelled'; message?: string; result?: unknown }
  | { type: 'probe-result'; requestId: number; report: BackendReport }
  /** `error.source`: the path cannot be read as a dataset (a SourceError), as opposed to a crash. */
  | { type: 'detect-result'; requestId: number; result?: SourceSummary; error?: { message: string; source: boolean } }
  | { type: 'calibrate-result'; requestId: number; result?: ProbeResult; error?: string };

/** How the host talks to one worker process, whatever started it (child_process.fork, Electron utilityProcess, in-process). */
export interface WorkerChannel {
  readonly pid: number | undefined;
  send(message: HostToWorker): void;
  onMessage(listener: (message: WorkerToHost) => void): void;
  /** Called once when the worker is gone; `reason` says how (exit code, signal) in words. */
  onExit(listener: (info: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
}

export type WorkerLauncher = () => WorkerChannel;
