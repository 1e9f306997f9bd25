/**
 * "resume continues exactly": a search stopped after its first epoch and resumed from the checkpoint ends with the
 * same α, losses, genotype and data selection, bit for bit, as the same search run straight through — for both
 * spaces and every selection strategy. Runs the engine's search handler in-process on a small synthetic dataset
 * (28x28, the smallest size DDS's autoencoder takes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SearchParams, type SearchEpochData, type SearchResult } from '../../shared/search.js';
import type { ImageShape } from '../../main/data/tensor-store.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { SEARCH_FILES, type SearchJobContext } from '../../main/engine/search/context.js';
import {
  activeSearchParams,
  BANDS,
  bandsHostPerFile,
  expectResumedLikeStraight,
  runSearchInProcess,
  stoppedAndResumed,
  tinySearchParams,
  writeClassDataset,
} from '../fixtures/search-host.js';

const { classes: CLASSES, perClass: PER_CLASS } = BANDS;

const bands = bandsHostPerFile('winnow-search-resume-');

/** CLASSES x PER_CLASS images (alternately train_w and train_α) of `shape`; `pixel(k, c)` = byte k of an image of class c. */
function writeDataset(
  name: string,
  shape: ImageShape,
  pixel: (k: number, c: number) => number,
): { datasetDir: string; labels: number[]; halves: Array<'w' | 'a' | null> } {
  return writeClassDataset(bands.dir, name, shape, pixel);
}

function runSearch(
  jobDir: string,
  params: SearchParams,
  opts: { resume: boolean; stopAfterEpoch?: number },
  hostContext: SearchJobContext = bands.host,
): Promise<{ result: SearchResult | null; epochs: SearchEpochData[] }> {
  return runSearchInProcess(jobDir, params, { ...opts, backend: 'wasm' }, hostContext);
}

describe.each(['darts', 'nb201'] as const)('search resume (%s)', (space) => {
  it('stopping after epoch 1 and resuming gives the same epoch 2 and result as running straight through', async () => {
    const params = tinySearchParams(space, { seed: 7 });
    const straight = await runSearch(path.join(bands.dir, `${space}-straight`), params, { resume: false });
    expect(straight.result).not.toBeNull();

    const resumed = await stoppedAndResumed(path.join(bands.dir, `${space}-resumed`), params, 1, bands.host);
    expectResumedLikeStraight(straight, resumed, 1);
  }, 180_000);
});

/**
 * Each strategy on both spaces, 3 epochs, stopped after epoch 1 and resumed: the subsets, replacements, prunings
 * and the search itself continue exactly. The settings make every strategy act within 3 epochs: dds resamples
 * from epoch 1 (warm-up 1, mastery and hardness thresholds low), bdp prunes after epoch 2 (T = 2, its smallest),
 * so the resumed run must carry epoch 1's errors in its VoE window across the stop.
 */
describe.each(['random', 'dds', 'dds-untrained', 'bdp'] as const)('search with %s selection', (strategy) => {
  it.each(['darts', 'nb201'] as const)(
    'runs 3 epochs in the %s space, checkpoints and resumes exactly',
    async (space) => {
      const params = activeSearchParams(space, strategy, 'wasm');
      const hostContext = strategy === 'dds' ? { ...bands.host, autoencoder: bands.aeHost } : bands.host;
      const straight = await runSearch(
        path.join(bands.dir, `${strategy}-${space}-straight`),
        params,
        { resume: false },
        hostContext,
      );
      expect(straight.result, 'the straight run finishes').not.toBeNull();
      expect(straight.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
      const stats = straight.epochs.map((e) => e.selection!);
      for (const st of stats) expect(st.trainSize).toBeGreaterThan(0);
      if (strategy === 'random' || strategy === 'dds' || strategy === 'dds-untrained') {
        // subsets of 6 over 3 classes: 2 per class, every epoch, whatever gets replaced
        for (const st of stats) expect(st.perClass.train).toEqual([2, 2, 2]);
      }
      if (strategy === 'dds' || strategy === 'dds-untrained') {
        expect(
          stats.some((st) => st.dds!.replaced > 0),
          'dds replaced easy images within 3 epochs',
        ).toBe(true);
        expect(stats[2]!.dds!.uniqueSeen).toBeGreaterThan(6);
      }
      if (strategy === 'bdp') {
        // 12 train_w images: pruned once, after epoch 2 (the VoE over epochs 1-2), none after the last
        expect(stats.map((st) => st.bdp!.pruning !== undefined)).toEqual([false, true, false]);
        expect(stats[1]!.bdp!.pruning!.train.pruned).toBeGreaterThan(0);
        expect(stats[2]!.trainSize).toBeLessThan(stats[1]!.trainSize);
        expect(stats[2]!.trainSize).toBe(stats[1]!.bdp!.remainingTrain);
      }
      expect(straight.epochs.map((e) => e.imagesTotal)).toEqual(
        straight.epochs.reduce<number[]>((acc, e) => [...acc, (acc.at(-1) ?? 0) + e.images], []),
      );

      const dir = path.join(bands.dir, `${strategy}-${space}-resumed`);
      const first = await runSearch(dir, params, { resume: false, stopAfterEpoch: 1 }, hostContext);
      expect(first.result).toBeNull();
      const resumed = await runSearch(dir, params, { resume: true }, hostContext);
      expect(resumed.epochs.map((e) => e.epoch)).toEqual([2, 3]);
      for (const [k, e] of resumed.epochs.entries()) {
        const a = straight.epochs[k + 1]!;
        expect(e.selection).toEqual(a.selection);
        expect(e.alphas).toEqual(a.alphas);
        expect(e.trainLoss).toBe(a.trainLoss);
        expect(e.lr).toBe(a.lr);
      }
      expect(resumed.result!.genotypeText).toBe(straight.result!.genotypeText);
    },
    300_000,
  );
});

describe('search with dds training its own autoencoder first', () => {
  it('trains it, keeps its codes in the job folder, and a resumed run reuses them exactly', async () => {
    const params = { ...activeSearchParams('nb201', 'dds', 'wasm'), trainAutoencoderEpochs: 1, seed: 5 };
    const straight = await runSearch(path.join(bands.dir, 'dds-own-straight'), params, { resume: false });
    expect(straight.result).not.toBeNull();
    const dir = path.join(bands.dir, 'dds-own-resumed');
    await runSearch(dir, params, { resume: false, stopAfterEpoch: 1 });
    expect(fs.statSync(path.join(dir, SEARCH_FILES.embeddings)).size).toBe(CLASSES * PER_CLASS * 8 * 4); // N = 8 for grey
    const resumed = await runSearch(dir, params, { resume: true });
    expect(resumed.epochs.map((e) => e.selection)).toEqual(straight.epochs.slice(1).map((e) => e.selection));
    expect(resumed.result!.genotypeText).toBe(straight.result!.genotypeText);
  }, 300_000);
});

describe('search with dds, refusals', () => {
  it('fails with a message when the dataset has no trained autoencoder', async () => {
    const params = { ...activeSearchParams('nb201', 'dds', 'wasm'), epochs: 1 };
    await expect(runSearch(path.join(bands.dir, 'dds-no-ae'), params, { resume: false })).rejects.toThrow(
      /DDS needs a trained autoencoder/,
    );
  });
});

/**
 * Issue #20, items 4 and 5 on RGB data: every train_w image trains each epoch (12 images at batch 5: 5 + 5 + 2, not
 * 10), the batches are cropped and flipped (the `auto` augmentation changes the losses), and a resumed search
 * continues exactly because the augmentation is drawn from (seed, epoch).
 */
describe('search on RGB data: every image each epoch, seeded augmentation', () => {
  it('trains all 12 train_w images per epoch at batch 5, augments, and resumes exactly', async () => {
    const side = 16;
    const rng = mulberry32(12);
    // class c: a bright channel c, plus noise
    const { datasetDir, labels, halves } = writeDataset(
      'rgb-dataset',
      { width: side, height: side, channels: 3 },
      (k, c) => Math.floor(rng() * 60) + (k % 3 === c ? 180 : 0),
    );
    const rgbHost: SearchJobContext = {
      ...bands.host,
      datasetDir,
      shape: { width: side, height: side, channels: 3 },
      labels,
      halves,
    };
    const params = SearchParams.parse({
      datasetId: 1,
      space: 'nb201',
      epochs: 2,
      batch: 5,
      channels: 4,
      cells: 1,
      seed: 3,
      backend: 'wasm',
    });
    expect(params.augment).toBe('auto');
    const straight = await runSearch(path.join(bands.dir, 'rgb-straight'), params, { resume: false }, rgbHost);
    expect(straight.epochs.map((e) => e.images)).toEqual([12, 12]);
    expect(straight.result!.imagesProcessed).toBe(24);

    const plain = await runSearch(
      path.join(bands.dir, 'rgb-plain'),
      { ...params, augment: 'off' },
      { resume: false },
      rgbHost,
    );
    expect(plain.epochs[0]!.trainLoss, 'augmentation changes what the weight steps see').not.toBe(
      straight.epochs[0]!.trainLoss,
    );

    const dir = path.join(bands.dir, 'rgb-resumed');
    const first = await runSearch(dir, params, { resume: false, stopAfterEpoch: 1 }, rgbHost);
    expect(first.result).toBeNull();
    const resumed = await runSearch(dir, params, { resume: true }, rgbHost);
    const a = straight.epochs[1]!;
    const b = resumed.epochs[0]!;
    expect(b.epoch).toBe(2);
    expect(b.trainLoss).toBe(a.trainLoss);
    expect(b.valLoss).toBe(a.valLoss);
    expect(b.alphas).toEqual(a.alphas);
    expect(resumed.result!.genotypeText).toBe(straight.result!.genotypeText);
  }, 180_000);
});
