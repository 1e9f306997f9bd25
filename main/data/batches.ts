/**
 * Training batches from an image source (the tensor store, or a compressed copy of it): one memcpy per image
 * into a packed buffer, then one tensor. Normalisation and augmentation run on that buffer in one pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from './tensor-store.js';

/**
 * Anything that yields packed uint8 NHWC images by index: PackedImages (the dataset as imported), or a decoded
 * JPEG copy of it (the compression study's hook into training and testing).
 */
export interface ImageSource {
  readonly shape: ImageShape;
  gather(indices: ArrayLike<number>): Uint8Array;
}

/** Per-channel mean and standard deviation of pixel / 255. */
export interface ChannelNorm {
  mean: number[];
  std: number[];
}

/** Images at `indices` as a float32 NHWC tensor scaled to [0, 1]. */
export function batchTensor(images: ImageSource, indices: ArrayLike<number>): tf.Tensor4D {
  const { width, height, channels } = images.shape;
  const bytes = images.gather(indices);
  return tf.tidy(
    () => tf.mul(tf.tensor4d(bytes, [indices.length, height, width, channels], 'float32'), 1 / 255) as tf.Tensor4D,
  );
}

/**
 * Per-channel mean and standard deviation of up to `limit` of the given images, evenly spaced over them (inputs are
 * normalised with them): rows in stored order often run class by class, so the first `limit` would see few classes.
 */
export function channelStats(images: ImageSource, rows: readonly number[], limit = 2000): ChannelNorm {
  const { channels } = images.shape;
  const stride = Math.max(1, Math.ceil(rows.length / limit));
  const bytes = images.gather(rows.filter((_, i) => i % stride === 0));
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  for (let i = 0; i < bytes.length; i++) {
    const v = bytes[i]! / 255;
    sum[i % channels]! += v;
    sq[i % channels]! += v * v;
  }
  const n = Math.max(1, bytes.length / channels);
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sq, (s, c) => Math.sqrt(Math.max(s / n - mean[c]! ** 2, 1e-6)));
  return { mean, std };
}

/**
 * Standard CIFAR augmentation (DARTS train.py: RandomCrop(32, padding=4) + RandomHorizontalFlip): per image a
 * shift in [−pad, pad] on each axis with zeros where the shifted image leaves the frame, and a mirror with
 * probability ½. `rng` makes it repeatable.
 */
export interface Augmentation {
  pad: number;
  flip: boolean;
  rng: () => number;
}

/** The crop padding that corresponds to CIFAR's 4 px at 32 px: size / 8, at least 1. */
export const cropPadding = (shape: ImageShape): number =>
  Math.max(1, Math.round(Math.min(shape.width, shape.height) / 8));

/** A normalised NHWC batch ((pixel / 255 − mean) / std) and its labels, optionally augmented. */
export function normalizedBatch(
  images: ImageSource,
  rows: readonly number[],
  labels: ArrayLike<number>,
  norm: ChannelNorm,
  augment?: Augmentation,
): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const { width: w, height: h, channels: c } = images.shape;
  const bytes = images.gather(rows);
  const data = new Float32Array(bytes.length);
  // (pixel / 255 − mean) / std as one multiply-add per value; a zero pixel (augmentation's border) maps to zeroValue
  const scale = norm.std.map((s) => 1 / (255 * s));
  const offset = norm.mean.map((m, k) => -m / norm.std[k]!);
  if (!augment) {
    for (let i = 0; i < bytes.length; i++) {
      const k = i % c;
      data[i] = bytes[i]! * scale[k]! + offset[k]!;
    }
  } else {
    const per = w * h * c;
    for (let n = 0; n < rows.length; n++) {
      const dy = Math.floor(augment.rng() * (2 * augment.pad + 1)) - augment.pad;
      const dx = Math.floor(augment.rng() * (2 * augment.pad + 1)) - augment.pad;
      const mirror = augment.flip && augment.rng() < 0.5;
      const base = n * per;
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        for (let x = 0; x < w; x++) {
          const sx = (mirror ? w - 1 - x : x) + dx;
          const out = base + (y * w + x) * c;
          const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
          const src = base + (sy * w + sx) * c;
          for (let k = 0; k < c; k++) data[out + k] = (inside ? bytes[src + k]! : 0) * scale[k]! + offset[k]!;
        }
      }
    }
  }
  return {
    x: tf.tensor4d(data, [rows.length, h, w, c]),
    labels: tf.tensor1d(
      Array.from(rows, (r) => labels[r]!),
      'int32',
    ),
  };
}
