/**
 * Cost before Start's counts for the NAS-Bench-201 jobs (`naswot`, `dsm-search`; shared/cost.ts), checked against
 * numbers worked out by hand from what each job does (engine/naswot/job.ts, engine/search/dsm/job.ts), and their
 * quick-look presets.
 */
import { describe, expect, it } from 'vitest';
import { INFER_SHARE, START_SECONDS, quickLook, secondsFor, workUnits } from '../../shared/cost.js';
import {
  NASWOT_SCORE_UNITS,
  dsmCount,
  dsmQuickLookKnobs,
  naswotCount,
  naswotQuickLookKnobs,
} from '../../shared/cost-kinds.js';

// 10 classes, each 30 images in train_w and 25 in train_α
const facts = { perClassHalves: Array.from({ length: 10 }, () => ({ w: 30, a: 25 })) };
const supernet = { supernetEpochs: 5, supernetBatch: 64, calibrationBatches: 4, limitPerClass: null };
const naswot = { ...supernet, sample: 1000, batch: 32, repeats: 3, kendall: false, kendallSample: 50 };
const dsm = { ...supernet, iterations: 200, subspaces: 10, reused: false };

describe('naswotCount', () => {
  it('scoring only: cells × repeats × batch forward passes, no training', () => {
    const c = naswotCount(naswot, facts);
    expect(c.trainImages).toBe(0);
    // 1,000 × 3 × 32 images scored, each costing 2.5 training images (7.5 forward passes)
    expect(NASWOT_SCORE_UNITS).toBe(2.5);
    expect(c.inferImages).toBeCloseTo(720_000, 6);
    expect(workUnits(c)).toBeCloseTo(240_000, 6);
    expect(c.images).toBe(96_000);
    expect(c.weightCopies).toBe(0);
    expect(c.parts).toEqual(['1,000 cells × 3 mini-batches of 32 images, scored without training']);
  });

  it("with Kendall's τ: the supernet's whole batches, then each checked cell's BN batches and train_α", () => {
    const c = naswotCount({ ...naswot, kendall: true }, facts);
    // 300 train_w images: 4 whole batches of 64 = 256 a epoch, 5 epochs
    expect(c.trainImages).toBe(1280);
    // 50 cells × (4 BN batches of 64 + 250 validation images)
    expect(c.inferImages).toBeCloseTo(720_000 + 50 * 506, 6);
    expect(c.images).toBe(1280 + 96_000 + 25_300);
    expect(c.weightCopies).toBe(1);
    expect(c.parts.slice(1)).toEqual([
      '5 supernet epochs × 256 training images',
      '50 cells tested on 506 images each (no training)',
    ]);
    // a per-class limit of 20: 10 of each half per class; fewer checked cells than asked when the sample is smaller
    const small = naswotCount({ ...naswot, kendall: true, limitPerClass: 20, sample: 30, kendallSample: 50 }, facts);
    expect(small.trainImages).toBe(5 * 64); // 100 train_w images: one whole batch
    expect(small.images).toBe(5 * 64 + 30 * 3 * 32 + 30 * (4 * 64 + 100));
  });

  it('quick look: fewer supernet epochs, fewer cells, then fewer mini-batches per cell', () => {
    const p = { ...naswot, kendall: true };
    const rate = 0.01;
    const look = quickLook(naswotQuickLookKnobs(p, facts), (patch) =>
      secondsFor(naswotCount({ ...p, ...patch }, facts), rate),
    );
    // 2 supernet epochs, the least 100 cells, 1 mini-batch each: 4 + (512 + 100·32·2.5 + 50·506/3) × 0.01 = 173.5 s;
    // images per class at their least, 26 (13 per half: 2 batches of 64 a epoch, 50 × (256 + 130) tested):
    // 4 + (256 + 8,000 + 50·386/3) × 0.01 = 150.9 s, still above 2 minutes: the preset goes as low as it can
    expect(look!.patch).toEqual({ supernetEpochs: 2, sample: 100, repeats: 1, limitPerClass: 26 });
    expect(look!.changes).toEqual([
      'supernet epochs 5 → 2',
      'cells 1,000 → 100',
      'mini-batches per cell 3 → 1',
      'images per class all → 26',
    ]);
    expect(look!.seconds).toBeCloseTo(START_SECONDS + (256 + 8000 + (50 * 386) / 3) * rate, 6);
    // then the images per class, from 55 (the largest class) down to 2 supernet batches' worth: 13 of each half
    expect(naswotQuickLookKnobs(p, facts).map((x) => [x.key, x.from, x.min])).toEqual([
      ['supernetEpochs', 5, 2],
      ['sample', 1000, 100],
      ['repeats', 3, 1],
      ['limitPerClass', 55, 26],
    ]);
    expect(naswotQuickLookKnobs(naswot, facts).map((x) => x.key)).toEqual(['sample', 'repeats']);
  });
});

describe('dsmCount', () => {
  it('the supernet, then the K centres and one proposal per iteration evaluated', () => {
    const c = dsmCount(dsm, facts);
    expect(c.trainImages).toBe(1280);
    expect(c.inferImages).toBe(210 * 506); // (10 + 200) cells × (4 × 64 + 250)
    expect(c.images).toBe(1280 + 106_260);
    expect(c.weightCopies).toBe(1);
    expect(c.parts).toEqual([
      '5 supernet epochs × 256 training images',
      'up to 210 cells tested on 506 images each (no training)',
    ]);
  });

  it('a reused supernet is not trained; fewer images than a batch train as one batch', () => {
    const c = dsmCount({ ...dsm, reused: true }, facts);
    expect(c.trainImages).toBe(0);
    expect(c.weightCopies).toBe(0);
    expect(c.parts).toHaveLength(1);
    // limit 4: 2 per class per half, 20 train_w images (less than a batch of 64), 20 validation images
    const tiny = dsmCount({ ...dsm, limitPerClass: 4 }, facts);
    expect(tiny.trainImages).toBe(5 * 20);
    expect(tiny.inferImages).toBe(210 * (4 * 20 + 20));
  });

  it('quick look: fewer iterations first, at the rate the forward passes are counted at', () => {
    const rate = 0.01;
    const look = quickLook(dsmQuickLookKnobs(dsm, facts), (patch) =>
      secondsFor(dsmCount({ ...dsm, ...patch }, facts), rate),
    );
    // 4 + (1280 + (10 + v) × 506 × INFER_SHARE) × 0.01 ≤ 120 → 10 + v ≤ 61.2 → v = 51
    expect(INFER_SHARE).toBeCloseTo(1 / 3);
    expect(look!.patch).toEqual({ iterations: 51 });
    expect(look!.seconds).toBeCloseTo(START_SECONDS + (1280 + (61 * 506) / 3) * rate, 6);
    expect(dsmQuickLookKnobs({ ...dsm, reused: true }, facts).map((k) => k.key)).toEqual([
      'iterations',
      'calibrationBatches',
      'limitPerClass',
    ]);
  });
});
