/**
 * The step-time probe behind "Cost before Start": a few training steps of the job's own network at the form's
 * shape, on the chosen backend, with random inputs (a step's time does not depend on the pixels). It answers the
 * seconds per training image and the network's size (for the disk estimate). Runs in the engine worker
 * (runtime.ts, the `calibrate` message), never in the host that serves the UI.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { AeTrainParams } from '../../../shared/autoencoder.js';
import type { BackendChoice } from '../../../shared/backend.js';
import { NetworkDescription } from '../../../shared/evaluate.js';
import { SearchParams } from '../../../shared/search.js';
import { cropPadding } from '../../data/batches.js';
import { PackedImages } from '../../data/tensor-store.js';
import { selectBackend } from '../backend/ladder.js';
import { resolveAeSettings } from '../embed/ae-job.js';
import { Autoencoder } from '../embed/autoencoder.js';
import { trainAutoencoder } from '../embed/train.js';
import { buildNetwork, countParameters, specOf } from '../evaluate/networks/index.js';
import { trainClassifier } from '../evaluate/train.js';
import { mulberry32 } from '../nn/prng.js';
import { createAlgorithm, supernetOptions } from '../search/algorithms/index.js';
import { createOptimizers } from '../search/algorithms/step.js';
import { cellsFor } from '../search/context.js';
import { createSupernet } from '../search/darts.js';
import { trainSinglePath } from '../search/oneshot/evaluator.js';
import { Nb201SinglePath } from '../spaces/nb201/single-path.js';

const Shape = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.number().int().positive(),
  classes: z.number().int().min(2),
});

/** What to time: the kind's network at the job's shape. */
export const ProbeSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('search'), params: SearchParams, shape: Shape }),
  /** The similarity autoencoder's training step (the autoencoder job). */
  z.object({ kind: z.literal('autoencoder'), params: AeTrainParams, shape: Shape }),
  /** A classifier's training step (evaluations, and the trainings of a compression study). */
  z.object({
    kind: z.literal('classifier'),
    network: NetworkDescription,
    batch: z.number().int().positive(),
    auxWeight: z.number().min(0),
    /** Random crop (and flip, for RGB) as the job augments. */
    augment: z.boolean(),
    shape: Shape,
  }),
  /**
   * The NAS-Bench-201 jobs' network (`naswot`, `dsm-search`): a uniform single-path training step of the
   * weight-sharing supernet at C, cells, the input size and the supernet's batch. Their forward-only passes (NASWOT
   * scores, inherited-weight evaluations) are counted at INFER_SHARE of it (shared/cost.ts).
   */
  z.object({
    kind: z.literal('nb201'),
    channels: z.number().int().positive(),
    cells: z.number().int().positive(),
    /** Square input size the images are resized to; null: the dataset's own. */
    inputSize: z.number().int().positive().nullable(),
    batch: z.number().int().positive(),
    shape: Shape,
  }),
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
/** One step; awaited when it answers a promise (a job's own training loop, run for one batch). */
type Step = (i: number) => unknown;

async function timeSteps(step: Step, opts: ProbeOptions): Promise<{ seconds: number; steps: number }> {
  const budget = opts.budgetMs ?? 1500;
  const max = opts.maxSteps ?? 5;
  step = guarded(step, opts.signal);
  await nextTurn(opts.signal);
  const t0 = performance.now();
  await step(0);
  const first = performance.now() - t0;
  if (first >= 3 * budget) return { seconds: first / 1000, steps: 1 };
  let spent = 0;
  let steps = 0;
  while (steps < max && (steps === 0 || spent + first < budget)) {
    await nextTurn(opts.signal);
    const t = performance.now();
    await step(steps + 1);
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
 * to the larger of them is timed as it is, and so is a network whose steps at `batch` are cheap (batch / 2 steps of
 * 2 fit in the budget): the line through two steps of a few milliseconds is noise on a busy machine (a small
 * classifier read 134 ms per image by the line, 6 ms timed as it is; a tiny search 173 s by the line, 65 s ran).
 */
async function timeBatches(step: (batch: number, i: number) => unknown, batch: number, opts: ProbeOptions) {
  const [b1, b2] = SMALL_BATCHES;
  const asItIs = async (steps = 0) => {
    const t = await timeSteps((i) => step(batch, i), opts);
    return { secondsPerImage: t.seconds / batch, steps: steps + t.steps };
  };
  if (batch <= b2) return asItIs();
  const budget = opts.budgetMs ?? 1500;
  const t1 = await timeSteps((i) => step(b1, i), { ...opts, budgetMs: budget / 2 });
  if ((t1.seconds * 1000 * batch) / b1 < budget) return asItIs(t1.steps);
  await nextTurn(opts.signal);
  const t2 = await measureSteps((i) => step(b2, i), 1);
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

function guarded(step: Step, signal: AbortSignal | undefined): Step {
  return (i) => {
    if (signal?.aborted) throw new ProbeAbortedError();
    return step(i);
  };
}

/** The mean seconds of `n` steps. */
async function measureSteps(step: Step, n: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await step(i);
  return (performance.now() - t) / 1000 / n;
}

/** `batch` random images of the shape, packed as a dataset stores them, and labels over the classes. */
function randomImages(batch: number, s: z.infer<typeof Shape>, seed: number) {
  const bytes = Buffer.alloc(batch * s.width * s.height * s.channels);
  const rng = mulberry32(seed);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rng() * 256);
  return {
    images: PackedImages.wrap(bytes, { width: s.width, height: s.height, channels: s.channels === 1 ? 1 : 3 }),
    labels: Int32Array.from({ length: batch }, (_, i) => i % s.classes),
    rows: Array.from({ length: batch }, (_, i) => i),
  };
}

/** Caches `make(batch)` per batch size (a probe times two or three sizes) and disposes nothing: plain arrays. */
function perBatch<T>(make: (batch: number) => T): (batch: number) => T {
  const made = new Map<number, T>();
  return (b) => {
    let v = made.get(b);
    if (v === undefined) made.set(b, (v = make(b)));
    return v;
  };
}

/** Images an autoencoder probe's call trains on: a few small batches each, so a call's set-up is paid as an epoch's. */
const AE_IMAGES_PER_CALL = 32;

/**
 * The autoencoder job's training step, through its own training loop: one epoch of a few batches (random images)
 * with the job's losses, weighting, latent size, batch and learning rate; batch-norm recalibration off (the count
 * has it). Timed at the job's own batch: the network is small, and a call's set-up (the optimiser, the epoch's
 * shuffle) would be counted once per batch by the two-batch extrapolation, once per epoch by the job.
 */
async function probeAutoencoder(spec: Extract<ProbeSpec, { kind: 'autoencoder' }>, opts: ProbeOptions) {
  const p = spec.params;
  const channels = spec.shape.channels === 1 ? 1 : 3;
  const { losses, kendall, dim } = resolveAeSettings(p, channels);
  const ae = new Autoencoder({ inputSize: spec.shape.width, channels, dim, seed: p.seed });
  const images = p.batch * Math.max(1, Math.ceil(AE_IMAGES_PER_CALL / p.batch));
  const d = randomImages(images, spec.shape, 1);
  try {
    const t = await timeSteps(
      (i) =>
        trainAutoencoder(ae, d.images, d.labels, d.rows, {
          losses,
          kendall,
          epochs: 1,
          batch: p.batch,
          lr: p.lr,
          seed: p.seed + i,
          calibrationImages: 0,
          signal: opts.signal,
        }),
      opts,
    );
    return { secondsPerImage: t.seconds / images, steps: t.steps, weights: ae.parameterCount() };
  } finally {
    ae.dispose();
  }
}

/**
 * A classifier's training step, through the evaluation's own training loop (engine/evaluate/train.ts): one epoch of
 * one batch of random images with the job's augmentation, auxiliary loss and drop-path, and a test of one image.
 */
async function probeClassifier(spec: Extract<ProbeSpec, { kind: 'classifier' }>, opts: ProbeOptions) {
  const s = spec.shape;
  const net = buildNetwork(specOf(spec.network), s, 0);
  const shape = { ...s, channels: s.channels === 1 ? (1 as const) : (3 as const) };
  const data = perBatch((b) => randomImages(b, s, b));
  const classNames = Array.from({ length: s.classes }, (_, i) => String(i));
  const norm = { mean: new Array<number>(s.channels).fill(0.5), std: new Array<number>(s.channels).fill(0.25) };
  try {
    const t = await timeBatches(
      async (b, i) => {
        const d = data(b);
        await trainClassifier(
          net,
          {
            train: { source: d.images, rows: d.rows, labels: d.labels },
            test: { source: d.images, rows: [0], labels: d.labels },
          },
          norm,
          {
            epochs: 1,
            batch: b,
            lr: 0.025,
            lrMin: 0,
            momentum: 0.9,
            weightDecay: 3e-4,
            gradClip: 5,
            auxWeight: spec.network.auxiliary ? spec.auxWeight : 0,
            dropPath: spec.network.dropPath,
            cropPad: spec.augment ? cropPadding(shape) : 0,
            flip: spec.augment && s.channels === 3,
            seed: i,
            classNames,
          },
          { onStep: () => Promise.resolve(), onEpoch: () => undefined, log: () => undefined },
        );
      },
      spec.batch,
      opts,
    );
    return { ...t, weights: countParameters(net.train) };
  } finally {
    net.dispose();
  }
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

/**
 * A single-path training step through the jobs' own loop (oneshot/evaluator.ts), one batch of random images, timed
 * at the job's own batch: one path of the supernet is a small network, and the line through batches of 2 and 4 read
 * 169 ms per image at batch 64 where the job's supernet trained at 9.5 ms (wasm, C=16, 28x28, a busy machine).
 */
async function probeNb201(spec: Extract<ProbeSpec, { kind: 'nb201' }>, opts: ProbeOptions) {
  const s = spec.shape;
  const net = new Nb201SinglePath({
    channels: spec.channels,
    cells: spec.cells,
    inChannels: s.channels,
    classes: s.classes,
    seed: 0,
  });
  const norm = { mean: new Array<number>(s.channels).fill(0.5), std: new Array<number>(s.channels).fill(0.25) };
  const d = randomImages(spec.batch, s, 1);
  const images = { images: d.images, labels: d.labels, norm, size: spec.inputSize };
  try {
    const t = await timeSteps(
      (i) =>
        trainSinglePath(net, images, d.rows, {
          epochs: 1,
          batch: spec.batch,
          lr: 0.025,
          lrMin: 0.001,
          momentum: 0.9,
          weightDecay: 3e-4,
          gradClip: 5,
          seed: i,
          signal: opts.signal,
        }),
      opts,
    );
    return { secondsPerImage: t.seconds / spec.batch, steps: t.steps, weights: net.weights.size };
  } finally {
    net.dispose();
  }
}

export async function runProbe(spec: ProbeSpec, backend: BackendChoice, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const report = await selectBackend(backend);
  const r =
    spec.kind === 'search'
      ? await probeSearch(spec, opts)
      : spec.kind === 'autoencoder'
        ? await probeAutoencoder(spec, opts)
        : spec.kind === 'nb201'
          ? await probeNb201(spec, opts)
          : await probeClassifier(spec, opts);
  return { backend: report.selected, ...r };
}
