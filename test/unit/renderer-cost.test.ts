/** The form's Cost before Start words (renderer/src/lib/cost.ts) and the quick look applied to a form. */
import { describe, expect, it } from 'vitest';
import type { CostEstimate } from '../../shared/cost.js';
import { EstimateCache, costLines } from '../../renderer/src/lib/cost.js';
import { quickLookForm } from '../../renderer/src/lib/form-fields.js';

const estimate = (over: Partial<CostEstimate> = {}): CostEstimate => ({
  refusal: null,
  seconds: 5580,
  images: 42_000,
  diskBytes: 12_300_000,
  basis: { backend: 'wasm', calibrated: 0.3, runs: 0, secondsPerImage: 0.3, note: null },
  parts: ['20 epochs × 2,000 training images', '2,000 test images at the end'],
  quickLook: { patch: { epochs: 3 }, changes: ['epochs 20 → 3'], seconds: 110 },
  ...over,
});

describe('costLines', () => {
  it('says time, images and disk in words, and warns above 30 minutes', () => {
    const l = costLines(estimate());
    expect(l.time).toBe('about 1 h 33 min');
    expect(l.images).toBe('42,000 images processed');
    expect(l.disk).toBe('about 12 MB on disk');
    expect(l.basis).toMatch(/^Timed by running a few training steps of this network with the WebAssembly engine/);
    expect(l.basis).toMatch(/20 epochs × 2,000 training images; 2,000 test images at the end\.$/);
    expect(l.long).toBe(true);
    expect(costLines(estimate({ seconds: 1799 })).long).toBe(false);
  });

  it('names the finished runs that corrected the time, and says why there is no time', () => {
    const b = estimate().basis;
    expect(costLines(estimate({ basis: { ...b, runs: 2 } })).basis).toMatch(/corrected by 2 finished runs of the same/);
    expect(costLines(estimate({ basis: { ...b, calibrated: null, runs: 1 } })).basis).toMatch(/^From 1 finished run /);
    const busy = costLines(
      estimate({
        seconds: null,
        diskBytes: null,
        basis: {
          ...b,
          calibrated: null,
          secondsPerImage: null,
          note: 'The time is estimated once the running job ends.',
        },
      }),
    );
    expect(busy.time).toBe('not known yet');
    expect(busy.disk).toBe('disk use not known yet');
    expect(busy.basis).toMatch(/^The time is estimated once the running job ends\./);
    expect(busy.long).toBe(false);
  });
});

describe('EstimateCache', () => {
  it('keeps the latest answers, dropping the oldest set beyond its size', () => {
    const c = new EstimateCache(2);
    const k = (n: number) => EstimateCache.key('search', { epochs: n });
    c.set(k(1), estimate({ images: 1 }));
    c.set(k(2), estimate({ images: 2 }));
    c.set(k(3), estimate({ images: 3 }));
    expect(c.get(k(1))).toBeUndefined();
    expect(c.get(k(2))?.images).toBe(2);
    expect(c.get(k(3))?.images).toBe(3);
  });
});

describe('quickLookForm', () => {
  it('applies the patch to the keys the form has, and only those', () => {
    const form = { epochs: 20 as number | null, limitPerClass: null as number | null, lr: 0.025 };
    expect(quickLookForm(form, { epochs: 3, limitPerClass: 40, cells: 2 })).toEqual({
      epochs: 3,
      limitPerClass: 40,
      lr: 0.025,
    });
  });
});
