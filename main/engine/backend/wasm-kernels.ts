/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm lacks, composed from kernels it has (pad, strided
 * slice, concat, one batched matmul) so no per-element JavaScript loop runs. Registered once, for 'wasm' only.
 */
import * as tf from '@tensorflow/tfjs';

const { backend_util } = tf;
let registered = false;

/** The kernels this module adds; the backend report lists them. */
export const WASM_EXTRA_KERNELS = ['Conv2DBackpropFilter'] as const;

/**
 * dW[kh, kw, ci, co] = Σ_{b, oy, ox} xPadded[b, oy·s + kh·d, ox·s + kw·d, ci] · dy[b, oy, ox, co].
 * Built as im2col: one strided slice of the padded input per filter tap, concatenated along channels in
 * (kh, kw, ci) order — the filter's own layout — then a single matmul xColsᵀ · dy.
 */
function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  dataFormat: 'NHWC' | 'NCHW',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  dilations: number | [number, number] = 1,
): tf.Tensor4D {
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}.`);
  const info = backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, outHeight, outWidth, inChannels, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { dilationHeight, dilationWidth, padInfo } = info;
  return tf.tidy(() => {
    const needsPad = padInfo.top || padInfo.bottom || padInfo.left || padInfo.right;
    const xp = needsPad
      ? tf.pad(x, [
          [0, 0],
          [padInfo.top, padInfo.bottom],
          [padInfo.left, padInfo.right],
          [0, 0],
        ])
      : x;
    const rows = batchSize * outHeight * outWidth;
    const taps: tf.Tensor[] = [];
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        const y0 = kh * dilationHeight;
        const x0 = kw * dilationWidth;
        taps.push(
          tf.stridedSlice(
            xp,
            [0, y0, x0, 0],
            [batchSize, y0 + (outHeight - 1) * strideHeight + 1, x0 + (outWidth - 1) * strideWidth + 1, inChannels],
            [1, strideHeight, strideWidth, 1],
          ),
        );
      }
    }
    const cols = taps.length === 1 ? taps[0]! : tf.concat(taps, 3);
    const dw = tf.matMul(tf.reshape(cols, [rows, filterHeight * filterWidth * inChannels]), tf.reshape(dy, [rows, outChannels]), true, false);
    return tf.reshape(dw, [filterHeight, filterWidth, inChannels, outChannels]);
  });
}

export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const a = attrs as unknown as {
        strides: [number, number];
        pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
        dataFormat: 'NHWC' | 'NCHW';
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: [number, number, number, number];
      };
      return conv2dBackpropFilter(x, dy, a.filterShape, a.strides, a.pad, a.dataFormat, a.dimRoundingMode);
    },
  });
}

/** Exposed for parity tests against the cpu backend. */
export const _conv2dBackpropFilterForTest = conv2dBackpropFilter;
