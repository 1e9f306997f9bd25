/**
 * The search loop's fidelity to the papers (issue #20): every image of the epoch's selection trains once per epoch
 * (item 4), the weight and α batches are augmented as the evaluation stage's `auto`, from a seeded stream (item 5),
 * and `--train-ae` trains with the autoencoder job's defaults (item 8). Sources: docs/REFERENCES.md.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AeTrainParams } from '../../shared/autoencoder.js';
import { SearchParams } from '../../shared/search.js';
import { normalizedBatch, type ImageSource } from '../../main/data/batches.js';
import type { ImageShape } from '../../main/data/tensor-store.js';
import { searchAutoencoderRecipe } from '../../main/engine/selection/embeddings.js';
import { epochBatches, searchAugmentation } from '../../main/engine/search/trainer.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const covered = (batches: Array<[number, number]>): number[] =>
  batches.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i));

describe('epochBatches: every image of the selection trains each epoch', () => {
  it('S = 100 at batch 64: all 100 images, the last batch smaller (not 64 of them)', () => {
    expect(epochBatches(100, 64)).toEqual([
      [0, 64],
      [64, 100],
    ]);
    expect(covered(epochBatches(100, 64))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(covered(epochBatches(100, 32))).toHaveLength(100); // 32, 32, 32, 4: not 96
  });

  it('merges a last batch of one image into the one before (batch norm over one image)', () => {
    expect(epochBatches(65, 64)).toEqual([[0, 65]]);
    expect(epochBatches(129, 64)).toEqual([
      [0, 64],
      [64, 129],
    ]);
    expect(epochBatches(1, 64)).toEqual([[0, 1]]);
    expect(epochBatches(0, 64)).toEqual([]);
  });
});

describe('search augmentation', () => {
  const rgb: ImageShape = { width: 32, height: 32, channels: 3 };
  const grey: ImageShape = { width: 28, height: 28, channels: 1 };
  const params = SearchParams.parse({ datasetId: 1, seed: 3 });

  it("defaults to the evaluation's `auto`: crop (pad 4 at 32 px) + flip for RGB, none for grey", () => {
    expect(params.augment).toBe('auto');
    expect(searchAugmentation(params, rgb, 0)).toMatchObject({ pad: 4, flip: true });
    expect(searchAugmentation(params, grey, 0)).toBeUndefined();
    expect(searchAugmentation({ ...params, augment: 'on' }, grey, 0)).toMatchObject({ pad: 4, flip: false });
    expect(searchAugmentation({ ...params, augment: 'off' }, rgb, 0)).toBeUndefined();
  });

  it('is a function of (seed, epoch): a resumed epoch gets the same pixels, another epoch other ones', () => {
    const rng = mulberry32(9);
    const pixels = Uint8Array.from({ length: 8 * 32 * 32 * 3 }, () => Math.floor(rng() * 256));
    const source: ImageSource = {
      shape: rgb,
      gather: (idx) => Uint8Array.from(Array.from(idx).flatMap((i) => [...pixels.subarray(i * 3072, (i + 1) * 3072)])),
    };
    const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    const rows = [0, 1, 2, 3, 4, 5, 6, 7];
    const labels = new Array<number>(8).fill(0);
    const batch = (epoch: number | null) => {
      const b = normalizedBatch(
        source,
        rows,
        labels,
        norm,
        epoch === null ? undefined : searchAugmentation(params, rgb, epoch),
      );
      const out = b.x.dataSync().slice();
      tf.dispose([b.x, b.labels]);
      return out;
    };
    const plain = batch(null);
    const a = batch(2);
    expect(a).not.toEqual(plain);
    expect(batch(2)).toEqual(a);
    expect(batch(3)).not.toEqual(a);
  });
});

describe('--train-ae', () => {
  it("trains with the autoencoder job's defaults: batch 8, Adam lr 1e-3, constant (DDS-NAS Sec. 4.2)", () => {
    const d = AeTrainParams.parse({ datasetId: 1 });
    expect(searchAutoencoderRecipe()).toEqual({ batch: d.batch, lr: d.lr, lrSchedule: d.lrSchedule });
    expect(searchAutoencoderRecipe()).toEqual({ batch: 8, lr: 1e-3, lrSchedule: 'constant' });
  });
});
