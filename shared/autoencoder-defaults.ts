/**
 * The autoencoder's losses and presets without zod (the renderer imports this module; autoencoder.ts builds its
 * schemas from these and re-exports everything here). Imports nothing.
 */

export const AE_LOSSES = ['mse', 'contractive', 'triplet', 'cosine', 'circle'] as const;
export type AeLossName = (typeof AE_LOSSES)[number];

/** DDS-NAS Table 1: `mnist-like` = contractive, N = 8; `rgb` = triplet + MSE under Kendall weighting, N = 32. */
export const AE_PRESET_IDS = ['mnist-like', 'rgb'] as const;
export type AePresetName = (typeof AE_PRESET_IDS)[number];

export const AE_PRESETS: Record<AePresetName, { losses: AeLossName[]; kendall: boolean; dim: number }> = {
  'mnist-like': { losses: ['contractive'], kendall: false, dim: 8 },
  rgb: { losses: ['triplet', 'mse'], kendall: true, dim: 32 },
};

/**
 * After its epochs, an autoencoder's batch-norm statistics are recomputed on up to this many training images, and up
 * to this many test images are reconstructed for PSNR / SSIM (the job, engine/embed/ae-job.ts, and its cost before
 * Start, shared/cost.ts, both read these).
 */
export const AE_BATCH_NORM_IMAGES = 2048;
export const AE_QUALITY_IMAGES = 2000;
