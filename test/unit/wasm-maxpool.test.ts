/**
 * The wasm MaxPoolGrad that replaces @tensorflow/tfjs-backend-wasm's own (wrong for windows whose maximum is
 * ≤ 0 and for ties): equal to a brute-force max-pool gradient (the cpu backend's rule: the first strict maximum in
 * row-major window order, padding never wins, NaN skipped) and to the cpu backend, on odd and even sizes, strides
 * 1 and 2, numeric / 'same' / 'valid' / explicit padding, with ties, negative and all-zero windows, and on both of
 * its paths (the convolution one for finite inputs, the running argmax for NaN, ±∞ and windows wholly in the
 * padding). Then the DARTS supernet's weight and α gradients on wasm against the cpu and TensorFlow backends.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { _wasmOwnMaxPoolGradForTest } from '../../main/engine/backend/wasm-maxpool-grad.js';
import { DartsSupernet } from '../../main/engine/spaces/darts/supernet.js';
import { rand, relError, type Shape4, type Pad } from '../helpers/numeric.js';
import { explicitPadding } from '../../main/engine/backend/window-geometry.js';

interface PoolCase {
  name: string;
  x: Shape4;
  k: [number, number];
  s: [number, number];
  pad: Pad;
  values: (n: number, seed: number) => Float32Array;
}

/** A case in one line: its name, the input's shape, the window, the strides, the padding and the input's values. */
function poolCase(
  name: string,
  x: Shape4,
  k: [number, number],
  s: [number, number],
  pad: Pad,
  values: PoolCase['values'],
): PoolCase {
  return { name, x, k, s, pad, values };
}

const signed = (n: number, seed: number) => rand(n, seed);
const negative = (n: number, seed: number) => rand(n, seed, 0.5, -1); // all in [−1.5, −0.5]
/** a few small integers: many ties inside every window */
const ties = (n: number, seed: number) => Float32Array.from(rand(n, seed), (v) => Math.floor((v + 1) * 1.5));
/** ReLU'd: about half zeros, whole windows of zeros */
const relu = (n: number, seed: number) => Float32Array.from(rand(n, seed), (v) => Math.max(0, v));

/** Explicit padding: 2 rows on top, none below, 1 column left, 2 right. */
const ASYMMETRIC = explicitPadding(2, 0, 1, 2);

const CASES: PoolCase[] = [
  // the reported input: [2, 8, 8, 4], 3×3, stride 1, pad 1 — wasm's own kernel is off by 0.68 there
  poolCase('reported [2,8,8,4] s1 p1', [2, 8, 8, 4], [3, 3], [1, 1], 1, signed),
  poolCase('odd [2,7,7,3] s1 p1', [2, 7, 7, 3], [3, 3], [1, 1], 1, signed),
  poolCase('odd [2,7,9,3] s2 p1', [2, 7, 9, 3], [3, 3], [2, 2], 1, signed),
  poolCase('even [3,8,8,5] s2 p1, negative', [3, 8, 8, 5], [3, 3], [2, 2], 1, negative),
  poolCase('even [2,6,6,4] s1 p1, ties', [2, 6, 6, 4], [3, 3], [1, 1], 1, ties),
  poolCase('odd [2,9,9,2] s2 p1, ties', [2, 9, 9, 2], [3, 3], [2, 2], 1, ties),
  poolCase('even [2,12,12,4] s1 p1, relu zeros', [2, 12, 12, 4], [3, 3], [1, 1], 1, relu),
  poolCase('even [2,16,16,3] s2 p1, relu zeros', [2, 16, 16, 3], [3, 3], [2, 2], 1, relu),
  poolCase("[2,7,8,3] s2 'same', ties", [2, 7, 8, 3], [3, 3], [2, 2], 'same', ties),
  poolCase("[2,9,8,3] s2 'valid' (unread last row)", [2, 9, 8, 3], [3, 3], [2, 2], 'valid', signed),
  poolCase("[1,8,8,1] 2x2 s2 'valid', negative", [1, 8, 8, 1], [2, 2], [2, 2], 'valid', negative),
  poolCase("[2,10,9,3] 3x2 s(2,1) 'same', ties", [2, 10, 9, 3], [3, 2], [2, 1], 'same', ties),
  poolCase('[2,9,8,3] explicit asymmetric, relu zeros', [2, 9, 8, 3], [3, 3], [2, 2], ASYMMETRIC, relu),
  poolCase('[1,1,1,3] 1x1 valid', [1, 1, 1, 3], [1, 1], [1, 1], 'valid', signed),
  // the running-argmax path: windows wholly in the padding (an explicit pad as large as the filter)
  poolCase('[1,4,4,2] explicit pad ≥ filter', [1, 4, 4, 2], [2, 2], [1, 1], explicitPadding(2, 1, 0, 2), ties),
];

/** The cpu backend's rule, in plain JavaScript: dy goes to the first strictly greater element from −∞. */
function bruteForce(
  xv: Float32Array,
  shape: Shape4,
  dyv: Float32Array,
  dyShape: Shape4,
  k: [number, number],
  s: [number, number],
  top: number,
  left: number,
): Float64Array {
  const [B, H, W, C] = shape;
  const [, oH, oW] = dyShape;
  const dx = new Float64Array(xv.length);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < oH; i++) {
      for (let j = 0; j < oW; j++) {
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let a = 0; a < k[0]; a++) {
            for (let bb = 0; bb < k[1]; bb++) {
              const r = i * s[0] - top + a;
              const q = j * s[1] - left + bb;
              if (r < 0 || q < 0 || r >= H || q >= W) continue;
              const idx = ((b * H + r) * W + q) * C + c;
              if (xv[idx]! > best) {
                best = xv[idx]!;
                at = idx;
              }
            }
          }
          if (at >= 0) dx[at] = dx[at]! + dyv[((b * oH + i) * oW + j) * C + c]!;
        }
      }
    }
  }
  return dx;
}

/** dy (a fixed non-uniform probe) and the gradient of sum(maxPool(x) · dy) on the current backend. */
function poolGrad(c: PoolCase, xv: Float32Array): { dy: Float32Array; dyShape: Shape4; dx: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const y = tf.maxPool(x, c.k, c.s, c.pad);
    const dy = tf.sin(tf.mul(tf.reshape(tf.range(1, y.size + 1), y.shape), 1.7));
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, c.k, c.s, c.pad), dy)))(x);
    return { dy: dy.dataSync() as Float32Array, dyShape: y.shape, dx: dx.dataSync() as Float32Array };
  });
}

function padOf(c: PoolCase): { top: number; left: number } {
  const info = tf.backend_util.computePool2DInfo(c.x, c.k, c.s, 1, c.pad);
  return { top: info.padInfo.top, left: info.padInfo.left };
}

describe('wasm MaxPoolGrad (replaces wasm’s own kernel)', () => {
  const cpu = new Map<string, Float32Array>();
  beforeAll(async () => {
    await selectBackend('cpu');
    await tf.setBackend('cpu');
    for (const c of CASES)
      cpu.set(
        c.name,
        poolGrad(
          c,
          c.values(
            c.x.reduce((a, b) => a * b),
            11,
          ),
        ).dx,
      );
    await selectBackend('wasm');
    await tf.setBackend('wasm');
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: equals the brute-force gradient and the cpu backend', (_, c) => {
    expect(tf.getBackend()).toBe('wasm');
    const xv = c.values(
      c.x.reduce((a, b) => a * b),
      11,
    );
    const before = tf.memory().numTensors;
    const { dy, dyShape, dx } = poolGrad(c, xv);
    expect(tf.memory().numTensors).toBe(before);
    const { top, left } = padOf(c);
    const want = bruteForce(xv, c.x, dy, dyShape, c.k, c.s, top, left);
    expect(relError(dx, want)).toBeLessThan(1e-6);
    expect(relError(dx, cpu.get(c.name)!)).toBeLessThan(1e-6);
  });

  it('non-finite inputs (NaN skipped, −∞ never wins, +∞ wins, −FLT_MAX) follow the cpu rule', async () => {
    const shape: Shape4 = [2, 6, 5, 3];
    const xv = rand(2 * 6 * 5 * 3, 5);
    for (let i = 0; i < xv.length; i += 7) xv[i] = NaN;
    for (let i = 3; i < xv.length; i += 11) xv[i] = -Infinity;
    xv[20] = Infinity;
    xv[41] = -3.4028234663852886e38;
    // one whole window of −∞ (its gradient goes nowhere) and one of NaN
    for (const [r, q] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]) {
      xv[(r! * 5 + q!) * 3 + 1] = -Infinity;
      xv[((6 + 4 + r!) * 5 + 3 + q!) * 3 + 2] = NaN;
    }
    const c: PoolCase = { name: 'non-finite', x: shape, k: [3, 3], s: [1, 1], pad: 1, values: () => xv };
    const { dy, dyShape, dx } = poolGrad(c, xv);
    expect(relError(dx, bruteForce(xv, shape, dy, dyShape, c.k, c.s, 1, 1))).toBeLessThan(1e-6);
    await tf.setBackend('cpu');
    const onCpu = poolGrad(c, xv).dx;
    await tf.setBackend('wasm');
    expect(relError(dx, onCpu)).toBeLessThan(1e-6);
  });

  it("dy's size rules (a 'ceil' forward pass: tfjs-core's gradient drops dimRoundingMode)", () => {
    // [1, 8, 8, 2], 3×3, stride 2, pad 1: 'ceil' gives 5×5 outputs where the attrs without rounding give 4×4
    const shape: Shape4 = [1, 8, 8, 2];
    const xv = ties(128, 3);
    const dyShape: Shape4 = [1, 5, 5, 2];
    const dyv = Float32Array.from({ length: 50 }, (_, i) => Math.cos(i));
    const dx = tf.tidy(() => {
      const x = tf.tensor4d(xv, shape);
      const out = tf
        .engine()
        .runKernel(
          'MaxPoolGrad',
          { dy: tf.tensor4d(dyv, dyShape), input: x, output: tf.zeros(dyShape) },
          { filterSize: 3, strides: 2, pad: 1 },
        ) as tf.Tensor;
      return out.dataSync() as Float32Array;
    });
    expect(relError(dx, bruteForce(xv, shape, dyv, dyShape, [3, 3], [2, 2], 1, 1))).toBeLessThan(1e-6);
  });

  it('wasm’s own kernel is still wrong on the reported input (drop the replacement once this fails)', () => {
    const c = CASES[0]!;
    const xv = c.values(
      c.x.reduce((a, b) => a * b),
      11,
    );
    const { dy, dyShape, dx } = poolGrad(c, xv);
    const own = tf.tidy(() => {
      const x = tf.tensor4d(xv, c.x);
      const y = tf.maxPool(x, c.k, c.s, c.pad);
      return _wasmOwnMaxPoolGradForTest(tf.tensor4d(dy, dyShape), x, y, {
        filterSize: c.k,
        strides: c.s,
        pad: c.pad,
      }).dataSync() as Float32Array;
    });
    expect(relError(own, dx)).toBeGreaterThan(0.05);
  });
});

/** sqrt(Σ (got − want)²) / sqrt(Σ want²) over every entry of every gradient. */
function globalRelL2(got: Map<string, Float32Array>, want: Map<string, Float32Array>): number {
  let num = 0;
  let den = 0;
  for (const [name, w] of want) {
    const g = got.get(name)!;
    expect(g.length, name).toBe(w.length);
    for (let i = 0; i < w.length; i++) {
      num += (g[i]! - w[i]!) ** 2;
      den += w[i]! ** 2;
    }
  }
  return Math.sqrt(num / den);
}

/**
 * The whole DARTS supernet (max_pool_3x3 on every edge, stride 1 and 2): weight and α gradients on wasm against
 * the cpu backend and, where it loads, the native TensorFlow backend. The smallest supernet with both cell types
 * (3 cells: the reductions at 1/3 and 2/3, one normal cell) on 8×8 inputs: the cpu backend's gradient is most of
 * the time, about 2 s here (5 cells on 16×16 took 1.5 min). With wasm's own MaxPoolGrad the gradients are 0.13
 * (weights) and 0.16 (α) (global relative L2) from cpu's; with the replacement, 8e-7 and 1e-6. At 5 cells on
 * 16×16 cpu's were 1.4e-4 from both wasm's and TensorFlow's (a ReLU / max decision that float rounding tips the
 * other way on cpu), so the cpu comparison allows 1e-3 and the TensorFlow one 1e-5.
 */
describe('DARTS supernet gradients on wasm match the cpu and TensorFlow backends', () => {
  const CLASSES = 10;
  const config = { channels: 8, cells: 3, inChannels: 1, classes: CLASSES, seed: 1 };
  const B = 8;
  const H = 8;
  const xv = rand(B * H * H, 21);
  const labels = Array.from({ length: B }, (_, i) => i % CLASSES);

  async function grads(backend: 'cpu' | 'wasm' | 'tensorflow'): Promise<Map<string, Float32Array>> {
    await selectBackend(backend);
    await tf.setBackend(backend);
    const net = new DartsSupernet(config);
    try {
      const entries = [...net.weights.list, ...net.alphas.list];
      net.gradTarget = 'both';
      const { value, grads: g } = tf.tidy(() => {
        const x = tf.tensor4d(xv, [B, H, H, 1]);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
        return tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, net.logits(x)) as tf.Scalar,
          entries.map((e) => e.variable),
        );
      });
      const out = new Map(entries.map((e) => [e.name, (g[e.variable.name]!.dataSync() as Float32Array).slice()]));
      tf.dispose([value, ...Object.values(g)]);
      return out;
    } finally {
      net.dispose();
    }
  }
  const alphas = (m: Map<string, Float32Array>) => new Map([...m].filter(([k]) => k.startsWith('alpha.')));
  const weights = (m: Map<string, Float32Array>) => new Map([...m].filter(([k]) => !k.startsWith('alpha.')));

  let onWasm: Map<string, Float32Array>;
  beforeAll(async () => {
    onWasm = await grads('wasm');
  }, 120_000);
  afterAll(async () => {
    await selectBackend('wasm');
    await tf.setBackend('wasm');
  });

  it('channels 8, 3 cells, batch 8, 8×8×1, seed 1: cpu backend, weights and α within a global relative L2 error of 1e-3', async () => {
    const onCpu = await grads('cpu');
    expect(alphas(onCpu).size).toBe(2);
    expect(globalRelL2(weights(onWasm), weights(onCpu))).toBeLessThan(1e-3);
    expect(globalRelL2(alphas(onWasm), alphas(onCpu))).toBeLessThan(1e-3);
  }, 120_000);

  it('the same on the native TensorFlow backend (skipped where it does not load): within 1e-5', async (ctx) => {
    const loaded = await selectBackend('tensorflow').then(
      () => true,
      () => false,
    );
    if (!loaded) ctx.skip();
    const onTf = await grads('tensorflow');
    expect(globalRelL2(weights(onWasm), weights(onTf))).toBeLessThan(1e-5);
    expect(globalRelL2(alphas(onWasm), alphas(onTf))).toBeLessThan(1e-5);
  }, 300_000);
});
