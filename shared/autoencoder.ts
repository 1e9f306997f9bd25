/**
 * Similarity autoencoders (DDS-NAS Sec. 3.2, Table 1; thesis Sec. 4.2.2): what training takes, what it reports,
 * and what the API returns. The embeddings it produces feed the per-class furthest-neighbour kd-trees of DDS.
 */
import { z } from 'zod';
import { Seed } from './seed.js';
import { AE_LOSSES, AE_PRESET_IDS } from './autoencoder-defaults.js';
import { BackendChoice } from './backend.js';
import { jpegStageParams } from './jpeg-stage.js';
import type { Subsampling } from './compress-defaults.js';

export * from './autoencoder-defaults.js';

export const AeLoss = z.enum(AE_LOSSES);
export type AeLoss = z.infer<typeof AeLoss>;
/** DDS-NAS Table 1 (AE_PRESETS). */
export const AePreset = z.enum(AE_PRESET_IDS);
export type AePreset = z.infer<typeof AePreset>;

export const AeTrainParams = z.object({
  datasetId: z.number().int().positive().describe('the dataset whose images the autoencoder learns to describe'),
  /** Default: `mnist-like` for 1-channel datasets, `rgb` for 3-channel ones. */
  preset: AePreset.optional().describe("the paper's recipe for grey digits or for colour images [DDS-NAS §4]"),
  /** Overrides the preset's losses (combined by fixed equal weights, or by Kendall weighting). */
  losses: z
    .array(AeLoss)
    .min(1)
    .max(5)
    .optional()
    .describe(
      'what training minimises: rebuilding the image (mse) and keeping alike images close [Poyser-thesis §4.2.2]',
    ),
  kendall: z
    .boolean()
    .optional()
    .describe('weigh the losses against each other as training goes (Kendall weighting), not equally [DDS-NAS §3.2]'),
  /** Latent size N; default from the preset. */
  dim: z
    .number()
    .int()
    .min(2)
    .max(128)
    .optional()
    .describe("how many numbers describe each image (latent size N); empty: the preset's [DDS-NAS §3.2]"),
  /** Paper: 30 epochs, batch 8, Adam lr 1e-3, betas 0.9/0.999. */
  epochs: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(30)
    .describe('training epochs: passes over the images (the paper: 30) [DDS-NAS §4.2]'),
  batch: z
    .number()
    .int()
    .min(2)
    .max(1024)
    .default(8)
    .describe('images per training step (the paper: 8) [DDS-NAS §4.2]'),
  lr: z
    .number()
    .positive()
    .max(1)
    .default(1e-3)
    .describe('learning rate: the size of each training step (Adam) [DDS-NAS §4.2]'),
  /** The paper keeps lr constant; cosine decay to 0 over the epochs converges in fewer epochs. */
  lrSchedule: z
    .enum(['constant', 'cosine'])
    .default('constant')
    .describe('keep the learning rate constant (the paper) or lower it along a cosine curve to 0 [DDS-NAS §4.2]'),
  seed: Seed.default(0),
  /** Random weights, no training: the DDS-NAS ablation. */
  untrained: z.boolean().default(false).describe("random weights, no training: the paper's ablation [DDS-NAS §5.2.2]"),
  backend: BackendChoice.default('auto'),
  ...jpegStageParams('autoencoder'),
  /** Points in the 2-D latent map (the test split first, then train), at most 2,000. */
  mapPoints: z
    .number()
    .int()
    .min(0)
    .max(2000)
    .default(2000)
    .describe('images drawn on the 2-D map of the latent space (test images first)'),
});
export type AeTrainParams = z.infer<typeof AeTrainParams>;

/** "Clusters well" as numbers: on the test split unless said otherwise. */
export interface AeMetrics {
  /**
   * Leave-one-out k-NN (k = 5) class agreement in latent space over every image of the dataset (the space the
   * DDS kd-trees search; at most 10,000 images, stratified), 0..1.
   */
  knnAgreement: number;
  /** The same, among the test split's images only (unseen in training; sparser, so lower). */
  knnAgreementTest: number;
  /** Mean silhouette of the classes in latent space (Euclidean), -1..1. */
  silhouette: number;
  /** Reconstruction PSNR (dB) and mean SSIM on the test split. */
  psnr: number;
  ssim: number;
  trainSeconds: number;
}

export interface AeSummary {
  id: number;
  datasetId: number;
  datasetName: string;
  jobId: number | null;
  preset: AePreset | 'custom';
  losses: AeLoss[];
  kendall: boolean;
  dim: number;
  epochs: number;
  batch: number;
  seed: number;
  untrained: boolean;
  /** The JPEG stage its training and embedded images went through [Poyser-thesis §6]; null: the originals. */
  jpegQuality: number | null;
  jpegSubsampling: Subsampling | null;
  backend: string;
  metrics: AeMetrics;
  createdAt: number;
}

export interface AeMapPoint {
  x: number;
  y: number;
  label: number;
  index: number;
}

export interface AeDetail extends AeSummary {
  classNames: string[];
  /** Per-epoch training curves: total loss, each term, and the Kendall weights exp(-s_i) when used. */
  history: Array<{
    epoch: number;
    loss: number;
    terms: Record<string, number>;
    weights?: Record<string, number>;
    seconds: number;
  }>;
  /** The 2-D map of the latent space (t-SNE/UMAP of up to 2,000 points). */
  map: AeMapPoint[];
  mapMethod: string;
}

export interface AeReconstruction {
  index: number;
  label: number;
  original: string;
  reconstruction: string;
}
