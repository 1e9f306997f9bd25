/** Numeric helpers shared by the kernel and layer parity tests. */
import type * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** An NHWC tensor shape. */
export type Shape4 = [number, number, number, number];
/** Every padding a tfjs convolution or pooling accepts. */
export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** n deterministic values in [-1, 1) (an LCG: same seed, same values, no tfjs involved), scaled and shifted. */
export function rand(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = ((s / 2 ** 31) * 2 - 1) * scale + offset;
  }
  return out;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Largest |got - want| over the largest |want|. */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let scale = 1e-6;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!) / scale);
  return err;
}
