/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm lacks, composed from kernels it has (pad, slice,
 * transpose, reverse, sum, and one XNNPACK convolution or depthwise convolution) so no per-element JavaScript
 * loop runs. Registered once, for 'wasm' only.
 *
 * The conv2d filter gradient is one forward convolution of the input with dy as the filter (dilation = stride);
 * the depthwise backprops are themselves depthwise convolutions, which wasm runs natively (XNNPACK, with
 * strides, dilations and explicit padding), so each costs a handful of kernel calls and no im2col copy.
 * They are written with backend-neutral ops and are also used, on every backend, for dilated depthwise
 * gradients (see `nn/ops.ts`): tfjs-core refuses those and the cpu backprop kernels ignore `dilations`.
 * Three of wasm's own kernels are replaced: Conv2DBackpropInput (slow), Identity (copies) and MaxPoolGrad
 * (wrong for windows whose maximum is ≤ 0 and for ties; see `maxPoolBackprop` in wasm-maxpool-grad.ts).
 */
import * as tf from '@tensorflow/tfjs';

import { keepWasmOwnMaxPoolGrad, maxPoolBackprop } from './wasm-maxpool-grad.js';
import {
  explicitPadding,
  windowGeometry,
  type ConvAttrs,
  type PoolAttrs,
  type Pad,
  type Pair,
  type Rounding,
  type WindowGeometry,
} from './window-geometry.js';

const { backend_util } = tf;
let registered = false;

/** The kernels this module adds; the backend report lists them. */
/** Conv2DBackpropInput, Identity and MaxPoolGrad are not missing from wasm but replaced (faster / no copy / correct); listed so the report shows them. */
export const WASM_EXTRA_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'Identity',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'MaxPoolGrad',
] as const;

type Shape4 = [number, number, number, number];

/**
 * The geometry of an NHWC convolution (depthwise or not) as its forward pass computed it. NCHW is refused: the
 * networks never use it.
 */
function convGeometry(
  kernel: string,
  xShape: Shape4,
  filterShape: Shape4,
  c: ConvAttrs & { dataFormat?: 'NHWC' | 'NCHW' },
  depthwise = false,
): WindowGeometry & { info: tf.backend_util.Conv2DInfo } {
  if (c.dataFormat === 'NCHW') throw new Error(`${kernel} on wasm supports NHWC only, got NCHW.`);
  const info = backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    c.strides,
    c.dilations ?? 1,
    c.pad,
    c.dimRoundingMode,
    depthwise,
  );
  return { ...windowGeometry(info), info };
}

/**
 * dW[kh, kw, ci, co] = Σ_{b, oy, ox} xPad[b, oy·s + kh, ox·s + kw, ci] · dy[b, oy, ox, co]  (dilation 1).
 *
 * Read with (kh, kw) as the output position, (oy, ox) as the filter tap, ci as the batch and b as the input
 * channel, this is one forward convolution (XNNPACK on wasm): x viewed as [ci, H, W, b] convolved with dy viewed
 * as an [oH, oW, b, co] filter, stride 1, dilation s, explicit padding = the forward pad, output [ci, kh, kw, co].
 * The bottom/right pad is sized so the output is exactly kh × kw; where a stride leaves trailing input rows or
 * columns unread (that pad would be negative) the input is cropped first.
 * Kernel calls: 1 transpose of x, +1 slice of x only when a stride leaves input rows/columns unread,
 * 1 transpose of dy (a reshape when B = 1), 1 conv2d, 1 transpose of the [ci, kh, kw, co] result (a reshape
 * when ci = 1) — 4 in the usual case, against kh·kw + 3 (and a kh·kw-fold copy of x) for the im2col fallback.
 * Falls back to im2col for NCHW (refused there) and for dilations > 1 (this kernel's attrs never carry any).
 */
function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: Pair,
  pad: Pad,
  dataFormat: 'NHWC' | 'NCHW',
  dimRoundingMode?: Rounding,
  dilations: Pair = 1,
): tf.Tensor4D {
  const g = convGeometry('Conv2DBackpropFilter', x.shape, filterShape, {
    strides,
    pad,
    dilations,
    dimRoundingMode,
    dataFormat,
  });
  const { B, H, W, C, oH, oW, O, fh, fw, sh, sw } = g;
  checkShape('Conv2DBackpropFilter', 'dy', dy.shape, [B, oH, oW, O]);
  if (g.dh !== 1 || g.dw !== 1 || oH < 1 || oW < 1) return conv2dBackpropFilterIm2col(x, dy, g);
  return tf.tidy(() => {
    // the forward pass reads padded rows [0, (oH-1)·s + fh) = top pad, input rows, then `bottom` zero rows
    const bottom = (oH - 1) * sh + fh - H - g.top;
    const right = (oW - 1) * sw + fw - W - g.left;
    let xc: tf.Tensor4D = x;
    if (bottom < 0 || right < 0) {
      xc = tf.slice(x, [0, 0, 0, 0], [B, H + Math.min(0, bottom), W + Math.min(0, right), C]);
    }
    const xt = tf.transpose(xc, [3, 1, 2, 0]); // [C, H, W, B]
    const f = B === 1 ? tf.reshape<tf.Rank.R4>(dy, [oH, oW, 1, O]) : tf.transpose(dy, [1, 2, 0, 3]); // [oH, oW, B, O]
    const explicit: tf.backend_util.ExplicitPadding = explicitPadding(
      g.top,
      Math.max(0, bottom),
      g.left,
      Math.max(0, right),
    );
    const out = tf.conv2d(xt, f, 1, explicit, 'NHWC', [sh, sw]); // [C, fh, fw, O]
    return C === 1 ? tf.reshape<tf.Rank.R4>(out, [fh, fw, 1, O]) : tf.transpose(out, [1, 2, 0, 3]);
  });
}

/**
 * dW[kh, kw, ci, co] = Σ_{b, oy, ox} xPadded[b, oy·s + kh·d, ox·s + kw·d, ci] · dy[b, oy, ox, co].
 * Fallback, built as im2col: one strided slice of the padded input per filter tap, concatenated along channels
 * in (kh, kw, ci) order — the filter's own layout — then a single matmul xColsᵀ · dy. Kernel calls: +1 pad,
 * kh·kw strided slices, 1 concat (none for 1×1), 1 matmul. Slow (30–140 ms on realistic shapes): the slices
 * and the concat copy the input kh·kw times. Used only where the convolution form below cannot run.
 */
function conv2dBackpropFilterIm2col(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: WindowGeometry & { info: tf.backend_util.Conv2DInfo },
): tf.Tensor4D {
  const { B, oH, oW, C, O, fh, fw, sh, sw } = g;
  const { padInfo } = g.info;
  return tf.tidy(() => {
    const needsPad = padInfo.top || padInfo.bottom || padInfo.left || padInfo.right;
    const xp = needsPad ? tf.pad(x, explicitPadding(padInfo.top, padInfo.bottom, padInfo.left, padInfo.right)) : x;
    const rows = B * oH * oW;
    const taps: tf.Tensor[] = [];
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const y0 = kh * g.dh;
        const x0 = kw * g.dw;
        taps.push(
          tf.stridedSlice(xp, [0, y0, x0, 0], [B, y0 + (oH - 1) * sh + 1, x0 + (oW - 1) * sw + 1, C], [1, sh, sw, 1]),
        );
      }
    }
    const cols = taps.length === 1 ? taps[0]! : tf.concat(taps, 3);
    const dw = tf.matMul(tf.reshape(cols, [rows, fh * fw * C]), tf.reshape(dy, [rows, O]), true, false);
    return tf.reshape(dw, [fh, fw, C, O]);
  });
}

/**
 * Depthwise filter gradient, dW[kh, kw, c, m] = Σ_{b, oy, ox} xPad[b, oy·s + kh·d, ox·s + kw·d, c] · dy[b, oy, ox, c·M + m].
 *
 * Read with (kh, kw) as the output position and (oy, ox) as the filter tap, this is one depthwise convolution
 * of the padded input with dy as its filter: stride d, dilation s, output kh × kw. The batch is folded into the
 * channels ([B, H, W, C] -> [1, H, W, B·C], dy -> [oH, oW, B·C, M]) and summed out at the end.
 * Kernel calls: 2 transposes (none when B = 1), 1 depthwise conv (its explicit padding is the forward pad),
 * 1 sum over B (on a [kh, kw, B, C·M] tensor), +1 slice (of that small output) when a stride leaves input rows unread.
 * Stride and dilation both > 1 is refused, as tf.depthwiseConv2d refuses it in the forward pass.
 */
function depthwiseBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: Shape4, conv: ConvAttrs): tf.Tensor4D {
  const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, filterShape, conv, true);
  const { B, H, W, C, oH, oW, fh, fw, sh, sw, dh, dw } = g;
  const M = filterShape[3];
  checkShape('DepthwiseConv2dNativeBackpropFilter', 'dy', dy.shape, [B, oH, oW, C * M]);
  return tf.tidy(() => {
    const xb = tf.reshape<tf.Rank.R4>(B === 1 ? x : tf.transpose(x, [1, 2, 0, 3]), [1, H, W, B * C]);
    const f = tf.reshape<tf.Rank.R4>(B === 1 ? dy : tf.transpose(dy, [1, 2, 0, 3]), [oH, oW, B * C, M]);
    // rows the forward pass reads: top pad, then (fh-1)·d + (oH-1)·s + 1 in all; zero-pad up to that, never crop
    const bottom = Math.max(0, (fh - 1) * dh + (oH - 1) * sh + 1 - H - g.top);
    const right = Math.max(0, (fw - 1) * dw + (oW - 1) * sw + 1 - W - g.left);
    const explicit: tf.backend_util.ExplicitPadding = explicitPadding(g.top, bottom, g.left, right);
    let out: tf.Tensor4D = tf.depthwiseConv2d(xb, f, [dh, dw], explicit, 'NHWC', [sh, sw]);
    if (out.shape[1] !== fh || out.shape[2] !== fw) out = tf.slice(out, [0, 0, 0, 0], [1, fh, fw, B * C * M]);
    const perBatch = tf.reshape(out, [fh, fw, B, C * M]);
    return tf.reshape(B === 1 ? perBatch : tf.sum(perBatch, 2), [fh, fw, C, M]);
  });
}

/**
 * Depthwise input gradient: the transposed convolution, dX[b, i, j, c] = Σ_{kh, kw, m} dy[b, (i + pT - kh·d)/s,
 * (j + pL - kw·d)/s, c·M + m] · w[kh, kw, c, m] over the taps where the division is exact.
 * Built as one depthwise conv (stride 1, dilation d) of dy with the spatially flipped filter and 'full'-style
 * explicit padding ((k-1)·d - pad); for stride s > 1, dy is first stretched by inserting s-1 zeros after every
 * row and column — one pad of the 6-D view [B, oH, 1, oW, 1, C·M] to [B, oH, s, oW, s, C·M].
 * Kernel calls: 1 reverse (on the filter), +1 pad when s > 1, 1 depthwise conv, +1 sum when M > 1,
 * +1 slice only when a numeric/explicit pad larger than the filter crops dy.
 */
function depthwiseBackpropInput(
  inputShape: Shape4,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  conv: ConvAttrs,
): tf.Tensor4D {
  const g = convGeometry('DepthwiseConv2dNativeBackpropInput', inputShape, filter.shape, conv, true);
  const { B, H, W, C, oH, oW, fh, fw } = g;
  const M = filter.shape[3];
  checkShape('DepthwiseConv2dNativeBackpropInput', 'dy', dy.shape, [B, oH, oW, C * M]);
  return tf.tidy(() => {
    // w'[kh, kw, c·M + m, 0] = w[fh-1-kh, fw-1-kw, c, m]: each dy channel is convolved on its own, then summed over m
    const flipped = tf.reshape<tf.Rank.R4>(tf.reverse(filter, [0, 1]), [fh, fw, C * M, 1]);
    const { input, explicit } = transposedConvInput(dy, g);
    const out = tf.depthwiseConv2d(input, flipped, 1, explicit, 'NHWC', [g.dh, g.dw]);
    return M === 1 ? out : tf.sum(tf.reshape(out, [B, H, W, C, M]), 4);
  });
}

/**
 * Conv2D input gradient (replaces wasm's own kernel, 11 ms on [32, 28, 28, 16] with a 1x1 filter, against 1 ms
 * for this): dX = a forward convolution (XNNPACK) of dy — stretched for strides > 1 — with the filter flipped
 * spatially and its in / out channels swapped, padded as in `transposedConvInput`.
 * Kernel calls: 1 reverse + 1 transpose (on the filter), +1 pad when s > 1, 1 conv2d, +1 slice only when a large
 * explicit pad crops dy.
 */
function conv2dBackpropInput(
  inputShape: Shape4,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: Pair,
  pad: Pad,
  dataFormat: 'NHWC' | 'NCHW',
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  const g = convGeometry('Conv2DBackpropInput', inputShape, filter.shape, {
    strides,
    pad,
    dimRoundingMode,
    dataFormat,
  });
  checkShape('Conv2DBackpropInput', 'dy', dy.shape, [g.B, g.oH, g.oW, g.O]);
  return tf.tidy(() => {
    const w =
      g.fh === 1 && g.fw === 1
        ? tf.transpose(filter, [0, 1, 3, 2])
        : tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const { input, explicit } = transposedConvInput(dy, g);
    return tf.conv2d(input, w, 1, explicit, 'NHWC');
  });
}

/**
 * The input and padding of a transposed convolution written as a stride-1 forward convolution:
 * dX[b, i, j] = Σ_{kh, kw} dy[b, (i + pT − kh·d)/s, (j + pL − kw·d)/s] · w[kh, kw] over the taps where the division is
 * exact. For s > 1, dy is stretched by inserting s−1 zeros after every row and column (one pad of the 6-D view
 * [B, oH, 1, oW, 1, C] to [B, oH, s, oW, s, C]); the padding ((k−1)·d − pad, and what makes the output exactly
 * inHeight × inWidth) turns into a crop of dy where it would be negative.
 */
function transposedConvInput(
  dy: tf.Tensor4D,
  { B, H, W, oH, oW, fh, fw, sh, sw, dh, dw, top: padTop, left: padLeft }: WindowGeometry,
): { input: tf.Tensor4D; explicit: tf.backend_util.ExplicitPadding } {
  const C = dy.shape[3];
  let g: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    const six = tf.reshape(dy, [B, oH, 1, oW, 1, C]);
    const stretched = tf.pad(six, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    g = tf.reshape<tf.Rank.R4>(stretched, [B, oH * sh, oW * sw, C]);
  }
  const [gh, gw] = [g.shape[1], g.shape[2]];
  const top = (fh - 1) * dh - padTop;
  const left = (fw - 1) * dw - padLeft;
  const bottom = H + (fh - 1) * dh - top - gh;
  const right = W + (fw - 1) * dw - left - gw;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    const [t0, l0] = [Math.max(0, -top), Math.max(0, -left)];
    g = tf.slice(g, [0, t0, l0, 0], [B, gh - t0 - Math.max(0, -bottom), gw - l0 - Math.max(0, -right), C]);
  }
  return {
    input: g,
    explicit: explicitPadding(Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)),
  };
}

export function checkShape(kernel: string, name: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
    throw new Error(
      `${kernel}: ${name} has shape [${got.join(', ')}], expected [${want.join(', ')}] for this input, filter, stride and padding.`,
    );
  }
}

/**
 * UnsortedSegmentSum (tf.gather's gradient): out[s, ...] = Σ_{i: ids[i] = s} x[i, ...] over the first axis — one
 * ScatterNd, which sums updates that share an index. Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  if (segmentIds.rank !== 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new Error(
      `UnsortedSegmentSum on wasm supports 1-D segment ids along the first axis; got ids of shape [${segmentIds.shape.join(', ')}] for x of shape [${x.shape.join(', ')}].`,
    );
  }
  return tf.tidy(() => {
    const ids = segmentIds.dtype === 'int32' ? segmentIds : tf.cast(segmentIds, 'int32');
    const inRange = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
    // out-of-range ids: send their rows to an extra segment that is sliced off
    const safe = tf.where(inRange, ids, tf.fill(ids.shape, numSegments, 'int32'));
    const summed = tf.scatterND(tf.reshape(safe, [-1, 1]), x, [numSegments + 1, ...x.shape.slice(1)]);
    return tf.slice(summed, 0, numSegments);
  });
}

export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  // wasm's Identity copies the tensor; tfjs clones every tensor a custom gradient saves, and the cpu backend's
  // Identity shares the data (tensors are immutable), so share here too: no copy, no second buffer to keep
  if (tf.getKernel('Identity', 'wasm')) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
  // wasm has its own Conv2DBackpropInput, a plain loop 10x slower than the composition above: replace it
  if (tf.getKernel('Conv2DBackpropInput', 'wasm')) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  onWasm<
    { dy: tf.Tensor4D; filter: tf.Tensor4D },
    { strides: Pair; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: Rounding; inputShape: Shape4 }
  >('Conv2DBackpropInput', ({ dy, filter }, a) =>
    conv2dBackpropInput(a.inputShape, dy, filter, a.strides, a.pad, a.dataFormat, a.dimRoundingMode),
  );
  // wasm has its own MaxPoolGrad, which is wrong for windows whose maximum is ≤ 0 and for ties: replace it
  if (tf.getKernel('MaxPoolGrad', 'wasm')) {
    keepWasmOwnMaxPoolGrad(tf.getKernel('MaxPoolGrad', 'wasm'));
    tf.unregisterKernel('MaxPoolGrad', 'wasm');
  }
  onWasm<{ dy: tf.Tensor4D; input: tf.Tensor4D }, PoolAttrs>('MaxPoolGrad', ({ dy, input }, a) =>
    maxPoolBackprop(dy, input, a),
  );
  onWasm<{ x: tf.Tensor; segmentIds: tf.Tensor }, { numSegments: number }>(
    'UnsortedSegmentSum',
    ({ x, segmentIds }, a) => unsortedSegmentSum(x, segmentIds, a.numSegments),
  );
  onWasm<
    { x: tf.Tensor4D; dy: tf.Tensor4D },
    {
      strides: [number, number];
      pad: Pad;
      dataFormat: 'NHWC' | 'NCHW';
      dimRoundingMode?: Rounding;
      filterShape: Shape4;
    }
  >('Conv2DBackpropFilter', ({ x, dy }, a) =>
    conv2dBackpropFilter(x, dy, a.filterShape, a.strides, a.pad, a.dataFormat, a.dimRoundingMode),
  );
  onWasm<{ x: tf.Tensor4D; dy: tf.Tensor4D }, ConvAttrs & { filterShape: Shape4 }>(
    'DepthwiseConv2dNativeBackpropFilter',
    ({ x, dy }, a) => depthwiseBackpropFilter(x, dy, a.filterShape, a),
  );
  onWasm<{ dy: tf.Tensor4D; filter: tf.Tensor4D }, ConvAttrs & { inputShape: Shape4 }>(
    'DepthwiseConv2dNativeBackpropInput',
    ({ dy, filter }, a) => depthwiseBackpropInput(a.inputShape, dy, filter, a),
  );
}

/** Registers a wasm kernel from a function of its inputs and attributes, typed by the caller. */
function onWasm<I, A>(kernelName: string, run: (inputs: I, attrs: A) => tf.TensorInfo): void {
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => run(inputs as unknown as I, attrs as unknown as A),
  });
}

/**
 * The depthwise backprops as backend-neutral compositions: `nn/ops.ts` uses them for dilated depthwise
 * gradients on every backend (tfjs-core refuses those, and the cpu kernels ignore `dilations`).
 */
export { depthwiseBackpropFilter, depthwiseBackpropInput };

/** Exposed for parity tests against the cpu backend. */
export const _unsortedSegmentSumForTest = unsortedSegmentSum;
export const _conv2dBackpropInputForTest = conv2dBackpropInput;
export const _conv2dBackpropFilterForTest = conv2dBackpropFilter;

/** The im2col fallback, exposed for the benchmark (old vs new path). */
export const _conv2dBackpropFilterIm2colForTest = (
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: Pair,
  pad: Pad,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
): tf.Tensor4D =>
  conv2dBackpropFilterIm2col(
    x,
    dy,
    convGeometry('Conv2DBackpropFilter', x.shape, filterShape, { strides, pad, dataFormat }),
  );
