/** What the benchmarks under test/bench/ share: their command-line options and their random batches. */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import type { BackendReport } from '../../shared/backend.js';

/** The value after `--name` on the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** `--name` as a number, else `fallback`. */
export function numArg(name: string, fallback: number): number {
  return Number(arg(name, String(fallback)));
}

/** A batch of `batch` square images of standard-normal noise (seeded) and labels cycling over 10 classes. */
export function randomBatch(
  batch: number,
  hw: number,
  channels: number,
  seed: number,
): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  return {
    x: tf.randomNormal([batch, hw, hw, channels], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.tensor1d(
      Array.from({ length: batch }, (_, i) => (i * 7 + seed) % 10),
      'int32',
    ),
  };
}

/** The backend a benchmark ran on, as its JSON document names it: the rung and its thread count. */
export function backendInfo(report: BackendReport): { backend: string; threads: unknown } {
  return { backend: report.selected, threads: report.details['threadsCount'] ?? 1 };
}

/** The time of one step of `batch` training images: seconds (to the millisecond) and images a second. */
export function stepTiming(sec: number, batch: number): { sec_per_step: number; train_images_per_s: number } {
  return { sec_per_step: Math.round(sec * 1000) / 1000, train_images_per_s: Math.round((batch / sec) * 100) / 100 };
}

/** Mean seconds of `steps` calls of `step` (given its index). */
export function meanSeconds(steps: number, step: (i: number) => void): number {
  let total = 0;
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    step(s);
    total += (performance.now() - t0) / 1000;
  }
  return total / steps;
}

/**
 * What the search-step benchmarks (supernet-step, search-algorithms) share: their options (--backend, --batch,
 * --space, --cells, --channels, --steps, defaulting by backend), the selected backend, a training and a validation
 * batch of 28x28x1 noise, and the fields their JSON document starts with.
 */
export async function searchStepBench(defaultSteps: (backend: string) => number) {
  const backendName = arg('backend', 'wasm') as 'wasm' | 'cpu' | 'tensorflow';
  const batch = numArg('batch', 32);
  const space = arg('space', 'darts') as 'darts' | 'nb201';
  const cells = numArg('cells', space === 'darts' ? 5 : 1);
  const channels = numArg('channels', 16);
  const steps = numArg('steps', defaultSteps(backendName));
  const hw = 28;
  const cin = 1;
  const report = await selectBackend(backendName);
  const shape = { space, cells, channels, batch, hw, cin, steps };
  return {
    ...shape,
    backendName,
    train: randomBatch(batch, hw, cin, 1),
    val: randomBatch(batch, hw, cin, 2),
    header: { ...backendInfo(report), ...shape },
  };
}
