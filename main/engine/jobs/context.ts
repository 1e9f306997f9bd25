import type { BackendChoice } from '../../../shared/backend.js';
import type { JobEvent } from '../../../shared/jobs.js';

/** Thrown (or rethrown) by a handler when its signal aborts: the job ends `cancelled`, not `failed`. */
export class JobCancelledError extends Error {
  constructor() {
    super('Cancelled by the user.');
    this.name = 'JobCancelledError';
  }
}

/** A failure the user can act on; its message is shown as is (no stack trace). */
export class JobUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobUserError';
  }
}

export interface ProgressUpdate {
  /** Work done so far, in the handler's own unit (steps, images, grid points). */
  done: number;
  total: number;
  message?: string;
}

export interface JobContext<C = unknown> {
  readonly jobId: number;
  readonly jobDir: string;
  /** True when this run continues an earlier attempt: read the checkpoint from jobDir. */
  readonly resume: boolean;
  /** The settings' backend preference, for jobs whose params say `auto` or nothing. */
  readonly backendPreference: BackendChoice;
  /** What the host prepared for this job (its kind's `prepare` hook), e.g. a dataset's folder and labels. */
  readonly hostContext: C;
  readonly signal: AbortSignal;
  emit(event: JobEvent): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  metric(name: string, value: number, at?: { step?: number; epoch?: number }): void;
  /** Throttled to a few per second (the last one always goes out); adds fraction and ETA. */
  progress(update: ProgressUpdate): void;
  /** Throws JobCancelledError when cancel was asked for; call between steps. */
  checkCancelled(): void;
}

/** Builds the context a handler sees from an event sink; shared by the worker process and in-process runs. */
export function createJobContext<C = unknown>(
  base: {
    jobId: number;
    jobDir: string;
    resume: boolean;
    backendPreference: BackendChoice;
    signal: AbortSignal;
    hostContext?: C;
  },
  sink: (event: JobEvent) => void,
  now: () => number = () => performance.now(),
  minIntervalMs = 250,
): JobContext<C> {
  let lastProgressAt = -Infinity;
  let firstDone: { t: number; done: number } | null = null;
  return {
    ...base,
    hostContext: base.hostContext as C,
    emit: sink,
    log: (level, message) => sink({ type: 'log', level, message }),
    metric: (name, value, at) => sink({ type: 'metric', name, value, ...(at ?? {}) }),
    progress: ({ done, total, message }) => {
      const t = now();
      const finished = done >= total;
      if (!finished && t - lastProgressAt < minIntervalMs) return;
      lastProgressAt = t;
      // ETA from the rate since the first report, which skips start-up cost (backend load, first-step compile).
      if (!firstDone) firstDone = { t, done };
      const rate = (done - firstDone.done) / Math.max(t - firstDone.t, 1e-9);
      const etaSeconds = finished ? 0 : rate > 0 ? (total - done) / rate / 1000 : undefined;
      sink({
        type: 'progress',
        fraction: total > 0 ? Math.min(1, Math.max(0, done / total)) : 0,
        step: done,
        total,
        ...(message ? { message } : {}),
        ...(etaSeconds !== undefined && Number.isFinite(etaSeconds)
          ? { etaSeconds: Math.round(etaSeconds * 10) / 10 }
          : {}),
      });
    },
    checkCancelled: () => {
      if (base.signal.aborted) throw new JobCancelledError();
    },
  };
}
