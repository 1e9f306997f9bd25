/**
 * What the host hands an `evaluate` job (its `prepare` hook reads the store and resolves the genotype; the engine
 * never does), the network an evaluation builds, and the checks that refuse one before it starts.
 */
import { NETWORK_NAMES, networkSize, type EvaluateParams, type NetworkDescription } from '../../../shared/evaluate.js';
import type { Genotype } from '../../../shared/genotype.js';
import type { JobImagesHost } from '../compress/job-images.js';
import type { DatasetFacts, SplitDatasetJobContext } from '../jobs/dataset-context.js';

export interface EvaluateJobContext extends SplitDatasetJobContext, Pick<JobImagesHost, 'cacheDir'> {
  app: string;
  /** The network, resolved from the source (a search's genotype, a pasted one, or a baseline) and the preset. */
  network: NetworkDescription;
  /** genotype.json to keep beside the model (with the search's provenance when it came from one); null for baselines. */
  genotypeJson: string | null;
  genotypeText: string | null;
}

/** Files an evaluation writes into its job folder. */
export const EVALUATE_FILES = {
  checkpointDir: 'checkpoint',
  /** The exported model, moved into the models folder when the job finishes. */
  modelStaging: 'model-staging',
} as const;

/** The network an evaluation of `genotype` (null: a baseline) builds with these parameters. */
export function describeNetwork(
  params: Pick<EvaluateParams, 'source' | 'preset' | 'channels' | 'layers' | 'auxiliary' | 'dropPath'>,
  genotype: Genotype | null,
): NetworkDescription {
  const kind = params.source.kind === 'baseline' ? params.source.name : genotype!.space;
  const isDarts = kind === 'darts';
  const size = networkSize(kind, params.preset, {
    channels: params.channels,
    layers: kind === 'darts' || kind === 'nb201' ? params.layers : undefined,
    auxiliary: isDarts ? params.auxiliary : false,
    dropPath: isDarts ? params.dropPath : 0,
  });
  const cells = `${size.layers} cell${size.layers === 1 ? '' : 's'}`;
  const depth = kind === 'darts' ? `, ${cells}` : kind === 'nb201' ? `, ${cells} per stage` : '';
  const extras = [size.auxiliary ? 'auxiliary head' : '', size.dropPath > 0 ? `drop-path ${size.dropPath}` : ''].filter(
    Boolean,
  );
  return {
    kind,
    channels: size.channels,
    layers: kind === 'darts' || kind === 'nb201' ? size.layers : 0,
    auxiliary: size.auxiliary,
    dropPath: size.dropPath,
    genotype: kind === 'darts' || kind === 'nb201' ? genotype : null,
    label: `${NETWORK_NAMES[kind]}, C=${size.channels}${depth}${extras.length ? ` (${extras.join(', ')})` : ''}`,
  };
}

/** Smallest image side each network takes: all of them halve the resolution twice. */
const MIN_SIDE = 8;
/** DARTS' auxiliary head pools 5x5 (stride 3) after the second reduction, so it needs side / 4 ≥ 5. */
const MIN_SIDE_AUX = 20;
const MAX_SIDE = 256;

/**
 * Why this evaluation cannot run on this dataset (a message that says what to do), or null when it can.
 * Counts are per split over the stored images.
 */
export function evaluateRefusal(
  params: Pick<EvaluateParams, 'batch'>,
  network: Pick<NetworkDescription, 'kind' | 'auxiliary' | 'channels'>,
  d: DatasetFacts & { trainImages: number; testImages: number },
): string | null {
  if (d.classes < 2)
    return `Dataset "${d.name}" has ${d.classes} class; a classifier needs at least two. Import a dataset with two or more classes.`;
  // FactorizedReduce (DARTS operations.py) builds C channels from two stride-2 convolutions of C/2 each
  if (network.kind === 'darts' && network.channels % 2 !== 0)
    return `A DARTS network needs an even channel count (its reductions join two halves of C); C=${network.channels} is odd. Choose ${network.channels + 1} or ${network.channels - 1}.`;
  const side = Math.min(d.width, d.height);
  if (side < MIN_SIDE)
    return `Images of ${d.width}x${d.height} are too small: the ${NETWORK_NAMES[network.kind]} halves the resolution twice and needs at least ${MIN_SIDE}x${MIN_SIDE}. Import the dataset at a larger size.`;
  if (Math.max(d.width, d.height) > MAX_SIDE)
    return `Images of ${d.width}x${d.height} are too large to train on in reasonable time here. Import the dataset at ${MAX_SIDE}x${MAX_SIDE} or smaller.`;
  if (network.auxiliary && side < MIN_SIDE_AUX)
    return `The auxiliary head needs images of at least ${MIN_SIDE_AUX}x${MIN_SIDE_AUX} (it pools 5x5 after two halvings); these are ${d.width}x${d.height}. Turn the auxiliary head off.`;
  if (d.testImages === 0)
    return `Dataset "${d.name}" has no test images, so there is nothing to report accuracy on. Import it again with a test split.`;
  if (d.trainImages < 2)
    return `Dataset "${d.name}" has ${d.trainImages} training image${d.trainImages === 1 ? '' : 's'}; training needs at least two.`;
  if (params.batch > d.trainImages)
    return `The batch of ${params.batch} is larger than the ${d.trainImages} training images. Lower the batch size to ${d.trainImages} or less.`;
  return null;
}
