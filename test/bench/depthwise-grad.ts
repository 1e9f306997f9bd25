/**
 * Depthwise-convolution gradient benchmark: a 3×3 depthwise conv (dilation 2, stride 1, 'same'; DARTS dil_conv_3x3)
 * on a [32, 28, 28, 16] input. Times, per backend, the two backprops alone and a whole forward + backward through
 * `depthwiseConv2dWithGrad`. On cpu the dilated backprops run the composed path (its own kernels ignore
 * `dilations`); `cpuNativeKernelMs` is cpu's own (dilation-1) kernels on the same shapes, for scale.
 *
 *   npx tsx test/bench/depthwise-grad.ts      # prints one JSON document
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from '../../main/engine/backend/wasm-kernels.js';
import { depthwiseConv2dWithGrad } from '../../main/engine/nn/ops.js';

const X: [number, number, number, number] = [32, 28, 28, 16];
const W: [number, number, number, number] = [3, 3, 16, 1];
const DIL = 2;

async function ms(fn: () => tf.Tensor | tf.Tensor[], reps: number): Promise<number> {
  const run = async () => {
    const out = fn();
    const list = Array.isArray(out) ? out : [out];
    for (const t of list) await t.data();
    tf.dispose(list);
  };
  await run(); // warm-up: operator creation, first allocation
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await run();
  return +((performance.now() - t0) / reps).toFixed(2);
}

async function measure(backend: 'wasm' | 'cpu', reps: number) {
  await tf.setBackend(backend);
  const x = tf.randomNormal(X, 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal(W, 0, 1, 'float32', 2) as tf.Tensor4D;
  const dy = tf.randomNormal(X, 0, 1, 'float32', 3) as tf.Tensor4D;
  const forwardMs = await ms(() => tf.depthwiseConv2d(x, w, 1, 'same', 'NHWC', DIL), reps);
  const backpropInputMs = await ms(
    () => depthwiseBackpropInput(X, dy, w, { strides: 1, pad: 'same', dilations: DIL }),
    reps,
  );
  const backpropFilterMs = await ms(
    () => depthwiseBackpropFilter(x, dy, W, { strides: 1, pad: 'same', dilations: DIL }),
    reps,
  );
  const forwardBackwardMs = await ms(
    () =>
      tf.tidy(() =>
        tf.grads((a, b) =>
          tf.sum(tf.mul(depthwiseConv2dWithGrad(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', DIL), dy)),
        )([x, w]),
      ),
    reps,
  );
  const result: Record<string, unknown> = { backend, forwardMs, backpropInputMs, backpropFilterMs, forwardBackwardMs };
  if (backend === 'cpu') {
    const engine = tf.engine();
    result.cpuNativeKernelMs = {
      input: await ms(
        () =>
          engine.runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy, filter: w },
            { strides: 1, pad: 'same', dilations: 1, inputShape: X },
          ) as tf.Tensor,
        1,
      ),
      filter: await ms(
        () =>
          engine.runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy },
            { strides: 1, pad: 'same', dilations: 1, filterShape: W },
          ) as tf.Tensor,
        1,
      ),
    };
  }
  tf.dispose([x, w, dy]);
  return result;
}

await selectBackend('wasm');
const wasm = await measure('wasm', 20);
const cpu = await measure('cpu', 3);
console.log(
  JSON.stringify(
    {
      input: X,
      filter: W,
      dilation: DIL,
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
      wasm,
      cpu,
      speedupForwardBackward: +((cpu.forwardBackwardMs as number) / (wasm.forwardBackwardMs as number)).toFixed(1),
    },
    null,
    2,
  ),
);
