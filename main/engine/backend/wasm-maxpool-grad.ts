/**
 * The max-pool input gradient that replaces wasm's own MaxPoolGrad (`maxPoolBackprop`, registered by
 * `registerWasmGradientKernels` in wasm-kernels.ts), and wasm's own kernel kept for the benchmark and the
 * regression test.
 */
import * as tf from '@tensorflow/tfjs';

import { checkShape } from './wasm-kernels.js';
import { explicitPadding, windowGeometry, type PoolAttrs, type WindowGeometry } from './window-geometry.js';

const { backend_util } = tf;
/** wasm's own (wrong) MaxPoolGrad, kept for the benchmark and the regression test. */
let wasmOwnMaxPoolGrad: tf.KernelConfig | undefined;
let wasmOwnMaxPoolGradReady = false;

/** Keeps wasm's own MaxPoolGrad before wasm-kernels.ts replaces it. */
export function keepWasmOwnMaxPoolGrad(kernel: tf.KernelConfig | undefined): void {
  wasmOwnMaxPoolGrad = kernel;
}

/** The largest finite float32: the padding of the fast max-pool gradient (−∞ would turn 0·pad into NaN). */
const F32_MAX = 3.4028234663852886e38;
/** Integers up to 2^24 are exact in float32, so flat indices below it are computed with float32 ops (XNNPACK). */
const F32_EXACT = 2 ** 24;

/**
 * Max-pool input gradient. Replaces wasm's own MaxPoolGrad, which is wrong: its running max starts at FLT_MIN,
 * the smallest positive float, not at −∞, so a window whose maximum is ≤ 1.2e-38 (all negative; all zero, as
 * after a ReLU) sends its gradient to element 0 of the tensor or drops it; and it breaks ties towards the last
 * element of the window, not the first (wasm's MaxPoolWithArgmax shares both faults).
 *
 * The rule is exactly the cpu backend's (its `maxPoolPositions`, PyTorch's too): each output's gradient goes to
 * the first element of its window, in row-major window order, that is strictly greater than all before it,
 * starting from −∞ — so padding never wins, NaN is skipped, ties go to the first, and a window of only
 * −∞ / NaN / padding passes nothing on. The window tap each output takes its maximum from (`tap`, 0..fh·fw−1)
 * is found one of two ways, then dy is scattered onto x (`scatterToInput`):
 *  - fast (finite x, every window overlaps the input): one depthwise convolution (XNNPACK) of x, padded with
 *    −FLT_MAX, with a one-hot fh × fw × C × fh·fw filter extracts every window's taps ([B, oH, oW, C, fh·fw]),
 *    and one ArgMax over the taps (it keeps the first maximum) picks the tap. Exact: each tap is 1·v + Σ 0·u.
 *  - exact for anything else (NaN, ±∞, −FLT_MAX, windows wholly in the padding): a running argmax over the
 *    fh·fw taps, each a strided slice of x padded with −∞: `sel = v > m; m = where(sel, v, m); tap = where(sel, t, tap)`.
 * The output size is dy's, so any dimRoundingMode works (tfjs-core's gradient does not pass it on).
 */
export function maxPoolBackprop(dy: tf.Tensor4D, x: tf.Tensor4D, a: PoolAttrs): tf.Tensor4D {
  const info = backend_util.computePool2DInfo(x.shape, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  // the output size is dy's (tfjs-core's gradient does not pass dimRoundingMode on)
  const geometry: WindowGeometry = { ...windowGeometry(info), oH: dy.shape[1], oW: dy.shape[2] };
  const { B, H, W, C, oH, oW, fh, fw, sh, sw, top, left } = geometry;
  checkShape('MaxPoolGrad', 'dy', [dy.shape[0], dy.shape[3]], [B, C]);
  const n = B * H * W * C;
  if (n === 0 || dy.size === 0) return tf.zeros(x.shape);
  if (2 * n + (top * W + left) * C >= 2 ** 31)
    throw new Error(`MaxPoolGrad on wasm: an input of ${n} elements is too large for int32 indices.`);
  // every window holds at least one input element (only an explicit pad ≥ the filter, or a dy larger than the
  // input allows, breaks this)
  const windowsReal = top < fh && left < fw && (oH - 1) * sh - top < H && (oW - 1) * sw - left < W;
  return tf.tidy(() => {
    let fast = windowsReal;
    if (fast) {
      // finite, and above the padding value: one pass each (sum is not finite if any element is NaN or ±∞)
      const [total, lowest] = [tf.sum(x).dataSync()[0]!, tf.min(x).dataSync()[0]!];
      fast = Number.isFinite(total) && lowest > -F32_MAX;
    }
    const tap = fast ? maxPoolTapsByConv(x, geometry) : maxPoolTapsExact(x, geometry);
    return scatterToInput(tap, dy, geometry, !fast);
  });
}

/** x padded with `value` (top/left: the forward pad; bottom/right: up to the rows the pool reads) or cropped to them. */
function padForPool(x: tf.Tensor4D, g: WindowGeometry, value: number): tf.Tensor4D {
  const bottom = (g.oH - 1) * g.sh + g.fh - g.H - g.top;
  const right = (g.oW - 1) * g.sw + g.fw - g.W - g.left;
  // a stride that leaves trailing rows / columns unread: crop them (the pool reads exactly (oH − 1)·sh + fh rows)
  const xc =
    bottom < 0 || right < 0
      ? tf.slice(x, [0, 0, 0, 0], [g.B, g.H + Math.min(0, bottom), g.W + Math.min(0, right), g.C])
      : x;
  const [b, r] = [Math.max(0, bottom), Math.max(0, right)];
  if (!g.top && !g.left && !b && !r) return xc;
  return tf.pad(xc, explicitPadding(g.top, b, g.left, r), value);
}

/** Fast taps: one depthwise convolution extracts every window's fh·fw taps, ArgMax (first maximum) picks one. */
function maxPoolTapsByConv(x: tf.Tensor4D, g: WindowGeometry): tf.Tensor4D {
  const k = g.fh * g.fw;
  const xp = padForPool(x, g, -F32_MAX);
  // w[kh, kw, c, t] = 1 where t = kh·fw + kw: output channel c·k + t is tap t of channel c
  const filter = tf.tile(tf.reshape<tf.Rank.R4>(tf.eye(k), [g.fh, g.fw, 1, k]), [1, 1, g.C, 1]);
  const taps = tf.depthwiseConv2d(xp, filter, [g.sh, g.sw], 'valid');
  return tf.argMax<tf.Tensor4D>(tf.reshape(taps, [g.B, g.oH, g.oW, g.C, k]), 4);
}

/** Exact taps for any input: a running argmax over the taps (strict >, from −∞), −1 where no element wins. */
function maxPoolTapsExact(x: tf.Tensor4D, g: WindowGeometry): tf.Tensor4D {
  const xp = padForPool(x, g, -Infinity);
  const shape: [number, number, number, number] = [g.B, g.oH, g.oW, g.C];
  let m: tf.Tensor4D = tf.fill(shape, -Infinity, 'float32');
  let tap: tf.Tensor4D = tf.fill(shape, -1, 'int32');
  for (let a = 0; a < g.fh; a++) {
    for (let b = 0; b < g.fw; b++) {
      const v: tf.Tensor4D =
        g.sh === 1 && g.sw === 1
          ? tf.slice(xp, [0, a, b, 0], shape)
          : (tf.stridedSlice(
              xp,
              [0, a, b, 0],
              [g.B, a + (g.oH - 1) * g.sh + 1, b + (g.oW - 1) * g.sw + 1, g.C],
              [1, g.sh, g.sw, 1],
            ) as tf.Tensor4D);
      const sel = tf.greater(v, m);
      m = tf.where(sel, v, m);
      tap = tf.where(sel, tf.fill(shape, a * g.fw + b, 'int32'), tap);
    }
  }
  return tap;
}

/**
 * dx = Σ over outputs of dy, added at the input element its tap points to: flat index = the window's top-left
 * corner (b·H·W·C + (i·sh − top)·W·C + (j·sw − left)·C + c, possibly in the padding) + tap offset (a·W + b')·C
 * where tap = a·fw + b', i.e. tap·C + ⌊tap / fw⌋·(W − fw)·C. One ScatterNd, which sums the outputs that share an
 * element in dy order, as the cpu kernel does. In float32 (XNNPACK: several times faster than int32 here, and
 * exact) while indices stay below 2^24. Taps of −1 (`noWinner`) go to an extra slot that is dropped.
 */
function scatterToInput(tap: tf.Tensor4D, dy: tf.Tensor4D, g: WindowGeometry, noWinner: boolean): tf.Tensor4D {
  const { B, H, W, C, oH, oW, fw, sh, sw, top, left } = g;
  const n = B * H * W * C;
  const dtype = n + ((g.fh + top) * W + left) * C < F32_EXACT ? 'float32' : 'int32';
  const s = (v: number) => tf.scalar(v, dtype);
  const rows = tf.add(
    tf.reshape(tf.range(0, n, H * W * C, dtype), [B, 1, 1, 1]),
    tf.reshape(tf.range(-top * W * C, (oH * sh - top) * W * C, sh * W * C, dtype), [1, oH, 1, 1]),
  );
  const cols = tf.add(
    tf.reshape(tf.range(-left * C, (oW * sw - left) * C, sw * C, dtype), [1, 1, oW, 1]),
    tf.reshape(tf.range(0, C, 1, dtype), [1, 1, 1, C]),
  );
  const t = dtype === 'float32' ? tf.cast(tap, 'float32') : tap;
  const tapRow = dtype === 'float32' ? tf.floor(tf.div(t, s(fw))) : tf.floorDiv(t, s(fw));
  const offset = fw === W ? tf.mul(t, s(C)) : tf.add(tf.mul(t, s(C)), tf.mul(tapRow, s((W - fw) * C)));
  let index: tf.Tensor = tf.add(offset, tf.add(rows, cols));
  if (dtype === 'float32') index = tf.cast(index, 'int32');
  if (noWinner) index = tf.where(tf.less(tap, tf.scalar(0, 'int32')), tf.scalar(n, 'int32'), index);
  const size = noWinner ? n + 1 : n;
  const summed = tf.scatterND(tf.reshape(index, [-1, 1]), tf.reshape(dy, [-1]), [size]);
  return tf.reshape<tf.Rank.R4>(noWinner ? tf.slice(summed, 0, n) : summed, [B, H, W, C]);
}

export const _maxPoolBackpropForTest = maxPoolBackprop;

/** wasm's own MaxPoolGrad kernel (replaced: wrong for non-positive windows and ties), for the benchmark and the regression test. */
export function _wasmOwnMaxPoolGradForTest(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  attrs: PoolAttrs,
): tf.Tensor4D {
  if (!wasmOwnMaxPoolGrad)
    throw new Error("wasm's own MaxPoolGrad is not available (the wasm backend is not registered).");
  const backend = tf.findBackend('wasm')!;
  // unregistered before the backend initialised, so its setup (binding the wasm function) has not run yet
  if (!wasmOwnMaxPoolGradReady) wasmOwnMaxPoolGrad.setupFunc?.(backend);
  wasmOwnMaxPoolGradReady = true;
  const info = wasmOwnMaxPoolGrad.kernelFunc({
    inputs: { dy, input: x, output: y },
    backend,
    attrs: attrs as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor4D;
}
