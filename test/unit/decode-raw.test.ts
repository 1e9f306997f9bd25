/** The image decoder on raw payloads (the JS resampler, the sharp path) and decodeMany over many payloads. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeMany, resampleLanczos3, rgbToGrey } from '../../main/data/decode.js';
import type { DecodeError, Payload } from '../../main/data/types.js';
import { RGB8, pixel, reasonOf, useDecodeFixtures } from '../helpers/decode.js';

const file = useDecodeFixtures();

describe('raw payloads', () => {
  const raw = (width: number, height: number, channels: 1 | 3, data: Uint8Array): Payload => ({
    kind: 'raw',
    width,
    height,
    channels,
    data,
  });

  it('fast path: same size and channels returns identical bytes in a new array (a view is fine)', async () => {
    const big = new Uint8Array(3 * 784);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 255;
    const view = big.subarray(784, 2 * 784);
    const out = await decodeImage(raw(28, 28, 1, view), { size: 28, channels: 1, fit: 'cover' });
    expect(out).toEqual(view);
    expect(out.buffer).not.toBe(big.buffer);
    expect(out.byteOffset).toBe(0);
  });

  it('channel conversions without resizing: grey -> RGB replicates, RGB -> grey is BT.601 luma', async () => {
    const grey = Uint8Array.from([0, 50, 128, 255]);
    expect(Array.from(await decodeImage(raw(2, 2, 1, grey), { size: 2, channels: 3, fit: 'fill' }))).toEqual([
      0, 0, 0, 50, 50, 50, 128, 128, 128, 255, 255, 255,
    ]);
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    expect(Array.from(await decodeImage(raw(2, 2, 3, rgb), { size: 2, channels: 1, fit: 'fill' }))).toEqual([
      76, 150, 29, 18,
    ]);
    expect(Array.from(rgbToGrey(Uint8Array.from([7, 7, 7, 200, 200, 200]), 2))).toEqual([7, 200]);
  });

  it('resizes: 28×28 grey -> 32×32 RGB, CIFAR-like 32×32 RGB -> 16×16 grey', async () => {
    const digit = new Uint8Array(28 * 28);
    for (let y = 8; y < 20; y++) for (let x = 8; x < 20; x++) digit[y * 28 + x] = 255;
    const up = await decodeImage(raw(28, 28, 1, digit), { size: 32, channels: 3, fit: 'fill' });
    expect(up.length).toBe(32 * 32 * 3);
    expect(pixel(up, 32, 3, 16, 16)).toEqual([255, 255, 255]);
    expect(pixel(up, 32, 3, 1, 1)).toEqual([0, 0, 0]);
    const cifar = new Uint8Array(32 * 32 * 3);
    for (let i = 0; i < cifar.length; i += 3) cifar.set([200, 100, 50], i);
    const down = await decodeImage(raw(32, 32, 3, cifar), { size: 16, channels: 1, fit: 'cover' });
    expect(down.length).toBe(256);
    expect(new Set(down)).toEqual(new Set([Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)]));
  });

  it('the JS resampler for small records matches sharp when shrinking, for every fit', async () => {
    // a smooth-ish RGB test card with detail at every scale
    const w = 60;
    const h = 38;
    const src = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        src.set([(x * 4) & 255, (y * 6 + ((x >> 3) & 1) * 90) & 255, ((x * y) >> 2) & 255], (y * w + x) * 3);
      }
    }
    for (const size of [32, 17, 8]) {
      for (const fit of ['cover', 'contain', 'fill'] as const) {
        const ours = resampleLanczos3(src, w, h, 3, size, fit);
        const theirs = await sharp(src, { raw: { width: w, height: h, channels: 3 } })
          .resize(size, size, { fit, kernel: 'lanczos3', background: { r: 0, g: 0, b: 0, alpha: 1 } })
          .raw()
          .toBuffer();
        let err = 0;
        for (let i = 0; i < ours.length; i++) err += Math.abs(ours[i]! - theirs[i]!);
        // measured 0.3–2.7 levels on this harsh card (libvips pre-shrinks by whole factors with a box filter)
        expect(err / ours.length, `${size} ${fit}`).toBeLessThan(3.5);
      }
    }
  });

  it('the JS resampler is centre-aligned when enlarging (symmetric input, symmetric output)', () => {
    // (libvips' upsampling is offset by about half an output pixel; ours is not)
    const src = new Uint8Array(8 * 8);
    for (let y = 0; y < 8; y++) src.set([200, 200], y * 8 + 3);
    for (const size of [16, 11, 32]) {
      const out = resampleLanczos3(src, 8, 8, 1, size, 'fill');
      const row = Array.from(out.subarray(0, size));
      expect(row, String(size)).toEqual([...row].reverse());
      expect(Math.max(...row)).toBeGreaterThan(190);
    }
    // a 2×2 image enlarged: corners keep their values' order, edges repeat, nothing is NaN or out of range
    const tiny = resampleLanczos3(Uint8Array.from([0, 255, 255, 0]), 2, 2, 1, 5, 'fill');
    expect(tiny.length).toBe(25);
    expect(tiny[0]).toBeLessThan(60);
    expect(tiny[4]).toBeGreaterThan(195);
  });

  it('large records go through sharp (1-channel in, the right channels out)', async () => {
    const big = new Uint8Array(300 * 300);
    for (let i = 0; i < big.length; i++) big[i] = i % 300 < 150 ? 30 : 220;
    const grey = await decodeImage(raw(300, 300, 1, big), { size: 10, channels: 1, fit: 'fill' });
    expect(grey.length).toBe(100);
    expect(grey[0]).toBe(30);
    expect(grey[9]).toBe(220);
    const rgb = await decodeImage(raw(300, 300, 1, big), { size: 10, channels: 3, fit: 'fill' });
    expect(pixel(rgb, 10, 3, 9, 9)).toEqual([220, 220, 220]);
  });

  it('rejects a record of the wrong length', async () => {
    expect(
      await reasonOf(decodeImage(raw(28, 28, 1, new Uint8Array(700)), { size: 28, channels: 1, fit: 'fill' })),
    ).toBe('record has 700 bytes, expected 784 for 28×28×1');
  });
});

describe('decodeMany', () => {
  it('delivers results in order with bounded concurrency, errors in place', async () => {
    const n = 3000;
    const big = new Uint8Array(n * 16);
    for (let i = 0; i < n; i++) big.fill(i & 255, i * 16, i * 16 + 16);
    const payloads: Payload[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 500 === 7) payloads.push(file('empty.png'));
      else if (i % 500 === 9) payloads.push(file('rgb.png'));
      else payloads.push({ kind: 'raw', width: 4, height: 4, channels: 1, data: big.subarray(i * 16, i * 16 + 16) });
    }
    const seen: number[] = [];
    await decodeMany(
      payloads,
      { size: 4, channels: 1, fit: 'fill' },
      {
        concurrency: 3,
        onEach: (i, r) => {
          seen.push(i);
          if (i % 500 === 7) expect((r as DecodeError).reason).toBe('empty file (0 bytes)');
          else if (i % 500 === 9) expect(r).toBeInstanceOf(Uint8Array);
          else expect(Array.from(r as Uint8Array)).toEqual(new Array(16).fill(i & 255));
        },
      },
    );
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('lets the event loop run during long runs of raw images (cancel and progress stay responsive)', async () => {
    const digit = new Uint8Array(28 * 28).fill(9);
    const payloads: Payload[] = Array.from({ length: 6000 }, () => ({
      kind: 'raw',
      width: 28,
      height: 28,
      channels: 1,
      data: digit,
    }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    let done = 0;
    const t0 = performance.now();
    await decodeMany(payloads, { size: 32, channels: 1, fit: 'cover' }, { onEach: () => done++ });
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect(done).toBe(6000);
    if (ms > 100) expect(ticks).toBeGreaterThan(0);
    console.log(`decodeMany: 6,000 raw 28×28 -> 32×32 in ${ms.toFixed(0)} ms, ${ticks} timer ticks`);
  });

  it('stops starting images when the signal fires, and rejects when onEach throws', async () => {
    const payloads: Payload[] = Array.from({ length: 1000 }, () => ({
      kind: 'raw',
      width: 2,
      height: 2,
      channels: 1,
      data: new Uint8Array(4),
    }));
    const ac = new AbortController();
    let count = 0;
    await decodeMany(
      payloads,
      { size: 2, channels: 1, fit: 'fill' },
      {
        concurrency: 4,
        signal: ac.signal,
        onEach: () => {
          if (++count === 10) ac.abort();
        },
      },
    );
    expect(count).toBeGreaterThanOrEqual(10);
    expect(count).toBeLessThan(30);
    await expect(
      decodeMany(
        payloads,
        { size: 2, channels: 1, fit: 'fill' },
        {
          onEach: (i) => {
            if (i === 5) throw new Error('disk full');
          },
        },
      ),
    ).rejects.toThrow('disk full');
    let none = 0;
    await decodeMany([], RGB8, { onEach: () => none++ });
    expect(none).toBe(0);
  });
});
