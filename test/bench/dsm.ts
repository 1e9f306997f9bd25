/**
 * Benchmark: DSM-NAS (issue #19) — the controller's step time and the cells evaluated per second with inherited
 * weights, the two costs of a dsm-search iteration.
 *
 *   npx tsx test/bench/dsm.ts [--backend wasm|cpu|tensorflow] [--subspaces 10] [--distance 3] [--hidden 32]
 *                             [--steps 50] [--channels 16] [--cells 1] [--size 28] [--inChannels 1]
 *                             [--validation 500] [--calibration 4] [--batch 64] [--evaluated 20] [--seed 0]
 *
 * Prints one JSON document:
 * - controller: per step, milliseconds to sample (GNN + global LSTM + 6 local LSTM steps, one read per decision)
 *   and to take the REINFORCE step (the same graph scored under tf.variableGrads, then Adam), mean and median over
 *   `steps` steps after 3 untimed ones, on a graph of K random centres (the centres change as a search would not:
 *   the cost does not depend on them).
 * - evaluator: cells evaluated per second by InheritedWeightEvaluator (BN recalibrated on `calibration` batches of
 *   `batch` images, then top-1 over `validation` images) on an untrained single-path supernet and random pixels
 *   (the cost does not depend on the weights or the pixels), over `evaluated` distinct cells after 2 untimed ones.
 */
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { InheritedWeightEvaluator, type OneShotData } from '../../main/engine/search/oneshot/evaluator.js';
import { DsmController } from '../../main/engine/search/dsm/controller.js';
import { Reinforce } from '../../main/engine/search/dsm/reinforce.js';
import { SubspaceGraph, initialCentres } from '../../main/engine/search/dsm/subspaces.js';
import { Nb201SinglePath } from '../../main/engine/spaces/nb201/single-path.js';
import { archFromIndex, sampleIndices } from '../../main/engine/spaces/nb201/space.js';
import type { BackendChoice } from '../../shared/backend.js';
import { arg, numArg } from '../helpers/bench.js';

const backendChoice = arg('backend', 'wasm') as BackendChoice;
const K = numArg('subspaces', 10);
const M = numArg('distance', 3);
const hidden = numArg('hidden', 32);
const steps = numArg('steps', 50);
const channels = numArg('channels', 16);
const cells = numArg('cells', 1);
const size = numArg('size', 28);
const inChannels = numArg('inChannels', 1) === 3 ? 3 : 1;
const validation = numArg('validation', 500);
const calibration = numArg('calibration', 4);
const batch = numArg('batch', 64);
const evaluated = numArg('evaluated', 20);
const seed = numArg('seed', 0);

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, median: sorted[Math.floor(sorted.length / 2)]! };
};

const report = await selectBackend(backendChoice);

// ---- the controller
const rng = mulberry32(seed);
const centres = initialCentres(K, [], rng);
const graph = new SubspaceGraph(
  centres,
  centres.map(() => rng()),
);
const g = { centres: centres.map(archFromIndex), edges: graph.edges() };
const controller = new DsmController({ subspaces: K, distance: M, hidden, seed });
const reinforce = new Reinforce(controller, { lr: 3e-4, entropyWeight: 1e-3, baselineDecay: 0.95 });
const sampleMs: number[] = [];
const updateMs: number[] = [];
for (let t = 0; t < steps + 3; t++) {
  const t0 = performance.now();
  const s = controller.sample(g, rng);
  const t1 = performance.now();
  reinforce.step(g, s.action, rng() - 0.5, s.entropy);
  const t2 = performance.now();
  if (t >= 3) {
    sampleMs.push(t1 - t0);
    updateMs.push(t2 - t1);
  }
}
const parameters = controller.params.size;
controller.dispose();

// ---- the inherited-weight evaluator
const pixels = size * size * inChannels;
const n = Math.max(validation, batch);
const imageRng = mulberry32(seed + 1);
const store = Uint8Array.from({ length: n * pixels }, () => Math.floor(imageRng() * 256));
const data: OneShotData = {
  images: {
    shape: { width: size, height: size, channels: inChannels },
    gather: (idx) => {
      const out = new Uint8Array(idx.length * pixels);
      for (let j = 0; j < idx.length; j++)
        out.set(store.subarray(idx[j]! * pixels, (idx[j]! + 1) * pixels), j * pixels);
      return out;
    },
  },
  labels: Array.from({ length: n }, (_, i) => i % 10),
  norm: { mean: Array(inChannels).fill(0.5), std: Array(inChannels).fill(0.25) },
  size: null,
};
const net = new Nb201SinglePath({ channels, cells, inChannels, classes: 10, seed });
const rows = Array.from({ length: n }, (_, i) => i);
const evaluator = new InheritedWeightEvaluator(net, data, {
  calibration: Array.from({ length: calibration }, (_, b) => rows.slice((b * batch) % (n - batch + 1)).slice(0, batch)),
  validation: rows.slice(0, validation),
  batch,
});
const archs = sampleIndices(evaluated + 2, mulberry32(seed + 2)).map(archFromIndex);
archs.slice(0, 2).forEach((a) => evaluator.accuracy(a));
const t0 = performance.now();
for (const a of archs.slice(2)) evaluator.accuracy(a);
const evalSeconds = (performance.now() - t0) / 1000;
net.dispose();

console.log(
  JSON.stringify(
    {
      backend: report.selected,
      controller: {
        subspaces: K,
        distance: M,
        hidden,
        parameters,
        steps,
        sampleMs: stats(sampleMs),
        updateMs: stats(updateMs),
        stepMs: stats(sampleMs.map((s, i) => s + updateMs[i]!)),
      },
      evaluator: {
        input: `${size}x${size}x${inChannels}`,
        channels,
        cells,
        validation,
        calibrationBatches: calibration,
        batch,
        evaluated,
        seconds: evalSeconds,
        archsPerSecond: evaluated / evalSeconds,
        msPerArch: (evalSeconds * 1000) / evaluated,
      },
    },
    null,
    2,
  ),
);
