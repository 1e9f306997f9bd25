/**
 * Training batches from the tensor store: one memcpy per image into a packed buffer, then one tensor and one
 * scaling kernel. No per-pixel JavaScript.
 */
import * as tf from '@tensorflow/tfjs';
import type { PackedImages } from './tensor-store.js';

/** Images at `indices` as a float32 NHWC tensor scaled to [0, 1]. */
export function batchTensor(images: PackedImages, indices: ArrayLike<number>): tf.Tensor4D {
  const { width, height, channels } = images.shape;
  const bytes = images.gather(indices);
  return tf.tidy(() => tf.mul(tf.tensor4d(bytes, [indices.length, height, width, channels], 'float32'), 1 / 255) as tf.Tensor4D);
}
