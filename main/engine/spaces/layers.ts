/**
 * Layer functions both search spaces build on, with PyTorch's padding semantics (the DARTS and NAS-Bench-201 code
 * are the reference): explicit symmetric padding, 3x3 pools with padding 1, average pooling that does not count
 * the padding. NHWC throughout.
 */
import * as tf from '@tensorflow/tfjs';
import { depthwiseBackpropInput } from '../backend/wasm-kernels.js';
import { depthwiseConv2dWithGrad } from '../nn/ops.js';
import { explicitPadding } from '../backend/window-geometry.js';

/** PyTorch's padding=p: p rows and columns of zeros on every side (NHWC). */
export function symmetric(p: number): tf.backend_util.ExplicitPadding {
  return explicitPadding(p, p, p, p);
}

/** nn.Conv2d(bias=False, padding=p, stride=s): filter [k, k, Cin, Cout]. */
export function conv(x: tf.Tensor4D, w: tf.Tensor4D, stride = 1, pad = 0): tf.Tensor4D {
  if (w.shape[0] === 1 && pad === 0) return tf.conv2d(x, w, stride, 'valid');
  return tf.conv2d(x, w, stride, symmetric(pad));
}

/**
 * Every second row and column, starting at 0 (x[:, ::2, ::2]), as a 1x1 average pool with stride 2: 0.24 ms on
 * [32, 28, 28, 16] in wasm, where a reshape-and-slice takes 73 ms (its 6-D slice is a generic element loop).
 * Odd sizes keep the last row / column, as the strided convolutions beside it do.
 */
export function subsample2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(x, 1, 2, 'same');
}

/**
 * Depthwise convolution, filter [k, k, C, 1], padding d·(k−1)/2 (DARTS' SepConv / DilConv), stride 1 or 2,
 * dilation 1 or 2. tfjs refuses stride 2 with dilation 2; with that padding the strided, dilated convolution only
 * ever reads even rows and columns, so it equals an undilated convolution of the subsampled input:
 * out[i] = Σ_t w_t · x[2i − (k−1) + 2t] = Σ_t w_t · x[::2][i − (k−1)/2 + t].
 */
export function depthwise(x: tf.Tensor4D, w: tf.Tensor4D, stride: 1 | 2, dilation: 1 | 2): tf.Tensor4D {
  const k = w.shape[0];
  if (dilation === 2 && stride === 2) return tf.depthwiseConv2d(subsample2(x), w, 1, symmetric((k - 1) / 2));
  if (dilation === 2) return depthwiseConv2dWithGrad(x, w, 1, symmetric(k - 1), 2);
  return tf.depthwiseConv2d(x, w, stride, symmetric((k - 1) / 2));
}

/** nn.MaxPool2d(3, stride, padding=1). */
export function maxPool3(x: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  return tf.maxPool(x, 3, stride, 1, 'floor');
}

const inverseCounts = new Map<string, Float32Array>();

/** 1 / (number of real pixels under each 3x3 window, padding 1), per output position. */
function windowScale(H: number, W: number, stride: number): { data: Float32Array; oh: number; ow: number } {
  const oh = Math.floor((H - 1) / stride) + 1;
  const ow = Math.floor((W - 1) / stride) + 1;
  const key = `${H}x${W}s${stride}`;
  let data = inverseCounts.get(key);
  if (!data) {
    data = new Float32Array(oh * ow);
    for (let i = 0; i < oh; i++) {
      const rows = Math.min(H, i * stride + 2) - Math.max(0, i * stride - 1);
      for (let j = 0; j < ow; j++)
        data[i * ow + j] = 1 / (rows * (Math.min(W, j * stride + 2) - Math.max(0, j * stride - 1)));
    }
    inverseCounts.set(key, data);
  }
  return { data, oh, ow };
}

/**
 * nn.AvgPool2d(3, stride, padding=1, count_include_pad=False). tfjs' forward pass already leaves the padding out of
 * the average, but its gradient divides by 9 everywhere (and wasm's AvgPoolGrad takes 10 ms on [32, 28, 28, 16]).
 * Here: dx = the transposed 3x3 box filter of dy / count, i.e. a depthwise convolution of dy·(1/count) with a
 * ones filter (stride 1: 1 ms), or its input gradient (stride 2).
 */
export function avgPool3(x: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xv] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const shape = xv.shape;
    return {
      value: tf.avgPool(xv, 3, stride, 1, 'floor'),
      gradFunc: (dy: tf.Tensor) => {
        const C = shape[3];
        const { data, oh, ow } = windowScale(shape[1], shape[2], stride);
        const scaled = tf.mul(dy as tf.Tensor4D, tf.tensor4d(data, [1, oh, ow, 1])) as tf.Tensor4D;
        const ones = tf.ones([3, 3, C, 1]) as tf.Tensor4D;
        const dx =
          stride === 1
            ? tf.depthwiseConv2d(scaled, ones, 1, symmetric(1))
            : depthwiseBackpropInput(shape, scaled, ones, { strides: 2, pad: symmetric(1) });
        return [dx];
      },
    };
  });
  return op(x) as tf.Tensor4D;
}
