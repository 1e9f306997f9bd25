/**
 * The gradient fixes of backend/layer-gradients.ts, on cpu and wasm:
 * - tf.depthwiseConv2d with dilation 2 (what SeparableConv2D(dilationRate 2) runs) now has a gradient, equal to the
 *   gradient of the equivalent undilated convolution with a zero-stuffed filter (tfjs-core's own dilation-1 path);
 * - tf.avgPool's gradient agrees with its forward pass at the borders of 'same' padding (the forward leaves the
 *   padding out of the average; tfjs' AvgPoolGrad kernels divide by the full window). avgPool is linear, so the
 *   reference gradient is exact finite differences of the forward kernel itself, one unit step per input element.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerLayerGradientFixes } from '../../main/engine/backend/layer-gradients.js';
import { rand, relError, size, type Shape4 } from '../helpers/numeric.js';
import { expectNoTensorLeak, useWasmBackend } from '../helpers/wasm.js';
import { symmetric } from '../../main/engine/spaces/layers.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
const BACKENDS = ['cpu', 'wasm'] as const;

/** The filter with d−1 zeros between taps: an undilated filter with the same receptive field. */
function stuffFilter(w: Float32Array, k: number, cm: number, d: number): { values: Float32Array; k: number } {
  const kd = (k - 1) * d + 1;
  const out = new Float32Array(kd * kd * cm);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      for (let q = 0; q < cm; q++) out[(i * d * kd + j * d) * cm + q] = w[(i * k + j) * cm + q]!;
  return { values: out, k: kd };
}

/** Every d-th tap of the stuffed filter's gradient. */
function unstuff(g: Float32Array, k: number, cm: number, d: number): Float32Array {
  const kd = (k - 1) * d + 1;
  const out = new Float32Array(k * k * cm);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      for (let q = 0; q < cm; q++) out[(i * k + j) * cm + q] = g[(i * d * kd + j * d) * cm + q]!;
  return out;
}

interface DwCase {
  x: Shape4;
  k: number;
  m: number;
  pad: Pad;
}

/** Gradients of Σ probe · depthwiseConv2d(x, w, stride 1, pad, dilation d) w.r.t. x and w. */
function depthwiseGrads(
  c: DwCase,
  xv: Float32Array,
  wv: Float32Array,
  k: number,
  d: number,
): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor4d(wv, [k, k, c.x[3], c.m]);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad, 'NHWC', d);
    const y = f(x, w);
    const probe = tf.sin(tf.reshape(tf.range(0, y.size), y.shape));
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), probe)))([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

const DW_CASES: DwCase[] = [
  { x: [2, 7, 7, 3], k: 3, m: 1, pad: 'same' },
  { x: [1, 8, 6, 2], k: 3, m: 1, pad: symmetric(2) },
  { x: [2, 9, 9, 2], k: 5, m: 1, pad: symmetric(4) },
  { x: [1, 10, 9, 2], k: 5, m: 1, pad: 'same' },
  { x: [2, 8, 8, 2], k: 3, m: 2, pad: 'valid' },
];

describe('dilated depthwise convolution gradient', () => {
  useWasmBackend();

  it('is idempotent to register', () => {
    const before = tf.getGradient('DepthwiseConv2dNative');
    registerLayerGradientFixes();
    registerLayerGradientFixes();
    expect(tf.getGradient('DepthwiseConv2dNative')).toBe(before);
  });

  for (const backend of BACKENDS) {
    it.each(DW_CASES.map((c, i) => [i, JSON.stringify(c)] as const))(
      `${backend}: equals the zero-stuffed undilated filter's gradient, case %i %s`,
      async (i) => {
        await tf.setBackend(backend);
        try {
          const c = DW_CASES[i]!;
          const cm = c.x[3] * c.m;
          const xv = rand(size(c.x), 3 + i);
          const wv = rand(c.k * c.k * cm, 17 + i);
          const got = depthwiseGrads(c, xv, wv, c.k, 2);
          const stuffed = stuffFilter(wv, c.k, cm, 2);
          // the explicit pads above are the dilated filter's, so the stuffed filter (same extent) takes them unchanged
          const want = depthwiseGrads(c, xv, stuffed.values, stuffed.k, 1);
          expect(relError(got.dx, want.dx)).toBeLessThan(1e-5);
          expect(relError(got.dw, unstuff(want.dw, c.k, cm, 2))).toBeLessThan(1e-5);
        } finally {
          await tf.setBackend('wasm');
        }
      },
    );
  }

  it('trains a SeparableConv2D layer with dilationRate 2 (cpu and wasm agree)', async () => {
    const layer = tf.layers.separableConv2d({
      filters: 3,
      kernelSize: 3,
      dilationRate: 2,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: 'ones',
      pointwiseInitializer: 'ones',
    });
    layer.build([null, 9, 9, 2]);
    const xv = rand(2 * 9 * 9 * 2, 5);
    const gradsOn = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(xv, [2, 9, 9, 2]);
        const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, vars);
        return vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
      });
    };
    try {
      const cpu = await gradsOn('cpu');
      const wasm = await gradsOn('wasm');
      cpu.forEach((g, i) => expect(relError(wasm[i]!, g)).toBeLessThan(1e-4));
    } finally {
      await tf.setBackend('wasm');
      layer.trainableWeights.forEach((w) => w.dispose());
    }
  });
});

interface PoolCase {
  x: Shape4;
  k: number;
  s: number;
  pad: 'same' | 'valid' | number;
}

/** dimRoundingMode: only with a numeric pad (tfjs refuses it otherwise). */
const rounding = (c: PoolCase) => (typeof c.pad === 'number' ? 'floor' : undefined);

/** d/dx Σ probe · avgPool(x) by tf.grad (the registered gradient). */
function poolGrad(c: PoolCase, xv: Float32Array, probe: Float32Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const y = tf.avgPool(x, c.k, c.s, c.pad, rounding(c));
    const p = tf.tensor(probe, y.shape);
    return tf
      .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, c.k, c.s, c.pad, rounding(c)), p)))(x)
      .dataSync() as Float32Array;
  });
}

/**
 * The same derivative from the forward kernel alone: f(x) = Σ probe · avgPool(x) is linear, so
 * ∂f/∂x_i = f(e_i) exactly — one forward pass over a batch holding every unit input.
 */
function poolGradByForward(c: PoolCase, probe: Float32Array): Float32Array {
  return tf.tidy(() => {
    const n = size(c.x);
    const eye = tf.reshape(tf.cast(tf.oneHot(tf.range(0, n, 1, 'int32'), n), 'float32'), [n, ...c.x]);
    const units = tf.reshape(eye, [n * c.x[0], c.x[1], c.x[2], c.x[3]]) as tf.Tensor4D;
    const y = tf.avgPool(units, c.k, c.s, c.pad, rounding(c));
    const perImage = y.size / (n * c.x[0]);
    const p = tf.reshape(tf.tile(tf.tensor(probe), [n]), [n, c.x[0] * perImage]);
    const out = tf.sum(tf.mul(tf.reshape(y, [n, c.x[0] * perImage]), p), 1);
    return out.dataSync() as Float32Array;
  });
}

const POOL_CASES: PoolCase[] = [
  { x: [1, 5, 6, 2], k: 3, s: 1, pad: 'same' },
  { x: [2, 6, 6, 1], k: 3, s: 2, pad: 'same' },
  { x: [1, 7, 5, 2], k: 3, s: 2, pad: 'same' },
  { x: [1, 7, 7, 1], k: 2, s: 2, pad: 'same' },
  { x: [1, 6, 7, 1], k: 1, s: 2, pad: 'same' },
  { x: [1, 8, 8, 1], k: 5, s: 3, pad: 'valid' },
  { x: [1, 6, 6, 2], k: 3, s: 2, pad: 1 },
];

describe('average pooling gradient', () => {
  useWasmBackend();

  for (const backend of BACKENDS) {
    it.each(POOL_CASES.map((c, i) => [i, JSON.stringify(c)] as const))(
      `${backend}: matches the forward pass, borders included, case %i %s`,
      async (i) => {
        await tf.setBackend(backend);
        try {
          const c = POOL_CASES[i]!;
          const outShape = tf.backend_util.computePool2DInfo(c.x, c.k, c.s, 1, c.pad, rounding(c)).outShape;
          const probe = rand(size(outShape), 40 + i, 1, 0.5);
          const got = poolGrad(c, rand(size(c.x), 7 + i), probe);
          const want = poolGradByForward(c, probe);
          expect(relError(got, want)).toBeLessThan(1e-5);
        } finally {
          await tf.setBackend('wasm');
        }
      },
    );

    it(`${backend}: tfjs' own AvgPoolGrad kernel is wrong at 'same' borders (why the gradient is replaced)`, async () => {
      await tf.setBackend(backend);
      try {
        const c: PoolCase = { x: [1, 4, 4, 1], k: 3, s: 1, pad: 'same' };
        const probe = new Float32Array(16).fill(1);
        const kernel = tf.tidy(() => {
          const input = tf.zeros(c.x);
          const dy = tf.ones(c.x);
          return tf.engine().runKernel('AvgPoolGrad', { dy, input }, {
            filterSize: 3,
            strides: 1,
            pad: 'same',
          } as unknown as tf.NamedAttrMap) as tf.Tensor;
        });
        const corner = kernel.dataSync()[0]!;
        kernel.dispose();
        // the corner pixel lies in 4 windows holding 4, 6, 6 and 9 image pixels
        const exact = 1 / 4 + 1 / 6 + 1 / 6 + 1 / 9;
        expect(Math.abs(corner - exact)).toBeGreaterThan(0.1);
        expect(poolGrad(c, new Float32Array(16), probe)[0]).toBeCloseTo(exact, 5);
      } finally {
        await tf.setBackend('wasm');
      }
    });
  }

  it('leaks no tensors', async () => {
    const c = POOL_CASES[1]!;
    const xv = rand(size(c.x), 1);
    const probe = rand(9 * 2, 2);
    poolGrad(c, xv, probe);
    await expectNoTensorLeak(() => poolGrad(c, xv, probe));
  });
});

describe('batch normalisation gradient (FusedBatchNorm)', () => {
  useWasmBackend();

  /** Gradients of Σ probe · BN w.r.t. x, mean, variance, scale and offset, by tf.batchNorm or by broadcasting ops. */
  function bnGrads(xv: Float32Array, shape: Shape4, fused: boolean, fromMoments: boolean): Float32Array[] {
    return tf.tidy(() => {
      const C = shape[3];
      const x = tf.tensor4d(xv, shape);
      const mean = tf.tensor1d(rand(C, 2, 0.3));
      const variance = tf.tensor1d(rand(C, 3, 0.5, 1));
      const gamma = tf.tensor1d(rand(C, 4, 0.5, 1));
      const beta = tf.tensor1d(rand(C, 5));
      const probe = tf.sin(tf.reshape(tf.range(0, size(shape)), shape));
      const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const st = fromMoments ? tf.moments(a, [0, 1, 2]) : { mean: m, variance: v };
        const y = fused
          ? tf.batchNorm(a as tf.Tensor4D, st.mean, st.variance, b, g, 1e-5)
          : tf.add(tf.mul(tf.mul(tf.sub(a, st.mean), tf.rsqrt(tf.add(st.variance, 1e-5))), g), b);
        return tf.sum(tf.mul(y, probe));
      };
      const grads = fromMoments
        ? tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(a, mean, variance, g, b))([x, gamma, beta])
        : tf.grads(f)([x, mean, variance, gamma, beta]);
      return grads.map((g) => g.dataSync() as Float32Array);
    });
  }

  for (const backend of BACKENDS) {
    for (const fromMoments of [true, false]) {
      it(`${backend}: equals the gradient of the same formula in broadcasting ops (${fromMoments ? 'batch statistics, as in training' : 'given statistics'})`, async () => {
        await tf.setBackend(backend);
        try {
          const shape: Shape4 = [3, 5, 4, 6];
          const xv = rand(size(shape), 9, 2, 0.5);
          const got = bnGrads(xv, shape, true, fromMoments);
          const want = bnGrads(xv, shape, false, fromMoments);
          const names = fromMoments ? ['x', 'scale', 'offset'] : ['x', 'mean', 'variance', 'scale', 'offset'];
          got.forEach((g, i) => expect(relError(g, want[i]!), names[i]).toBeLessThan(1e-4));
        } finally {
          await tf.setBackend('wasm');
        }
      });
    }
  }
});
