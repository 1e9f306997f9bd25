/**
 * A job's progress as one figure that never goes backwards. A job that works in phases (an autoencoder trains,
 * then embeds; a search prepares, searches, then tests its supernet) declares them with weights; each phase's own
 * fraction maps into its slot of the job's 0..1, and the time left is the phase's, measured from the phase's own
 * rate. Plain TypeScript: the engine, the CLI and the renderer all use it.
 */

/** One phase of a job: its name (a lower-case word the UI shows, e.g. `training`) and its share of the job. */
export interface JobPhase {
  name: string;
  /** Relative share of the job's bar; any positive unit (the plan is normalised). */
  weight: number;
}

/** Where a progress report sits in its job's phases. */
export interface PhasePosition {
  phase: string;
  /** 0-based. */
  phaseIndex: number;
  phaseCount: number;
  /** The phase's own 0..1. */
  phaseFraction: number;
}

/** Below this long in a phase, or this share of it, its rate says too little for a time left. */
export const ETA_MIN_SECONDS = 3;
export const ETA_MIN_FRACTION = 0.05;

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * The job's overall fraction when phase `name` is `phaseFraction` done: the weights of the phases before it plus
 * its own weight times its fraction, over all weights. A phase not in the plan counts as the last one's slot.
 */
export function overallFraction(plan: readonly JobPhase[], name: string, phaseFraction: number): number {
  const sum = plan.reduce((s, p) => s + Math.max(0, p.weight), 0);
  if (sum <= 0) return clamp01(phaseFraction);
  let i = plan.findIndex((p) => p.name === name);
  if (i < 0) i = plan.length - 1;
  const before = plan.slice(0, i).reduce((s, p) => s + Math.max(0, p.weight), 0);
  return clamp01((before + Math.max(0, plan[i]!.weight) * clamp01(phaseFraction)) / sum);
}

/** Where phase `name` sits in the plan (a phase not in it: after the plan's last one). */
export function phasePosition(plan: readonly JobPhase[], name: string, phaseFraction: number): PhasePosition {
  const i = plan.findIndex((p) => p.name === name);
  return {
    phase: name,
    phaseIndex: i < 0 ? plan.length : i,
    phaseCount: i < 0 ? plan.length + 1 : plan.length,
    phaseFraction: clamp01(phaseFraction),
  };
}

/**
 * Seconds left in a phase from its own rate since its first report (`from`: time in ms and work done then), or
 * undefined while that rate means little: less than ETA_MIN_SECONDS in, or less than ETA_MIN_FRACTION of the
 * phase done since. 0 once the phase is done.
 */
export function phaseEta(
  from: { t: number; done: number },
  now: { t: number; done: number },
  total: number,
): number | undefined {
  if (now.done >= total) return 0;
  const ms = now.t - from.t;
  const worked = now.done - from.done;
  if (ms < ETA_MIN_SECONDS * 1000 || !(total > 0) || worked / total < ETA_MIN_FRACTION) return undefined;
  const seconds = ((total - now.done) * ms) / worked / 1000;
  return Number.isFinite(seconds) ? Math.round(seconds * 10) / 10 : undefined;
}

/** "Embedding" or, with several phases, "Embedding (part 2 of 3)": the phase as the status line and the CLI say it. */
export function phaseTitle(p: Partial<PhasePosition> | null | undefined): string {
  if (!p?.phase) return '';
  const word = p.phase.charAt(0).toUpperCase() + p.phase.slice(1);
  return p.phaseCount != null && p.phaseCount > 1 && p.phaseIndex != null
    ? `${word} (part ${p.phaseIndex + 1} of ${p.phaseCount})`
    : word;
}
