/**
 * Benchmark: one first-order DARTS step (issue "Search engine") = one α step (Adam lr 3e-4, betas 0.5/0.999,
 * wd 1e-3) on a validation batch + one weight step (SGD lr 0.025, momentum 0.9, wd 3e-4, grad-norm clip 5) on a
 * training batch, on the darts supernet with C=16, 5 cells (reductions at cells 1 and 3), batch 32, 28x28x1
 * input, 10 classes. Random inputs (the step's cost does not depend on the pixels).
 *
 *   npx tsx test/bench/supernet-step.ts [--backend wasm|cpu|tensorflow] [--steps N] [--batch N] [--space darts|nb201]
 *                                       [--cells N] [--channels C] [--warmup N] [--profile] [--prod]
 *
 * Prints one JSON document: {backend, threads, space, batch, hw, cin, sec_per_step, train_images_per_s, ...}
 * (train_images_per_s = batch / sec_per_step: the weight step's training images; the α step sees as many
 * validation images). --profile adds the kernels that take the time (tf.profile of one step).
 * WINNOW_WASM_THREADS=1 runs the single-threaded wasm build.
 */
import * as tf from '@tensorflow/tfjs';
import { createSupernet } from '../../main/engine/search/darts.js';
import { createOptimizers, firstOrderStep } from '../../main/engine/search/trainer.js';
import { SearchParams } from '../../shared/search.js';
import { arg, meanSeconds, searchStepBench, stepTiming } from '../helpers/bench.js';

async function main(): Promise<void> {
  // --prod: tfjs production mode (fewer checks per kernel); measured no faster here, kept for comparison
  if (process.argv.includes('--prod')) tf.enableProdMode();
  const bench = await searchStepBench((backend) => (backend === 'cpu' ? 1 : 3));
  const { space, cells, channels, batch, cin, steps, train, val } = bench;
  const params = SearchParams.parse({ datasetId: 1 });
  const net = createSupernet(space, { channels, cells, inChannels: cin, classes: 10, seed: 1 });
  const opt = createOptimizers(net, params);
  const lr = { weights: params.lr, alphas: params.alphaLr };
  // warm-up: first-call costs (XNNPACK operator creation, wasm memory growth); --warmup 0 skips it (cpu: minutes)
  const warmups = Number(arg('warmup', bench.backendName === 'cpu' ? '0' : '1'));
  for (let i = 0; i < warmups; i++) firstOrderStep(net, opt, train, val, lr);
  const tensorsBefore = tf.memory().numTensors;
  const secPerStep = meanSeconds(steps, () => firstOrderStep(net, opt, train, val, lr));
  const out: Record<string, unknown> = {
    ...bench.header,
    ...stepTiming(secPerStep, batch),
    weights: net.weights.size,
    tensors_growth: tf.memory().numTensors - tensorsBefore,
  };
  if (process.argv.includes('--profile')) {
    const prof = await tf.profile(() => {
      firstOrderStep(net, opt, train, val, lr);
      return tf.scalar(0);
    });
    const by = new Map<string, { ms: number; calls: number }>();
    for (const k of prof.kernels) {
      if (k.name === 'forward' || k.name === 'unnamed scope' || k.name.endsWith('__op')) continue; // scopes double-count
      const e = by.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += k.kernelTimeMs as number;
      e.calls++;
      by.set(k.name, e);
    }
    const total = [...by.values()].reduce((a, b) => a + b.ms, 0);
    out['profile'] = {
      kernel_calls: [...by.values()].reduce((a, b) => a + b.calls, 0),
      kernel_ms: Math.round(total),
      peak_mb: Math.round(prof.peakBytes / 1e6),
      top: [...by]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 15)
        .map(([name, v]) => ({
          kernel: name,
          ms: Math.round(v.ms),
          calls: v.calls,
          share: Math.round((v.ms / total) * 1000) / 1000,
        })),
    };
  }
  console.log(JSON.stringify(out));
  net.dispose();
  process.exit(0);
}

void main();
