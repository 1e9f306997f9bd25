/**
 * Benchmark: one training step of each evaluation network (issue "Evaluation stage") — forward through the
 * training graph, cross-entropy (+ 0.4 · auxiliary loss for DARTS), tf.variableGrads over every trainable weight,
 * SGD with momentum 0.9 — on 28x28x1 inputs, 10 classes, random pixels (a step's cost does not depend on them).
 *
 *   cnn       width 32
 *   resnet20  width 16 (16/32/64)
 *   darts     DARTS_V2, C = 16, 5 cells, auxiliary head, drop-path 0.2
 *   nb201     |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|, C = 16, N = 1
 *
 *   npx tsx test/bench/eval-step.ts [--backend wasm|cpu|tensorflow] [--batch 64] [--steps 5] [--warmup 3]
 *                                   [--kinds cnn,resnet20,darts,nb201] [--top N]
 *
 * Prints one JSON document: per network, train images/s (batch / mean step time over the timed steps), seconds per
 * step, parameters and multiply-adds per image (inference graph), kernel calls per step and the step's peak tensor
 * memory (both from tf.profile of one extra, untimed step), and the kernels that take the most time in it.
 * WINNOW_WASM_THREADS=1 runs the single-threaded wasm build.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import {
  buildNetwork,
  countMultiplyAdds,
  countParameters,
  type BuiltNetwork,
} from '../../main/engine/evaluate/networks/index.js';
import type { BackendChoice } from '../../shared/backend.js';
import { NB201_BEST } from '../fixtures/genotypes.js';
import { networkOfEachKind } from '../fixtures/networks.js';
import { arg, backendInfo } from '../helpers/bench.js';

const SPECS = networkOfEachKind(16, NB201_BEST);

const INPUT = { height: 28, width: 28, channels: 1, classes: 10 };

function makeStep(net: BuiltNetwork, x: tf.Tensor4D, onehot: tf.Tensor2D): (step: number) => number {
  const vars = net.train.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = tf.train.momentum(0.025, 0.9);
  return (step: number) => {
    net.setDropPath(0.2, step);
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const out = net.train.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
        const [logits, aux] = Array.isArray(out) ? out : [out];
        const main = tf.losses.softmaxCrossEntropy(onehot, logits!) as tf.Scalar;
        return aux ? tf.add(main, tf.mul(tf.losses.softmaxCrossEntropy(onehot, aux), 0.4)) : main;
      }, vars);
      opt.applyGradients(grads as Parameters<typeof opt.applyGradients>[0]);
      return value;
    });
    const v = loss.dataSync()[0]!; // waits for the step to finish
    loss.dispose();
    return v;
  };
}

async function measure(
  kind: string,
  batch: number,
  warmup: number,
  steps: number,
  top: number,
): Promise<Record<string, unknown>> {
  const net = buildNetwork(SPECS[kind]!, INPUT, 1);
  const x = tf.randomNormal([batch, INPUT.height, INPUT.width, INPUT.channels], 0, 1, 'float32', 1) as tf.Tensor4D;
  const onehot = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % INPUT.classes),
      'int32',
    ),
    INPUT.classes,
  ) as tf.Tensor2D;
  const step = makeStep(net, x, onehot);
  try {
    let s = 0;
    for (let i = 0; i < warmup; i++) step(s++);
    const tensorsBefore = tf.memory().numTensors;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step(s++);
    const secPerStep = (performance.now() - t0) / 1000 / steps;
    const tensorsGrowth = tf.memory().numTensors - tensorsBefore;
    const prof = await tf.profile(() => {
      step(s++);
      return tf.scalar(0);
    });
    const by = new Map<string, { ms: number; calls: number }>();
    for (const k of prof.kernels) {
      if (k.name === 'forward' || k.name === 'unnamed scope' || k.name.endsWith('__op')) continue; // scopes, not kernels
      const e = by.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.calls++;
      by.set(k.name, e);
    }
    const total = [...by.values()].reduce((a, b) => a + b.ms, 0);
    return {
      kind,
      train_images_per_s: Math.round((batch / secPerStep) * 10) / 10,
      sec_per_step: Math.round(secPerStep * 1000) / 1000,
      params: countParameters(net.inference),
      params_train_graph: countParameters(net.train),
      multiply_adds: countMultiplyAdds(net.inference),
      kernel_calls_per_step: [...by.values()].reduce((a, b) => a + b.calls, 0),
      peak_mb_per_step: Math.round(prof.peakBytes / 1e6),
      tensors_growth: tensorsGrowth,
      top_kernels: [...by]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, top)
        .map(([name, v]) => ({
          kernel: name,
          calls: v.calls,
          share: total > 0 ? Math.round((v.ms / total) * 1000) / 1000 : null,
        })),
    };
  } finally {
    tf.dispose([x, onehot]);
    net.dispose();
  }
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as BackendChoice;
  const batch = Number(arg('batch', '64'));
  const steps = Number(arg('steps', '5'));
  const warmup = Number(arg('warmup', '3'));
  const top = Number(arg('top', '8'));
  const kinds = arg('kinds', 'cnn,resnet20,darts,nb201').split(',');
  const report = await selectBackend(backend);
  const networks: Record<string, unknown>[] = [];
  for (const kind of kinds) {
    if (!SPECS[kind]) throw new Error(`unknown network kind '${kind}' (known: ${Object.keys(SPECS).join(', ')})`);
    networks.push(await measure(kind, batch, warmup, steps, top));
  }
  console.log(
    JSON.stringify({
      ...backendInfo(report),
      tfjs: tf.version.tfjs,
      input: INPUT,
      batch,
      warmup,
      steps,
      networks,
    }),
  );
  process.exit(0);
}

void main();
