import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { depthwiseConv2dWithGrad } from '../../main/engine/nn/ops.js';
import { rand, relError, size, type Shape4, type Pad } from '../helpers/numeric.js';
import { expectNoTensorLeak, expectWasmKernels, useWasmBackend } from '../helpers/wasm.js';
import { explicitPadding } from '../../main/engine/backend/window-geometry.js';

interface Case {
  x: Shape4;
  k: number;
  m: number;
  s: number;
  d: number;
  pad: Pad;
}

function outShape(c: Case): Shape4 | null {
  const info = tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], c.m], c.s, c.d, c.pad, undefined, true);
  return info.outHeight > 0 && info.outWidth > 0 ? (info.outShape as Shape4) : null;
}

/** The filter with d-1 zeros between taps: a dilation-1 filter with the same receptive field. */
function dilateFilter(
  w: Float32Array,
  k: number,
  c: number,
  m: number,
  d: number,
): { values: Float32Array; k: number } {
  if (d === 1) return { values: w, k };
  const kd = (k - 1) * d + 1;
  const out = new Float32Array(kd * kd * c * m);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      for (let q = 0; q < c * m; q++) out[(i * d * kd + j * d) * c * m + q] = w[(i * k + j) * c * m + q]!;
  return { values: out, k: kd };
}

/** Every d-th tap of a dilated filter's gradient. */
function undilate(g: Float32Array, k: number, c: number, m: number, d: number): Float32Array {
  if (d === 1) return g;
  const kd = (k - 1) * d + 1;
  const out = new Float32Array(k * k * c * m);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      for (let q = 0; q < c * m; q++) out[(i * k + j) * c * m + q] = g[(i * d * kd + j * d) * c * m + q]!;
  return out;
}

/** The backprop kernels run directly on the current backend (as tfjs-core's gradient calls them). */
async function kernels(
  c: Case,
  xv: Float32Array,
  wv: Float32Array,
  dyv: Float32Array,
  dyShape: Shape4,
  d: number,
  k: number,
) {
  const x = tf.tensor4d(xv, c.x);
  const w = tf.tensor4d(wv, [k, k, c.x[3], c.m]);
  const dy = tf.tensor4d(dyv, dyShape);
  const attrs = { strides: [c.s, c.s], pad: c.pad, dilations: [d, d] };
  const dx = tf
    .engine()
    .runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: c.x }) as tf.Tensor;
  const dw = tf
    .engine()
    .runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor;
  const out = {
    dx: (await dx.data()) as Float32Array,
    dw: (await dw.data()) as Float32Array,
    dxShape: dx.shape,
    dwShape: dw.shape,
  };
  tf.dispose([x, w, dy, dx, dw]);
  return out;
}

/**
 * cpu reference. The cpu backprop kernels ignore `dilations`, so a dilated case is computed at dilation 1 with
 * the zero-stuffed filter (same receptive field, same padding), whose gradient restricted to the real taps is dW.
 */
async function cpuReference(c: Case, xv: Float32Array, wv: Float32Array, dyv: Float32Array, dyShape: Shape4) {
  await tf.setBackend('cpu');
  try {
    const wd = dilateFilter(wv, c.k, c.x[3], c.m, c.d);
    const r = await kernels(c, xv, wd.values, dyv, dyShape, 1, wd.k);
    return { dx: r.dx, dw: undilate(r.dw, c.k, c.x[3], c.m, c.d) };
  } finally {
    await tf.setBackend('wasm');
  }
}

const CASES: Case[] = [];
{
  const shapes: Shape4[] = [
    [1, 5, 5, 1],
    [2, 7, 6, 3],
    [3, 8, 8, 2],
    [1, 9, 11, 4],
    [2, 12, 12, 8],
    [1, 10, 7, 5],
  ];
  let i = 0;
  for (const k of [3, 5]) {
    for (const [s, d] of [
      [1, 1],
      [2, 1],
      [1, 2],
    ] as const) {
      for (const pad of ['same', 'valid'] as const) {
        for (let j = 0; j < 2; j++) {
          const x = shapes[i++ % shapes.length]!;
          const c: Case = { x, k, m: j === 1 && i % 3 === 0 ? 2 : 1, s, d, pad };
          if (outShape(c)) CASES.push(c);
        }
      }
    }
  }
  // channel multiplier > 1, numeric padding (square filter, equal strides), explicit padding
  CASES.push({ x: [2, 8, 9, 3], k: 3, m: 3, s: 1, d: 2, pad: 'same' });
  CASES.push({ x: [1, 9, 9, 2], k: 3, m: 2, s: 2, d: 1, pad: 'valid' });
  CASES.push({ x: [2, 7, 7, 3], k: 3, m: 1, s: 1, d: 1, pad: 1 });
  CASES.push({ x: [2, 8, 8, 2], k: 3, m: 1, s: 2, d: 1, pad: 1 });
  CASES.push({ x: [1, 9, 9, 2], k: 3, m: 1, s: 1, d: 2, pad: 2 });
  CASES.push({
    x: [1, 10, 9, 2],
    k: 3,
    m: 1,
    s: 2,
    d: 1,
    pad: explicitPadding(0, 2, 1, 0),
  });
  CASES.push({
    x: [2, 7, 8, 3],
    k: 5,
    m: 1,
    s: 1,
    d: 2,
    pad: explicitPadding(4, 3, 2, 5),
  });
  // pads beyond the filter's reach (dy is cropped), and a 1x1 stride-2 'same' conv whose stretched dy is cropped
  CASES.push({
    x: [1, 6, 7, 2],
    k: 3,
    m: 1,
    s: 1,
    d: 1,
    pad: explicitPadding(3, 0, 0, 4),
  });
  CASES.push({ x: [2, 7, 7, 3], k: 1, m: 2, s: 2, d: 1, pad: 'same' });
}

describe('wasm depthwise backprop kernels (composed from wasm kernels)', () => {
  useWasmBackend();

  it('are registered for wasm', () => {
    expectWasmKernels('DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput');
    expect(CASES.length).toBeGreaterThan(25);
  });

  it.each(
    CASES.map(
      (c, i) => [i, `x=${c.x.join('x')} k=${c.k} m=${c.m} s=${c.s} d=${c.d} pad=${JSON.stringify(c.pad)}`, c] as const,
    ),
  )('match the cpu backend, case %i (%s)', async (i, _label, c) => {
    const dyShape = outShape(c)!;
    const xv = rand(size(c.x), 7 + i);
    const wv = rand(c.k * c.k * c.x[3] * c.m, 29 + i);
    const dyv = rand(size(dyShape), 53 + i);
    const got = await kernels(c, xv, wv, dyv, dyShape, c.d, c.k);
    const want = await cpuReference(c, xv, wv, dyv, dyShape);
    expect(got.dxShape).toEqual(c.x);
    expect(got.dwShape).toEqual([c.k, c.k, c.x[3], c.m]);
    expect(relError(got.dx, want.dx)).toBeLessThan(1e-4);
    expect(relError(got.dw, want.dw)).toBeLessThan(1e-4);
  });

  it('leak no tensors', async () => {
    const c: Case = { x: [2, 8, 8, 3], k: 3, m: 1, s: 2, d: 1, pad: 'same' };
    const dyShape = outShape(c)!;
    const args = [rand(size(c.x), 1), rand(27, 2), rand(size(dyShape), 3)] as const;
    await kernels(c, ...args, dyShape, 1, 3);
    await expectNoTensorLeak(() => kernels(c, ...args, dyShape, 1, 3));
  });
});

/** Gradients of sum(depthwiseConv2dWithGrad(x, w) · probe) w.r.t. x and w on the current backend. */
async function opGrads(c: Case, xv: Float32Array, wv: Float32Array) {
  const [dx, dw] = tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor4d(wv, [c.k, c.k, c.x[3], c.m]);
    const y = depthwiseConv2dWithGrad(x, w, c.s, c.pad, c.d);
    const probe = tf.sin(tf.reshape(tf.range(0, y.size), y.shape));
    return tf.grads((a, b) =>
      tf.sum(tf.mul(depthwiseConv2dWithGrad(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, c.d), probe)),
    )([x, w]);
  }) as [tf.Tensor, tf.Tensor];
  const out = { dx: (await dx.data()) as Float32Array, dw: (await dw.data()) as Float32Array };
  tf.dispose([dx, dw]);
  return out;
}

/** The same gradients from tfjs-core's own depthwiseConv2d gradient on cpu, via the zero-stuffed filter. */
async function opReference(c: Case, xv: Float32Array, wv: Float32Array) {
  await tf.setBackend('cpu');
  try {
    const wd = dilateFilter(wv, c.k, c.x[3], c.m, c.d);
    const [dx, dw] = tf.tidy(() => {
      const x = tf.tensor4d(xv, c.x);
      const w = tf.tensor4d(wd.values, [wd.k, wd.k, c.x[3], c.m]);
      const y = tf.depthwiseConv2d(x, w, c.s, c.pad);
      const probe = tf.sin(tf.reshape(tf.range(0, y.size), y.shape));
      return tf.grads((a, b) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), probe)),
      )([x, w]);
    }) as [tf.Tensor, tf.Tensor];
    const out = {
      dx: (await dx.data()) as Float32Array,
      dw: undilate((await dw.data()) as Float32Array, c.k, c.x[3], c.m, c.d),
    };
    tf.dispose([dx, dw]);
    return out;
  } finally {
    await tf.setBackend('wasm');
  }
}

const OP_CASES: Case[] = [
  { x: [2, 9, 9, 4], k: 3, m: 1, s: 1, d: 2, pad: 'same' },
  { x: [1, 11, 10, 3], k: 5, m: 1, s: 1, d: 2, pad: 'same' },
  { x: [3, 12, 12, 2], k: 3, m: 2, s: 1, d: 2, pad: 'valid' },
  { x: [2, 8, 7, 3], k: 3, m: 1, s: 2, d: 1, pad: 'same' },
  { x: [2, 6, 6, 5], k: 3, m: 1, s: 1, d: 1, pad: 'valid' },
];

describe('depthwiseConv2dWithGrad (dilated depthwise gradients)', () => {
  useWasmBackend();

  it("gives tf.depthwiseConv2d a dilated gradient (tfjs-core refuses one; backend/layer-gradients.ts registers it) equal to depthwiseConv2dWithGrad's", () => {
    const xv = rand(1 * 9 * 9 * 2, 7);
    const wv = rand(3 * 3 * 2, 8);
    tf.tidy(() => {
      const x = tf.tensor4d(xv, [1, 9, 9, 2]);
      const w = tf.tensor4d(wv, [3, 3, 2, 1]);
      const [gxStock, gwStock] = tf.grads((a, b) =>
        tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NHWC', 2))),
      )([x, w]);
      const [gxOurs, gwOurs] = tf.grads((a, b) =>
        tf.sum(tf.square(depthwiseConv2dWithGrad(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 2))),
      )([x, w]);
      expect(relError(gxStock!.dataSync(), gxOurs!.dataSync())).toBeLessThan(1e-5);
      expect(relError(gwStock!.dataSync(), gwOurs!.dataSync())).toBeLessThan(1e-5);
    });
  });

  it.each(OP_CASES.map((c, i) => [i, c] as const))(
    'matches tfjs-core gradients on wasm and on cpu, case %i',
    async (i, c) => {
      const xv = rand(size(c.x), 101 + i);
      const wv = rand(c.k * c.k * c.x[3] * c.m, 131 + i);
      const want = await opReference(c, xv, wv);
      const onWasm = await opGrads(c, xv, wv);
      expect(relError(onWasm.dx, want.dx)).toBeLessThan(1e-4);
      expect(relError(onWasm.dw, want.dw)).toBeLessThan(1e-4);
      await tf.setBackend('cpu');
      try {
        const onCpu = await opGrads(c, xv, wv);
        expect(relError(onCpu.dx, want.dx)).toBeLessThan(1e-4);
        expect(relError(onCpu.dw, want.dw)).toBeLessThan(1e-4);
      } finally {
        await tf.setBackend('wasm');
      }
    },
  );

  it('agrees with a central finite difference (the loss is linear in w, so the difference is exact)', async () => {
    const c: Case = { x: [1, 7, 7, 2], k: 3, m: 1, s: 1, d: 2, pad: 'same' };
    const xv = rand(size(c.x), 5);
    const wv = rand(18, 6);
    const { dw } = await opGrads(c, xv, wv);
    const x = tf.tensor4d(xv, c.x);
    const loss = (w: Float32Array) =>
      tf.tidy(() => {
        const y = depthwiseConv2dWithGrad(x, tf.tensor4d(w, [3, 3, 2, 1]), 1, 'same', 2);
        return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape)))).dataSync()[0]!;
      });
    for (const tap of [0, 5, 8, 13, 17]) {
      const plus = Float32Array.from(wv);
      const minus = Float32Array.from(wv);
      plus[tap] = plus[tap]! + 0.5;
      minus[tap] = minus[tap]! - 0.5;
      expect(loss(plus) - loss(minus)).toBeCloseTo(dw[tap]!, 3);
    }
    x.dispose();
  });

  it('trains a dilated separable block on wasm: no unregistered kernel, no tensor growth', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const C = 4;
    const dwDil = tf.variable(tf.tensor4d(rand(9 * C, 11), [3, 3, C, 1]));
    const pw = tf.variable(tf.tensor4d(rand(C * 8, 12), [1, 1, C, 8]));
    const dwSep = tf.variable(tf.tensor4d(rand(9 * 8, 13), [3, 3, 8, 1]));
    const x = tf.tensor4d(rand(2 * 10 * 10 * C, 14), [2, 10, 10, C]);
    const opt = tf.train.sgd(0.01);
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          // ReLU -> dilated depthwise 3x3 (DARTS dil_conv) -> pointwise 1x1 -> BN (tf.moments, affine=false)
          let h = depthwiseConv2dWithGrad(tf.relu(x), dwDil, 1, 'same', 2);
          h = tf.conv2d(h, pw, 1, 'same');
          const { mean, variance } = tf.moments(h, [0, 1, 2], true);
          h = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5)));
          // a strided, undilated depthwise conv through tfjs-core's own gradient (the registered wasm kernels)
          h = tf.depthwiseConv2d(tf.relu(h), dwSep, 2, 'same');
          return tf.mean(tf.square(tf.sub(h, 0.5))) as tf.Scalar;
        });
        opt.applyGradients(grads);
        return value.dataSync()[0]!;
      });
    const first = step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let k = 0; k < 3; k++) last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    tf.dispose([dwDil, pw, dwSep, x]);
    opt.dispose();
  });
});
