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
  /** Aborted when a job is to start or newer settings are to be timed: the probe stops before its next step. */
  signal?: AbortSignal;
  /** Stop timing once this much time went into timed steps (at least one step is timed). */
  budgetMs?: number;
  maxSteps?: number;
}

/**
 * Times `step`: the mean of the steps after the first (kernels compile and memory is allocated in the first: it is
 * slower than the rest, up to 2x) until the budget is spent, at least one. Only a network whose first step alone
 * took three budgets is timed by that step (an estimate on the safe side, refined by its first finished run).
 */
async function timeSteps(step: (i: number) => void, opts: ProbeOptions): Promise<{ seconds: number; steps: number }> {
  const budget = opts.budgetMs ?? 1500;
  const max = opts.maxSteps ?? 5;
  step = guarded(step, opts.signal);
  await nextTurn(opts.signal);
  const t0 = performance.now();
  step(0);
  const first = performance.now() - t0;
  if (first >= 3 * budget) return { seconds: first / 1000, steps: 1 };
  let spent = 0;
  let steps = 0;
  while (steps < max && (steps === 0 || spent + first < budget)) {
    await nextTurn(opts.signal);
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

/** Batches above this are timed at two small batch sizes and extrapolated (see timeBatches). */
const SMALL_BATCHES = [2, 4] as const;

/**
 * Seconds per image at `batch`: a step's time is close to a fixed part (kernel dispatch, α and BN bookkeeping) plus
 * a part per image, so a large batch is timed at two small ones and the line through them is read at `batch` (a
 * step of batch 32 of the default DARTS supernet takes 10 s on wasm; two steps of 2 and 4, about 2 s). A batch up
 * to the larger of them is timed as it is.
 */
async function timeBatches(step: (batch: number, i: number) => void, batch: number, opts: ProbeOptions) {
  const [b1, b2] = SMALL_BATCHES;
  if (batch <= b2) {
    const t = await timeSteps((i) => step(batch, i), opts);
    return { secondsPerImage: t.seconds / batch, steps: t.steps };
  }
  const t1 = await timeSteps((i) => step(b1, i), { ...opts, budgetMs: (opts.budgetMs ?? 1500) / 2 });
  await nextTurn(opts.signal);
  const t2 = measureSteps((i) => step(b2, i), 1);
  const perImage = Math.max(0, (t2 - t1.seconds) / (b2 - b1));
  const fixed = Math.max(0, t2 - perImage * b2);
  return { secondsPerImage: (fixed + perImage * batch) / batch, steps: t1.steps + 1 };
}

/** Why a probe stopped early: a job is starting, or newer settings are to be timed. */
export class ProbeAbortedError extends Error {
  constructor() {
    super('Timing the network was stopped: a job is starting, or newer settings came in.');
  }
}

/** Lets the engine's messages in (a job's start aborts `signal`) before the next step. */
async function nextTurn(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
  if (signal?.aborted) throw new ProbeAbortedError();
}

function guarded(step: (i: number) => void, signal: AbortSignal | undefined): (i: number) => void {
  return (i) => {
    if (signal?.aborted) throw new ProbeAbortedError();
    step(i);
  };
}

/** The mean seconds of `n` steps. */
function measureSteps(step: (i: number) => void, n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) step(i);
  return (performance.now() - t) / 1000 / n;
}

/** One search step (the algorithm's α step on a validation batch, then its weight step) on the job's supernet. */
async function probeSearch(spec: Extract<ProbeSpec, { kind: 'search' }>, opts: ProbeOptions) {
  const p = spec.params;
  const net = createSupernet(p.space, {
    channels: p.channels,
    cells: cellsFor(p),
    inChannels: spec.shape.channels,
    classes: spec.shape.classes,
    seed: p.seed,
    ...supernetOptions(p),
  });
  const batches = new Map<number, { train: ReturnType<typeof randomBatch>; val: ReturnType<typeof randomBatch> }>();
  const batchOf = (b: number) => {
    let x = batches.get(b);
    if (!x) batches.set(b, (x = { train: randomBatch(b, spec.shape, 1), val: randomBatch(b, spec.shape, 2) }));
    return x;
  };
  try {
    const alg = createAlgorithm(p, net, createOptimizers(net, p));
    // an epoch past PC-DARTS' warm-up, so the α steps it will take are timed too
    const epoch = Math.min(p.epochs - 1, Math.ceil(p.epochs / 2));
    alg.beginEpoch(epoch);
    const lr = { weights: p.lr, alphas: p.alphaLr };
    const t = await timeBatches((b, step) => alg.step({ ...batchOf(b), lr, epoch, step }), p.batch, opts);
    return { ...t, weights: net.weights.size };
  } finally {
    net.dispose();
    for (const { train, val } of batches.values()) tf.dispose([train.x, train.labels, val.x, val.labels]);
  }
}

export async function runProbe(spec: ProbeSpec, backend: BackendChoice, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const report = await selectBackend(backend);
  const r = await probeSearch(spec, opts);
  return { backend: report.selected, ...r };
}
