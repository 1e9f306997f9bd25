/**
 * Gradient fixes that standard tfjs-layers layers need to train correctly, registered once for every backend
 * (gradients are backend-neutral in tfjs: one registry, looked up by kernel name).
 *
 * 1. DepthwiseConv2dNative: tfjs-core's gradient asserts dilation 1 (gradients/DepthwiseConv2dNative_grad.js), so a
 *    dilated depthwise convolution (SeparableConv2D with dilationRate 2: DARTS' dil_conv) cannot train. Dilated
 *    convolutions get the backend-neutral depthwise backprops of `wasm-kernels.ts` (depthwise convolutions, a pad,
 *    a reverse, a sum), as `nn/ops.ts` does for the search: the cpu backprop kernels ignore `dilations` and
 *    TensorFlow's native ones reject them. Undilated ones keep tfjs-core's own gradient.
 * 2. AvgPool: the forward pass (cpu and wasm alike) averages over the pixels inside the image only — PyTorch's
 *    count_include_pad=False, which DARTS and NAS-Bench-201 use — but the AvgPoolGrad kernels of cpu
 *    (kernels/AvgPoolGrad.js) and wasm divide by the full window area everywhere, so on 'same' padding the
 *    gradient at the borders disagrees with the forward pass. Padded pools get the exact gradient: dy divided by each
 *    window's pixel count, scattered back by the transposed box filter (the same logic as `spaces/layers.ts`
 *    avgPool3, generalised from its 3x3 / padding 1 to any window, stride and padding). Unpadded pools, where every
 *    window is full, keep tfjs-core's gradient.
 * 3. FusedBatchNorm (what a stock BatchNormalization runs in training mode, on the batch's tf.moments): tfjs-core's
 *    gradient (gradients/FusedBatchNorm_grad.js) tiles 1/√(σ² + ε) to the whole activation and makes ~10 full-size
 *    passes; wasm's Tile is a per-element loop (450 of a 1,300 ms cnn step at batch 64). Same formulas here with
 *    per-channel means and scales from `nn/bn.ts` (a whole-image average pool, a 1x1 depthwise convolution): two
 *    full-size passes. The gradients into `mean` and `variance` are kept and flow on through tf.moments as before.
 *    (The evaluation networks' own BN layer, evaluate/networks/batch-norm.ts, trains without this kernel; this
 *    serves stock layers, e.g. a reloaded model trained further.)
 */
import * as tf from '@tensorflow/tfjs';
import { channelMean, scaleShift } from '../nn/bn.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './wasm-kernels.js';
import {
  explicitPadding,
  windowGeometry,
  type ConvAttrs,
  type Pair,
  type PoolAttrs,
  type WindowGeometry,
} from './window-geometry.js';

let registered = false;

/** tfjs-layers' DepthwiseConv2D passes `dilations: null`: no dilation. */
function pair(v: Pair | null | undefined): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

/** The gradient tfjs-core registered for `kernel` (before this module replaces it), to delegate to. */
function original(kernel: string): tf.GradConfig {
  const config = tf.getGradient(kernel);
  if (!config) throw new Error(`tfjs has no gradient registered for ${kernel}; cannot patch it.`);
  return config;
}

function registerDepthwiseGradient(): void {
  const base = original('DepthwiseConv2dNative');
  tf.registerGradient({
    kernelName: 'DepthwiseConv2dNative',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const a = attrs as unknown as ConvAttrs;
      const d = pair(a.dilations);
      if (d[0] === 1 && d[1] === 1) return base.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      return {
        x: () => depthwiseBackpropInput(x.shape, g, filter, { ...a, dilations: d }),
        filter: () => depthwiseBackpropFilter(x, g, filter.shape, { ...a, dilations: d }),
      };
    },
  });
}

const inverseCounts = new Map<string, Float32Array>();

/** Rows of the input under each window, along one axis: min(end, size) − max(start, 0). */
function axisCounts(size: number, out: number, k: number, stride: number, before: number): number[] {
  return Array.from(
    { length: out },
    (_, i) => Math.min(size, i * stride - before + k) - Math.max(0, i * stride - before),
  );
}

/** 1 / (pixels of the image under each window), per output position, as [1, oh, ow, 1] values (cached by geometry). */
function inverseWindowCounts({ H, W, oH, oW, fh, fw, sh, sw, top, left }: WindowGeometry): Float32Array {
  const key = [H, W, oH, oW, fh, fw, sh, sw, top, left].join(',');
  let data = inverseCounts.get(key);
  if (!data) {
    const rows = axisCounts(H, oH, fh, sh, top);
    const cols = axisCounts(W, oW, fw, sw, left);
    data = new Float32Array(oH * oW);
    for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) data[i * oW + j] = 1 / (rows[i]! * cols[j]!);
    inverseCounts.set(key, data);
  }
  return data;
}

/**
 * dx of an average pool whose windows may overhang the image: dx[r, c] = Σ over the windows (i, j) covering (r, c)
 * of dy[i, j] / count[i, j] — the input gradient of a depthwise convolution of ones (transposed box filter) applied
 * to dy / count. Null when the padding cannot be written as the explicit [top, bottom] pair of a convolution with
 * the same output size (a numeric pad rounded up past the padding: never from the layers API).
 */
function exactAvgPoolGrad(
  dy: tf.Tensor4D,
  xShape: [number, number, number, number],
  info: tf.backend_util.Conv2DInfo,
): tf.Tensor4D | null {
  const g = windowGeometry(info);
  const { H, W, oH, oW, fh, fw, sh, sw, top, left } = g;
  const bottom = (oH - 1) * sh + fh - H - top;
  const right = (oW - 1) * sw + fw - W - left;
  if (bottom < 0 || right < 0) return null;
  const explicit: tf.backend_util.ExplicitPadding = explicitPadding(top, bottom, left, right);
  return tf.tidy(() => {
    const scaled = tf.mul(dy, tf.tensor4d(inverseWindowCounts(g), [1, oH, oW, 1])) as tf.Tensor4D;
    const ones = tf.ones([fh, fw, xShape[3], 1]) as tf.Tensor4D;
    return depthwiseBackpropInput(xShape, scaled, ones, { strides: [sh, sw], pad: explicit });
  });
}

function registerAvgPoolGradient(): void {
  const base = original('AvgPool');
  tf.registerGradient({
    kernelName: 'AvgPool',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const a = attrs as unknown as PoolAttrs;
      const [x] = saved as [tf.Tensor];
      if (x.rank !== 4) return base.gradFunc(dy, saved, attrs);
      const xShape = x.shape as [number, number, number, number];
      const info = tf.backend_util.computePool2DInfo(xShape, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
      const { top, bottom, left, right } = info.padInfo;
      // every window full: the count is the window area everywhere, which is what tfjs' kernels divide by
      if (top === 0 && bottom === 0 && left === 0 && right === 0) return base.gradFunc(dy, saved, attrs);
      return {
        x: () =>
          exactAvgPoolGrad(dy as tf.Tensor4D, xShape, info) ?? (base.gradFunc(dy, saved, attrs)['x']!() as tf.Tensor),
      };
    },
  });
}

/**
 * y = (x − μ)·r·γ + β with r = 1/√(σ² + ε), per channel of an NHWC x, μ and σ² given ([C]). With N = B·H·W and
 * E the mean over those positions:
 *   ∂/∂x = dy·r·γ,  ∂/∂μ = −r·γ·N·E[dy],  ∂/∂σ² = −½·r³·γ·N·E[dy·(x − μ)],  ∂/∂γ = r·N·E[dy·(x − μ)],  ∂/∂β = N·E[dy]
 * with E[dy·(x − μ)] = E[dy·x] − μ·E[dy] (as nn/bn.ts). Other ranks and shapes keep tfjs-core's gradient.
 */
function registerBatchNormGradient(): void {
  const base = original('FusedBatchNorm');
  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const C = x.shape[x.rank - 1]!;
      const perChannel = (t: tf.Tensor | undefined) => t === undefined || (t.rank === 1 && t.shape[0] === C);
      if (x.rank !== 4 || !perChannel(mean) || !perChannel(variance) || !perChannel(scale))
        return base.gradFunc(dy, saved, attrs);
      const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
      const n = x.size / C;
      const x4 = x as tf.Tensor4D;
      const g4 = dy as tf.Tensor4D;
      // shared by several of the gradients below; tfjs calls only the ones it needs
      const r = tf.rsqrt(tf.add(variance, eps));
      const s = scale ? tf.mul(r, scale) : r;
      const gMean = channelMean(g4);
      const covariance = () => tf.sub(channelMean(tf.mul(g4, x4) as tf.Tensor4D), tf.mul(mean, gMean)); // E[dy·(x − μ)]
      return {
        x: () => scaleShift(g4, s),
        mean: () => tf.mul(tf.neg(s), tf.mul(gMean, n)),
        variance: () => tf.mul(tf.mul(tf.mul(r, r), s), tf.mul(covariance(), -0.5 * n)),
        scale: () => tf.mul(r, tf.mul(covariance(), n)),
        offset: () => tf.mul(gMean, n),
      };
    },
  });
}

/** Registers the gradient fixes above; safe to call any number of times, before or after a backend is chosen. */
export function registerLayerGradientFixes(): void {
  if (registered) return;
  registered = true;
  registerDepthwiseGradient();
  registerAvgPoolGradient();
  registerBatchNormGradient();
}

/** Exposed for tests: the exact pooled-gradient composition on its own. */
export const _exactAvgPoolGradForTest = exactAvgPoolGrad;
