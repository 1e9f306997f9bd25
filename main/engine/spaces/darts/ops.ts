/**
 * The DARTS operation table, the one place that says what each operation is (DARTS code: cnn/operations.py OPS,
 * which its search and evaluation models both use). The supernet takes each operation's parameters and forward
 * from here, on the per-edge path (operations.ts) and the stacked native path (stacked.ts) alike; the evaluation
 * network (evaluate/networks/darts.ts) builds the layers of each operation's kind.
 *
 *   none                          zero: the edge contributes nothing
 *   max_pool_3x3 / avg_pool_3x3   pool 3x3 (padding 1, avg without the padding) -> BN
 *   skip_connect                  identity; FactorizedReduce -> BN at stride 2
 *   sep_conv_kxk                  ReLU, dw kxk (stride), pw 1x1, BN, ReLU, dw kxk, pw 1x1 -> BN
 *   dil_conv_kxk                  ReLU, dw kxk dilation 2 (stride), pw 1x1 -> BN
 *
 * In the supernet the final BN is affine=False and applied by the node to every operation at once (nn/bn.ts
 * weightedBnSum), so `forward` returns the value before it, from ReLU(x) (shared by the edge's operations).
 */
import * as tf from '@tensorflow/tfjs';
import type { DartsOp } from '../../../../shared/genotype/ops.js';
import { batchNormTrain } from '../../nn/bn.js';
import { depthwise } from '../layers.js';
import { factorizedReduce } from './factorized-reduce.js';

/** Normalises one tensor per channel over N, H, W (training mode, affine=False). */
export type ChannelBn = (x: tf.Tensor4D) => tf.Tensor4D;

export const defaultBn: ChannelBn = (x) => batchNormTrain(x);

/**
 * One supernet parameter of an operation: named `<edge>.<op>.<name>`, drawn U(−1/√fanIn, 1/√fanIn). The role
 * says how the stacked path joins the edges' copies (depthwise: along channels, pointwise: block-diagonal).
 */
export interface OpParam {
  name: string;
  role: 'depthwise' | 'pointwise';
  shape: number[];
  fanIn: number;
}

export interface DartsOpSpec {
  kind: 'none' | 'pool' | 'skip' | 'sep' | 'dil';
  /** Pools: which one. */
  pool?: 'max' | 'avg';
  /** Convolutions: the depthwise kernel size. */
  kernel?: 3 | 5;
  /** The supernet's parameters of the operation on an edge of c channels, in creation order. */
  params(c: number, stride: 1 | 2): OpParam[];
  /** The supernet's value before the final BN, from ReLU(x); absent for none, the pools (computed once per cell) and the identity. */
  forward?(rx: tf.Tensor4D, params: readonly tf.Tensor[], stride: 1 | 2, bn: ChannelBn): tf.Tensor4D;
}

const depthwiseParam = (name: string, k: number, c: number): OpParam => ({
  name,
  role: 'depthwise',
  shape: [k, k, c, 1],
  fanIn: k * k,
});
const pointwiseParam = (name: string, cIn: number, cOut: number): OpParam => ({
  name,
  role: 'pointwise',
  shape: [1, 1, cIn, cOut],
  fanIn: cIn,
});
const pointwise = (x: tf.Tensor4D, w: tf.Tensor): tf.Tensor4D => tf.conv2d(x, w as tf.Tensor4D, 1, 'valid');
const noParams = (): OpParam[] => [];

function pool(which: 'max' | 'avg'): DartsOpSpec {
  return { kind: 'pool', pool: which, params: noParams };
}

function sepConv(kernel: 3 | 5): DartsOpSpec {
  return {
    kind: 'sep',
    kernel,
    params: (c) => [
      depthwiseParam('dw1', kernel, c),
      pointwiseParam('pw1', c, c),
      depthwiseParam('dw2', kernel, c),
      pointwiseParam('pw2', c, c),
    ],
    forward: (rx, [dw1, pw1, dw2, pw2], stride, bn) => {
      const h = bn(pointwise(depthwise(rx, dw1 as tf.Tensor4D, stride, 1), pw1!));
      return pointwise(depthwise(tf.relu(h), dw2 as tf.Tensor4D, 1, 1), pw2!);
    },
  };
}

function dilConv(kernel: 3 | 5): DartsOpSpec {
  return {
    kind: 'dil',
    kernel,
    params: (c) => [depthwiseParam('dw', kernel, c), pointwiseParam('pw', c, c)],
    forward: (rx, [dw, pw], stride) => pointwise(depthwise(rx, dw as tf.Tensor4D, stride, 2), pw!),
  };
}

export const DARTS_OP_TABLE: Readonly<Record<DartsOp, DartsOpSpec>> = {
  none: { kind: 'none', params: noParams },
  max_pool_3x3: pool('max'),
  avg_pool_3x3: pool('avg'),
  skip_connect: {
    kind: 'skip',
    // the identity at stride 1; FactorizedReduce at stride 2
    params: (c, stride) => (stride === 2 ? [pointwiseParam('conv1', c, c / 2), pointwiseParam('conv2', c, c / 2)] : []),
    forward: (rx, [w1, w2]) => factorizedReduce(rx, w1 as tf.Tensor4D, w2 as tf.Tensor4D, false),
  },
  sep_conv_3x3: sepConv(3),
  sep_conv_5x5: sepConv(5),
  dil_conv_3x3: dilConv(3),
  dil_conv_5x5: dilConv(5),
};

/**
 * The order the supernet creates (and so seeds, lists and checkpoints) its operations' parameters in. It is not
 * the α order: changing it would change every seeded network and make stored checkpoints unreadable.
 */
export const PARAMETER_ORDER: readonly DartsOp[] = [
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
  'skip_connect',
];
