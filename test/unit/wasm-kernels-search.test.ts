/**
 * The wasm kernels the search needs beyond Conv2DBackpropFilter (covered in wasm-kernels.test.ts):
 * the replaced Conv2DBackpropInput, UnsortedSegmentSum (tf.gather's gradient) and the data-sharing Identity.
 * Every wasm result is compared with the cpu backend or with a plain JavaScript loop.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { _conv2dBackpropInputForTest, _unsortedSegmentSumForTest } from '../../main/engine/backend/wasm-kernels.js';
import { rand, relError, size, type Shape4, type Pad } from '../helpers/numeric.js';
import { expectNoTensorLeak, expectWasmKernels, useWasmBackend } from '../helpers/wasm.js';
import { symmetric } from '../../main/engine/spaces/layers.js';

interface ConvCase {
  x: Shape4;
  k: number;
  cout: number;
  s: number;
  pad: Pad;
}

/** d/dx of sum(conv2d(x, w) · probe) on the current backend (the Conv2DBackpropInput kernel). */
function inputGrad(c: ConvCase, xv: Float32Array, wv: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor4d(wv, [c.k, c.k, c.x[3], c.cout]);
    const y = tf.conv2d(x, w, c.s, c.pad);
    const probe = tf.sin(tf.reshape(tf.range(0, y.size), y.shape));
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, w, c.s, c.pad), probe)))(x);
    return g.dataSync() as Float32Array;
  });
}

const CONV_CASES: ConvCase[] = [];
for (const k of [1, 3]) {
  for (const s of [1, 2]) {
    const pads: Pad[] = ['same', 'valid', symmetric(k === 1 ? 0 : 1), symmetric(k === 1 ? 1 : 2)];
    for (const pad of pads) {
      CONV_CASES.push({ x: [2, 7, 7, 3], k, cout: 5, s, pad }); // odd, Cin < Cout
      CONV_CASES.push({ x: [1, 8, 6, 4], k, cout: 2, s, pad }); // even, non-square, Cin > Cout, batch 1
    }
  }
}
// larger filter, odd / even mix, a single channel
CONV_CASES.push({ x: [2, 9, 8, 2], k: 5, cout: 3, s: 2, pad: symmetric(2) });
CONV_CASES.push({ x: [2, 10, 10, 1], k: 5, cout: 4, s: 1, pad: 'same' });
CONV_CASES.push({ x: [3, 5, 5, 6], k: 3, cout: 6, s: 2, pad: 'valid' });

describe('wasm Conv2DBackpropInput (replaced by a forward convolution)', () => {
  useWasmBackend();

  it('is registered for wasm', () => {
    expectWasmKernels('Conv2DBackpropInput');
  });

  it.each(CONV_CASES.map((c, i) => [i, JSON.stringify(c)] as const))(
    'matches the cpu backend, case %i %s',
    async (i) => {
      const c = CONV_CASES[i]!;
      const xv = rand(size(c.x), 11 + i);
      const wv = rand(c.k * c.k * c.x[3] * c.cout, 57 + i);
      await tf.setBackend('cpu');
      const want = inputGrad(c, xv, wv);
      await tf.setBackend('wasm');
      const got = inputGrad(c, xv, wv);
      expect(relError(got, want)).toBeLessThan(1e-4);
    },
  );

  it('the composition equals the cpu kernel when run on cpu (runKernel attrs)', async () => {
    await tf.setBackend('cpu');
    try {
      const cases: ConvCase[] = [
        { x: [2, 7, 7, 3], k: 3, cout: 5, s: 2, pad: symmetric(1) },
        { x: [1, 8, 8, 4], k: 1, cout: 2, s: 2, pad: 'valid' },
        { x: [2, 6, 7, 2], k: 3, cout: 3, s: 1, pad: 'same' },
      ];
      cases.forEach((c, i) => {
        tf.tidy(() => {
          const w = tf.tensor4d(rand(c.k * c.k * c.x[3] * c.cout, 5 + i), [c.k, c.k, c.x[3], c.cout]);
          const info = tf.backend_util.computeConv2DInfo(c.x, w.shape, c.s, 1, c.pad, undefined, false, 'channelsLast');
          const dy = tf.tensor4d(rand(size(info.outShape), 9 + i), info.outShape as Shape4);
          const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.x };
          const want = tf
            .engine()
            .runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
          const got = _conv2dBackpropInputForTest(c.x, dy, w, c.s, c.pad, 'NHWC');
          expect(got.shape).toEqual(c.x);
          expect(relError(got.dataSync(), want.dataSync())).toBeLessThan(1e-5);
        });
      });
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('refuses NCHW and a dy of the wrong shape', () => {
    tf.tidy(() => {
      const w = tf.zeros([3, 3, 2, 4]) as tf.Tensor4D;
      expect(() =>
        _conv2dBackpropInputForTest([1, 6, 6, 2], tf.zeros([1, 6, 6, 4]) as tf.Tensor4D, w, 1, 'same', 'NCHW'),
      ).toThrow(/NHWC/);
      expect(() =>
        _conv2dBackpropInputForTest([1, 6, 6, 2], tf.zeros([1, 5, 6, 4]) as tf.Tensor4D, w, 1, 'same', 'NHWC'),
      ).toThrow(/dy has shape/);
    });
  });

  it('leaks no tensors', async () => {
    const c: ConvCase = { x: [2, 7, 7, 3], k: 3, cout: 5, s: 2, pad: symmetric(1) };
    const xv = rand(size(c.x), 1);
    const wv = rand(9 * 15, 2);
    inputGrad(c, xv, wv);
    await expectNoTensorLeak(() => inputGrad(c, xv, wv));
  });
});

/** out[s, ...] = Σ_{i: ids[i] = s} x[i, ...], ids outside [0, n) dropped. */
function segmentSumRef(x: Float32Array, rows: number, ids: number[], n: number): Float32Array {
  const inner = x.length / rows;
  const out = new Float32Array(n * inner);
  ids.forEach((s, i) => {
    if (s < 0 || s >= n) return;
    for (let k = 0; k < inner; k++) out[s * inner + k]! += x[i * inner + k]!;
  });
  return out;
}

describe('wasm UnsortedSegmentSum', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    await tf.setBackend('wasm');
  });

  const cases: Array<{ x: number[]; ids: number[]; n: number }> = [
    { x: [6], ids: [0, 2, 2, 1, 0, 2], n: 3 }, // 1-D, duplicates
    { x: [6, 2, 3], ids: [0, 2, 2, 5, -1, 0], n: 4 }, // rank 3, duplicates, one id too large, one negative, segment 3 empty
    { x: [5, 4], ids: [4, 4, 4, 4, 4], n: 5 }, // all into the last segment
    { x: [3, 2], ids: [7, 8, 9], n: 2 }, // every id out of range: zeros
  ];

  it.each(cases.map((c, i) => [i, c] as const))('tf.unsortedSegmentSum equals a hand loop, case %i', (i, c) => {
    const xv = rand(size(c.x), 31 + i);
    const want = segmentSumRef(xv, c.x[0]!, c.ids, c.n);
    tf.tidy(() => {
      const x = tf.tensor(xv, c.x);
      const ids = tf.tensor1d(c.ids, 'int32');
      const viaOp = tf.unsortedSegmentSum(x, ids, c.n);
      expect(viaOp.shape).toEqual([c.n, ...c.x.slice(1)]);
      expect(relError(viaOp.dataSync(), want)).toBeLessThan(1e-6);
      const direct = _unsortedSegmentSumForTest(x, ids, c.n);
      expect(relError(direct.dataSync(), want)).toBeLessThan(1e-6);
    });
  });

  it('accepts float ids (cast to int32) and refuses ids of the wrong shape', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
      const out = _unsortedSegmentSumForTest(x, tf.tensor1d([1, 1, 0], 'float32'), 2);
      expect(Array.from(out.dataSync())).toEqual([5, 6, 4, 6]);
      expect(() => _unsortedSegmentSumForTest(x, tf.tensor1d([0, 1], 'int32'), 2)).toThrow(/segment ids/);
      expect(() => _unsortedSegmentSumForTest(x, tf.tensor2d([0, 1, 0], [3, 1], 'int32'), 2)).toThrow(/segment ids/);
    });
  });

  it('tf.grad through tf.gather works on wasm and equals the cpu gradient', async () => {
    const table = rand(5 * 3, 3);
    const idx = [4, 0, 4, 2, 4, 0];
    const probe = rand(idx.length * 3, 4);
    const run = () =>
      tf.tidy(() => {
        const t = tf.tensor2d(table, [5, 3]);
        const p = tf.tensor2d(probe, [idx.length, 3]);
        const g = tf.grad((tt: tf.Tensor) => tf.sum(tf.mul(tf.gather(tt, tf.tensor1d(idx, 'int32')), p)))(t);
        return g.dataSync() as Float32Array;
      });
    expect(tf.getBackend()).toBe('wasm');
    const got = run();
    // hand: row r of the gradient is the sum of the probe rows whose index is r
    const want = segmentSumRef(probe, idx.length, idx, 5);
    expect(relError(got, want)).toBeLessThan(1e-6);
    await tf.setBackend('cpu');
    const cpu = run();
    await tf.setBackend('wasm');
    expect(relError(got, cpu)).toBeLessThan(1e-6);
  });

  it('a gather gradient along axis 1 and of a 1-D α-like vector works', () => {
    tf.tidy(() => {
      const a = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.gather(v, [3, 1, 3]), tf.tensor1d([1, 2, 3]))))(a);
      expect(Array.from(g.dataSync())).toEqual([0, 2, 0, 4]);
      const m = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const gm = tf.grad((v: tf.Tensor) => tf.sum(tf.gather(v, [2, 2, 0], 1)))(m);
      expect(Array.from(gm.dataSync())).toEqual([1, 0, 2, 1, 0, 2]);
    });
  });
});

describe('wasm Identity shares the data', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    await tf.setBackend('wasm');
  });

  it('a clone has equal values, no new buffer, and outlives the original', () => {
    const values = rand(24, 8);
    const a = tf.tensor3d(values, [2, 3, 4]);
    const buffers = tf.memory().numDataBuffers;
    const b = tf.clone(a);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    expect(b.dataId).toBe(a.dataId);
    expect(b.shape).toEqual([2, 3, 4]);
    a.dispose();
    expect(a.isDisposed).toBe(true);
    expect(Array.from(b.dataSync())).toEqual(Array.from(values));
    // arithmetic on the clone still works after the original is gone
    const c = tf.add(b, 1);
    expect(c.dataSync()[0]).toBeCloseTo(values[0]! + 1, 6);
    const buffersBefore = tf.memory().numDataBuffers;
    b.dispose();
    c.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffersBefore - 2);
  });

  it('int32 and bool tensors, and a gradient through tf.identity', () => {
    tf.tidy(() => {
      const i = tf.tensor1d([3, -1, 7], 'int32');
      expect(Array.from(tf.clone(i).dataSync())).toEqual([3, -1, 7]);
      expect(tf.clone(i).dtype).toBe('int32');
      const bo = tf.tensor1d([true, false, true], 'bool');
      expect(Array.from(tf.clone(bo).dataSync())).toEqual([1, 0, 1]);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.clone(x), tf.tensor1d([2, 3]))))(tf.tensor1d([5, 6]));
      expect(Array.from(g.dataSync())).toEqual([2, 3]);
    });
  });
});
