import type { BackendChoice } from '../../../shared/backend.js';
import type { JobEvent } from '../../../shared/jobs.js';
import { type JobPhase, overallFraction, phaseEta, phasePosition } from '../../../shared/progress.js';

/** Thrown (or rethrown) by a handler when its signal aborts: the job ends `cancelled`, not `failed`. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError';
  constructor() {
    super('Cancelled by the user.');
  }
}

/** A failure the user can act on; its message is shown as is (no stack trace). */
export class JobUserError extends Error {
  override name = 'JobUserError';
}

export interface ProgressUpdate {
  /** Work done so far, in the handler's own unit (steps, images, grid points). */
  done: number;
  total: number;
  message?: string;
  /**
   * The phase this work belongs to (`training`, `embedding`, `testing`, …). With a plan (`phases`), done/total
   * count within the phase and map into its slot of the job's bar; without one they count the whole job.
   */
  phase?: string;
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
  /**
   * Throttled to a few per second (the last one always goes out); adds the job's fraction, which never goes
   * backwards, and the current phase's time left once its rate means something.
   */
  progress(update: ProgressUpdate): void;
  /** Declares the job's phases in order with their shares of its bar; call before the first progress. */
  phases(plan: readonly JobPhase[]): void;
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
  let plan: readonly JobPhase[] = [];
  let lastFraction = 0;
  // The current phase's first report (time, work done): the phase's rate is measured from it, which also skips
  // start-up cost (backend load, first-step compile). A new phase, or a counter that restarts, starts it again.
  let phaseStart: { phase: string | undefined; total: number; t: number; done: number } | null = null;
  return {
    ...base,
    hostContext: base.hostContext as C,
    emit: sink,
    log: (level, message) => sink({ type: 'log', level, message }),
    metric: (name, value, at) => sink({ type: 'metric', name, value, ...(at ?? {}) }),
    phases: (p) => {
      plan = [...p];
    },
    progress: ({ done, total, message, phase }) => {
      const t = now();
      const own = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
      const newPhase =
        !phaseStart || phaseStart.phase !== phase || phaseStart.total !== total || done < phaseStart.done;
      const finished = done >= total;
      if (!newPhase && !finished && t - lastProgressAt < minIntervalMs) return;
      lastProgressAt = t;
      if (newPhase) phaseStart = { phase, total, t, done };
      const etaSeconds = phaseEta(phaseStart!, { t, done }, total);
      const inPlan = phase !== undefined && plan.length > 0;
      lastFraction = Math.max(lastFraction, inPlan ? overallFraction(plan, phase, own) : own);
      sink({
        type: 'progress',
        fraction: lastFraction,
        step: done,
        total,
        ...(message ? { message } : {}),
        ...(etaSeconds !== undefined ? { etaSeconds } : {}),
        ...(phase !== undefined
          ? inPlan
            ? phasePosition(plan, phase, own)
            : { phase, phaseIndex: 0, phaseCount: 1, phaseFraction: own }
          : {}),
      });
    },
    checkCancelled: () => {
      if (base.signal.aborted) throw new JobCancelledError();
    },
  };
}
