/**
 * The weight-sharing evaluator (main/engine/search/oneshot/evaluator.ts) on a tiny single-path NB201 network (C = 2,
 * one cell per stage, 8x8 grey bands): BN recalibration records every BN layer of the path and, on its own batch,
 * reproduces the batch-statistics forward pass; accuracies are cached per cell; single-path training is repeatable
 * for a seed and touches only the sampled path's weights per step; the stored supernet reads back exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSource } from '../../main/data/batches.js';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { BnStats, Nb201SinglePath } from '../../main/engine/spaces/nb201/single-path.js';
import {
  InheritedWeightEvaluator,
  batchOf,
  loadSupernet,
  saveSupernet,
  trainSinglePath,
  type OneShotData,
} from '../../main/engine/search/oneshot/evaluator.js';
import { scratch } from '../helpers/scratch.js';

const SIZE = 8;
const CLASSES = 3;
const PER_CLASS = 12;
const CONFIG = { channels: 2, cells: 1, inChannels: 1, classes: CLASSES, seed: 3 };
const TRAIN = { epochs: 2, batch: 6, lr: 0.05, lrMin: 0.001, momentum: 0.9, weightDecay: 3e-4, gradClip: 5, seed: 4 };

/** Class c: a bright band over rows 2c..2c+2, plus noise; images in class order. */
function bands(): OneShotData {
  const rng = mulberry32(8);
  const n = CLASSES * PER_CLASS;
  const pixels = new Uint8Array(n * SIZE * SIZE);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / PER_CLASS);
    labels.push(c);
    for (let k = 0; k < SIZE * SIZE; k++)
      pixels[i * SIZE * SIZE + k] = Math.floor(rng() * 50) + (Math.floor(Math.floor(k / SIZE) / 2) === c ? 180 : 0);
  }
  const images: ImageSource = {
    shape: { width: SIZE, height: SIZE, channels: 1 },
    gather: (idx) => {
      const out = new Uint8Array(idx.length * SIZE * SIZE);
      for (let j = 0; j < idx.length; j++)
        out.set(pixels.subarray(idx[j]! * SIZE * SIZE, (idx[j]! + 1) * SIZE * SIZE), j * SIZE * SIZE);
      return out;
    },
  };
  return { images, labels, norm: { mean: [0.4], std: [0.3] }, size: null };
}

const rows = (from: number, step: number) =>
  Array.from({ length: CLASSES * PER_CLASS }, (_, i) => i).filter((i) => i % step === from);

beforeAll(async () => {
  await selectBackend('cpu');
  await tf.setBackend('cpu');
});

describe('BN recalibration', () => {
  it('records every BN layer of the path; running statistics of one batch reproduce its batch-statistics pass', () => {
    const data = bands();
    const net = new Nb201SinglePath(CONFIG);
    const batch = rows(0, 3);
    // conv3x3 on 1<-0, conv1x1 on 3<-1, the rest skip / pool / none: 2 BNs per cell, 3 cells, + stem, 2 reductions x 2, lastact
    const arch = [3, 0, 1, 0, 2, 4];
    const stats = new BnStats();
    const b = batchOf(data, batch);
    tf.tidy(() => {
      net.logits(b.x, arch, { bn: { kind: 'calibrate', stats } });
    });
    expect(stats.layers).toBe(1 + 3 * 2 + 2 * 2 + 1);
    const viaBatch = tf.tidy(() => net.logits(b.x, arch, { bn: { kind: 'batch' } }).arraySync());
    const viaRunning = tf.tidy(() => net.logits(b.x, arch, { bn: { kind: 'running', stats } }).arraySync());
    viaRunning.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(viaBatch[i]![j]!, 4)));
    expect(() => new BnStats().get('stem.bn')).toThrow(/recalibrate/);
    tf.dispose([b.x, b.labels]);
    net.dispose();
  });

  it('averages the per-batch statistics over the calibration batches', () => {
    const s = new BnStats();
    s.add('l', Float32Array.of(1, 2), Float32Array.of(4, 4));
    s.add('l', Float32Array.of(3, 2), Float32Array.of(2, 6));
    expect(s.get('l')).toEqual({ mean: Float32Array.of(2, 2), variance: Float32Array.of(3, 5) });
  });
});

describe('the inherited-weight evaluator', () => {
  it('caches each cell: a second call costs nothing and returns the same accuracy; no tensor leaks', () => {
    const data = bands();
    const net = new Nb201SinglePath(CONFIG);
    const ev = new InheritedWeightEvaluator(net, data, {
      calibration: [rows(0, 3), rows(1, 3)],
      validation: rows(2, 3),
      batch: 5,
    });
    const a = ev.accuracy([3, 3, 3, 3, 3, 3]);
    const before = tf.memory().numTensors;
    expect(ev.accuracy([3, 3, 3, 3, 3, 3])).toBe(a);
    expect(ev.evaluations).toBe(1);
    ev.accuracy([1, 1, 1, 1, 1, 1]);
    expect(ev.evaluations).toBe(2);
    expect(ev.cached).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThanOrEqual(1);
    expect(() => new InheritedWeightEvaluator(net, data, { calibration: [], validation: [1], batch: 4 })).toThrow(
      /recalibration needs/,
    );
    net.dispose();
  });

  it('single-path training is repeatable for a seed, and the stored supernet reads back to the same accuracies', async () => {
    const data = bands();
    const train = rows(0, 2);
    const nets = [new Nb201SinglePath(CONFIG), new Nb201SinglePath(CONFIG)];
    const out = [];
    for (const n of nets) out.push(await trainSinglePath(n, data, train, TRAIN));
    expect(out[0]).toEqual(out[1]);
    expect(out[0]!.steps).toBe(2 * Math.floor(train.length / TRAIN.batch));
    expect(Number.isFinite(out[0]!.loss)).toBe(true);
    const [a, b] = nets.map((n) => n.weights.snapshot());
    for (const [k, v] of a!) expect(b!.get(k)).toEqual(v);
    // training moved the weights
    const fresh = new Nb201SinglePath(CONFIG);
    expect([...fresh.weights.snapshot()].some(([k, v]) => v.some((x, i) => x !== a!.get(k)![i]))).toBe(true);

    const dir = path.join(scratch(), 'supernet');
    saveSupernet(dir, nets[0]!, { epochs: TRAIN.epochs });
    expect(fs.existsSync(path.join(dir, 'manifest.json'))).toBe(true);
    const restored = new Nb201SinglePath({ ...CONFIG, seed: 99 });
    expect(loadSupernet(dir, restored)).toBe(true);
    const opts = { calibration: [rows(0, 2).slice(0, 6)], validation: rows(1, 2), batch: 6 };
    const cell = [3, 2, 3, 1, 3, 2];
    expect(new InheritedWeightEvaluator(restored, data, opts).accuracy(cell)).toBe(
      new InheritedWeightEvaluator(nets[0]!, data, opts).accuracy(cell),
    );
    expect(loadSupernet(path.join(scratch(), 'none'), fresh)).toBe(false);
    for (const n of [...nets, fresh, restored]) n.dispose();
  });

  it('a training step changes only the sampled path (an unused edge keeps its initial weights)', async () => {
    const data = bands();
    const net = new Nb201SinglePath(CONFIG);
    const before = net.weights.snapshot();
    // one step: batch = all 6 rows
    await trainSinglePath(net, data, rows(0, 6), { ...TRAIN, epochs: 1, batch: 6 });
    const after = net.weights.snapshot();
    const changed = [...before].filter(([k, v]) => v.some((x, i) => x !== after.get(k)![i])).map(([k]) => k);
    expect(changed).toContain('stem.conv');
    const convs = changed.filter((k) => k.includes('nor_conv'));
    // the sampled path uses at most one of each edge's two convolutions, in each of the 3 cells
    expect(convs.length).toBeLessThanOrEqual(3 * 6);
    for (let cell = 0; cell < 5; cell++) {
      for (const edge of ['1<-0', '2<-0', '2<-1', '3<-0', '3<-1', '3<-2']) {
        const both = ['nor_conv_1x1', 'nor_conv_3x3'].filter((op) => convs.includes(`cells.${cell}.edge${edge}.${op}`));
        expect(both.length).toBeLessThanOrEqual(1);
      }
    }
    net.dispose();
  });
});
