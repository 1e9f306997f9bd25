/**
 * DARTS' FactorizedReduce (cnn/operations.py), written once for both networks: the supernet computes it on tensors,
 * the evaluation network builds it from layers (evaluate/networks/darts.ts), through the same steps.
 */
import * as tf from '@tensorflow/tfjs';

/** The steps FactorizedReduce is made of, on tensors or on layer symbols. */
export interface ReduceSteps<T> {
  /** Height and width of x. */
  size(x: T): [number, number];
  /** x[:, 1:, 1:]: x shifted by one pixel. */
  shift(x: T): T;
  /** Zeros added at the bottom and right (nothing when both are 0). */
  pad(x: T, bottom: number, right: number): T;
  /** The 1x1 stride-2 convolution of one half (1: of x, 2: of the shifted x), to half the output channels. */
  conv(x: T, half: 1 | 2): T;
  concat(a: T, b: T): T;
}

/**
 * Two 1x1 stride-2 convolutions, one of x and one of x shifted by a pixel, concatenated. On odd sizes the shifted
 * copy is zero-padded at the bottom/right so both halves have ⌈H/2⌉ rows (PyTorch's version fails there). The
 * ReLU before and the BN after are the caller's.
 */
export function factorizedReduceWith<T>(x: T, steps: ReduceSteps<T>): T {
  const [h, w] = steps.size(x);
  const shifted = steps.pad(steps.shift(x), h % 2, w % 2);
  return steps.concat(steps.conv(x, 1), steps.conv(shifted, 2));
}

/** FactorizedReduce on tensors, before its BN: ReLU (unless the caller applied it), then factorizedReduceWith. */
export function factorizedReduce(x: tf.Tensor4D, w1: tf.Tensor4D, w2: tf.Tensor4D, applyRelu = true): tf.Tensor4D {
  return factorizedReduceWith(applyRelu ? tf.relu(x) : x, {
    size: (t) => [t.shape[1], t.shape[2]],
    shift: (t) => tf.slice(t, [0, 1, 1, 0], [t.shape[0], t.shape[1] - 1, t.shape[2] - 1, t.shape[3]]),
    pad: (t, bottom, right) =>
      bottom || right
        ? tf.pad(t, [
            [0, 0],
            [0, bottom],
            [0, right],
            [0, 0],
          ])
        : t,
    conv: (t, half) => tf.conv2d(t, half === 1 ? w1 : w2, 2, 'valid'),
    concat: (a, b) => tf.concat([a, b], 3),
  });
}
