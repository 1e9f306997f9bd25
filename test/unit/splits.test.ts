import { describe, expect, it } from 'vitest';
import { assignSearchHalves, assignSplits } from '../../main/data/splits.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../../main/engine/nn/prng.js';

const labels = (counts: number[]) => counts.flatMap((n, label) => Array.from({ length: n }, () => label));
const count = <T>(xs: T[], pred: (x: T, i: number) => boolean) => xs.reduce((n, x, i) => n + (pred(x, i) ? 1 : 0), 0);

describe('stratified splits', () => {
  it('holds out the test fraction of every class, seeded', () => {
    const l = labels([100, 50, 7, 2]);
    const s = assignSplits(l, null, 0.2, 1);
    expect(count(s, (x, i) => x === 'test' && l[i] === 0)).toBe(20);
    expect(count(s, (x, i) => x === 'test' && l[i] === 1)).toBe(10);
    expect(count(s, (x, i) => x === 'test' && l[i] === 2)).toBe(1);
    // a class of two keeps one image on each side
    expect(count(s, (x, i) => x === 'test' && l[i] === 3)).toBe(1);
    expect(assignSplits(l, null, 0.2, 1)).toEqual(s);
    expect(assignSplits(l, null, 0.2, 2)).not.toEqual(s);
  });

  it('does not depend on the order images arrive in', () => {
    const l = labels([30, 30]);
    const interleaved = l.map((_, i) => (i % 2 === 0 ? 0 : 1));
    expect(count(assignSplits(interleaved, null, 0.2, 3), (x) => x === 'test')).toBe(12);
  });

  it("keeps the source's own split", () => {
    const l = [0, 0, 1, 1];
    expect(assignSplits(l, ['train', 'test', 'train', undefined], 0.2, 1)).toEqual(['train', 'test', 'train', 'train']);
  });

  it('divides training images per class into train_w and train_α halves (1:1 by default)', () => {
    const l = labels([40, 21]);
    const s = assignSplits(l, null, 0.2, 1);
    const h = assignSearchHalves(l, s, 0.5, 1);
    expect(h.every((x, i) => (s[i] === 'test') === (x === null))).toBe(true);
    expect(count(h, (x, i) => x === 'w' && l[i] === 0)).toBe(16);
    expect(count(h, (x, i) => x === 'a' && l[i] === 0)).toBe(16);
    const w1 = count(h, (x, i) => x === 'w' && l[i] === 1);
    const a1 = count(h, (x, i) => x === 'a' && l[i] === 1);
    expect(w1 + a1).toBe(17);
    expect(Math.abs(w1 - a1)).toBe(1);
    const h70 = assignSearchHalves(l, s, 0.7, 1);
    expect(count(h70, (x, i) => x === 'w' && l[i] === 0)).toBe(22);
  });
});

describe('prng', () => {
  it('is deterministic per seed and roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it('shuffles into a permutation and derives distinct streams', () => {
    const arr = Array.from({ length: 50 }, (_, i) => i);
    shuffleInPlace(arr, mulberry32(1));
    expect([...arr].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(arr).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
  });
});
