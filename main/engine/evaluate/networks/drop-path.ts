/**
 * DARTS' drop-path (cnn/utils.py drop_path, applied in cnn/model.py Cell.forward): while training, each image's
 * output of an operation is kept with probability 1 − p and divided by 1 − p, or zeroed — one Bernoulli draw per
 * image, shared by all its channels and pixels. Lives only in the training graph; the exported inference graph has
 * none (it is the identity there), so this is the one non-standard layer of the module.
 *
 * The mask is `tf.randomUniform` seeded from (network seed, layer index, step): the same step of a resumed run
 * draws the same masks, and every layer and step draws different ones.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../nn/prng.js';

/** Probability and step for every DropPath layer of one network (BuiltNetwork.setDropPath writes it). */
export class DropPathState {
  probability = 0;
  step = 0;
  constructor(readonly seed: number) {}

  /** The seed of one layer's mask at the current step. */
  maskSeed(index: number): number {
    return deriveSeed(this.seed, `drop-path:${index}:${this.step}`);
  }
}

interface DropPathArgs {
  name: string;
  /** Position among the network's DropPath layers (creation order), part of the mask's seed. */
  index: number;
  /** Absent when deserialised (the layer then passes its input through). */
  state?: DropPathState;
}

export class DropPath extends tf.layers.Layer {
  static readonly className = 'DropPath';
  readonly index: number;
  private readonly state: DropPathState | null;

  constructor(args: DropPathArgs) {
    super({ name: args.name, trainable: false });
    this.index = args.index;
    this.state = args.state ?? null;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const p = this.state?.probability ?? 0;
    if (kwargs['training'] !== true || p <= 0 || !this.state) return x; // Layer.apply clones a returned input
    const keep = 1 - p;
    return tf.tidy(() => {
      const u = tf.randomUniform([x.shape[0]!, 1, 1, 1], 0, 1, 'float32', this.state!.maskSeed(this.index));
      // DARTS: x.div_(keep_prob); x.mul_(mask) with mask ~ Bernoulli(keep_prob)
      const scale = tf.div(tf.cast(tf.less(u, keep), 'float32'), keep);
      return tf.mul(x, scale);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), index: this.index };
  }
}
tf.serialization.registerClass(DropPath);
