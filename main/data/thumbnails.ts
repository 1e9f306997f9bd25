/** Stored images as small PNG data: URLs for the UI (read from disk, only the rows asked for). */
import path from 'node:path';
import sharp from 'sharp';
import type { Thumbnail } from '../../shared/datasets.js';
import type { ImageRow } from '../store/datasets-repo.js';
import { IMAGES_FILE } from './staged.js';
import { readImages, type ImageShape } from './tensor-store.js';

/** Raw uint8 HWC pixels as a PNG data: URL. */
export async function pngDataUrl(pixels: Uint8Array, shape: ImageShape): Promise<string> {
  const png = await sharp(pixels, { raw: { width: shape.width, height: shape.height, channels: shape.channels } })
    .toColourspace(shape.channels === 1 ? 'b-w' : 'srgb')
    .png({ compressionLevel: 3 })
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

export async function thumbnails(
  datasetDir: string,
  shape: ImageShape,
  rows: readonly ImageRow[],
): Promise<Thumbnail[]> {
  const pixels = readImages(
    path.join(datasetDir, IMAGES_FILE),
    shape,
    rows.map((r) => r.index),
  );
  return Promise.all(
    rows.map(async (r, k) => ({
      index: r.index,
      label: r.label,
      split: r.split,
      group: r.group,
      source: r.source,
      png: await pngDataUrl(pixels[k]!, shape),
    })),
  );
}
