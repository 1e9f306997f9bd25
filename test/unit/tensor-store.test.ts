import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PackedImageWriter, PackedImages, readImages } from '../../main/data/tensor-store.js';
import { scratch } from '../helpers/scratch.js';

describe('tensor store', () => {
  it('writes images through a small buffer and reads them back whole, gathered and by row', () => {
    const dir = scratch();
    const file = path.join(dir, 'images.u8');
    const shape = { width: 3, height: 2, channels: 3 as const };
    const w = new PackedImageWriter(file, shape, 40); // smaller than 3 images: forces several flushes
    for (let i = 0; i < 7; i++) w.append(new Uint8Array(18).fill(i * 10));
    w.close();
    expect(w.count).toBe(7);
    const images = PackedImages.load(file, shape);
    expect(images.count).toBe(7);
    expect(Array.from(images.image(3))).toEqual(new Array(18).fill(30));
    const batch = images.gather([6, 0, 6]);
    expect(batch.length).toBe(54);
    expect([batch[0], batch[18], batch[36]]).toEqual([60, 0, 60]);
    expect(readImages(file, shape, [2, 5]).map((x) => x[0])).toEqual([20, 50]);
    expect(() => images.image(7)).toThrow(RangeError);
    expect(() => w.append(new Uint8Array(5))).toThrow(/expected 18/);
  });

  it('refuses a damaged file', () => {
    const dir = scratch();
    const file = path.join(dir, 'images.u8');
    const w = new PackedImageWriter(file, { width: 2, height: 2, channels: 1 });
    w.append(new Uint8Array(4));
    w.close();
    expect(() => PackedImages.load(file, { width: 3, height: 3, channels: 1 })).toThrow(/damaged/);
  });
});

describe('batch tensors', () => {
  it('turns gathered rows into a float32 NHWC tensor in [0, 1] without leaking', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { batchTensor } = await import('../../main/data/batches.js');
    await tf.setBackend('cpu');
    const dir = scratch();
    const file = path.join(dir, 'images.u8');
    const shape = { width: 2, height: 2, channels: 1 as const };
    const w = new PackedImageWriter(file, shape);
    for (let i = 0; i < 4; i++) w.append(Uint8Array.from([0, 51, 102, 255].map((v) => (v + i) % 256)));
    w.close();
    const images = PackedImages.load(file, shape);
    const before = tf.memory().numTensors;
    const batch = batchTensor(images, [3, 0]);
    expect(batch.shape).toEqual([2, 2, 2, 1]);
    expect(batch.dtype).toBe('float32');
    const v = await batch.data();
    expect(v[0]).toBeCloseTo(3 / 255, 6);
    expect(v[4]).toBeCloseTo(0, 6);
    expect(v[7]).toBeCloseTo(1, 6);
    batch.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
