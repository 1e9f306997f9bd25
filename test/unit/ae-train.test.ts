/**
 * A tiny autoencoder on a tiny synthetic dataset, on the wasm backend (what trains here): it trains without
 * unregistered kernels, the loss goes down, no tensor leaks across epochs, cancel works, and the same seed
 * gives the same losses. Plus shapes for every input-size mode and the weights round trip.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { PackedImages, PackedImageWriter, type ImageShape } from '../../main/data/tensor-store.js';
import { Autoencoder, internalGeometry } from '../../main/engine/embed/autoencoder.js';
import {
  calibrateBatchNorm,
  embedAll,
  reconstruct,
  trainAutoencoder,
  type AeEpochEvent,
} from '../../main/engine/embed/train.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { useBackend } from '../helpers/wasm.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-train-test-'));

/** n images of 3 classes: a bright 8×8 square at a class-specific place, plus noise. */
function synthetic(
  n: number,
  size: number,
  channels: 1 | 3,
  seed: number,
): { images: PackedImages; labels: Int32Array } {
  const shape: ImageShape = { width: size, height: size, channels };
  const file = path.join(dir, `synth-${n}-${size}-${channels}-${seed}.u8`);
  const w = new PackedImageWriter(file, shape);
  const rng = mulberry32(seed);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    const px = new Uint8Array(size * size * channels);
    const ox = [2, size - 12, Math.floor(size / 2) - 4][c]!;
    const oy = [2, 4, size - 12][c]!;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let k = 0; k < channels; k++) {
          const inside = x >= ox && x < ox + 8 && y >= oy && y < oy + 8;
          px[(y * size + x) * channels + k] = Math.min(255, Math.floor((inside ? 200 : 10) + rng() * 40));
        }
    w.append(px);
  }
  w.close();
  return { images: PackedImages.load(file, shape), labels };
}

useBackend('wasm');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TINY = { inputSize: 28, channels: 1 as const, dim: 4, width: 4 };

describe('trainAutoencoder (wasm)', () => {
  const { images, labels } = synthetic(48, 28, 1, 1);
  const train = Array.from({ length: 48 }, (_, i) => i);

  it('trains (contractive): loss goes down, tensors constant across epochs, deterministic given the seed', async () => {
    const run = async () => {
      const ae = new Autoencoder({ ...TINY, seed: 3 });
      const counts: number[] = [];
      const history: AeEpochEvent[] = [];
      const res = await trainAutoencoder(ae, images, labels, train, {
        losses: ['contractive'],
        kendall: false,
        epochs: 4,
        batch: 8,
        lr: 3e-3,
        seed: 11,
        onEpoch: (e) => {
          history.push(e);
          counts.push(tf.memory().numTensors);
        },
      });
      const z = embedAll(ae, images);
      ae.dispose();
      return { res, counts, history, z };
    };
    const before = tf.memory().numTensors;
    const a = await run();
    expect(tf.memory().numTensors).toBe(before);
    const b = await run();
    expect(a.history.length).toBe(4);
    expect(a.history[3]!.loss).toBeLessThan(a.history[0]!.loss);
    expect(Object.keys(a.history[0]!.terms).sort()).toEqual(['contractive', 'jacobian', 'mse']);
    // optimizer slots are created in epoch 1; from then on the count is constant
    expect(new Set(a.counts.slice(1)).size).toBe(1);
    expect(b.history.map((e) => e.loss)).toEqual(a.history.map((e) => e.loss));
    expect(Array.from(b.z)).toEqual(Array.from(a.z));
  });

  it('trains triplet + MSE under Kendall weighting and reports the weights', async () => {
    const ae = new Autoencoder({ ...TINY, seed: 4 });
    const res = await trainAutoencoder(ae, images, labels, train, {
      losses: ['triplet', 'mse'],
      kendall: true,
      epochs: 2,
      batch: 12,
      lr: 1e-2,
      seed: 1,
    });
    const last = res.history[1]!;
    expect(Object.keys(last.terms)).toEqual(['mse', 'triplet']);
    expect(Object.keys(last.weights!)).toEqual(['mse', 'triplet']);
    expect(Object.values(last.weights!).every((w) => Number.isFinite(w) && w > 0)).toBe(true);
    expect(Object.keys(res.logVars!)).toEqual(['mse', 'triplet']);
    ae.dispose();
  });

  it('runs the cosine and circle losses', async () => {
    const ae = new Autoencoder({ ...TINY, seed: 5 });
    const res = await trainAutoencoder(ae, images, labels, train, {
      losses: ['cosine', 'circle', 'mse'],
      kendall: false,
      epochs: 1,
      batch: 12,
      lr: 1e-3,
      seed: 1,
    });
    expect(Object.values(res.history[0]!.terms).every(Number.isFinite)).toBe(true);
    ae.dispose();
  });

  it('cancels with an AbortError and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const ae = new Autoencoder({ ...TINY, seed: 6 });
    const ctl = new AbortController();
    const p = trainAutoencoder(ae, images, labels, train, {
      losses: ['contractive'],
      kendall: false,
      epochs: 50,
      batch: 8,
      lr: 1e-3,
      seed: 1,
      signal: ctl.signal,
      yieldEvery: 1,
    });
    setImmediate(() => ctl.abort());
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    ae.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Autoencoder', () => {
  it('handles 28..64 px (pad / resize / 64) and 1 or 3 channels, with gradients on wasm', () => {
    expect(internalGeometry(28)).toEqual({ size: 32, mode: 'pad' });
    expect(internalGeometry(32)).toEqual({ size: 32, mode: 'same' });
    expect(internalGeometry(36)).toEqual({ size: 32, mode: 'resize' });
    expect(internalGeometry(50)).toEqual({ size: 64, mode: 'pad' });
    expect(() => internalGeometry(27)).toThrow(/28 to 64/);
    for (const [size, channels] of [
      [36, 3],
      [50, 1],
      [64, 3],
    ] as const) {
      const ae = new Autoencoder({ inputSize: size, channels, dim: 6, seed: 1, width: 4 });
      const x = tf.randomUniform([2, size, size, channels], 0, 1, 'float32', 1) as tf.Tensor4D;
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(ae.decode(ae.encode(x, true), true), x))) as tf.Scalar,
        ae.trainableVariables(),
      );
      expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
      expect(Object.keys(grads).length).toBe(ae.trainableVariables().length);
      const y = ae.decode(ae.encode(x, false), false);
      expect(y.shape).toEqual([2, size, size, channels]);
      tf.dispose([x, value, y, ...Object.values(grads)]);
      ae.dispose();
    }
  });

  it('same seed → same weights; getWeights/setWeights round trip reproduces embeddings and reconstructions', async () => {
    const { images, labels } = synthetic(12, 28, 1, 2);
    const a = new Autoencoder({ ...TINY, seed: 9 });
    const b = new Autoencoder({ ...TINY, seed: 9 });
    expect(a.getWeights()['enc.1.w']!.data).toEqual(b.getWeights()['enc.1.w']!.data);
    await calibrateBatchNorm(
      a,
      images,
      Array.from({ length: 12 }, (_, i) => i),
      6,
    );
    void labels;
    const c = new Autoencoder({ ...TINY, seed: 1 });
    c.setWeights(a.getWeights());
    expect(Array.from(embedAll(c, images, 5))).toEqual(Array.from(embedAll(a, images)));
    const ra = reconstruct(a, images, [0, 5, 7]);
    expect(ra.length).toBe(3 * 28 * 28);
    expect(Array.from(reconstruct(c, images, [0, 5, 7]))).toEqual(Array.from(ra));
    const bad = a.getWeights();
    bad['enc.0.w'] = { data: new Float32Array(3), shape: [3] };
    expect(() => c.setWeights(bad)).toThrow(/shape/);
    [a, b, c].forEach((m) => m.dispose());
  });
});
