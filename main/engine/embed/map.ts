/**
 * The 2-D map of the latent space (issue 5): up to 2,000 embeddings laid out by UMAP (umap-js, the PAIR-code
 * port of McInnes et al.'s umap-learn) and coloured by class in the UI.
 *
 * Decisions
 * - Subsample: above `maxPoints`, a seeded sample stratified by label (`stratifiedSample`), or uniform when
 *   no labels are given; `indices` says which rows were used, ascending, and `points` follows that order.
 * - The k-NN graph is computed EXACTLY (the blocked brute force of metrics.ts, self included as umap-learn
 *   does) and handed to umap-js with `setPrecomputedKNN`, which replaces its approximate NN-descent: exact,
 *   faster at this size, and one less source of randomness.
 * - nNeighbors 15, minDist 0.1, spread 1, 2 components; every random draw of umap-js comes from a seeded
 *   mulberry32 (`random` option), so the same seed gives the same map (same Node/V8). umap-js initialises
 *   randomly (no spectral init); the epochs are what recovers the global structure.
 * - nEpochs: 500 (umap-learn's default below 10,000 points) for up to 2,000 points (~5 s for 2,000 points of
 *   dim 8 on one core), 200 above that.
 * - Tiny inputs: 0 points -> empty; 1 -> (0, 0); 2 -> (−1, 0), (1, 0); from 3 points nNeighbors = min(15, m−1).
 * - 'tsne' is exact t-SNE (van der Maaten & Hinton 2008) written here, for comparison: perplexity 30 (at most
 *   (m−1)/3), early exaggeration 12 for 250 iterations, momentum 0.5 then 0.8, learning rate
 *   max(m / 48, 50) (sklearn's 'auto'), gains as in the reference implementation, 750 iterations. O(m²) per
 *   iteration: ~11 s for 2,000 points; UMAP is the default.
 */
import { UMAP } from 'umap-js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { exactKnn, stratifiedSample } from './metrics.js';

export type LatentMapMethod = 'umap' | 'tsne';

export interface LatentMapOptions {
  /** At most this many points are laid out (default 2,000). */
  maxPoints?: number;
  seed?: number;
  method?: LatentMapMethod;
  /** Class of every row; used to stratify the subsample. */
  labels?: ArrayLike<number>;
  /** Overrides the default number of optimisation epochs/iterations. */
  nEpochs?: number;
  nNeighbors?: number;
  minDist?: number;
}

export interface LatentMap {
  /** m × 2, row-major: (x, y) of each used row. */
  points: Float32Array;
  /** Which input rows were used, ascending; points[2i], points[2i+1] belong to row indices[i]. */
  indices: number[];
  method: LatentMapMethod;
}

export function latentMap(embeddings: Float32Array, dim: number, options: LatentMapOptions = {}): LatentMap {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (embeddings.length % dim !== 0) {
    throw new RangeError(`embeddings length ${embeddings.length} is not a multiple of dim ${dim}`);
  }
  const n = embeddings.length / dim;
  const method = options.method ?? 'umap';
  const seed = options.seed ?? 0;
  const maxPoints = Math.max(0, Math.floor(options.maxPoints ?? 2000));
  const labels = options.labels;
  if (labels && labels.length !== n) throw new RangeError(`labels length ${labels.length} != number of points ${n}`);
  let indices: number[];
  if (n <= maxPoints) indices = Array.from({ length: n }, (_, i) => i);
  else if (labels) indices = stratifiedSample(labels, maxPoints, seed);
  else {
    const all = Array.from({ length: n }, (_, i) => i);
    indices = (shuffleInPlace(all, mulberry32(deriveSeed(seed, 'map-sample'))) as number[])
      .slice(0, maxPoints)
      .sort((a, b) => a - b);
  }
  const m = indices.length;
  const x = new Float32Array(m * dim);
  for (let i = 0; i < m; i++) x.set(embeddings.subarray(indices[i]! * dim, (indices[i]! + 1) * dim), i * dim);

  let points: Float32Array;
  if (m <= 2) {
    points = new Float32Array(m * 2);
    if (m === 2) {
      points[0] = -1;
      points[2] = 1;
    }
  } else if (method === 'umap') points = runUmap(x, dim, m, seed, options);
  else points = runTsne(x, dim, m, seed, options.nEpochs ?? 750);
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i]!)) throw new Error(`the ${method} layout produced a non-finite coordinate`);
  }
  return { points, indices, method };
}

function runUmap(x: Float32Array, dim: number, m: number, seed: number, options: LatentMapOptions): Float32Array {
  const nNeighbors = Math.max(2, Math.min(options.nNeighbors ?? 15, m - 1));
  const knn = exactKnn(x, dim, nNeighbors - 1);
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  for (let i = 0; i < m; i++) {
    const idx = [i];
    const dst = [0];
    for (let p = 0; p < knn.k; p++) {
      idx.push(knn.indices[i * knn.k + p]!);
      dst.push(Math.sqrt(knn.sqDistances[i * knn.k + p]!));
    }
    knnIndices.push(idx);
    knnDistances.push(dst);
  }
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist: options.minDist ?? 0.1,
    nEpochs: options.nEpochs ?? (m <= 2000 ? 500 : 200),
    random: mulberry32(deriveSeed(seed, 'umap')),
  });
  umap.setPrecomputedKNN(knnIndices, knnDistances);
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) rows.push(Array.from(x.subarray(i * dim, (i + 1) * dim)));
  const out = umap.fit(rows);
  const points = new Float32Array(m * 2);
  for (let i = 0; i < m; i++) {
    points[2 * i] = out[i]![0]!;
    points[2 * i + 1] = out[i]![1]!;
  }
  return points;
}

/** Binary search for the Gaussian precision of each row giving the target perplexity; returns symmetric P. */
function tsneAffinities(x: Float32Array, dim: number, m: number, perplexity: number): Float64Array {
  const d2 = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const diff = x[i * dim + t]! - x[j * dim + t]!;
        s += diff * diff;
      }
      d2[i * m + j] = s;
      d2[j * m + i] = s;
    }
  }
  const p = new Float64Array(m * m);
  const target = Math.log(perplexity);
  const row = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let iter = 0; iter < 100; iter++) {
      let sum = 0;
      let dsum = 0;
      for (let j = 0; j < m; j++) {
        const v = j === i ? 0 : Math.exp(-d2[i * m + j]! * beta);
        row[j] = v;
        sum += v;
        dsum += v * d2[i * m + j]!;
      }
      if (sum === 0) sum = 1e-300;
      const entropy = Math.log(sum) + (beta * dsum) / sum;
      const diff = entropy - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let j = 0; j < m; j++) sum += row[j]!;
    for (let j = 0; j < m; j++) p[i * m + j] = sum > 0 ? row[j]! / sum : 0;
  }
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const v = Math.max((p[i * m + j]! + p[j * m + i]!) / (2 * m), 1e-12);
      p[i * m + j] = v;
      p[j * m + i] = v;
    }
  }
  return p;
}

function runTsne(x: Float32Array, dim: number, m: number, seed: number, iterations: number): Float32Array {
  const perplexity = Math.max(1, Math.min(30, (m - 1) / 3));
  const P = tsneAffinities(x, dim, m, perplexity);
  const rng = mulberry32(deriveSeed(seed, 'tsne'));
  const y = new Float64Array(m * 2);
  for (let i = 0; i < y.length; i++) {
    // N(0, 1e-4) by Box-Muller
    const u = Math.max(rng(), 1e-12);
    y[i] = 1e-4 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  }
  const update = new Float64Array(m * 2);
  const gains = new Float64Array(m * 2).fill(1);
  const grad = new Float64Array(m * 2);
  const attr = new Float64Array(m * 2);
  const rep = new Float64Array(m * 2);
  const lr = Math.max(m / 48, 50);
  for (let it = 0; it < iterations; it++) {
    const exag = it < 250 ? 12 : 1;
    const momentum = it < 250 ? 0.5 : 0.8;
    // one pass: grad_i = 4 (exag Σ_j p_ij q_ij (y_i − y_j) − (1/Z) Σ_j q_ij² (y_i − y_j)), q_ij = 1/(1+|y_i−y_j|²)
    let zSum = 0;
    attr.fill(0);
    rep.fill(0);
    for (let i = 0; i < m; i++) {
      const yix = y[2 * i]!;
      const yiy = y[2 * i + 1]!;
      let ax = 0;
      let ay = 0;
      let rx = 0;
      let ry = 0;
      const pi = i * m;
      for (let j = i + 1; j < m; j++) {
        const dx = yix - y[2 * j]!;
        const dy = yiy - y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        zSum += 2 * q;
        const pq = P[pi + j]! * q;
        const qq = q * q;
        ax += pq * dx;
        ay += pq * dy;
        rx += qq * dx;
        ry += qq * dy;
        attr[2 * j]! -= pq * dx;
        attr[2 * j + 1]! -= pq * dy;
        rep[2 * j]! -= qq * dx;
        rep[2 * j + 1]! -= qq * dy;
      }
      attr[2 * i]! += ax;
      attr[2 * i + 1]! += ay;
      rep[2 * i]! += rx;
      rep[2 * i + 1]! += ry;
    }
    for (let k = 0; k < m * 2; k++) grad[k] = 4 * (exag * attr[k]! - rep[k]! / zSum);
    for (let k = 0; k < m * 2; k++) {
      const g = grad[k]!;
      const u = update[k]!;
      gains[k] = Math.max(0.01, Math.sign(g) !== Math.sign(u) ? gains[k]! + 0.2 : gains[k]! * 0.8);
      update[k] = momentum * u - lr * gains[k]! * g;
      y[k]! += update[k]!;
    }
  }
  return Float32Array.from(y);
}
