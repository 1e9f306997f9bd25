/** What the benchmarks under test/bench/ share: their command-line options and their random batches. */
import * as tf from '@tensorflow/tfjs';

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
