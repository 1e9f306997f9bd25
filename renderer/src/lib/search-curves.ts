/**
 * A search's epochs as curves: merging stored and pushed epochs, the loss / accuracy / epoch-time series of one
 * search, and the series that compare several (by epoch, images processed or wall time).
 */
import { formatGenotype } from '../../../shared/genotype/text.js';
import type { PushMessage } from '../../../shared/jobs.js';
import type { SearchDetail, SearchEpochData } from '../../../shared/search.js';

// ---- epochs -------------------------------------------------------------------------------------------------

/**
 * Union of two lists of per-epoch records (search snapshots, evaluation epochs), one per epoch (a later one wins: a
 * resumed job repeats an epoch), in order.
 */
export function mergeEpochs<T extends { epoch: number }>(existing: readonly T[], incoming: readonly T[]): T[] {
  if (incoming.length === 0) return existing as T[];
  const last = existing[existing.length - 1];
  if (incoming.length === 1 && (!last || incoming[0]!.epoch > last.epoch)) return [...existing, incoming[0]!];
  const byEpoch = new Map<number, T>();
  for (const e of existing) byEpoch.set(e.epoch, e);
  for (const e of incoming) byEpoch.set(e.epoch, e);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** The snapshot a pushed message carries for job `jobId`, else null. */
export function epochFromPush(message: PushMessage, jobId: number): SearchEpochData | null {
  if (message.channel !== 'job.event' || message.jobId !== jobId) return null;
  return message.event.type === 'search-epoch' ? message.event.data : null;
}

// ---- charts -------------------------------------------------------------------------------------------------

export interface SeriesPoint {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  role: 'train' | 'val' | 'other';
  points: SeriesPoint[];
  /** Index into the chart's palette (comparisons: one colour per search); default by role. */
  color?: number;
  /** Dashed (default: validation series), e.g. a threshold line. */
  dash?: boolean;
}

/** The curves of a run trained epoch by epoch: loss, accuracy (in %) and seconds per epoch. */
export interface EpochCharts {
  loss: Series[];
  accuracy: Series[];
  seconds: Series[];
}
export type SearchCharts = EpochCharts;

export const finite = (v: number): boolean => Number.isFinite(v);

/**
 * Loss, accuracy (in %) and seconds per epoch: train against the held-out split (`held`: its label, its loss and
 * accuracy in an epoch); an epoch without a finite value is left out of that curve.
 */
export function epochCharts<E extends { epoch: number; trainLoss: number; trainAccuracy: number; seconds: number }>(
  epochs: readonly E[],
  held: { label: string; loss: (e: E) => number; accuracy: (e: E) => number },
): EpochCharts {
  const pts = (pick: (e: E) => number, scale = 1): SeriesPoint[] =>
    epochs.filter((e) => finite(pick(e))).map((e) => ({ x: e.epoch, y: pick(e) * scale }));
  return {
    loss: [
      { label: 'train', role: 'train', points: pts((e) => e.trainLoss) },
      { label: held.label, role: 'val', points: pts(held.loss) },
    ],
    accuracy: [
      { label: 'train', role: 'train', points: pts((e) => e.trainAccuracy, 100) },
      { label: held.label, role: 'val', points: pts(held.accuracy, 100) },
    ],
    seconds: [{ label: 'seconds', role: 'other', points: pts((e) => e.seconds) }],
  };
}

/** A search's curves from its snapshots: train against validation. */
export function chartsOf(epochs: readonly SearchEpochData[]): SearchCharts {
  return epochCharts(epochs, { label: 'validation', loss: (e) => e.valLoss, accuracy: (e) => e.valAccuracy });
}

// ---- comparing searches --------------------------------------------------------------------------------------

export type CompareX = 'epoch' | 'images' | 'seconds';
export type CompareMetric = 'valAccuracy' | 'trainLoss';

export const COMPARE_X_LABELS: Record<CompareX, string> = {
  epoch: 'epoch',
  images: 'training images processed',
  seconds: 'wall time (s)',
};

/** Cumulative seconds at the end of each epoch. */
export function cumulativeSeconds(epochs: readonly Pick<SearchEpochData, 'seconds'>[]): number[] {
  let t = 0;
  return epochs.map((e) => (t += Number.isFinite(e.seconds) ? e.seconds : 0));
}

/**
 * Training images processed by the end of each epoch: `imagesTotal` where recorded, else the previous total plus
 * the epoch's `images` (searches recorded before imagesTotal existed: the cumulative sum of `images`).
 */
export function imagesTotals(epochs: readonly Pick<SearchEpochData, 'images' | 'imagesTotal'>[]): number[] {
  let n = 0;
  return epochs.map((e) => (n = e.imagesTotal ?? n + (Number.isFinite(e.images) ? e.images : 0)));
}

export interface CompareRun {
  jobId: number;
  label: string;
  epochs: readonly SearchEpochData[];
}

/** One series per search: `metric` (accuracy in %) against epoch, images processed or cumulative wall time. */
export function compareSeries(runs: readonly CompareRun[], metric: CompareMetric, x: CompareX): Series[] {
  return runs.map((run, i) => {
    const xs =
      x === 'epoch'
        ? run.epochs.map((e) => e.epoch)
        : x === 'images'
          ? imagesTotals(run.epochs)
          : cumulativeSeconds(run.epochs);
    const points = run.epochs.flatMap((e, k) => {
      const y = metric === 'valAccuracy' ? e.valAccuracy * 100 : e.trainLoss;
      return Number.isFinite(y) && Number.isFinite(xs[k]) ? [{ x: xs[k]!, y }] : [];
    });
    return { label: run.label, role: 'other' as const, points, color: i };
  });
}

export interface CompareRow {
  jobId: number;
  strategy: string;
  /** The final genotype, else the latest epoch's. */
  genotypeText: string | null;
  /** The final supernet's top-1 on the test split (0..1): null until the search has finished (or if it predates it). */
  testAccuracy: number | null;
  /** How many test images that was measured on. */
  testImages: number | null;
  /** Final supernet val accuracy (0..1), else the latest epoch's. */
  valAccuracy: number | null;
  /** Training images the weight steps processed (the whole search, else up to the latest epoch). */
  images: number | null;
  seconds: number | null;
}

/** A search's line in the comparison table. */
export function compareRow(d: Pick<SearchDetail, 'summary' | 'params' | 'epochs' | 'result'>): CompareRow {
  const last = d.epochs[d.epochs.length - 1];
  const totals = imagesTotals(d.epochs);
  const secs = cumulativeSeconds(d.epochs);
  return {
    jobId: d.summary.jobId,
    strategy: d.params.strategy,
    genotypeText: d.result?.genotypeText ?? d.summary.genotypeText ?? (last ? formatGenotype(last.genotype) : null),
    testAccuracy: d.result?.supernetTest?.accuracy ?? null,
    testImages: d.result?.supernetTest?.images ?? null,
    valAccuracy: d.result?.final.valAccuracy ?? last?.valAccuracy ?? null,
    images: d.result?.imagesProcessed ?? (totals.length > 0 ? totals[totals.length - 1]! : null),
    seconds: d.result?.seconds ?? (secs.length > 0 ? secs[secs.length - 1]! : null),
  };
}

/** The searches to compare among `picked` (job ids, in the order ticked): those in `list` with a finished epoch. */
export function comparableSearches<T extends { jobId: number; epochsDone: number }>(
  list: readonly T[],
  picked: readonly number[],
): T[] {
  return picked.flatMap((id) => {
    const s = list.find((x) => x.jobId === id);
    return s && s.epochsDone > 0 ? [s] : [];
  });
}

/** `picked` with `id` ticked (appended) or unticked. */
export function togglePick(picked: readonly number[], id: number, on: boolean): number[] {
  const rest = picked.filter((p) => p !== id);
  return on ? [...rest, id] : rest;
}
