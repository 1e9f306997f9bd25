import { describe, expect, it } from 'vitest';
import type { CostEstimate } from '../../shared/cost.js';
import { estimateLines } from '../../main/cli/estimate.js';

/** An estimate of `seconds` with its kind's advice; the rest as a calibrated wasm run would say it. */
function estimate(seconds: number, extra: Partial<CostEstimate> = {}): CostEstimate {
  return {
    seconds,
    images: 12_000,
    diskBytes: 3_400_000,
    basis: { backend: 'wasm', calibrated: 0.004, runs: 2, secondsPerImage: 0.0035, note: null },
    parts: ['10 epochs x 1,000 training images', '2,000 test images'],
    quickLook: null,
    shorter: 'Fewer qualities make it shorter.',
    refusal: null,
    ...extra,
  };
}

describe('winnow … --estimate', () => {
  it('prints time, its basis, images and disk, and no warning under 30 minutes', () => {
    expect(estimateLines(estimate(95))).toEqual([
      'Time: about 2 min',
      '  (3.5 ms per training image on wasm, timed on this machine, refined by 2 finished runs)',
      'Images processed: 12,000 (10 epochs x 1,000 training images; 2,000 test images)',
      'Disk: about 3.4 MB',
    ]);
  });

  it('warns above 30 minutes with the quick look, and the kind’s advice when even that is long', () => {
    const quick = { patch: { epochs: 1 }, changes: ['epochs 10 → 1'], seconds: 100 };
    expect(estimateLines(estimate(3600, { quickLook: quick })).at(-1)).toBe(
      'This will take over 30 minutes. A quick look in about 2 min: epochs 10 → 1.',
    );
    expect(estimateLines(estimate(3600, { quickLook: { ...quick, seconds: 600 } })).at(-1)).toBe(
      'This will take over 30 minutes. A quick look in about 10 min: epochs 10 → 1. Even that is long here. ' +
        'Fewer qualities make it shorter.',
    );
  });

  it('gives the advice alone where no quick look fits, the generic one where the kind has none', () => {
    expect(estimateLines(estimate(3600)).at(-1)).toBe(
      'This will take over 30 minutes. Fewer qualities make it shorter.',
    );
    expect(estimateLines(estimate(3600, { shorter: null })).at(-1)).toBe(
      'This will take over 30 minutes. Fewer epochs or fewer images make it shorter.',
    );
  });
});
