/**
 * The networks of the evaluation stage, built from standard tfjs-layers layers so the trained inference model is a
 * plain LayersModel that tf.loadLayersModel (or the tfjs-to-Keras converter) reads without Winnow's code:
 * the DARTS evaluation network (darts.ts), the NAS-Bench-201 network (nb201.ts) and two baselines (baselines.ts).
 *
 * Each network is built twice over the same layer objects (builder.ts): a training graph (DARTS: with drop-path
 * and the auxiliary head) and an inference graph. Networks without either use one model for both.
 */
import * as tf from '@tensorflow/tfjs';
import type { DartsGenotype, Nb201Genotype } from '../../../../shared/genotype/ops.js';
import type { NetworkDescription } from '../../../../shared/evaluate.js';
import { registerLayerGradientFixes } from '../../backend/layer-gradients.js';
import { buildCnn, buildResnet20 } from './baselines.js';
import { GraphBuilder, type Sym } from './builder.js';
import { buildDarts } from './darts.js';
import { DropPathState } from './drop-path.js';
import { buildNb201 } from './nb201.js';

export { countMultiplyAdds, countParameters } from './count.js';
export { DropPath } from './drop-path.js';

export type NetworkSpec =
  | { kind: 'darts'; genotype: DartsGenotype; channels: number; layers: number; auxiliary: boolean }
  | { kind: 'nb201'; genotype: Nb201Genotype; channels: number; cellsPerStage: number }
  | { kind: 'cnn'; channels: number } // plain CNN; channels = width of the first block (default 32)
  | { kind: 'resnet20'; channels: number }; // He et al. 2016 CIFAR ResNet-20 (3 stages x 3 basic blocks, 16/32/64 at channels=16)

/** The spec of a resolved network description (what an evaluation's report.json records). */
export function specOf(n: NetworkDescription): NetworkSpec {
  if (n.kind === 'darts' || n.kind === 'nb201') {
    if (!n.genotype || n.genotype.space !== n.kind)
      throw new Error(`The ${n.kind} network "${n.label}" has no ${n.kind} genotype.`);
    return n.genotype.space === 'darts'
      ? { kind: 'darts', genotype: n.genotype, channels: n.channels, layers: n.layers, auxiliary: n.auxiliary }
      : { kind: 'nb201', genotype: n.genotype, channels: n.channels, cellsPerStage: n.layers };
  }
  return { kind: n.kind, channels: n.channels };
}

export interface InputSpec {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export interface BuiltNetwork {
  /** Training graph: outputs [logits] or [logits, auxLogits] (DARTS with auxiliary). May contain DropPath layers. */
  train: tf.LayersModel;
  /**
   * Inference graph, outputs logits only, standard layers only (no DropPath, no aux head). Shares its layer objects
   * (so its weights) with `train`: after a training step `inference.predict` reflects it. For networks without
   * drop-path or auxiliary head it is the same model as `train`.
   */
  inference: tf.LayersModel;
  hasAuxiliary: boolean;
  /**
   * DARTS drop-path (model.py drop_path): the probability for this step, and the step that seeds the masks (a
   * resumed run draws the same masks). Call it before every training step. No-op for networks without drop-path.
   */
  setDropPath(probability: number, step: number): void;
  dispose(): void;
}

/** Class names tfjs-layers writes into the inference model's model.json; a test asserts nothing else appears. */
export const STANDARD_LAYER_CLASSES: readonly string[] = Object.freeze([
  'InputLayer',
  'Conv2D',
  'SeparableConv2D',
  'DepthwiseConv2D',
  'BatchNormalization',
  'Activation',
  'ZeroPadding2D',
  'Cropping2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'Flatten',
  'Dense',
  'Add',
  'Concatenate',
]);

function checkInput(input: InputSpec): void {
  for (const k of ['height', 'width', 'channels', 'classes'] as const) {
    if (!Number.isInteger(input[k]) || input[k] < 1)
      throw new Error(`buildNetwork: input ${k} must be a positive integer; got ${input[k]}.`);
  }
  if (input.classes < 2) throw new Error(`buildNetwork: a classifier needs at least 2 classes; got ${input.classes}.`);
}

/** The network's outputs on `x` for the builder's current pass. */
function outputsOf(b: GraphBuilder, spec: NetworkSpec, x: Sym, classes: number): Sym[] {
  switch (spec.kind) {
    case 'darts': {
      const { logits, aux } = buildDarts(b, x, spec, classes);
      return aux ? [logits, aux] : [logits];
    }
    case 'nb201':
      return [buildNb201(b, x, spec, classes)];
    case 'cnn':
      return [buildCnn(b, x, spec.channels, classes)];
    case 'resnet20':
      return [buildResnet20(b, x, spec.channels, classes)];
  }
}

/**
 * Builds the network for images of `input` (float NHWC, already normalised) with weights drawn from `seed`.
 * Layer names depend only on the spec and the input, e.g. `cell3_node1_op0_sep_conv_3x3_sep1`.
 */
export function buildNetwork(spec: NetworkSpec, input: InputSpec, seed: number): BuiltNetwork {
  registerLayerGradientFixes();
  checkInput(input);
  if (!Number.isInteger(spec.channels) || spec.channels < 1)
    throw new Error(`buildNetwork: channels must be a positive integer; got ${spec.channels}.`);
  const shape = [input.height, input.width, input.channels];
  const separateTrainGraph = spec.kind === 'darts';
  const dropPath = separateTrainGraph ? new DropPathState(seed) : null;
  const b = new GraphBuilder(seed, dropPath);

  const build = (pass: 'train' | 'inference', inputName: string, modelName: string): tf.LayersModel => {
    b.pass = pass;
    const x = tf.input({ shape, name: inputName });
    return tf.model({ inputs: x, outputs: outputsOf(b, spec, x, input.classes), name: modelName });
  };
  // the training pass runs first: it creates every layer (DropPath and auxiliary ones included) in a fixed order
  const train = build(
    'train',
    separateTrainGraph ? 'input_train' : 'input',
    separateTrainGraph ? `${spec.kind}_train` : spec.kind,
  );
  const inference = separateTrainGraph ? build('inference', 'input', spec.kind) : train;
  const hasAuxiliary = train.outputs.length > 1;
  return {
    train,
    inference,
    hasAuxiliary,
    setDropPath(probability: number, step: number): void {
      if (!dropPath) return;
      if (!(probability >= 0 && probability < 1))
        throw new Error(`setDropPath: probability must be in [0, 1); got ${probability}.`);
      dropPath.probability = probability;
      dropPath.step = step;
    },
    dispose(): void {
      // shared layers count one reference per graph; disposing both models releases their weights
      train.dispose();
      if (inference !== train) inference.dispose();
    },
  };
}
