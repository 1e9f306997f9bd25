/**
 * Training-mode batch normalisation on the native backend as TensorFlow's own fused kernels: one
 * FusedBatchNormV3 call forward (statistics and normalisation) and one FusedBatchNormGradV3 call backward, where
 * the composed version (nn/bn.ts, built for wasm's fastest kernels) costs ~10 and ~15 kernel calls. Same result:
 * batch mean and biased variance over N, H, W, the caller's ε.
 */
import * as tf from '@tensorflow/tfjs';
import { typeAttr, type NativeBackend } from '../backend/tensorflow-kernels.js';

function attrs(backend: NativeBackend, eps: number): Array<{ name: string; type: number; value: unknown }> {
  return [
    typeAttr(backend, 'float32', 'T'),
    typeAttr(backend, 'float32', 'U'),
    { name: 'epsilon', type: backend.binding.TF_ATTR_FLOAT, value: eps },
    { name: 'data_format', type: backend.binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: backend.binding.TF_ATTR_BOOL, value: true },
  ];
}

/** BN over the batch and spatial axes (NHWC), optionally affine (gamma and beta: both or neither). */
export function nativeBatchNormTrain(
  backend: NativeBackend,
  eps: number,
  x: tf.Tensor4D,
  gamma?: tf.Tensor1D,
  beta?: tf.Tensor1D,
): tf.Tensor4D {
  const affine = gamma !== undefined && beta !== undefined;
  const C = x.shape[3];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xv = args[0] as tf.Tensor4D;
    const scale = affine ? (args[1] as tf.Tensor1D) : tf.ones([C]);
    const offset = affine ? (args[2] as tf.Tensor1D) : tf.zeros([C]);
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const empty = tf.tensor1d([], 'float32');
    const [y, batchMean, batchVar, r1, r2, r3] = backend.executeMultipleOutputs(
      'FusedBatchNormV3',
      [...attrs(backend, eps), { name: 'exponential_avg_factor', type: backend.binding.TF_ATTR_FLOAT, value: 1 }],
      [xv, scale, offset, empty, empty],
      6,
    ) as [tf.Tensor4D, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    batchMean.dispose();
    batchVar.dispose();
    empty.dispose();
    if (!affine) offset.dispose();
    save([xv, scale, r1, r2, r3]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, sc, s1, s2, s3] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor, tf.Tensor, tf.Tensor];
        const [dx, dScale, dOffset, r4, r5] = backend.executeMultipleOutputs(
          'FusedBatchNormGradV3',
          attrs(backend, eps),
          [dy, xs, sc, s1, s2, s3],
          5,
        );
        r4!.dispose();
        r5!.dispose();
        if (affine) return [dx!, dScale!, dOffset!];
        dScale!.dispose();
        dOffset!.dispose();
        return [dx!];
      },
    };
  });
  return (affine ? op(x, gamma, beta) : op(x)) as tf.Tensor4D;
}
