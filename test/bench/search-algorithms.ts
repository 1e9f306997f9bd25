/**
 * Benchmark: one search step of each algorithm (main/engine/search/algorithms/) on the same network and batches
 * (issue "The seeds' search algorithms"): the darts supernet with C=16, 5 cells, batch 32, 28x28x1 input, 10
 * classes, random inputs. A step = the algorithm's α step on a validation batch + its weight step on a training
 * batch (darts2: the unrolled α gradient, 5 forward-backward passes instead of 2; pc-darts: K=4; gdas: one sampled
 * operation per edge).
 *
 *   npx tsx test/bench/search-algorithms.ts [--backend wasm|cpu|tensorflow] [--steps N] [--warmup N] [--batch N]
 *                                           [--cells N] [--channels C] [--space darts|nb201] [--only a,b]
 * (--only: these algorithms, in this order: the cheap ones first on a busy machine)
 *
 * Prints one JSON document: {backend, threads, space, batch, ..., algorithms: {name: {sec_per_step,
 * train_images_per_s, speedup_vs_darts}}}.
 */
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { createAlgorithm, supernetOptions } from '../../main/engine/search/algorithms/index.js';
import { createOptimizers } from '../../main/engine/search/algorithms/step.js';
import { createSupernet } from '../../main/engine/search/darts.js';
import { SEARCH_ALGORITHMS, SEARCH_ALGORITHM_INFO, SearchAlgorithm, SearchParams } from '../../shared/search.js';
import { arg, randomBatch } from '../helpers/bench.js';

async function main(): Promise<void> {
  const backendName = arg('backend', 'wasm') as 'wasm' | 'cpu' | 'tensorflow';
  const batch = Number(arg('batch', '32'));
  const space = arg('space', 'darts') as 'darts' | 'nb201';
  const cells = Number(arg('cells', space === 'darts' ? '5' : '1'));
  const channels = Number(arg('channels', '16'));
  const steps = Number(arg('steps', '2'));
  const warmups = Number(arg('warmup', '1'));
  const only = arg('only', '').split(',').filter(Boolean);
  const hw = 28;
  const cin = 1;
  const report = await selectBackend(backendName);
  const batchOf = (seed: number) => randomBatch(batch, hw, cin, seed);
  const train = batchOf(1);
  const val = batchOf(2);
  const results: Record<string, { sec_per_step: number; train_images_per_s: number; speedup_vs_darts?: number }> = {};
  for (const algorithm of only.length ? SearchAlgorithm.array().parse(only) : SEARCH_ALGORITHMS) {
    if (!SEARCH_ALGORITHM_INFO[algorithm].spaces.includes(space)) continue;
    const params = SearchParams.parse({ datasetId: 1, algorithm, space, channels, epochs: 10 });
    const net = createSupernet(space, {
      channels,
      cells,
      inChannels: cin,
      classes: 10,
      seed: 1,
      ...supernetOptions(params),
    });
    const opt = createOptimizers(net, params);
    const alg = createAlgorithm(params, net, opt);
    // epoch 5 of 10: past PC-DARTS' warm-up (its α steps count), GDAS at a middle temperature
    alg.beginEpoch(5);
    const lr = { weights: params.lr, alphas: params.alphaLr };
    const run = (step: number) => alg.step({ train, val, lr, epoch: 5, step });
    for (let i = 0; i < warmups; i++) run(i);
    const times: number[] = [];
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      run(warmups + s);
      times.push((performance.now() - t0) / 1000);
    }
    const sec = times.reduce((a, b) => a + b, 0) / times.length;
    results[algorithm] = {
      sec_per_step: Math.round(sec * 1000) / 1000,
      train_images_per_s: Math.round((batch / sec) * 100) / 100,
    };
    net.dispose();
    process.stderr.write(`${algorithm}: ${JSON.stringify(results[algorithm])}\n`);
  }
  const base = results.darts?.sec_per_step;
  if (base)
    for (const r of Object.values(results)) r.speedup_vs_darts = Math.round((base / r.sec_per_step) * 100) / 100;
  process.stdout.write(
    JSON.stringify(
      {
        backend: report.selected,
        threads: report.details['threadsCount'] ?? 1,
        space,
        cells,
        channels,
        batch,
        hw,
        cin,
        steps,
        algorithms: results,
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
