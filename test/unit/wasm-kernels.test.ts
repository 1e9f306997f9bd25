import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { rand, type Pad } from '../helpers/numeric.js';
import { expectNoTensorLeak, expectWasmKernels, useWasmBackend } from '../helpers/wasm.js';
import { explicitPadding } from '../../main/engine/backend/window-geometry.js';

/** Gradient of sum(conv2d(x, w) * probe) w.r.t. w on the current backend, as a plain array. */

async function filterGrad(
  xv: Float32Array,
  xs: number[],
  wv: Float32Array,
  ws: number[],
  strides: [number, number],
  pad: Pad,
) {
  const grad = tf.tidy(() => {
    const x = tf.tensor4d(xv, xs as [number, number, number, number]);
    const w = tf.tensor4d(wv, ws as [number, number, number, number]);
    const y = tf.conv2d(x, w, strides, pad);
    // a fixed non-uniform upstream gradient so every output position matters differently
    const probe = tf.sin(tf.range(0, y.size).reshape(y.shape));
    return tf.grad((ww) => tf.sum(tf.mul(tf.conv2d(x, ww as tf.Tensor4D, strides, pad), probe)))(w);
  });
  const values = await grad.data();
  grad.dispose();
  return values;
}

const CASES: Array<{ x: number[]; w: number[]; strides: [number, number]; pad: Pad }> = [];
for (const strides of [
  [1, 1],
  [2, 2],
  [1, 2],
] as Array<[number, number]>) {
  for (const pad of ['same', 'valid', 1] as const) {
    // tfjs sizes the output of a numeric padding from the filter height and stride height alone, so
    // numeric padding is only well defined (on every backend) with square filters and equal strides
    const numericOk = typeof pad === 'string' || strides[0] === strides[1];
    if (!numericOk) continue;
    CASES.push({ x: [2, 9, 8, 3], w: [3, 3, 3, 4], strides, pad });
    CASES.push({ x: [1, 7, 7, 2], w: [5, 5, 2, 3], strides, pad });
    CASES.push({ x: [3, 6, 6, 4], w: [1, 1, 4, 5], strides, pad });
    if (typeof pad === 'string') CASES.push({ x: [2, 8, 10, 1], w: [3, 1, 1, 2], strides, pad });
  }
}

// larger, realistic shapes (the convolution path's filter is dy itself: up to 28 × 28 taps, batch as channels)
CASES.push({ x: [8, 16, 16, 32], w: [4, 4, 32, 64], strides: [2, 2], pad: 'same' });
CASES.push({ x: [4, 28, 28, 16], w: [3, 3, 16, 16], strides: [1, 1], pad: 'same' });
CASES.push({ x: [32, 28, 28, 1], w: [3, 3, 1, 8], strides: [1, 1], pad: 'same' });
CASES.push({ x: [32, 28, 28, 8], w: [3, 3, 8, 16], strides: [2, 2], pad: 'same' });
CASES.push({ x: [8, 14, 14, 24], w: [1, 1, 24, 40], strides: [1, 1], pad: 'same' });
CASES.push({ x: [8, 14, 14, 24], w: [1, 1, 24, 40], strides: [2, 2], pad: 'valid' });
CASES.push({ x: [4, 20, 20, 6], w: [5, 5, 6, 10], strides: [1, 1], pad: 'valid' });
CASES.push({ x: [4, 21, 21, 6], w: [5, 5, 6, 10], strides: [2, 2], pad: 'valid' });
// odd sizes where the stride leaves trailing input rows / columns unread (the input is cropped first)
CASES.push({ x: [2, 8, 8, 3], w: [1, 1, 3, 4], strides: [2, 2], pad: 'valid' });
CASES.push({ x: [2, 9, 9, 3], w: [2, 2, 3, 4], strides: [3, 3], pad: 'valid' });
CASES.push({ x: [3, 10, 11, 2], w: [3, 2, 2, 5], strides: [3, 2], pad: 'valid' });
CASES.push({ x: [2, 12, 12, 3], w: [3, 3, 3, 2], strides: [4, 4], pad: 'same' });
CASES.push({ x: [2, 10, 10, 3], w: [3, 3, 3, 4], strides: [3, 3], pad: 1 });
// explicit padding, asymmetric, with and without unread rows; batch 1 and one input channel
CASES.push({
  x: [2, 9, 8, 3],
  w: [3, 3, 3, 4],
  strides: [2, 2],
  pad: explicitPadding(2, 0, 1, 3),
});
CASES.push({
  x: [1, 11, 7, 1],
  w: [3, 3, 1, 4],
  strides: [2, 3],
  pad: explicitPadding(0, 1, 1, 0),
});
CASES.push({ x: [1, 1, 1, 3], w: [1, 1, 3, 2], strides: [1, 1], pad: 'valid' });

describe('wasm Conv2DBackpropFilter (composed from wasm kernels)', () => {
  useWasmBackend();

  it('is registered for wasm', () => {
    expectWasmKernels('Conv2DBackpropFilter');
  });

  it.each(CASES.map((c, i) => [i, c] as const))('matches the cpu backend, case %i', async (i, c) => {
    const xv = rand(
      c.x.reduce((a, b) => a * b),
      17 + i,
    );
    const wv = rand(
      c.w.reduce((a, b) => a * b),
      91 + i,
    );
    await tf.setBackend('wasm');
    const got = await filterGrad(xv, c.x, wv, c.w, c.strides, c.pad);
    await tf.setBackend('cpu');
    const want = await filterGrad(xv, c.x, wv, c.w, c.strides, c.pad);
    await tf.setBackend('wasm');
    expect(got.length).toBe(want.length);
    let maxRel = 0;
    const scale = Math.max(...Array.from(want, Math.abs), 1e-6);
    for (let k = 0; k < got.length; k++) maxRel = Math.max(maxRel, Math.abs(got[k]! - want[k]!) / scale);
    expect(maxRel).toBeLessThan(1e-4);
  });

  it('leaks no tensors', async () => {
    await tf.setBackend('wasm');
    const xv = rand(2 * 8 * 8 * 3, 1);
    const wv = rand(3 * 3 * 3 * 4, 2);
    await filterGrad(xv, [2, 8, 8, 3], wv, [3, 3, 3, 4], [1, 1], 'same');
    await expectNoTensorLeak(() => filterGrad(xv, [2, 8, 8, 3], wv, [3, 3, 3, 4], [2, 2], 'same'));
  });
});
