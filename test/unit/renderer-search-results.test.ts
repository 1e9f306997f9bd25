import { describe, expect, it } from 'vitest';
import { settingsLine } from '../../renderer/src/lib/search-results.js';

describe("a search's settings line", () => {
  const p = { space: 'darts' as const, channels: 8, cells: 5, epochs: 1, batch: 32, lr: 0.025, alphaLr: 3e-4, seed: 0 };

  it('sums up the settings, the per-class limit last', () => {
    expect(settingsLine({ ...p, limitPerClass: 150 })).toBe(
      'C = 8, 5 cells, 1 epoch, batch 32, lr 0.025, α lr 0.0003, seed 0, ≤ 150 images per class',
    );
  });

  it('says when the search saw JPEG-compressed images, and not for the originals', () => {
    expect(settingsLine({ ...p, limitPerClass: null, jpegQuality: 15, jpegSubsampling: '4:4:4' })).toMatch(
      /all images, JPEG quality 15, 4:4:4$/,
    );
    // a job from before the stage existed has no quality: the originals
    expect(settingsLine({ ...p, limitPerClass: null })).toMatch(/all images$/);
  });
});
