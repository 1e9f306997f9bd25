/**
 * The attribute types of tfjs' convolution and pooling kernels, and their geometry (tfjs' Conv2DInfo) under the
 * short names the gradient formulas of wasm-kernels.ts, wasm-maxpool-grad.ts and layer-gradients.ts use.
 */
import type * as tf from '@tensorflow/tfjs';

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
export type Pair = number | [number, number];
export type Rounding = 'floor' | 'round' | 'ceil';

/** A convolution's attributes, as its tfjs kernel takes them (no dilation, or null: 1). */
export interface ConvAttrs {
  strides: Pair;
  pad: Pad;
  dilations?: Pair | null;
  dimRoundingMode?: Rounding;
}

/** A pool's attributes, as its tfjs kernel takes them. */
export interface PoolAttrs {
  filterSize: Pair;
  strides: Pair;
  pad: Pad;
  dimRoundingMode?: Rounding;
}

/** NHWC explicit padding: rows before and after, columns before and after (none on the batch and channels). */
export function explicitPadding(
  top: number,
  bottom: number,
  left: number,
  right: number,
): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

export interface WindowGeometry {
  /** Input: batch, height, width, channels. */
  B: number;
  H: number;
  W: number;
  C: number;
  /** Output: height, width, channels. */
  oH: number;
  oW: number;
  O: number;
  /** Filter (window) height and width, strides, dilations. */
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** The forward pass's padding before the first row and column. */
  top: number;
  left: number;
}

export function windowGeometry(info: tf.backend_util.Conv2DInfo): WindowGeometry {
  return {
    B: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    oH: info.outHeight,
    oW: info.outWidth,
    O: info.outChannels,
    fh: info.filterHeight,
    fw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}
