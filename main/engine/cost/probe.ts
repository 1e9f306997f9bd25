/**
 * The step-time probe behind "Cost before Start": a few training steps of the job's own network at the form's
 * shape, on the chosen backend, with random inputs (a step's time does not depend on the pixels). It answers the
 * seconds per training image and the network's size (for the disk estimate). Runs in the engine worker
 * (runtime.ts, the `calibrate` message), never in the host that serves the UI.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { BackendChoice } from '../../../shared/backend.js';
import { SearchParams } from '../../../shared/search.js';
import { selectBackend } from '../backend/ladder.js';
import { createAlgorithm, supernetOptions } from '../search/algorithms/index.js';
import { createOptimizers } from '../search/algorithms/step.js';
import { cellsFor } from '../search/context.js';
import { createSupernet } from '../search/darts.js';

const Shape = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.number().int().positive(),
  classes: z.number().int().min(2),
});

/** What to time: the kind's network at the job's shape. */
export const ProbeSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('search'), params: SearchParams, shape: Shape }),
]);
export type ProbeSpec = z.infer<typeof ProbeSpec>;

export interface ProbeResult {
  /** The backend that ran it (what `auto` resolved to). */
  backend: string;
  secondsPerImage: number;
  /** The network's trainable weights. */
  weights: number;
  /** Steps timed (after one untimed warm-up step). */
  steps: number;
}

export interface ProbeOptions {
  /** Stop timing once this much time went into timed steps (at least one step is timed). */
  budgetMs?: number;
  maxSteps?: number;
}

/**
 * Times `step`: the mean of the steps after the first (kernels compile and memory is allocated in the first: it is
 * slower than the rest, up to 2x) until the budget is spent, at least one. Only a network whose first step alone
 * took three budgets is timed by that step (an estimate on the safe side, refined by its first finished run).
 */
function timeSteps(step: (i: number) => void, opts: ProbeOptions): { seconds: number; steps: number } {
  const budget = opts.budgetMs ?? 1500;
  const max = opts.maxSteps ?? 5;
  const t0 = performance.now();
  step(0);
  const first = performance.now() - t0;
  if (first >= 3 * budget) return { seconds: first / 1000, steps: 1 };
  let spent = 0;
  let steps = 0;
  while (steps < max && (steps === 0 || spent + first < budget)) {
    const t = performance.now();
    step(steps + 1);
    spent += performance.now() - t;
    steps++;
  }
  return { seconds: spent / 1000 / steps, steps: steps + 1 };
}

function randomBatch(batch: number, s: z.infer<typeof Shape>, seed: number) {
  return {
    x: tf.randomNormal([batch, s.height, s.width, s.channels], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.tensor1d(
      Array.from({ length: batch }, (_, i) => (i * 7 + seed) % s.classes),
      'int32',
    ),
  };
}

/** One search step (the algorithm's α step on a validation batch, then its weight step) on the job's supernet. */
function probeSearch(spec: Extract<ProbeSpec, { kind: 'search' }>, opts: ProbeOptions) {
  const p = spec.params;
  const net = createSupernet(p.space, {
    channels: p.channels,
    cells: cellsFor(p),
    inChannels: spec.shape.channels,
    classes: spec.shape.classes,
    seed: p.seed,
    ...supernetOptions(p),
  });
  const train = randomBatch(p.batch, spec.shape, 1);
  const val = randomBatch(p.batch, spec.shape, 2);
  try {
    const alg = createAlgorithm(p, net, createOptimizers(net, p));
    // an epoch past PC-DARTS' warm-up, so the α steps it will take are timed too
    const epoch = Math.min(p.epochs - 1, Math.ceil(p.epochs / 2));
    alg.beginEpoch(epoch);
    const lr = { weights: p.lr, alphas: p.alphaLr };
    const t = timeSteps((step) => alg.step({ train, val, lr, epoch, step }), opts);
    return { secondsPerImage: t.seconds / p.batch, weights: net.weights.size, steps: t.steps };
  } finally {
    net.dispose();
    tf.dispose([train.x, train.labels, val.x, val.labels]);
  }
}

export async function runProbe(spec: ProbeSpec, backend: BackendChoice, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const report = await selectBackend(backend);
  const r = probeSearch(spec, opts);
  return { backend: report.selected, ...r };
}
