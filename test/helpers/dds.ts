/** Shared setup for the DDS selection tests: synthetic feedback, one search epoch, labelled pools, embeddings. */
import { mulberry32 } from '../../main/engine/nn/prng.js';
import type { DdsSelection } from '../../main/engine/selection/dds.js';
import type { SelectionEpochStats, SelectionPools, StepFeedback } from '../../main/engine/selection/strategy.js';

/** Feedback with a true-class probability per row; correct = probability > 0.5 unless `hit` says otherwise. */
export function feedback(
  rows: readonly number[],
  conf: (row: number) => number,
  split: 'train' | 'val' = 'train',
  hit?: (row: number) => boolean,
): StepFeedback {
  const n = rows.length;
  const trueProb = Float32Array.from(rows, conf);
  return {
    split,
    rows,
    losses: Float32Array.from(trueProb, (p) => -Math.log(Math.max(p, 1e-7))),
    correct: hit ? Uint8Array.from(rows, (r) => (hit(r) ? 1 : 0)) : Uint8Array.from(trueProb, (p) => (p > 0.5 ? 1 : 0)),
    trueProb,
    errorNorm: new Float32Array(n),
  };
}

/** One epoch as the search runs it: select, per-batch observe (train and val; every image, the last batch smaller), stats. */
export function epoch(
  sel: DdsSelection,
  e: number,
  conf: (row: number, epoch: number) => number,
  batch = 4,
): { train: number[]; val: number[]; resetLr?: boolean; stats: SelectionEpochStats } {
  const s = sel.select(e);
  const steps = Math.max(1, Math.ceil(s.train.length / batch));
  for (let i = 0; i < steps; i++) {
    sel.observe(feedback(s.train.slice(i * batch, (i + 1) * batch), (r) => conf(r, e)));
    sel.observe(feedback(s.val.slice(0, batch), () => 0.01, 'val'));
  }
  return { ...s, stats: sel.epochStats(e) };
}

/** Every subset image gets its whole-epoch feedback (batch = subset size). */
export const whole = (sel: DdsSelection, e: number, conf: (row: number, epoch: number) => number) =>
  epoch(sel, e, conf, 1_000_000);

export function labelledPools(trainPerClass: number[], valPerClass: number[]): SelectionPools {
  const labels: number[] = [];
  // rows are numbered in order: the training rows class by class, then the validation rows
  const rowsOf = (perClass: number[]) =>
    perClass.flatMap((n, c) => Array.from({ length: n }, () => labels.push(c) - 1));
  const train = rowsOf(trainPerClass);
  return { train, val: rowsOf(valPerClass), labels, classes: trainPerClass.length };
}

export function randomEmbeddings(rows: number, dim: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: rows * dim }, () => rng() * 2 - 1);
}

export const sorted = (rows: readonly number[]) => [...rows].sort((a, b) => a - b);
