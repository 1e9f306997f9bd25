/**
 * Conv2D filter-gradient benchmark (wasm's registered Conv2DBackpropFilter). Times, per shape, the old im2col
 * composition (one strided slice per filter tap + concat + matmul), the new one (a single stride-1 convolution
 * with dilation = stride, built from wasm's XNNPACK Conv2D plus transposes) and the cpu backend's own kernel;
 * then a whole training step of the selftest network (conv3x3 1→8, conv3x3/2 8→16 on 28×28, batch 32, momentum)
 * on wasm with the kernel registered as im2col ("before") and as the convolution ("after").
 * All times are ms per call, median of 20 (after one warm-up call).
 *
 *   npx tsx test/bench/conv-grad.ts      # prints one JSON document
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import {
  _conv2dBackpropFilterForTest as convPath,
  _conv2dBackpropFilterIm2colForTest as im2colPath,
} from '../../main/engine/backend/wasm-kernels.js';

type Shape4 = [number, number, number, number];
interface Case {
  name: string;
  x: Shape4;
  w: Shape4;
  stride: number;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { name: 'autoencoder 4x4/2 32->64', x: [8, 16, 16, 32], w: [4, 4, 32, 64], stride: 2, pad: 'same' },
  { name: 'selftest conv1 3x3 1->8', x: [32, 28, 28, 1], w: [3, 3, 1, 8], stride: 1, pad: 'same' },
  { name: 'selftest conv2 3x3/2 8->16', x: [32, 28, 28, 8], w: [3, 3, 8, 16], stride: 2, pad: 'same' },
  { name: '3x3 16->16 at 28x28', x: [8, 28, 28, 16], w: [3, 3, 16, 16], stride: 1, pad: 'same' },
  { name: '1x1 24->40 at 14x14', x: [8, 14, 14, 24], w: [1, 1, 24, 40], stride: 1, pad: 'same' },
];
const REPS = 20;

async function medianMs(fn: () => tf.Tensor | tf.Tensor[], reps = REPS): Promise<number> {
  const run = async () => {
    const t0 = performance.now();
    const out = fn();
    const list = Array.isArray(out) ? out : [out];
    for (const t of list) await t.data();
    const dt = performance.now() - t0;
    tf.dispose(list);
    return dt;
  };
  await run(); // warm-up: operator creation, first allocation
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return +times[Math.floor(reps / 2)]!.toFixed(2);
}

function dyShape(c: Case): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.w, c.stride, 1, c.pad);
  return info.outShape as Shape4;
}

async function kernelTimes(c: Case) {
  await tf.setBackend('wasm');
  const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
  const dy = tf.randomNormal(dyShape(c), 0, 1, 'float32', 2) as tf.Tensor4D;
  const im2colMs = await medianMs(() => im2colPath(x, dy, c.w, c.stride, c.pad, 'NHWC'));
  const convMs = await medianMs(() => convPath(x, dy, c.w, c.stride, c.pad, 'NHWC'));
  const xv = await x.data();
  const dv = await dy.data();
  tf.dispose([x, dy]);
  await tf.setBackend('cpu');
  const xc = tf.tensor4d(xv, c.x);
  const dc = tf.tensor4d(dv, dyShape(c));
  const cpuMs = await medianMs(
    () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: xc, dy: dc },
          { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.w },
        ) as tf.Tensor,
  );
  tf.dispose([xc, dc]);
  await tf.setBackend('wasm');
  return {
    name: c.name,
    x: c.x,
    filter: c.w,
    stride: c.stride,
    pad: c.pad,
    im2colMs,
    convMs,
    cpuMs,
    speedupVsIm2col: +(im2colMs / convMs).toFixed(1),
  };
}

/** Registers `impl` as wasm's Conv2DBackpropFilter (replacing whatever is registered). */
function useKernel(impl: typeof convPath): void {
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const a = attrs as unknown as {
        strides: [number, number];
        pad: 'same';
        dataFormat: 'NHWC';
        dimRoundingMode?: 'floor';
        filterShape: Shape4;
      };
      return impl(x, dy, a.filterShape, a.strides, a.pad, a.dataFormat, a.dimRoundingMode);
    },
  });
}

/** One selftest training step (see `main/engine/jobs/selftest.ts`): forward, backward, momentum update. */
async function trainStepMs(): Promise<number> {
  await tf.setBackend('wasm');
  const he = (shape: number[], fanIn: number, s: number) =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s));
  const w1 = he([3, 3, 1, 8], 9, 1);
  const b1 = tf.variable(tf.zeros([8]));
  const w2 = he([3, 3, 8, 16], 72, 2);
  const b2 = tf.variable(tf.zeros([16]));
  const w3 = he([16, 10], 16, 3);
  const b3 = tf.variable(tf.zeros([10]));
  const vars = [w1, b1, w2, b2, w3, b3];
  const x = tf.randomNormal([32, 28, 28, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32', 5) as tf.Tensor1D, 10);
  const opt = tf.train.momentum(0.05, 0.9);
  const logits = () => {
    const h1 = tf.fused.conv2d({ x, filter: w1 as tf.Tensor4D, strides: 1, pad: 'same', bias: b1, activation: 'relu' });
    const h2 = tf.fused.conv2d({
      x: h1,
      filter: w2 as tf.Tensor4D,
      strides: 2,
      pad: 'same',
      bias: b2,
      activation: 'relu',
    });
    return tf.fused.matMul({ a: tf.mean(h2, [1, 2]) as tf.Tensor2D, b: w3 as tf.Tensor2D, bias: b3 }) as tf.Tensor2D;
  };
  const ms = await medianMs(() =>
    opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, logits()) as tf.Scalar, true, vars)!,
  );
  opt.dispose();
  tf.dispose([x, labels, ...vars]);
  return ms;
}

await selectBackend('wasm');
const kernels = [];
for (const c of CASES) kernels.push(await kernelTimes(c));
useKernel(im2colPath);
const trainStepBeforeMs = await trainStepMs();
useKernel(convPath);
const trainStepAfterMs = await trainStepMs();
console.log(
  JSON.stringify(
    {
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
      reps: REPS,
      kernels,
      selftestStep: {
        batch: 32,
        beforeMs: trainStepBeforeMs,
        afterMs: trainStepAfterMs,
        speedup: +(trainStepBeforeMs / trainStepAfterMs).toFixed(2),
      },
    },
    null,
    2,
  ),
);
