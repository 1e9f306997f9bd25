/**
 * Max-pool gradient benchmark on wasm: the composed MaxPoolGrad that replaces wasm's own (wrong for windows whose
 * maximum is ≤ 0 and for ties) against wasm's own kernel, 3×3 pools with padding 1 (DARTS max_pool_3x3), stride
 * 1 and 2, on [32, 28, 28, 16] and [32, 14, 14, 32]. Median milliseconds per call, the kernel alone (dy, x and y given),
 * the two interleaved.
 *
 *   npx tsx test/bench/maxpool-grad.ts [--reps N]      # prints one JSON document
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { _wasmOwnMaxPoolGradForTest } from '../../main/engine/backend/wasm-maxpool-grad.js';

const i = process.argv.indexOf('--reps');
const REPS = i >= 0 ? Number(process.argv[i + 1]) : 10;

/** Median milliseconds per call of each function, calls interleaved (a shared, loaded machine drifts). */
async function medians(fns: Array<() => tf.Tensor>): Promise<number[]> {
  const times: number[][] = fns.map(() => []);
  for (let r = -1; r < REPS; r++) {
    for (const [k, fn] of fns.entries()) {
      const t0 = performance.now();
      const out = fn();
      await out.data();
      out.dispose();
      if (r >= 0) times[k]!.push(performance.now() - t0); // r = -1: warm-up (operator creation, first allocation)
    }
  }
  return times.map((t) => +t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!.toFixed(2));
}

await selectBackend('wasm');
const rows = [];
for (const shape of [
  [32, 28, 28, 16],
  [32, 14, 14, 32],
] as Array<[number, number, number, number]>) {
  for (const stride of [1, 2] as const) {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.maxPool(x, 3, stride, 1, 'floor');
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 2) as tf.Tensor4D;
    const attrs = { filterSize: 3, strides: stride, pad: 1, dimRoundingMode: 'floor' as const };
    const [composedMs, wasmOwnMs] = await medians([
      () =>
        tf
          .engine()
          .runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
      () => _wasmOwnMaxPoolGradForTest(dy, x, y, attrs),
    ]);
    rows.push({ x: shape, stride, composedMs, wasmOwnMs });
    tf.dispose([x, y, dy]);
  }
}
console.log(
  JSON.stringify(
    {
      threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
      loadavg: os.loadavg().map((l) => +l.toFixed(2)),
      reps: REPS,
      rows,
    },
    null,
    2,
  ),
);
process.exit(0);
