/**
 * Cost before Start's arithmetic (shared/cost.ts): a search's count from its parameters and dataset, the rate's
 * refinement by finished runs, the quick-look preset, and the calibration cache in the data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  INFER_SHARE,
  QUICK_LOOK_SECONDS,
  START_SECONDS,
  diskBytesFor,
  formatBytes,
  formatDuration,
  observedRate,
  quickLook,
  refineRate,
  secondsFor,
} from '../../shared/cost.js';
import { searchCount, searchQuickLookKnobs, type SearchCostParams } from '../../shared/cost-kinds.js';
import { COST_CACHE_FILE, CostCache } from '../../main/store/cost-cache.js';
import { tempDir } from '../helpers/tmp.js';
import { datasetFacts } from '../fixtures/dataset-facts.js';

// 10 classes; per class 60 images in train_w and 40 in train_α; 500 test images
const facts = datasetFacts(10, { w: 60, a: 40 }, { testImages: 500 });
const base: SearchCostParams = {
  strategy: 'full',
  epochs: 4,
  limitPerClass: null,
  defaultSubset: 100,
  pruneEvery: 2,
  pruneTrain: 0.5,
};

describe('searchCount', () => {
  it('full: every train_w image every epoch, then the test split', () => {
    const c = searchCount(base, facts);
    expect(c.trainImages).toBe(4 * 600);
    expect(c.inferImages).toBe(250); // one forward pass each, against two forward-backward passes per step
    expect(c.images).toBe(2400 + 500);
    expect(c.parts[0]).toBe('4 epochs × 600 training images');
  });

  it('the per-class limit takes half of it from each half', () => {
    expect(searchCount({ ...base, limitPerClass: 50 }, facts).trainImages).toBe(4 * 10 * 25);
    // a limit above what a class has changes nothing
    expect(searchCount({ ...base, limitPerClass: 1000 }, facts).trainImages).toBe(2400);
  });

  it('random / dds: the subset S (or the default), never more than the pool', () => {
    expect(searchCount({ ...base, strategy: 'random' }, facts).trainImages).toBe(4 * 100);
    expect(searchCount({ ...base, strategy: 'dds', subset: 250 }, facts).trainImages).toBe(4 * 250);
    expect(searchCount({ ...base, strategy: 'dds-untrained', subset: 5000 }, facts).trainImages).toBe(4 * 600);
  });

  it('bdp: the training half loses pruneTrain of its rows every pruneEvery epochs', () => {
    // epochs 0-1: 600, epochs 2-3: 300, epoch 4: 150
    expect(searchCount({ ...base, strategy: 'bdp', epochs: 5 }, facts).trainImages).toBe(600 * 2 + 300 * 2 + 150);
  });
});

describe('time and disk', () => {
  it('seconds: the start plus training images and a third of each forward-only image at the rate', () => {
    expect(secondsFor({ trainImages: 1000, inferImages: 300 }, 0.01)).toBeCloseTo(
      START_SECONDS + (1000 + 300 * INFER_SHARE) * 0.01,
    );
  });

  it('a finished run measures its rate back (the inverse of secondsFor)', () => {
    const c = { trainImages: 5000, inferImages: 600 };
    expect(observedRate(c, secondsFor(c, 0.02))).toBeCloseTo(0.02);
    expect(observedRate({ trainImages: 0, inferImages: 0 }, 10)).toBeNull();
  });

  it('disk: the weight copies as 32-bit floats plus the rest', () => {
    expect(diskBytesFor({ weightCopies: 4, extraBytes: 100 }, 1000)).toBe(16_100);
  });

  it('words', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(5580)).toBe('1 h 33 min');
    expect(formatDuration(7200)).toBe('2 h');
    expect(formatBytes(2_500_000)).toBe('2.5 MB');
    expect(formatBytes(640)).toBe('640 B');
  });
});

describe('refineRate', () => {
  it('starts from the calibration; each run moves it half way, in the order they ended', () => {
    expect(refineRate(0.1, [])).toBe(0.1);
    expect(refineRate(0.1, [{ secondsPerImage: 0.2, endedAt: 1 }])).toBeCloseTo(0.15);
    const runs = [
      { secondsPerImage: 0.4, endedAt: 2 },
      { secondsPerImage: 0.2, endedAt: 1 },
    ];
    // 0.1 -> 0.15 (the run that ended first) -> 0.275
    expect(refineRate(0.1, runs)).toBeCloseTo(0.275);
  });

  it('runs alone, or nothing', () => {
    expect(refineRate(null, [{ secondsPerImage: 0.3, endedAt: 1 }])).toBe(0.3);
    expect(refineRate(null, [])).toBeNull();
  });
});

describe('quickLook', () => {
  const rate = 0.1; // s per training image: 20 epochs take 20 min, 3 epochs 3 min
  const secondsOf = (p: SearchCostParams) => (patch: Record<string, number>) =>
    secondsFor(searchCount({ ...p, ...patch }, facts), rate);

  it('returns null when the job already fits', () => {
    expect(quickLook(searchQuickLookKnobs({ ...base, batch: 32 }, facts), () => 60)).toBeNull();
  });

  it('lowers epochs to 3, then the images per class until the job fits', () => {
    const p = { ...base, epochs: 20 };
    const knobs = searchQuickLookKnobs({ ...p, batch: 32 }, facts);
    const look = quickLook(knobs, secondsOf(p))!;
    expect(look.patch.epochs).toBe(3);
    expect(look.seconds).toBeLessThanOrEqual(QUICK_LOOK_SECONDS);
    // the largest limit that fits: one more image per class would not
    const limit = look.patch.limitPerClass!;
    expect(secondsOf(p)({ epochs: 3, limitPerClass: limit + 2 })).toBeGreaterThan(QUICK_LOOK_SECONDS);
    expect(look.changes).toEqual(['epochs 20 → 3', `images per class all → ${limit}`]);
  });

  it('stops at the least values when even they do not fit', () => {
    const p = { ...base, epochs: 20 };
    const knobs = searchQuickLookKnobs({ ...p, batch: 32 }, facts);
    const look = quickLook(knobs, (patch) => secondsFor(searchCount({ ...p, ...patch }, facts), 50))!;
    expect(look.patch).toEqual({ epochs: 3, limitPerClass: 14 });
    expect(look.seconds).toBeGreaterThan(QUICK_LOOK_SECONDS);
  });
});

describe('CostCache', () => {
  it('keeps entries across instances, and reads a damaged file as empty', () => {
    const { dir, cleanup } = tempDir('winnow-cost-cache-');
    const entry = { backend: 'wasm', secondsPerImage: 0.01, weights: 1234, at: 1 };
    new CostCache(dir).set('wasm|search:x', entry);
    expect(new CostCache(dir).get('wasm|search:x')).toEqual(entry);
    expect(new CostCache(dir).get('wasm|search:y')).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([COST_CACHE_FILE]); // no temporary file left
    fs.writeFileSync(path.join(dir, COST_CACHE_FILE), '{"version":1,"entries":{"k":{"secondsPerImage":"x"}}');
    expect(new CostCache(dir).get('k')).toBeNull();
    new CostCache(dir).set('k', entry); // and writes over it
    expect(new CostCache(dir).get('k')).toEqual(entry);
    cleanup();
  });
});
