/**
 * tfjs-layers' BatchNormalization with a leaner training-mode pass. Serialises as the standard class
 * (class_name "BatchNormalization", same config and weights), so exported models load with plain tfjs, and its
 * inference pass is the standard one.
 *
 * Why: in training mode the standard layer computes tf.moments and tf.batchNorm with every step on the gradient
 * tape, which keeps four extra activation-sized tensors per BN for the backward pass (a float copy from Cast, x − μ,
 * (x − μ)², a reshape of the output) and runs wasm's transposing Mean kernel twice. Here the normalisation is
 * nn/bn.ts batchNormTrain (one custom-gradient op that keeps x and per-channel vectors only). Measured at batch 64,
 * 28x28, on wasm (test/bench/eval-step.ts): a training step's peak tensor memory drops from 2.76 to 2.04 GB for the
 * DARTS network (C = 16, 5 cells), from 0.83 to 0.57 GB for NAS-Bench-201 (C = 16, N = 1).
 *
 * Moving statistics follow PyTorch's BatchNorm2d, the reference the DARTS and NAS-Bench-201 numbers come from:
 * running = (1 − m)·running + m·batch with m = 0.1 (Keras' momentum 0.9), the running variance from the unbiased
 * batch variance (n / (n − 1), n = B·H·W; stock tfjs-layers uses the biased one). They are updated on every call
 * with `training: true`, as the standard layer does.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, channelMean } from '../../nn/bn.js';

type StandardBatchNorm = ReturnType<typeof tf.layers.batchNormalization>;
type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type LayerVariable = StandardBatchNorm['weights'][number];

/** The fields of tfjs-layers' BatchNormalization this layer reads (private in its typings). */
interface Internals {
  axis: number;
  momentum: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable | null;
  beta: LayerVariable | null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

// the class is not exported by @tensorflow/tfjs; its constructor is reached through an (unbuilt, weightless) instance
const StandardBatchNormalization = tf.layers.batchNormalization({ name: 'winnow_batch_norm_prototype' })
  .constructor as new (args: BatchNormArgs) => StandardBatchNorm;

/**
 * Per-channel batch mean and unbiased variance of an NHWC tensor, as [2, C], computed inside a custom-gradient op so
 * none of the intermediate tensors goes on the gradient tape (they only feed the moving averages).
 */
function batchStatistics(x: tf.Tensor4D): tf.Tensor2D {
  const n = x.size / x.shape[3];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xv = args[0] as tf.Tensor4D;
    const mean = channelMean(xv);
    const variance = tf.mul(channelMean(tf.square(tf.sub(xv, mean)) as tf.Tensor4D), n > 1 ? n / (n - 1) : 1);
    return { value: tf.stack([mean, variance]) as tf.Tensor2D, gradFunc: () => [tf.zerosLike(xv)] };
  });
  return op(x) as tf.Tensor2D;
}

export class LeanBatchNormalization extends StandardBatchNormalization {
  static readonly className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const self = this as unknown as Internals;
    const lastAxis = self.axis === -1 || self.axis === x.rank - 1;
    if (
      kwargs['training'] !== true ||
      x.rank !== 4 ||
      !lastAxis ||
      !self.center ||
      !self.scale ||
      !self.gamma ||
      !self.beta
    ) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const y = batchNormTrain(x as tf.Tensor4D, self.gamma!.read() as tf.Tensor1D, self.beta!.read() as tf.Tensor1D);
      const [mean, variance] = tf.unstack(batchStatistics(x as tf.Tensor4D));
      const decay = 1 - self.momentum;
      for (const [moving, batch] of [
        [self.movingMean, mean!],
        [self.movingVariance, variance!],
      ] as const) {
        const old = moving.read();
        moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), decay)));
      }
      return y;
    });
  }
}
