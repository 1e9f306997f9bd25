/**
 * What the host hands a `naswot` job (its `prepare` hook reads the store; the engine never does), the files the job
 * writes, and the checks that refuse a ranking before it runs — one place, used by `jobs.start` and by the job.
 */
import type { NaswotParams } from '../../../shared/naswot.js';
import type { DatasetFacts } from '../jobs/dataset-context.js';
import type { SearchJobContext } from '../search/context.js';

/** A search's dataset facts (without its autoencoder), and the DDS search's last subset when minedFrom is set. */
export type NaswotJobContext = Omit<SearchJobContext, 'autoencoder' | 'cacheDir'> & {
  /** minedFrom: the DDS search's last subset (rows of this dataset) and the epoch that used it. */
  mined: { searchId: number; epoch: number; rows: number[] } | null;
};

/** Files a ranking writes into its job folder. */
export const NASWOT_FILES = {
  scoresCsv: 'naswot-scores.csv',
  genotypeJson: 'genotype.json',
  /** With `kendall`: the trained weight-sharing supernet (a verified checkpoint folder). */
  supernetDir: 'supernet',
} as const;

/** Why this ranking cannot run (a message that says what to do), or null. `pool`: images the batches are drawn from. */
export function naswotRefusal(
  params: Pick<NaswotParams, 'batch' | 'inputSize' | 'minedFrom' | 'kendall' | 'supernetBatch'>,
  d: DatasetFacts & { pool: number; trainW: number; trainA: number },
): string | null {
  if (d.classes < 2)
    return `Dataset "${d.name}" has ${d.classes} class; ranking needs images of at least two classes. Import a dataset with two or more classes.`;
  if (d.channels !== 1 && d.channels !== 3)
    return `Dataset "${d.name}" has ${d.channels} channels; the NAS-Bench-201 network takes 1 (grey) or 3 (RGB). Import it again as grey or RGB.`;
  const size = params.inputSize ?? Math.min(d.width, d.height);
  if (size < 8)
    return `Images of ${d.width}x${d.height} are too small: the NAS-Bench-201 network halves the resolution twice and needs at least 8x8. Set an input size of 8 or more.`;
  if (params.inputSize === null && d.width !== d.height)
    return `Images of ${d.width}x${d.height} are not square; set an input size (e.g. ${Math.min(d.width, d.height)}) to resize them.`;
  const from =
    params.minedFrom !== null ? `search ${params.minedFrom}'s last DDS subset` : `the training split of "${d.name}"`;
  if (d.pool < params.batch)
    return `A mini-batch of ${params.batch} images needs at least that many, but ${from} has ${d.pool}. Lower the batch size${params.minedFrom !== null ? ' or draw the images at random' : ''}.`;
  if (params.kendall && (d.trainW < 2 || d.trainA < 1))
    return `Kendall's τ needs training images to train the supernet on and validation images to measure it; dataset "${d.name}" has ${d.trainW} and ${d.trainA}. Turn Kendall's τ off or import more images.`;
  return null;
}
