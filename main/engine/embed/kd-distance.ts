/**
 * The arithmetic the kd-tree's answers rest on (see kdtree.ts): squared distances and box bounds summed the
 * same way, so a bound is never below a distance under rounding, and the brute-force reference with the
 * same tie rule.
 */

/** Ids to skip in one query: a set of ids, or a predicate that returns true for an excluded id. */
export type Exclusion = ReadonlySet<number> | ((id: number) => boolean);

export interface FurthestResult {
  readonly id: number;
  /** Euclidean distance from the query (float64, from float32 coordinates). */
  readonly distance: number;
}

export const NO_ID = 2 ** 31; // larger than every int32 id

export function checkIds(ids: ArrayLike<number>, n: number): void {
  if (ids.length !== n) throw new Error(`kd-tree: ${ids.length} ids for ${n} points; give one id per point.`);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < -(2 ** 31) || id >= 2 ** 31) {
      throw new Error(`kd-tree: id ${id} at position ${i} is not a 32-bit integer.`);
    }
  }
}

export function checkQuery(query: ArrayLike<number>, dim: number): void {
  if (query.length !== dim)
    throw new Error(`kd-tree: the query has ${query.length} dimensions, the points have ${dim}.`);
  for (let k = 0; k < dim; k++) {
    if (!Number.isFinite(query[k]!)) throw new Error(`kd-tree: the query has a non-finite value at dimension ${k}.`);
  }
}

export function isSet(e: Exclusion): e is ReadonlySet<number> {
  return typeof e !== 'function';
}

/** Per-dimension terms of the sum being taken; grown on demand (queries are synchronous, never nested here). */
let terms = new Float64Array(64);

function termsFor(d: number): Float64Array {
  if (terms.length < d) terms = new Float64Array(d);
  return terms;
}

/**
 * Sum of t[k]^2 for k < d in float64 with four interleaved accumulators (dimension k goes to accumulator
 * k mod 4, combined as (s0 + s1) + (s2 + s3)), which breaks the add-latency chain. Distances and box bounds
 * both go through it: the same summation is what makes a bound >= a distance under rounding.
 */
function fourWaySumOfSquares(t: Float64Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += t[k]! * t[k]!;
    s1 += t[k + 1]! * t[k + 1]!;
    s2 += t[k + 2]! * t[k + 2]!;
    s3 += t[k + 3]! * t[k + 3]!;
  }
  if (k < d) s0 += t[k]! * t[k]!;
  if (k + 1 < d) s1 += t[k + 1]! * t[k + 1]!;
  if (k + 2 < d) s2 += t[k + 2]! * t[k + 2]!;
  return s0 + s1 + (s2 + s3);
}

/** Squared Euclidean distance between points[o .. o + d) and q, in float64. */
export function squaredDistance(points: Float32Array, o: number, q: Float64Array, d: number): number {
  const t = termsFor(d);
  for (let k = 0; k < d; k++) t[k] = points[o + k]! - q[k]!;
  return fourWaySumOfSquares(t, d);
}

/** max(q - lo, hi - q) for dimension k: the distance to the farther face (>= |q - p| for lo <= p <= hi). */
function far(lo: Float32Array, hi: Float32Array, i: number, qk: number): number {
  const a = qk - lo[i]!;
  const b = hi[i]! - qk;
  return a > b ? a : b;
}

/** Squared distance from q to the farthest corner of the box lo[o..o+d), hi[o..o+d). */
export function boxBound(lo: Float32Array, hi: Float32Array, o: number, q: Float64Array, d: number): number {
  const t = termsFor(d);
  for (let k = 0; k < d; k++) t[k] = far(lo, hi, o + k, q[k]!);
  return fourWaySumOfSquares(t, d);
}

/**
 * Reference: the furthest of `points` (n x dim) from `query`, skipping excluded ids, by a linear scan with
 * the same arithmetic and tie rule as the tree (largest squared distance, then smallest id). O(n d).
 */
export function bruteForceFurthest(
  points: Float32Array,
  dim: number,
  ids: ArrayLike<number> | null,
  query: ArrayLike<number>,
  exclude?: Exclusion,
): FurthestResult | null {
  checkQuery(query, dim);
  const n = Math.floor(points.length / dim);
  const q = Float64Array.from(query);
  const set = exclude !== undefined && isSet(exclude) ? exclude : null;
  const pred = exclude !== undefined && !isSet(exclude) ? exclude : null;
  let best2 = -1;
  let bestId = NO_ID;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    const s = squaredDistance(points, o, q, dim);
    const id = ids === null ? i : ids[i]!;
    if (s > best2 || (s === best2 && id < bestId)) {
      if (set !== null && set.has(id)) continue;
      if (pred !== null && pred(id)) continue;
      best2 = s;
      bestId = id;
    }
  }
  return bestId === NO_ID ? null : { id: bestId, distance: Math.sqrt(best2) };
}
