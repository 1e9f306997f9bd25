/**
 * The part of a job's host context that describes its dataset: what the search, evaluation and compression jobs
 * are all handed (each job's context.ts adds its own fields).
 */
import type { Split } from '../../../shared/datasets.js';
import type { ImageShape } from '../../data/tensor-store.js';

export interface DatasetJobContext {
  datasetId: number;
  datasetName: string;
  datasetDir: string;
  /** A stable content fingerprint of the dataset, recorded in provenance and checkpoint fingerprints. */
  datasetHash: string;
  shape: ImageShape;
  /** Per stored image, in stored order. */
  labels: number[];
  classNames: string[];
}

/** A dataset context with each image's split and group (evaluation and compression). */
export interface SplitDatasetJobContext extends DatasetJobContext {
  splits: Split[];
  /** Per stored image; null when the dataset has no groups. */
  groups: Array<string | null> | null;
}

/** What a job's refusal check reads of its dataset; each check adds the image counts it needs. */
export interface DatasetFacts {
  name: string;
  classes: number;
  width: number;
  height: number;
  channels: number;
}
