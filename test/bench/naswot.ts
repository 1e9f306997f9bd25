/**
 * Benchmark: NASWOT scoring speed (issue #19) — NAS-Bench-201 cells scored per second by the naswot job's inner loop
 * (one forward pass of the untrained single-path network with every ReLU's code kept, K_H, log|det K_H| in float64)
 * at batch 32 and 128, on 28x28x1 and 32x32x3 inputs (random pixels: the cost does not depend on them), 10 classes.
 *
 *   npx tsx test/bench/naswot.ts [--backend wasm|cpu|tensorflow] [--channels 16] [--cells 1] [--cellsScored 40]
 *                                [--batches 32,128] [--inputs 28x28x1,32x32x3] [--seed 0]
 *
 * Prints one JSON document: per (input, batch), cells per second, milliseconds per cell, and the split between
 * the forward pass with the codes (ms) and K_H + slogdet (ms), over `cellsScored` cells drawn from the space (the
 * same cells for every configuration), after 3 untimed warm-up cells. The job scores each cell once per repeat:
 * divide by repeats for its rate.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { naswotScoreOfCodes } from '../../main/engine/naswot/score.js';
import { Nb201SinglePath } from '../../main/engine/spaces/nb201/single-path.js';
import { archFromIndex, sampleIndices } from '../../main/engine/spaces/nb201/space.js';
import type { BackendChoice } from '../../shared/backend.js';
import { rand } from '../helpers/numeric.js';
import { arg } from '../helpers/bench.js';

const backendChoice = arg('backend', 'wasm') as BackendChoice;
const channels = Number(arg('channels', '16'));
const cellsPerStage = Number(arg('cells', '1'));
const scored = Number(arg('cellsScored', '40'));
const batches = arg('batches', '32,128').split(',').map(Number);
const inputs = arg('inputs', '28x28x1,32x32x3')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number]);
const seed = Number(arg('seed', '0'));

const report = await selectBackend(backendChoice);
const cells = sampleIndices(scored + 3, mulberry32(seed)).map(archFromIndex);
const rows: Array<Record<string, unknown>> = [];
for (const [h, w, c] of inputs) {
  const net = new Nb201SinglePath({ channels, cells: cellsPerStage, inChannels: c, classes: 10, seed });
  for (const batch of batches) {
    const x = tf.tensor4d(rand(batch * h * w * c, seed + batch), [batch, h, w, c]);
    let forwardMs = 0;
    let kernelMs = 0;
    let units = 0;
    cells.forEach((arch, i) => {
      const t0 = performance.now();
      const codes = tf.tidy(() => {
        const parts: tf.Tensor2D[] = [];
        net.logits(x, arch, { bn: { kind: 'batch' }, codes: parts });
        return tf.concat(parts, 1);
      });
      codes.dataSync();
      const t1 = performance.now();
      naswotScoreOfCodes(codes);
      const t2 = performance.now();
      units = codes.shape[1];
      codes.dispose();
      if (i < 3) return;
      forwardMs += t1 - t0;
      kernelMs += t2 - t1;
    });
    x.dispose();
    const perCell = (forwardMs + kernelMs) / scored;
    rows.push({
      input: `${h}x${w}x${c}`,
      batch,
      cellsPerSecond: Math.round((1000 / perCell) * 10) / 10,
      msPerCell: Math.round(perCell * 100) / 100,
      forwardMs: Math.round((forwardMs / scored) * 100) / 100,
      kernelAndLogdetMs: Math.round((kernelMs / scored) * 100) / 100,
      reluUnits: units,
    });
  }
  net.dispose();
}
console.log(
  JSON.stringify(
    { bench: 'naswot', backend: report.selected, channels, cellsPerStage, cellsScored: scored, results: rows },
    null,
    2,
  ),
);
