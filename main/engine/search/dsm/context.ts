/**
 * What the host hands a `dsm-search` job (its `prepare` hook reads the store; the engine never does), the files the
 * job writes, and the checks that refuse a search before it runs — one place, used by `jobs.start` and by the job.
 */
import type { DsmParams } from '../../../../shared/dsm.js';
import type { SearchJobContext } from '../context.js';
import { parseInitCells } from './subspaces.js';

export type DsmJobContext = Omit<SearchJobContext, 'autoencoder' | 'cacheDir'> & {
  /** supernetFrom: the finished job whose supernet folder this search reuses. */
  supernet: { jobId: number; dir: string } | null;
};

/** Files a DSM-NAS search writes into its job folder. */
export const DSM_FILES = {
  checkpointDir: 'checkpoint',
  /** The supernet this job trained (a verified checkpoint folder, as NASWOT's). */
  supernetDir: 'supernet',
  genotypeJson: 'genotype.json',
  historyCsv: 'dsm-history.csv',
} as const;

/** Why this search cannot run (a message that says what to do), or null. */
export function dsmRefusal(
  params: Pick<DsmParams, 'subspaces' | 'init' | 'inputSize' | 'supernetFrom'>,
  d: { name: string; classes: number; width: number; height: number; channels: number; trainW: number; trainA: number },
): string | null {
  if (d.classes < 2)
    return `Dataset "${d.name}" has ${d.classes} class; a search needs images of at least two classes. Import a dataset with two or more classes.`;
  if (d.channels !== 1 && d.channels !== 3)
    return `Dataset "${d.name}" has ${d.channels} channels; the NAS-Bench-201 network takes 1 (grey) or 3 (RGB). Import it again as grey or RGB.`;
  const size = params.inputSize ?? Math.min(d.width, d.height);
  if (size < 8)
    return `Images of ${d.width}x${d.height} are too small: the NAS-Bench-201 network halves the resolution twice and needs at least 8x8. Set an input size of 8 or more.`;
  if (params.inputSize === null && params.supernetFrom === null && d.width !== d.height)
    return `Images of ${d.width}x${d.height} are not square; set an input size (e.g. ${Math.min(d.width, d.height)}) to resize them.`;
  if (d.trainW < 2 || d.trainA < 1)
    return `DSM-NAS needs training images for the supernet and validation images to measure cells on; dataset "${d.name}" has ${d.trainW} and ${d.trainA}. Import more images.`;
  try {
    parseInitCells(params.subspaces, params.init);
  } catch (e) {
    return `${(e as Error).message} Starting cells are NAS-Bench-201 strings such as |nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|.`;
  }
  return null;
}
