/**
 * The contract between the format readers (main/data/formats/), the decoder (main/data/decode.ts) and the
 * import job (main/data/import-job.ts). A reader lists what a source holds without decoding pixels; the
 * decoder turns one item into fixed-size uint8 HWC pixels; the import job does the rest.
 */
import type { DatasetFormat, Rejection, ResizeFit, Split } from '../../shared/datasets.js';

/** How to get one image's pixels. */
export type Payload =
  /** An encoded image file (png, jpg, webp, tif, gif, avif...): decoded with sharp. */
  | { kind: 'file'; path: string }
  /** Pixels already in memory, uint8 HWC (IDX, CIFAR, built-in data). `data` may be a view into a larger buffer. */
  | { kind: 'raw'; width: number; height: number; channels: 1 | 3; data: Uint8Array };

export interface SourceItem {
  /** What the user sees in reports: a path relative to the source root, or `file#index` for records. */
  source: string;
  /** Index into SourceScan.classes. */
  label: number;
  group?: string;
  /** The source's own split, when it has one. */
  split?: Split;
  payload: Payload;
}

export interface SourceScan {
  format: DatasetFormat | 'mnist-sample' | 'synth-chroma';
  /** Absolute path of the folder or file read ('builtin:…' for built-in data). */
  root: string;
  /** Class names in label order. */
  classes: string[];
  items: SourceItem[];
  /** Problems found while reading the source (not decoding): bad rows, missing files, empty class folders... */
  rejected: Rejection[];
  warnings: string[];
  hasOwnSplit: boolean;
  /** Size of every image when the format fixes it (IDX, CIFAR, built-in), else null. */
  native: { width: number; height: number; channels: 1 | 3 } | null;
  /**
   * Identifies the source's content cheaply (paths, sizes, modification times of the files read), so that
   * importing the same source again is detected before any decoding.
   */
  fingerprint: string;
}

/**
 * A source that cannot be read at all (missing path, unknown format, wrong IDX magic...). Its message says
 * what is wrong and what to do; the import fails with it.
 */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

/**
 * The engine process could not read a path as a dataset (the host's view of a SourceError thrown in the worker;
 * its message says why and what to do).
 */
export class SourceReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceReadError';
  }
}

export interface ReaderOptions {
  /** CIFAR-100 label set. */
  cifar100Labels?: 'fine' | 'coarse';
  signal?: AbortSignal;
}

export type FormatReader = (path: string, options: ReaderOptions) => Promise<SourceScan>;

export interface DecodeOptions {
  size: number;
  channels: 1 | 3;
  fit: ResizeFit;
  /** sharp's decompression-bomb guard: images with more input pixels are rejected. */
  limitInputPixels?: number;
}

/** One image that could not be decoded; `reason` is shown to the user as is. */
export class DecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DecodeError';
  }
}
