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
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { createSupernet } from '../../main/engine/search/darts.js';
import { createOptimizers, firstOrderStep } from '../../main/engine/search/trainer.js';
import { SearchParams } from '../../shared/search.js';
import { arg, randomBatch } from '../helpers/bench.js';

async function main(): Promise<void> {
  const backendName = arg('backend', 'wasm') as 'wasm' | 'cpu' | 'tensorflow';
  const batch = Number(arg('batch', '32'));
  const space = arg('space', 'darts') as 'darts' | 'nb201';
  const cells = Number(arg('cells', space === 'darts' ? '5' : '1'));
  const channels = Number(arg('channels', '16'));
  const steps = Number(arg('steps', backendName === 'cpu' ? '1' : '3'));
  const hw = 28;
  const cin = 1;
  // --prod: tfjs production mode (fewer checks per kernel); measured no faster here, kept for comparison
  if (process.argv.includes('--prod')) tf.enableProdMode();
  const report = await selectBackend(backendName);
  const params = SearchParams.parse({ datasetId: 1 });
  const net = createSupernet(space, { channels, cells, inChannels: cin, classes: 10, seed: 1 });
  const opt = createOptimizers(net, params);
  const batchOf = (seed: number) => randomBatch(batch, hw, cin, seed);
  const train = batchOf(1);
  const val = batchOf(2);
  const lr = { weights: params.lr, alphas: params.alphaLr };
  // warm-up: first-call costs (XNNPACK operator creation, wasm memory growth); --warmup 0 skips it (cpu: minutes)
  const warmups = Number(arg('warmup', backendName === 'cpu' ? '0' : '1'));
  for (let i = 0; i < warmups; i++) firstOrderStep(net, opt, train, val, lr);
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    firstOrderStep(net, opt, train, val, lr);
    times.push((performance.now() - t0) / 1000);
  }
  const secPerStep = times.reduce((a, b) => a + b, 0) / times.length;
  const out: Record<string, unknown> = {
    backend: report.selected,
    threads: report.details['threadsCount'] ?? 1,
    space,
    cells,
    channels,
    batch,
    hw,
    cin,
    steps,
    sec_per_step: Math.round(secPerStep * 1000) / 1000,
    train_images_per_s: Math.round((batch / secPerStep) * 100) / 100,
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
