/**
 * Size and cost of a network: trainable parameters and multiply-adds per image, the two numbers the DARTS and
 * NAS-Bench-201 papers report (DARTS utils.count_parameters_in_MB; NAS-Bench-201's FLOPs are multiply-adds too).
 */
import type * as tf from '@tensorflow/tfjs';

/** Trainable parameters (BN's moving statistics and the frozen zero layers are not trainable). */
export function countParameters(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

type Shape = readonly (number | null)[];

function pair(v: unknown): [number, number] {
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0]!, a[1] ?? a[0]!];
}

/** Input and output shape of a layer's first call (a shared layer is called with the same shapes by both graphs). */
function shapes(layer: tf.layers.Layer): { input: Shape; output: Shape } {
  const node = layer.inboundNodes[0];
  if (!node) throw new Error(`countMultiplyAdds: layer ${layer.name} has not been called on an input.`);
  return { input: node.inputTensors[0]!.shape, output: node.outputTensors[0]!.shape };
}

const positions = (s: Shape): number => s.slice(1, -1).reduce<number>((a, b) => a * (b ?? 1), 1);

/**
 * Multiply-adds of one forward pass for one image: Conv2D, DepthwiseConv2D, SeparableConv2D (depthwise + pointwise
 * parts) and Dense, k_h·k_w·C_in·C_out (per group) per output position. Not counted: BN, activations, pooling,
 * additions, concatenation, padding, biases, and the frozen `_zero` depthwise layers (they only make zeros).
 */
export function countMultiplyAdds(model: tf.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (!['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense'].includes(cls)) continue;
    if (layer.name.endsWith('_zero')) continue;
    const { input, output } = shapes(layer);
    const cin = input[input.length - 1]!;
    const cout = output[output.length - 1]!;
    const config = layer.getConfig();
    const out = positions(output);
    if (cls === 'Dense') {
      total += out * cin * cout;
      continue;
    }
    const [kh, kw] = pair(config['kernelSize']);
    if (cls === 'Conv2D') total += out * kh * kw * cin * cout;
    else if (cls === 'DepthwiseConv2D') total += out * kh * kw * cout;
    else {
      const m = (config['depthMultiplier'] as number | undefined) ?? 1;
      total += out * (kh * kw * cin * m + cin * m * cout);
    }
  }
  return total;
}
