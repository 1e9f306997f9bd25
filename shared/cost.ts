/**
 * Cost before Start: what a job will cost (time, images processed, disk), from the job kind's count of its work
 * and a rate measured on the chosen backend (a short calibration of the job's own network at its shape, refined
 * by the finished jobs of the same shape). Pure arithmetic, shared by the API (main/api/estimate.ts), the CLI's
 * `--estimate` and the form's footer (CostEstimate.svelte).
 */

/**
 * A job's work, counted from its parameters and its dataset. The unit of time is one training image: one forward
 * and backward pass (and the optimiser steps) through the job's network, which is what the calibration measures.
 */
export interface CostCount {
  /** Training images over the whole job (every epoch's images, each through a training step). */
  trainImages: number;
  /** Forward-only passes (testing, embedding) through the same network. */
  inferImages: number;
  /** Images the job processes, as its result reports them (training + forward-only). */
  images: number;
  /** Copies of the network's weights (32-bit floats) the job keeps on disk: checkpoints, optimiser state, models. */
  weightCopies: number;
  /** Other bytes it writes (embeddings, reports). */
  extraBytes: number;
  /** Seconds of work that does not run through the network (JPEG encoding), so not at the calibrated rate. */
  fixedSeconds?: number;
  /** What the count is made of, in words for the form ("10 epochs × 2,000 training images"). */
  parts: string[];
}

/** A forward-only pass costs about this share of a training step's image (forward ≈ 1/3 of forward + backward). */
export const INFER_SHARE = 1 / 3;
/** Seconds every job spends before its first step (the engine process, the backend, the dataset). */
export const START_SECONDS = 4;
/** A job estimated above this many seconds gets a warning and the quick-look preset. */
export const WARN_SECONDS = 30 * 60;
/** What the quick-look preset aims for. */
export const QUICK_LOOK_SECONDS = 2 * 60;
/** How much one finished run moves the rate (an exponential moving average; 0.5: the latest run weighs half). */
export const RUN_WEIGHT = 0.5;

/** Training-image equivalents of a count: the work the rate is per. */
export function workUnits(c: Pick<CostCount, 'trainImages' | 'inferImages'>): number {
  return c.trainImages + INFER_SHARE * c.inferImages;
}

type Timed = Pick<CostCount, 'trainImages' | 'inferImages' | 'fixedSeconds'>;

/** Seconds a job of this count takes at `secondsPerImage` (per training image). */
export function secondsFor(c: Timed, secondsPerImage: number): number {
  return START_SECONDS + (c.fixedSeconds ?? 0) + workUnits(c) * secondsPerImage;
}

/**
 * The rate a finished job ran at: its wall time less the start and the work off the network, per unit of its work;
 * null when it says nothing.
 */
export function observedRate(c: Timed, wallSeconds: number): number | null {
  const units = workUnits(c);
  if (!(units > 0) || !(wallSeconds > 0)) return null;
  return Math.max(wallSeconds - START_SECONDS - (c.fixedSeconds ?? 0), wallSeconds / 10) / units;
}

/**
 * The rate to estimate with: the calibration's, then each finished run of the same shape in the order they
 * finished, each moving the rate RUN_WEIGHT of the way to what it measured (a run measures everything the job
 * does, the calibration only its training steps, so runs win over time). Null when there is neither.
 */
export function refineRate(
  calibrated: number | null,
  runs: ReadonlyArray<{ secondsPerImage: number; endedAt: number }>,
): number | null {
  let rate = calibrated;
  for (const r of [...runs].sort((a, b) => a.endedAt - b.endedAt)) {
    rate = rate === null ? r.secondsPerImage : rate + RUN_WEIGHT * (r.secondsPerImage - rate);
  }
  return rate;
}

/** Bytes on disk: the weight copies as 32-bit floats, plus the rest. */
export function diskBytesFor(c: Pick<CostCount, 'weightCopies' | 'extraBytes'>, weights: number): number {
  return c.weightCopies * weights * 4 + c.extraBytes;
}

/** Images a training loop sees over its epochs when each epoch trains on `perEpoch(epoch)` images. */
export function epochsTotal(epochs: number, perEpoch: (epoch: number) => number): number {
  let total = 0;
  for (let e = 0; e < epochs; e++) total += perEpoch(e);
  return total;
}

/**
 * One parameter the quick-look preset may lower: the form's key, its words, the value it stands at now (a number,
 * even where the parameter is "all": the count it stands for) and the least value that still learns something.
 */
export interface QuickLookKnob {
  key: string;
  label: string;
  from: number;
  min: number;
  /** How the value reads ("200 per class"); the number as is by default. */
  format?: (value: number) => string;
}

export interface QuickLook {
  /** The parameters to change, by the form's keys. */
  patch: Record<string, number>;
  /** What changed, in words: "Epochs 20 → 3". */
  changes: string[];
  /** The estimate with the patch applied. */
  seconds: number;
}

/**
 * Parameters that bring a job under `target` seconds: each knob in turn is lowered (binary search over whole
 * numbers between its least value and where it stands) to the largest value that fits, the next knob only when
 * the one before reached its least value. `secondsOf` estimates a patch (the rate does not change with these
 * knobs: the network's shape stays). Null when the job already fits or no knob moves.
 */
export function quickLook(
  knobs: readonly QuickLookKnob[],
  secondsOf: (patch: Record<string, number>) => number,
  target = QUICK_LOOK_SECONDS,
): QuickLook | null {
  const patch: Record<string, number> = {};
  if (secondsOf(patch) <= target) return null;
  for (const k of knobs) {
    if (k.from <= k.min) continue;
    const fits = (v: number) => secondsOf({ ...patch, [k.key]: v }) <= target;
    let value: number;
    if (fits(k.from)) continue;
    if (!fits(k.min)) value = k.min;
    else {
      let lo = k.min; // fits
      let hi = k.from; // does not
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (fits(mid)) lo = mid;
        else hi = mid;
      }
      value = lo;
    }
    patch[k.key] = value;
    if (secondsOf(patch) <= target) break;
  }
  const keys = Object.keys(patch);
  if (keys.length === 0) return null;
  const changes = knobs
    .filter((k) => patch[k.key] !== undefined)
    .map((k) => {
      const f = k.format ?? ((v: number) => v.toLocaleString('en'));
      return `${k.label} ${f(k.from)} → ${f(patch[k.key]!)}`;
    });
  return { patch, changes, seconds: secondsOf(patch) };
}

/** What `jobs.estimate` answers. */
export interface CostEstimate {
  /** Seconds the job will take; null when no rate is known yet (the engine is busy, no run of this shape ended). */
  seconds: number | null;
  images: number;
  /** Bytes written to the data folder; null until the network's size is known. */
  diskBytes: number | null;
  /** Where the time comes from. */
  basis: {
    backend: string;
    /** Seconds per training image, as the calibration measured it (null: none yet). */
    calibrated: number | null;
    /** Finished runs of the same shape that refined it. */
    runs: number;
    secondsPerImage: number | null;
    /** Why there is no time (the engine is busy with a job), or null. */
    note: string | null;
  };
  parts: string[];
  /** Above WARN_SECONDS: the preset that fits in about QUICK_LOOK_SECONDS. */
  quickLook: QuickLook | null;
  /** What makes a job of this kind shorter, in a sentence for the form's warning; null: the generic one. */
  shorter?: string | null;
  /**
   * Why a job of these settings cannot start (what Start would say), or null. Answered, not thrown: a form asks as
   * the user types, and half-typed settings are refused all the time.
   */
  refusal: string | null;
}

/** "about 1 h 33 min", "about 45 s": a duration as the form and the CLI say it. */
export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** "12 MB": bytes as the form and the CLI say them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1e3;
  let i = 0;
  while (v >= 1e3 && i < units.length - 1) {
    v /= 1e3;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
