/** The results table of a compression study and the rows of its image viewer. */
import type {
  CodecPoint,
  CompressProtocol,
  CompressReference,
  CompressRow,
  CompressionImages,
  Subsampling,
} from '../../../shared/compress.js';
import { PROTOCOLS, SUBSAMPLINGS, gridKey } from '../../../shared/compress-defaults.js';
import { rowKey } from './compress-study.js';
import { formatDelta, formatFixed, formatMeanBytes, formatPsnr, formatRate } from './compress.js';
import { formatAccuracy, formatPoints } from './format.js';

import { rowImages } from '../../../shared/meaning.js';
import { intervalText, type IntervalText } from './meaning.js';

export interface TableRow {
  key: string;
  protocol: CompressProtocol;
  quality: number;
  subsampling: Subsampling;
  bytes: string;
  bpp: string;
  rate: string;
  psnr: string;
  ssim: string;
  accuracy: string;
  /** The accuracy's 95% interval over the row's test images (null without per-class counts). */
  interval: IntervalText | null;
  /** Accuracy minus the reference's, in percentage points ("−3.2 pp"). */
  delta: string;
  /** Below the original by more than a point. */
  worse: boolean;
  groupStd: string;
}

/** One line per protocol × grid point: protocols in their order, 4:2:0 first, highest quality first. */
export function tableRows(
  rows: readonly CompressRow[],
  codec: readonly CodecPoint[],
  reference: CompressReference | null,
): TableRow[] {
  const byKey = new Map(codec.map((c) => [gridKey(c.quality, c.subsampling), c]));
  return [...rows]
    .sort(
      (a, b) =>
        PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) ||
        SUBSAMPLINGS.indexOf(a.subsampling) - SUBSAMPLINGS.indexOf(b.subsampling) ||
        b.quality - a.quality,
    )
    .map((r) => {
      const c = byKey.get(gridKey(r.quality, r.subsampling)) ?? null;
      const d = reference ? r.accuracy - reference.accuracy : null;
      return {
        key: rowKey(r),
        protocol: r.protocol,
        quality: r.quality,
        subsampling: r.subsampling,
        bytes: formatMeanBytes(c?.meanBytes),
        bpp: formatFixed(c?.bitsPerPixel, 2),
        rate: formatRate(c?.compressionRate),
        psnr: formatPsnr(c?.psnr),
        ssim: formatFixed(c?.ssim, 4),
        accuracy: formatAccuracy(r.accuracy),
        interval: intervalText(r.accuracy, rowImages(r)),
        delta: formatDelta(d),
        worse: d != null && d < -0.01,
        groupStd: formatPoints(r.groupStd),
      };
    });
}
export const ZOOMS = [1, 2, 3, 4, 6, 8] as const;
export type Zoom = (typeof ZOOMS)[number];

/** The largest zoom at which an image of `width` pixels stays within `target` pixels (at least 1×). */
export function defaultZoom(width: number, target = 112): Zoom {
  let best: Zoom = 1;
  for (const z of ZOOMS) if (width * z <= target) best = z;
  return best;
}

export type ViewerPoint = CompressionImages['images'][number]['points'][number];

export interface ViewerRow {
  subsampling: Subsampling;
  /** Highest quality first, beside the original. */
  points: ViewerPoint[];
}

/** One image's points as rows: 4:2:0 above 4:4:4, qualities high to low (the same columns in both rows). */
export function viewerRows(points: readonly ViewerPoint[]): ViewerRow[] {
  return SUBSAMPLINGS.flatMap((subsampling) => {
    const row = points.filter((p) => p.subsampling === subsampling).sort((a, b) => b.quality - a.quality);
    return row.length > 0 ? [{ subsampling, points: row }] : [];
  });
}

/** The qualities shown in the viewer (columns), highest first. */
export function viewerQualities(images: CompressionImages): number[] {
  return [...new Set(images.images.flatMap((i) => i.points.map((p) => p.quality)))].sort((a, b) => b - a);
}
