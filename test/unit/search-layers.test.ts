/**
 * spaces/layers.ts against plain-JavaScript references with PyTorch's semantics (what the DARTS and NAS-Bench-201
 * code compute): depthwise with stride / dilation, subsample2, 3x3 pools with padding 1 (average without the
 * padding, and its gradient), FactorizedReduce. Run on cpu and on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { depthwiseConv2dWithGrad } from '../../main/engine/nn/ops.js';
import { factorizedReduce } from '../../main/engine/spaces/darts/factorized-reduce.js';
import { avgPool3, depthwise, maxPool3, subsample2, symmetric } from '../../main/engine/spaces/layers.js';
import { rand, relError, size, type Shape4 } from '../helpers/numeric.js';

const at = (s: Shape4, b: number, i: number, j: number, c: number) => ((b * s[1] + i) * s[2] + j) * s[3] + c;

/**
 * nn.Conv2d(C, C, k, stride=s, padding=p, dilation=d, groups=C) in NHWC: out[b, i, j, c] =
 * Σ_{t, u} w[t, u, c] · x[b, i·s − p + t·d, j·s − p + u·d, c] (zero outside).
 */
function depthwiseJs(
  x: Float32Array,
  xs: Shape4,
  w: Float32Array,
  k: number,
  s: number,
  d: number,
  p: number,
): { out: Float32Array; shape: Shape4 } {
  const [B, H, W, C] = xs;
  const oh = Math.floor((H + 2 * p - d * (k - 1) - 1) / s) + 1;
  const ow = Math.floor((W + 2 * p - d * (k - 1) - 1) / s) + 1;
  const shape: Shape4 = [B, oh, ow, C];
  const out = new Float32Array(size(shape));
  for (let b = 0; b < B; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let c = 0; c < C; c++) {
          let acc = 0;
          for (let t = 0; t < k; t++)
            for (let u = 0; u < k; u++) {
              const y = i * s - p + t * d;
              const z = j * s - p + u * d;
              if (y >= 0 && y < H && z >= 0 && z < W) acc += w[(t * k + u) * C + c]! * x[at(xs, b, y, z, c)]!;
            }
          out[at(shape, b, i, j, c)] = acc;
        }
  return { out, shape };
}

/** x[:, ::2, ::2] */
function everyOther(x: Float32Array, xs: Shape4): { out: Float32Array; shape: Shape4 } {
  const [B, H, W, C] = xs;
  const shape: Shape4 = [B, Math.ceil(H / 2), Math.ceil(W / 2), C];
  const out = new Float32Array(size(shape));
  for (let b = 0; b < B; b++)
    for (let i = 0; i < shape[1]; i++)
      for (let j = 0; j < shape[2]; j++)
        for (let c = 0; c < C; c++) out[at(shape, b, i, j, c)] = x[at(xs, b, 2 * i, 2 * j, c)]!;
  return { out, shape };
}

/** The real (non-padding) rows of a 3-wide window with padding 1 at output position i, stride s. */
function windowRange(i: number, s: number, n: number): [number, number] {
  return [Math.max(0, i * s - 1), Math.min(n - 1, i * s + 1)];
}

/** The output shape of a 3x3 pool with padding 1 and stride s. */
function poolShape([B, H, W, C]: Shape4, s: number): Shape4 {
  return [B, Math.floor((H - 1) / s) + 1, Math.floor((W - 1) / s) + 1, C];
}

/**
 * Visits every output position of a 3x3 pool with padding 1 and stride s over x of shape xs: the output's index
 * and the indices of the real (non-padding) inputs under its window, row by row. Returns the output shape.
 */
function forEachWindow(xs: Shape4, s: number, visit: (out: number, window: number[]) => void): Shape4 {
  const [B, H, W, C] = xs;
  const shape = poolShape(xs, s);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < shape[1]; i++)
      for (let j = 0; j < shape[2]; j++)
        for (let c = 0; c < C; c++) {
          const [y0, y1] = windowRange(i, s, H);
          const [z0, z1] = windowRange(j, s, W);
          const window: number[] = [];
          for (let y = y0; y <= y1; y++) for (let z = z0; z <= z1; z++) window.push(at(xs, b, y, z, c));
          visit(at(shape, b, i, j, c), window);
        }
  return shape;
}

/** nn.AvgPool2d(3, s, padding=1, count_include_pad=False) and its gradient for upstream dy. */
function avgPool3Js(
  x: Float32Array,
  xs: Shape4,
  s: number,
  dy?: Float32Array,
): { out: Float32Array; shape: Shape4; dx: Float32Array } {
  const out = new Float32Array(size(poolShape(xs, s)));
  const dx = new Float32Array(x.length);
  const shape = forEachWindow(xs, s, (o, window) => {
    let acc = 0;
    for (const k of window) acc += x[k]!;
    out[o] = acc / window.length;
    if (dy) for (const k of window) dx[k]! += dy[o]! / window.length;
  });
  return { out, shape, dx };
}

/** nn.MaxPool2d(3, s, padding=1). */
function maxPool3Js(x: Float32Array, xs: Shape4, s: number): { out: Float32Array; shape: Shape4 } {
  const out = new Float32Array(size(poolShape(xs, s)));
  const shape = forEachWindow(xs, s, (o, window) => {
    let m = -Infinity;
    for (const k of window) m = Math.max(m, x[k]!);
    out[o] = m;
  });
  return { out, shape };
}

/** ReLU, then cat(conv1x1_s2(x) · w1, conv1x1_s2(x[:, 1:, 1:]) · w2) with the shifted copy zero-padded to ceil(H/2). */
function factorizedReduceJs(
  x: Float32Array,
  xs: Shape4,
  w1: Float32Array,
  w2: Float32Array,
  half: number,
): { out: Float32Array; shape: Shape4 } {
  const [B, H, W, C] = xs;
  const shape: Shape4 = [B, Math.ceil(H / 2), Math.ceil(W / 2), 2 * half];
  const out = new Float32Array(size(shape));
  const rx = (b: number, y: number, z: number, c: number) => (y < H && z < W ? Math.max(0, x[at(xs, b, y, z, c)]!) : 0);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < shape[1]; i++)
      for (let j = 0; j < shape[2]; j++)
        for (let o = 0; o < half; o++) {
          let a1 = 0;
          let a2 = 0;
          for (let c = 0; c < C; c++) {
            a1 += rx(b, 2 * i, 2 * j, c) * w1[c * half + o]!;
            a2 += rx(b, 2 * i + 1, 2 * j + 1, c) * w2[c * half + o]!;
          }
          out[at(shape, b, i, j, o)] = a1;
          out[at(shape, b, i, j, half + o)] = a2;
        }
  return { out, shape };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`search layers (${backend})`, () => {
    beforeAll(async () => {
      await selectBackend(backend);
      await tf.setBackend(backend);
    });

    const DW_CASES: Array<{ x: Shape4; k: number }> = [
      { x: [2, 8, 8, 3], k: 3 },
      { x: [2, 7, 7, 3], k: 3 },
      { x: [1, 9, 6, 2], k: 3 },
      { x: [2, 8, 8, 2], k: 5 },
      { x: [1, 7, 9, 3], k: 5 },
      { x: [1, 5, 5, 2], k: 5 },
    ];

    it.each(DW_CASES.map((c, i) => [i, c] as const))(
      'depthwise(x, w, 2, 2) = dilated stride-1 conv (pad k−1) at even rows / cols, case %i %j',
      (i, c) => {
        const xv = rand(size(c.x), 10 + i);
        const wv = rand(c.k * c.k * c.x[3], 20 + i);
        // reference, in JS: dilation 2, stride 1, explicit pad k − 1, then x[:, ::2, ::2]
        const full = depthwiseJs(xv, c.x, wv, c.k, 1, 2, c.k - 1);
        const want = everyOther(full.out, full.shape);
        // the same in one strided pass (PyTorch's stride 2, dilation 2, padding k − 1)
        const strided = depthwiseJs(xv, c.x, wv, c.k, 2, 2, c.k - 1);
        expect(strided.shape).toEqual(want.shape);
        expect(relError(strided.out, want.out)).toBeLessThan(1e-6);
        tf.tidy(() => {
          const x = tf.tensor4d(xv, c.x);
          const w = tf.tensor4d(wv, [c.k, c.k, c.x[3], 1]);
          const got = depthwise(x, w, 2, 2);
          expect(got.shape).toEqual(want.shape);
          expect(relError(got.dataSync(), want.out)).toBeLessThan(1e-5);
          // and tfjs' own dilated convolution agrees with the JS reference
          const tfFull = tf.depthwiseConv2d(x, w, 1, symmetric(c.k - 1), 'NHWC', 2);
          expect(relError(tfFull.dataSync(), full.out)).toBeLessThan(1e-5);
        });
      },
    );

    it.each(DW_CASES.slice(0, 4).map((c, i) => [i, c] as const))(
      'depthwise(x, w, 2, 2) gradients equal those of the dilated conv then subsample, case %i',
      (i, c) => {
        const xv = rand(size(c.x), 40 + i);
        const wv = rand(c.k * c.k * c.x[3], 50 + i);
        tf.tidy(() => {
          const x = tf.tensor4d(xv, c.x);
          const w = tf.tensor4d(wv, [c.k, c.k, c.x[3], 1]);
          const oh = Math.ceil(c.x[1] / 2);
          const ow = Math.ceil(c.x[2] / 2);
          const r = tf.tensor4d(rand(c.x[0] * oh * ow * c.x[3], 60 + i), [c.x[0], oh, ow, c.x[3]]);
          const got = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(depthwise(a as tf.Tensor4D, b as tf.Tensor4D, 2, 2), r)),
          )([x, w]);
          const want = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.mul(
                subsample2(depthwiseConv2dWithGrad(a as tf.Tensor4D, b as tf.Tensor4D, 1, symmetric(c.k - 1), 2)),
                r,
              ),
            ),
          )([x, w]);
          expect(relError(got[0]!.dataSync(), want[0]!.dataSync())).toBeLessThan(1e-5);
          expect(relError(got[1]!.dataSync(), want[1]!.dataSync())).toBeLessThan(1e-5);
        });
      },
    );

    it.each([
      [1, 1],
      [2, 1],
      [1, 2],
    ] as const)('depthwise(x, w, stride %i, dilation %i) equals PyTorch padding d·(k−1)/2', (s, d) => {
      for (const [k, shape] of [
        [3, [2, 7, 7, 2]],
        [5, [1, 8, 8, 3]],
      ] as Array<[number, Shape4]>) {
        const xv = rand(size(shape), 70 + k + s + d);
        const wv = rand(k * k * shape[3], 80 + k);
        const want = depthwiseJs(xv, shape, wv, k, s, d, (d * (k - 1)) / 2);
        tf.tidy(() => {
          const got = depthwise(tf.tensor4d(xv, shape), tf.tensor4d(wv, [k, k, shape[3], 1]), s, d);
          expect(got.shape).toEqual(want.shape);
          expect(relError(got.dataSync(), want.out)).toBeLessThan(1e-5);
        });
      }
    });

    it.each([[[2, 8, 8, 3]], [[2, 7, 7, 3]], [[1, 6, 9, 2]], [[1, 1, 1, 1]], [[1, 2, 3, 1]]] as Array<[Shape4]>)(
      'subsample2 equals x[:, ::2, ::2] and its gradient scatters back, %j',
      (shape) => {
        const xv = rand(size(shape), 5);
        const want = everyOther(xv, shape);
        tf.tidy(() => {
          const x = tf.tensor4d(xv, shape);
          const got = subsample2(x);
          expect(got.shape).toEqual(want.shape);
          expect(relError(got.dataSync(), want.out)).toBeLessThan(1e-7);
          const rv = rand(size(want.shape), 6);
          const g = tf
            .grad((a: tf.Tensor) => tf.sum(tf.mul(subsample2(a as tf.Tensor4D), tf.tensor4d(rv, want.shape))))(x)
            .dataSync();
          const expected = new Float32Array(xv.length);
          for (let b = 0; b < shape[0]; b++)
            for (let i = 0; i < want.shape[1]; i++)
              for (let j = 0; j < want.shape[2]; j++)
                for (let c = 0; c < shape[3]; c++)
                  expected[at(shape, b, 2 * i, 2 * j, c)] = rv[at(want.shape, b, i, j, c)]!;
          expect(relError(g, expected)).toBeLessThan(1e-7);
        });
      },
    );

    const POOL_SHAPES: Shape4[] = [
      [2, 8, 8, 3],
      [2, 7, 7, 2],
      [1, 6, 9, 2],
      [1, 5, 4, 1],
    ];

    it.each(POOL_SHAPES.flatMap((shape) => [1, 2].map((s) => [shape, s] as const)))(
      'avgPool3 forward and gradient = AvgPool2d(3, s, 1, count_include_pad=False), %j stride %i',
      (shape, s) => {
        const xv = rand(size(shape), 90 + s);
        const probe = avgPool3Js(xv, shape, s);
        const dyv = rand(size(probe.shape), 91 + s);
        const want = avgPool3Js(xv, shape, s, dyv);
        tf.tidy(() => {
          const x = tf.tensor4d(xv, shape);
          const y = avgPool3(x, s as 1 | 2);
          expect(y.shape).toEqual(want.shape);
          expect(relError(y.dataSync(), want.out)).toBeLessThan(1e-5);
          const dy = tf.tensor4d(dyv, want.shape);
          const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(avgPool3(a as tf.Tensor4D, s as 1 | 2), dy)))(x);
          expect(g.shape).toEqual(shape);
          expect(relError(g.dataSync(), want.dx)).toBeLessThan(1e-5);
        });
      },
    );

    it('tfjs’ stock AvgPoolGrad kernel divides the border windows by 9; with Winnow’s gradient fix tf.avgPool matches avgPool3', () => {
      const shape: Shape4 = [1, 4, 4, 1];
      const xv = rand(16, 3);
      const dyv = new Float32Array(16).fill(1);
      const want = avgPool3Js(xv, shape, 1, dyv);
      tf.tidy(() => {
        const x = tf.tensor4d(xv, shape);
        const stock = (
          tf.engine().runKernel('AvgPoolGrad', { dy: tf.onesLike(x), input: x }, {
            filterSize: 3,
            strides: 1,
            pad: 1,
          } as unknown as tf.NamedAttrMap) as tf.Tensor
        ).dataSync();
        // a corner pixel is in 4 windows, of 4, 6, 6 and 9 real pixels: 1/4 + 2/6 + 1/9; the stock kernel says 4 · 1/9
        expect(want.dx[0]).toBeCloseTo(1 / 4 + 2 / 6 + 1 / 9, 6);
        expect(stock[0]).toBeCloseTo(4 / 9, 5);
        // backend/layer-gradients.ts registers an exact AvgPool gradient (the ladder activates it for every backend)
        const fixed = tf
          .grad((a: tf.Tensor) => tf.sum(tf.avgPool(a as tf.Tensor4D, 3, 1, 1, 'floor')))(x)
          .dataSync();
        expect(relError(fixed, want.dx)).toBeLessThan(1e-5);
        const ours = tf
          .grad((a: tf.Tensor) => tf.sum(avgPool3(a as tf.Tensor4D, 1)))(x)
          .dataSync();
        expect(relError(ours, want.dx)).toBeLessThan(1e-5);
      });
    });

    it.each([7, 8, 28])('maxPool3 stride 2 on H × H, H = %i, gives ceil(H / 2) and MaxPool2d(3, 2, 1) values', (H) => {
      const shape: Shape4 = [1, H, H, 2];
      const xv = rand(size(shape), H);
      const want = maxPool3Js(xv, shape, 2);
      tf.tidy(() => {
        const y = maxPool3(tf.tensor4d(xv, shape), 2);
        expect(y.shape).toEqual([1, Math.ceil(H / 2), Math.ceil(H / 2), 2]);
        expect(relError(y.dataSync(), want.out)).toBeLessThan(1e-7);
        const y1 = maxPool3(tf.tensor4d(xv, shape), 1);
        expect(y1.shape).toEqual(shape);
        expect(relError(y1.dataSync(), maxPool3Js(xv, shape, 1).out)).toBeLessThan(1e-7);
      });
    });

    it.each([[[2, 8, 8, 4]], [[2, 7, 7, 4]], [[1, 6, 9, 2]], [[1, 28, 28, 4]]] as Array<[Shape4]>)(
      'factorizedReduce shape and values, %j',
      (shape) => {
        const C = shape[3];
        const half = 3;
        const xv = rand(size(shape), 11);
        const w1 = rand(C * half, 12);
        const w2 = rand(C * half, 13);
        const want = factorizedReduceJs(xv, shape, w1, w2, half);
        tf.tidy(() => {
          const got = factorizedReduce(
            tf.tensor4d(xv, shape),
            tf.tensor4d(w1, [1, 1, C, half]),
            tf.tensor4d(w2, [1, 1, C, half]),
          );
          expect(got.shape).toEqual([shape[0], Math.ceil(shape[1] / 2), Math.ceil(shape[2] / 2), 2 * half]);
          expect(relError(got.dataSync(), want.out)).toBeLessThan(1e-5);
          // and a gradient flows to both weights and the input
          const gs = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.sum(tf.square(factorizedReduce(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D))),
          )([tf.tensor4d(xv, shape), tf.tensor4d(w1, [1, 1, C, half]), tf.tensor4d(w2, [1, 1, C, half])]);
          expect(gs.map((g) => g.shape)).toEqual([shape, [1, 1, C, half], [1, 1, C, half]]);
          for (const g of gs) for (const v of g.dataSync()) expect(Number.isFinite(v)).toBe(true);
        });
      },
    );
  });
}
