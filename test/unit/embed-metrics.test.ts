import { describe, expect, it } from 'vitest';
import { latentMap } from '../../main/engine/embed/map.js';
import {
  exactKnn,
  knnAgreement,
  meanPsnr,
  meanSsim,
  psnr,
  PSNR_CAP,
  silhouette,
  ssim,
  stratifiedSample,
} from '../../main/engine/embed/metrics.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';

function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** `classes` gaussian clusters in `dim` dimensions, centres `sep` apart along distinct axes (or random). */
function clusters(n: number, dim: number, classes: number, sep: number, noise: number, seed: number) {
  const rng = mulberry32(seed);
  const centres = new Float64Array(classes * dim);
  for (let c = 0; c < classes; c++) for (let t = 0; t < dim; t++) centres[c * dim + t] = gaussian(rng) * sep;
  const e = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let t = 0; t < dim; t++) e[i * dim + t] = centres[c * dim + t]! + noise * gaussian(rng);
  }
  return { e, labels };
}

describe('exactKnn', () => {
  it('matches brute force, ties by index', () => {
    const rng = mulberry32(5);
    const n = 700;
    const dim = 6; // not a multiple of 4: exercises the remainder loop
    const e = new Float32Array(n * dim);
    // coarse grid values make exact distance ties common
    for (let i = 0; i < e.length; i++) e[i] = Math.floor(rng() * 4);
    const k = 7;
    const got = exactKnn(e, dim, k);
    for (let i = 0; i < n; i++) {
      const all: { j: number; d: number }[] = [];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        let d = 0;
        for (let t = 0; t < dim; t++) d += (e[i * dim + t]! - e[j * dim + t]!) ** 2;
        all.push({ j, d });
      }
      all.sort((a, b) => a.d - b.d || a.j - b.j);
      expect(Array.from(got.indices.subarray(i * k, (i + 1) * k))).toEqual(all.slice(0, k).map((a) => a.j));
      expect(Array.from(got.sqDistances.subarray(i * k, (i + 1) * k))).toEqual(all.slice(0, k).map((a) => a.d));
    }
  });
});

describe('knnAgreement', () => {
  it('hand-computed 1-D case, label and distance ties', () => {
    const e = Float32Array.from([0, 1, 2, 10, 11, 12]);
    const labels = [0, 0, 1, 1, 1, 0];
    // k=2: 0 -> {1:l0, 2:l1} tie -> nearest l0 ok; 1 -> {0, 2} equal distance, index 0 first -> l0 ok;
    // 2 -> {1, 0} l0 wrong; 10 -> l1 ok; 11 -> {10, 12} equal, 10 first -> l1 ok; 12 -> {11, 10} l1 wrong.
    expect(knnAgreement(e, 1, labels, 2)).toBeCloseTo(4 / 6, 12);
    // k=3: only 10 and 11 agree
    expect(knnAgreement(e, 1, labels, 3)).toBeCloseTo(2 / 6, 12);
    expect(knnAgreement(e, 1, labels, 1)).toBeCloseTo(4 / 6, 12); // 0 ok, 1 ok (index tie), 2 no, 10 ok, 11 ok (10 first), 12 no
  });

  it('≈ 1 on separated clusters, ≈ chance on random labels', () => {
    const { e, labels } = clusters(3000, 8, 10, 10, 1, 1);
    expect(knnAgreement(e, 8, labels)).toBeGreaterThan(0.99);
    const rng = mulberry32(2);
    const random = labels.map(() => Math.floor(rng() * 10));
    const a = knnAgreement(e, 8, random);
    expect(a).toBeGreaterThan(0.05);
    expect(a).toBeLessThan(0.2);
  });

  it('n = 10,000, dim = 8 is fast', () => {
    const { e, labels } = clusters(10_000, 8, 10, 2, 1, 3);
    const t0 = performance.now();
    knnAgreement(e, 8, labels);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('silhouette', () => {
  it('hand-computed 1-D cases (with a singleton: s = 0)', () => {
    const e = Float32Array.from([0, 1, 4, 6]);
    const expected = ((5 - 1) / 5 + (4 - 1) / 4 + (3.5 - 2) / 3.5 + (5.5 - 2) / 5.5) / 4;
    expect(silhouette(e, 1, [0, 0, 1, 1])).toBeCloseTo(expected, 12);
    // add a singleton class at 10: its s = 0, and it is a candidate for b
    const e2 = Float32Array.from([0, 1, 4, 6, 10]);
    const s0 = (5 - 1) / 5; // b: class1 mean 5, class2 10
    const s1 = (4 - 1) / 4;
    const s4 = (3.5 - 2) / 3.5; // class0 3.5, class2 6
    const s6 = (4 - 2) / 4; // class0 5.5, class2 4 -> b = 4
    expect(silhouette(e2, 1, [0, 0, 1, 1, 2])).toBeCloseTo((s0 + s1 + s4 + s6 + 0) / 5, 12);
  });

  it('≈ 1 for separated clusters, ≈ 0 for overlapping ones; subsampling is seeded', () => {
    const sep = clusters(1000, 8, 5, 50, 1, 4);
    expect(silhouette(sep.e, 8, sep.labels)).toBeGreaterThan(0.8);
    const ov = clusters(1000, 8, 5, 0, 1, 4);
    expect(Math.abs(silhouette(ov.e, 8, ov.labels))).toBeLessThan(0.05);
    const a = silhouette(sep.e, 8, sep.labels, { maxPoints: 300, seed: 7 });
    expect(silhouette(sep.e, 8, sep.labels, { maxPoints: 300, seed: 7 })).toBe(a);
    expect(a).toBeGreaterThan(0.8);
  });

  it('stratifiedSample keeps class proportions', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : i < 990 ? 1 : 2));
    const s = stratifiedSample(labels, 100, 3);
    expect(s.length).toBe(100);
    expect(new Set(s).size).toBe(100);
    const count = (c: number) => s.filter((i) => labels[i] === c).length;
    expect([count(0), count(1), count(2)]).toEqual([70, 29, 1]);
    expect(stratifiedSample(labels, 100, 3)).toEqual(s);
  });
});

describe('psnr', () => {
  it('known values', () => {
    const a = new Uint8Array(100).fill(100);
    const b = a.map((v) => v + 1); // MSE 1
    expect(psnr(a, b)).toBeCloseTo(48.1308, 3);
    expect(psnr(a, a)).toBe(PSNR_CAP);
    const c = new Uint8Array(100).fill(0);
    const d = new Uint8Array(100).fill(255);
    expect(psnr(c, d)).toBeCloseTo(0, 12);
    const e = a.map((v) => v + 10); // MSE 100 -> 28.13
    expect(psnr(a, e)).toBeCloseTo(48.1308 - 20, 3);
    expect(meanPsnr(Uint8Array.from([...a, ...a]), Uint8Array.from([...b, ...e]), 10, 10, 1)).toBeCloseTo(
      48.1308 - 10,
      3,
    );
  });
});

/** Deterministic test images; the formulas are mirrored in the numpy/scipy reference noted below. */
function image(w: number, h: number, c: number, f: (x: number, y: number, k: number) => number): Uint8Array {
  const out = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = f(x, y, k);
  return out;
}

describe('ssim', () => {
  it('1 for identical, the closed form for a constant shift', () => {
    const rng = mulberry32(9);
    const a = image(28, 28, 1, () => Math.floor(rng() * 256));
    expect(ssim(a, a, 28, 28, 1)).toBe(1);
    const p = new Uint8Array(20 * 20).fill(100);
    const q = new Uint8Array(20 * 20).fill(110);
    const c1 = (0.01 * 255) ** 2;
    expect(ssim(p, q, 20, 20, 1)).toBeCloseTo((2 * 100 * 110 + c1) / (100 ** 2 + 110 ** 2 + c1), 12);
  });

  it("matches skimage's structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)", () => {
    // Reference values from skimage's algorithm re-run in numpy/scipy (gaussian_filter sigma 1.5, truncate 3.5,
    // crop 5 px, mean; per channel then averaged).
    const f1 = (x: number, y: number) => (x * 16 + y * 7) % 256;
    const a = image(16, 16, 1, f1);
    const b = image(16, 16, 1, (x, y) => Math.min(255, f1(x, y) + ((x * y) % 13) * 3));
    expect(ssim(a, b, 16, 16, 1)).toBeCloseTo(0.9334358505652722, 10);
    const f = (x: number, y: number, k: number) => (x * 37 + y * 11 + k * 50 + ((x * y) % 7) * 9) % 256;
    const g = (x: number, y: number, k: number) =>
      k === 2 ? 255 - f(x, y, k) : Math.floor(f(x, y, k) / 2) + ((x + y) % 5) * 20;
    // width 13, height 12, 3 channels (per channel 0.71813, 0.70775, -0.96790)
    expect(ssim(image(13, 12, 3, f), image(13, 12, 3, g), 13, 12, 3)).toBeCloseTo(0.15265718704135803, 10);
  });

  it('symmetric, below 1 and decreasing with noise; meanSsim averages', () => {
    const rng = mulberry32(11);
    const w = 32;
    const a = image(w, w, 3, (x, y, k) => (x * 8 + y * 3 + k * 40) % 256);
    const noisy = (amp: number) => a.map((v) => Math.max(0, Math.min(255, Math.round(v + amp * gaussian(rng)))));
    const values = [5, 20, 60].map((amp) => ssim(a, noisy(amp), w, w, 3));
    expect(values[0]).toBeLessThan(1);
    expect(values[0]).toBeGreaterThan(values[1]!);
    expect(values[1]).toBeGreaterThan(values[2]!);
    const n = noisy(20);
    expect(ssim(n, a, w, w, 3)).toBeCloseTo(ssim(a, n, w, w, 3), 14);
    const batchA = Uint8Array.from([...a, ...a]);
    const batchB = Uint8Array.from([...a, ...n]);
    expect(meanSsim(batchA, batchB, w, w, 3)).toBeCloseTo((1 + ssim(a, n, w, w, 3)) / 2, 14);
    // small images use a 7x7 window
    const s = image(8, 8, 1, (x, y) => x * 30 + y);
    expect(ssim(s, s, 8, 8, 1)).toBe(1);
  });
});

describe('latentMap', () => {
  function centroidAgreement(points: Float32Array, rows: number[], labels: ArrayLike<number>, classes: number) {
    const cx = new Float64Array(classes);
    const cy = new Float64Array(classes);
    const cn = new Float64Array(classes);
    rows.forEach((r, i) => {
      cx[labels[r]!]! += points[2 * i]!;
      cy[labels[r]!]! += points[2 * i + 1]!;
      cn[labels[r]!]!++;
    });
    let ok = 0;
    rows.forEach((r, i) => {
      let best = -1;
      let bd = Infinity;
      for (let c = 0; c < classes; c++) {
        const d = (points[2 * i]! - cx[c]! / cn[c]!) ** 2 + (points[2 * i + 1]! - cy[c]! / cn[c]!) ** 2;
        if (d < bd) {
          bd = d;
          best = c;
        }
      }
      if (best === labels[r]) ok++;
    });
    return ok / rows.length;
  }

  it('UMAP: deterministic, finite, stratified subsample, separated clusters stay separated', () => {
    const { e, labels } = clusters(1200, 8, 4, 10, 1, 12);
    const a = latentMap(e, 8, { maxPoints: 400, seed: 3, labels, nEpochs: 200 });
    const b = latentMap(e, 8, { maxPoints: 400, seed: 3, labels, nEpochs: 200 });
    expect(a.method).toBe('umap');
    expect(a.indices.length).toBe(400);
    expect(a.points.length).toBe(800);
    expect(Array.from(a.points)).toEqual(Array.from(b.points));
    expect(a.indices).toEqual(b.indices);
    expect(a.points.every(Number.isFinite)).toBe(true);
    for (let c = 0; c < 4; c++) expect(a.indices.filter((r) => labels[r] === c).length).toBe(100);
    expect(centroidAgreement(a.points, a.indices, labels, 4)).toBeGreaterThanOrEqual(0.9);
    const other = latentMap(e, 8, { maxPoints: 400, seed: 4, labels, nEpochs: 200 });
    expect(Array.from(other.points)).not.toEqual(Array.from(a.points));
  });

  it('t-SNE: deterministic and separating; tiny inputs', () => {
    const { e, labels } = clusters(200, 8, 4, 10, 1, 13);
    const a = latentMap(e, 8, { seed: 1, method: 'tsne', nEpochs: 300 });
    const b = latentMap(e, 8, { seed: 1, method: 'tsne', nEpochs: 300 });
    expect(Array.from(a.points)).toEqual(Array.from(b.points));
    expect(a.points.every(Number.isFinite)).toBe(true);
    expect(centroidAgreement(a.points, a.indices, labels, 4)).toBeGreaterThanOrEqual(0.9);
    expect(latentMap(new Float32Array(0), 8).points.length).toBe(0);
    expect(Array.from(latentMap(new Float32Array(16), 8).points)).toEqual([-1, 0, 1, 0]);
    expect(latentMap(e.subarray(0, 5 * 8), 8, { seed: 1 }).points.every(Number.isFinite)).toBe(true);
  });
});
