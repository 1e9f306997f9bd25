/**
 * What a job's status line says about its progress: the phase under way, and the time left in it. The engine measures the time left from the phase's own rate and leaves it out while it means little
 * (shared/progress.ts); the UI shows it as it comes and never guesses one from the job's start.
 */
import type { JobProgress } from '../../../shared/jobs.js';
import { phaseTitle } from '../../../shared/progress.js';

export { phaseTitle };

/** Seconds left in the current phase, or null: the job is not running, or the engine has not said yet. */
export function phaseEtaOf(progress: JobProgress | null | undefined, active: boolean): number | null {
  const eta = progress?.etaSeconds;
  return active && eta != null && Number.isFinite(eta) ? Math.max(0, eta) : null;
}
