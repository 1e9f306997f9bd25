/**
 * What the host hands a `compress` job (its `prepare` hook reads the store; the engine never does), the files the
 * study keeps in its job folder, and the grid it runs.
 */
import type { CompressParams, Subsampling } from '../../../shared/compress.js';
import type { NetworkDescription } from '../../../shared/evaluate.js';
import type { SplitDatasetJobContext } from '../jobs/dataset-context.js';

export interface CompressJobContext extends SplitDatasetJobContext {
  /** Where decoded JPEG copies are cached, shared by every study (the host's data folder). */
  cacheDir: string;
  /** A stored model's folder (model.json + weights + report.json), or a baseline to train first. */
  model:
    | { kind: 'stored'; dir: string; name: string; network: NetworkDescription | null }
    | { kind: 'baseline'; network: NetworkDescription };
}

/** Files a study writes into its job folder. */
export const COMPRESS_FILES = {
  /** Finished pieces (reference, codec points, accuracy rows): what `resume` skips. */
  state: 'study.json',
  /** Per-epoch checkpoints of the baseline, each retraining and the mixed network. */
  checkpoints: 'checkpoints',
} as const;

export interface GridPoint {
  quality: number;
  subsampling: Subsampling;
}

/**
 * The grid in the order the study runs it: qualities high to low, 4:2:0 before 4:4:4. A grey image has no chroma,
 * so 4:2:0 and 4:4:4 are the same file: grey datasets run one point per quality, labelled 4:4:4 (nothing is
 * subsampled) when that was asked for.
 */
export function studyGrid(p: Pick<CompressParams, 'qualities' | 'subsampling'>, channels: number): GridPoint[] {
  const subsamplings = [...p.subsampling].sort();
  const used: Subsampling[] =
    channels === 1 ? [subsamplings.includes('4:4:4') ? '4:4:4' : subsamplings[0]!] : subsamplings;
  const qualities = [...p.qualities].sort((a, b) => b - a);
  return qualities.flatMap((quality) => used.map((subsampling) => ({ quality, subsampling })));
}

/** Up to `n` of `rows`, evenly spaced (rows are stored class by class, so the first n would miss classes). */
export function evenlySpaced(rows: readonly number[], n: number): number[] {
  if (rows.length <= n) return [...rows];
  return Array.from({ length: n }, (_, k) => rows[Math.floor((k * rows.length) / n)]!);
}
