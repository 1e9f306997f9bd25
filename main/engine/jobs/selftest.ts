/**
 * The `selftest` job: trains a small CNN on random data for N steps on the chosen backend and reports
 * steps/s. It is what Settings' "Test this backend" runs: it proves the backend trains (forward, gradients,
 * optimizer) and measures it.
 */
import * as tf from '@tensorflow/tfjs';
import { SelftestParams, type SelftestResult } from '../../../shared/jobs.js';
import { selectBackend } from '../backend/ladder.js';
import type { JobContext } from './context.js';
import type { JobHandler } from './handler.js';

const IMAGE = 28;
const CLASSES = 10;

interface Net {
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
  w3: tf.Variable;
  b3: tf.Variable;
}

function makeNet(seed: number): Net {
  const he = (shape: number[], fanIn: number, s: number) =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s));
  return {
    w1: he([3, 3, 1, 8], 9, seed + 1),
    b1: tf.variable(tf.zeros([8])),
    w2: he([3, 3, 8, 16], 72, seed + 2),
    b2: tf.variable(tf.zeros([16])),
    w3: he([16, CLASSES], 16, seed + 3),
    b3: tf.variable(tf.zeros([CLASSES])),
  };
}

/** conv3x3(8) + ReLU -> conv3x3/2(16) + ReLU -> global average pool -> dense(10); fused kernels where the backend has them. */
function logits(net: Net, x: tf.Tensor4D): tf.Tensor2D {
  const h1 = tf.fused.conv2d({
    x,
    filter: net.w1 as tf.Tensor4D,
    strides: 1,
    pad: 'same',
    bias: net.b1,
    activation: 'relu',
  });
  const h2 = tf.fused.conv2d({
    x: h1,
    filter: net.w2 as tf.Tensor4D,
    strides: 2,
    pad: 'same',
    bias: net.b2,
    activation: 'relu',
  });
  const pooled = tf.mean(h2, [1, 2]) as tf.Tensor2D;
  return tf.fused.matMul({ a: pooled, b: net.w3 as tf.Tensor2D, bias: net.b3 }) as tf.Tensor2D;
}

async function run(ctx: JobContext, p: SelftestParams): Promise<SelftestResult> {
  const report = await selectBackend(p.backend === 'auto' ? ctx.backendPreference : p.backend);
  ctx.log('info', `Backend: ${report.selected} (asked for ${report.preference}).`);
  const net = makeNet(p.seed);
  const x = tf.randomNormal([p.batch, IMAGE, IMAGE, 1], 0, 1, 'float32', p.seed) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([p.batch], 0, CLASSES, 'int32', p.seed + 7) as tf.Tensor1D, CLASSES);
  const optimizer = tf.train.momentum(0.05, 0.9);
  const vars = Object.values(net) as tf.Variable[];
  let initialLoss = NaN;
  let finalLoss = NaN;
  let timedFrom = 0;
  let t0 = performance.now();
  try {
    for (let step = 1; step <= p.steps; step++) {
      ctx.checkCancelled();
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, logits(net, x)) as tf.Scalar,
        true,
        vars,
      )!;
      const value = (await loss.data())[0]!;
      loss.dispose();
      if (step === 1) {
        initialLoss = value;
        // the first step pays for kernel compilation and warm-up: time the rest
        if (p.steps > 1) {
          t0 = performance.now();
          timedFrom = 1;
        }
      }
      finalLoss = value;
      ctx.metric('loss', value, { step });
      ctx.progress({ done: step, total: p.steps, message: `step ${step}/${p.steps}` });
      // yield to the event loop so a cancel message can arrive between steps
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    optimizer.dispose();
    tf.dispose([x, labels, ...vars]);
  }
  const seconds = (performance.now() - t0) / 1000;
  const timedSteps = p.steps - timedFrom;
  const stepsPerSecond = timedSteps / Math.max(seconds, 1e-9);
  return {
    backend: report.selected,
    steps: p.steps,
    batch: p.batch,
    seconds: Math.round(seconds * 1000) / 1000,
    stepsPerSecond: Math.round(stepsPerSecond * 100) / 100,
    imagesPerSecond: Math.round(stepsPerSecond * p.batch * 10) / 10,
    initialLoss,
    finalLoss,
  };
}

export const selftestHandler: JobHandler<SelftestParams, SelftestResult> = {
  kind: 'selftest',
  params: SelftestParams,
  resumable: false,
  run,
};
