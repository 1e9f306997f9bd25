/**
 * Differentiable building-block ops that tfjs-core cannot differentiate as the search spaces need them.
 *
 * `depthwiseConv2dWithGrad`: tfjs-core's gradient of depthwiseConv2d asserts dilation 1, but DARTS needs dilated
 * separable convolutions (dil_conv_3x3 / dil_conv_5x5). This op has its own gradient:
 * - dilation 1: the backend's DepthwiseConv2dNativeBackprop{Input,Filter} kernels (native on cpu / tensorflow,
 *   the composed ones from `backend/wasm-kernels.ts` on wasm) — exactly what tfjs-core would run;
 * - dilation > 1: the same compositions (depthwise convolutions, transposes, a pad, a reverse, a sum), on every
 *   backend, because the cpu backprop kernels silently ignore `dilations` and TensorFlow's native ones reject it.
 * NHWC only; as for tf.depthwiseConv2d, stride and dilation cannot both exceed 1.
 */
import * as tf from '@tensorflow/tfjs';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from '../backend/wasm-kernels.js';

export type ConvPadding = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/**
 * Depthwise 2-D convolution (NHWC, filter [fh, fw, C, M]) whose gradient also works for dilation > 1.
 * Same forward result as `tf.depthwiseConv2d(x, filter, strides, pad, 'NHWC', dilation)`.
 */
export function depthwiseConv2dWithGrad(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number] = 1,
  pad: ConvPadding = 'same',
  dilation: number | [number, number] = 1,
): tf.Tensor4D {
  const s = pair(strides);
  const d = pair(dilation);
  if ((s[0] > 1 || s[1] > 1) && (d[0] > 1 || d[1] > 1)) {
    throw new Error(
      `depthwiseConv2dWithGrad: strides ${s.join('x')} with dilation ${d.join('x')} is not supported; use stride 1 for a dilated convolution.`,
    );
  }
  const dilated = d[0] > 1 || d[1] > 1;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xv, wv, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xv, wv]);
    return {
      value: tf.depthwiseConv2d(xv, wv, s, pad, 'NHWC', d),
      gradFunc: (g: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        if (dilated) {
          return [
            depthwiseBackpropInput(xs.shape, g, ws, { strides: s, pad, dilations: d }),
            depthwiseBackpropFilter(xs, g, ws.shape, { strides: s, pad, dilations: d }),
          ];
        }
        const engine = tf.engine();
        const dx = engine.runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: g, filter: ws },
          { strides: s, pad, dilations: d, inputShape: xs.shape },
        );
        const dw = engine.runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x: xs, dy: g },
          { strides: s, pad, dilations: d, filterShape: ws.shape },
        );
        return [dx as tf.Tensor4D, dw as tf.Tensor4D];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}
