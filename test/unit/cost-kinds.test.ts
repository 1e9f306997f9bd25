/**
 * Cost before Start's counts for the autoencoder, evaluation and compression study (shared/cost.ts), checked
 * against numbers worked out by hand from what each job does, and their quick-look presets.
 */
import { describe, expect, it } from 'vitest';
import { START_SECONDS, observedRate, quickLook, secondsFor } from '../../shared/cost.js';
import {
  JPEG_SECONDS_PER_MEGAPIXEL,
  autoencoderCount,
  autoencoderQuickLookKnobs,
  classifierQuickLookKnobs,
  compressCount,
  epochImages,
  evaluateCount,
  trainUnderLimit,
  withJpegStage,
} from '../../shared/cost-kinds.js';
import { builtParams } from '../../renderer/src/lib/cost.js';

// 10 classes of 60 training images, 500 test images, 28x28 grey
const classifier = { perClassTrain: Array.from({ length: 10 }, () => 60), testImages: 500 };
const study = { ...classifier, images: 1100, width: 28, height: 28, channels: 1 };

describe('the training loops', () => {
  it('per-class limits and whole batches', () => {
    expect(trainUnderLimit([60, 5, 30], null)).toBe(95);
    expect(trainUnderLimit([60, 5, 30], 20)).toBe(45); // 20 + 5 + 20
    expect(epochImages(600, 64)).toBe(576); // 9 whole batches
    expect(epochImages(50, 64)).toBe(50); // fewer than one batch: all of them
    expect(epochImages(128, 64)).toBe(128);
  });
});

describe('evaluateCount', () => {
  it('every epoch: whole batches of the training images, then the whole test split', () => {
    const c = evaluateCount({ epochs: 3, batch: 64, limitPerClass: null }, classifier);
    expect(c.trainImages).toBe(1728); // 3 x 576
    expect(c.inferImages).toBe(1500); // 3 x 500
    expect(c.images).toBe(3228);
    expect(c.parts).toEqual(['3 epochs × 576 training images', '500 test images after every epoch']);
  });

  it('the per-class limit', () => {
    const c = evaluateCount({ epochs: 2, batch: 16, limitPerClass: 4 }, classifier);
    expect(c.trainImages).toBe(64); // 40 images: 2 batches of 16 per epoch
    expect(c.inferImages).toBe(1000);
  });
});

describe('withJpegStage', () => {
  const count = evaluateCount({ epochs: 2, batch: 64, limitPerClass: null }, classifier);
  it('adds the encoding of every stored image, off the network, and its decoded copy on disk', () => {
    const c = withJpegStage(count, 15, { images: 1100, width: 28, height: 28, channels: 1 });
    expect(c.trainImages).toBe(count.trainImages);
    expect(c.inferImages).toBe(count.inferImages);
    expect(c.extraBytes).toBe(count.extraBytes + 1100 * 784);
    expect(c.fixedSeconds).toBeCloseTo((1100 * 784 * JPEG_SECONDS_PER_MEGAPIXEL) / 1e6, 9);
    expect(c.parts).toEqual([
      '1,100 images compressed at JPEG quality 15 first (unless an earlier job did)',
      ...count.parts,
    ]);
  });
  it('adds nothing without a quality', () => {
    expect(withJpegStage(count, null, { images: 1100, width: 28, height: 28, channels: 1 })).toBe(count);
  });
});

describe('compressCount', () => {
  it('test protocol on a stored model: each grid point encodes the dataset; tests on the originals and each point', () => {
    const c = compressCount(
      { epochs: 2, batch: 64, limitPerClass: null, points: 6, protocols: ['test'], baseline: false },
      study,
    );
    expect(c.trainImages).toBe(0);
    expect(c.inferImages).toBe(3500); // (1 + 6) x 500
    expect(c.images).toBe(3500 + 6600); // 6 x 1,100 encoded
    expect(c.extraBytes).toBe(6600 * 784);
    expect(c.fixedSeconds).toBeCloseTo((6600 * 784 * JPEG_SECONDS_PER_MEGAPIXEL) / 1e6, 9);
    expect(c.weightCopies).toBe(0);
    expect(c.parts).toEqual(['6 grid points × 1,100 images encoded', '7 tests of 500 images']);
  });

  it('a baseline, retrain at each point and one mixed network: four trainings, each tested every epoch', () => {
    const c = compressCount(
      { epochs: 2, batch: 64, limitPerClass: null, points: 2, protocols: ['retrain', 'mixed'], baseline: true },
      study,
    );
    expect(c.trainImages).toBe(4608); // (1 + 2 + 1) trainings x 2 epochs x 576
    // 8 epoch tests, the model on the originals, the mixed network at 2 points
    expect(c.inferImages).toBe(11 * 500);
    expect(c.parts[1]).toBe('4 trainings of 2 epochs × 576 images');
  });
});

describe('autoencoderCount', () => {
  const facts = { trainImages: 8000, testImages: 2000, images: 10_000 };
  it('epochs over the training split; BN statistics, every image embedded, test images reconstructed', () => {
    const c = autoencoderCount({ epochs: 30, batch: 8, untrained: false, dim: 8 }, facts);
    expect(c.trainImages).toBe(240_000);
    expect(c.inferImages).toBe(2048 + 10_000 + 2000);
    expect(c.extraBytes).toBe(10_000 * 8 * 4);
    expect(c.parts).toEqual(['30 epochs × 8,000 training images', '10,000 images embedded']);
  });

  it('untrained: no epochs; a small split in whole batches', () => {
    expect(autoencoderCount({ epochs: 30, batch: 8, untrained: true, dim: 8 }, facts).trainImages).toBe(0);
    const small = autoencoderCount({ epochs: 2, batch: 3, untrained: false, dim: 4 }, { ...facts, trainImages: 10 });
    expect(small.trainImages).toBe(18); // 3 batches of 3 per epoch
    expect(small.inferImages).toBe(10 + 10_000 + 2000);
  });
});

describe('time off the network', () => {
  it('fixed seconds add to the time and come off a finished run before its rate', () => {
    const c = { trainImages: 100, inferImages: 300, fixedSeconds: 6 };
    expect(secondsFor(c, 0.01)).toBeCloseTo(START_SECONDS + 6 + 200 * 0.01, 9);
    expect(observedRate(c, secondsFor(c, 0.01))).toBeCloseTo(0.01, 9);
  });
});

describe('quick looks', () => {
  it('an evaluation: epochs to 2, then images per class until it fits', () => {
    const p = { epochs: 10, batch: 64, limitPerClass: null };
    const facts = { perClassTrain: Array.from({ length: 10 }, () => 800), testImages: 2000 };
    const rate = 0.05;
    const look = quickLook(classifierQuickLookKnobs(p, facts), (patch) =>
      secondsFor(evaluateCount({ ...p, ...patch }, facts), rate),
    )!;
    // 2 epochs of 2,000 test images alone take 4 + 2 x 2,000 / 3 x 0.05 = 70.7 s; 2 x t x 0.05 more must fit in 120 s
    expect(look.patch.epochs).toBe(2);
    const perEpoch = epochImages(10 * look.patch.limitPerClass!, 64);
    expect(4 + (2 * perEpoch + (2 * 2000) / 3) * rate).toBeLessThanOrEqual(120);
    expect(look.changes).toEqual(['epochs 10 → 2', `images per class all → ${look.patch.limitPerClass}`]);
    expect(look.patch.limitPerClass).toBeGreaterThanOrEqual(26); // 4 batches over 10 classes
  });

  it('the autoencoder lowers its epochs only, never an untrained one', () => {
    expect(autoencoderQuickLookKnobs({ epochs: 30, untrained: false })).toEqual([
      { key: 'epochs', label: 'epochs', from: 30, min: 1 },
    ]);
    expect(autoencoderQuickLookKnobs({ epochs: 30, untrained: true })).toEqual([]);
  });
});

describe("the form's parameters to estimate", () => {
  it('what Start would send, with extras; null while the form is incomplete', () => {
    expect(builtParams({ ok: true, params: { epochs: 3, allow: false } }, { allow: true })).toEqual({
      epochs: 3,
      allow: true,
    });
    expect(builtParams({ ok: false })).toBeNull();
  });
});
