/**
 * Benchmark: one search step of each algorithm (main/engine/search/algorithms/) on the same network and batches
 * (issue "The seeds' search algorithms"): the darts supernet with C=16, 5 cells, batch 32, 28x28x1 input, 10
 * classes, random inputs. A step = the algorithm's α step on a validation batch + its weight step on a training
 * batch (darts2: the unrolled α gradient, 5 forward-backward passes instead of 2; pc-darts: K=4; gdas: one sampled
 * operation per edge; p-darts: each of its 3 stages at the start of its α steps — 5 cells with 8 operations per edge,
 * 11 with 5, 17 with 3, skip-connection dropout 0 / 0.4 / 0.7 — and their mean weighed by epochs, which is what a
 * P-DARTS search of the paper's 3 x 25 epochs costs per step).
 *
 *   npx tsx test/bench/search-algorithms.ts [--backend wasm|cpu|tensorflow] [--steps N] [--warmup N] [--batch N]
 *                                           [--cells N] [--channels C] [--space darts|nb201] [--only a,b]
 * (--only: these algorithms, in this order: the cheap ones first on a busy machine)
 *
 * Prints one JSON document: {backend, threads, space, batch, ..., algorithms: {name: {sec_per_step,
 * train_images_per_s, speedup_vs_darts}}}; p-darts adds `stages`: [{cells, ops, sec_per_step, train_images_per_s}].
 * Each algorithm's line goes to stderr as it finishes, with its train images/s.
 */
import { createAlgorithm, supernetOptions } from '../../main/engine/search/algorithms/index.js';
import { createOptimizers } from '../../main/engine/search/algorithms/step.js';
import { createSupernet } from '../../main/engine/search/darts.js';
import {
  SEARCH_ALGORITHMS,
  SEARCH_ALGORITHM_INFO,
  SearchAlgorithm,
  SearchParams,
  pdartsPlan,
} from '../../shared/search.js';
import { arg, meanSeconds, searchStepBench, stepTiming } from '../helpers/bench.js';

async function main(): Promise<void> {
  const bench = await searchStepBench(() => 2);
  const { space, cells, channels, batch, cin, steps, train, val } = bench;
  const warmups = Number(arg('warmup', '1'));
  const only = arg('only', '').split(',').filter(Boolean);
  type Timing = ReturnType<typeof stepTiming>;
  const results: Record<
    string,
    Timing & { speedup_vs_darts?: number; stages?: Array<Timing & { cells: number; ops: number }> }
  > = {};
  const timing = (sec: number): Timing => stepTiming(sec, batch);
  for (const algorithm of only.length ? SearchAlgorithm.array().parse(only) : SEARCH_ALGORITHMS) {
    if (!SEARCH_ALGORITHM_INFO[algorithm].spaces.includes(space)) continue;
    // p-darts: the paper's 3 stages of 25 epochs from `cells`
    const params = SearchParams.parse({
      datasetId: 1,
      algorithm,
      space,
      channels,
      cells,
      epochs: algorithm === 'p-darts' ? 75 : 10,
    });
    const plan = algorithm === 'p-darts' ? pdartsPlan(params) : null;
    const net = createSupernet(space, {
      channels,
      cells: plan ? plan[0]!.cells : cells,
      inChannels: cin,
      classes: 10,
      seed: 1,
      ...supernetOptions(params),
    });
    const opt = createOptimizers(net, params);
    const alg = createAlgorithm(params, net, opt);
    const lr = { weights: params.lr, alphas: params.alphaLr };
    /** Mean seconds of a step from `epoch` on (after the warm-up steps). */
    const measure = (epoch: number): number => {
      alg.beginEpoch(epoch);
      const run = (step: number) => alg.step({ train, val, lr, epoch, step });
      for (let i = 0; i < warmups; i++) run(i);
      return meanSeconds(steps, (s) => run(warmups + s));
    };
    if (plan) {
      // each stage from the first epoch whose α steps run (its dropout at the stage's initial rate)
      const stages = plan.map((st) => ({ cells: st.cells, ops: st.ops, ...timing(measure(st.start + st.warmup)) }));
      const sec = plan.reduce((a, st, i) => a + st.epochs * stages[i]!.sec_per_step, 0) / params.epochs;
      results[algorithm] = { ...timing(sec), stages };
    } else {
      // epoch 5 of 10: past PC-DARTS' warm-up (its α steps count), GDAS at a middle temperature
      results[algorithm] = timing(measure(5));
    }
    (alg.current?.().net ?? net).dispose();
    process.stderr.write(`${algorithm}: ${JSON.stringify(results[algorithm])}\n`);
  }
  const base = results.darts?.sec_per_step;
  if (base)
    for (const r of Object.values(results)) r.speedup_vs_darts = Math.round((base / r.sec_per_step) * 100) / 100;
  process.stdout.write(JSON.stringify({ ...bench.header, algorithms: results }, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
