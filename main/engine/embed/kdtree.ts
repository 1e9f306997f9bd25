/**
 * Furthest-neighbour kd-trees over latent embeddings, one per class ([DDS-NAS] Sec. 3.2): when an
 * image of the current subset is "easy", DDS replaces it with the image of the same class that is furthest
 * from it in the autoencoder's latent space, skipping the images already in the subset or already visited.
 *
 * Design
 * - A static kd-tree over n points of dimension d (N = 8 to 32 here). Points are copied into tree order, so
 *   every node owns a contiguous range [start, end). Split: the dimension of widest spread of the node's
 *   points, at the median under the total order (coordinate, input index), so every split halves the node
 *   and the depth is at most ceil(log2(n / leafSize)) even with duplicate points. Each node keeps the TIGHT
 *   bounding box of its points (not the split cell), the smallest id below it, its count of live
 *   (non-excluded) points and, with `centroids: true`, its centroid and radius.
 * - Exact query = branch and bound. The upper bound on the distance from q to any point of a node is the
 *   distance to the farthest corner of its box, per dimension max(|q - lo|, |q - hi|) = max(q - lo, hi - q).
 *   With `bound: 'box+centroid'` it is the smaller of that and |c - q|^2 + r^2 + 2 min(r |c - q|,
 *   sum_k max((lo_k - c_k)(c_k - q_k), (hi_k - c_k)(c_k - q_k))) (expand |p - q|^2 around the centroid c,
 *   bound the cross term by the box and by Cauchy-Schwarz; always <= the ball bound (|c - q| + r)^2).
 *   A node is pruned when its bound cannot beat the best point so far. Traversal: depth-first with the
 *   child of larger bound first (default, fastest in the bench), or best-first from a max-heap of bounds
 *   (`order: 'best-first'`: fewer nodes, more overhead per node).
 * - Approximate query: `maxVisits` bounds the nodes expanded; the best point found so far is returned. If
 *   the budget runs out before any eligible point has been seen, the search goes on until it finds one, so
 *   `null` always means "no eligible point", in both modes. `stats.truncated` says whether it stopped early.
 *
 * Ties (same rule in `bruteForceFurthest`): the larger squared distance wins; among equal squared distances
 * the SMALLEST id wins. Squared distances are float64 sums over the float32 coordinates, dimension k into
 * accumulator k mod 4, combined as (s0 + s1) + (s2 + s3). The box bound is computed with the same structure
 * on the box's float32 faces; rounding is monotone, so the computed bound is >= the computed distance of
 * every point in the box and the tree returns exactly what brute force returns, ties included (a node is
 * pruned when bound < best, or bound == best and its smallest id > the best id). The centroid bound is
 * inflated by a relative 1e-9 to stay an upper bound under rounding.
 *
 * Exclusions (the current subset and the visited images), two kinds, freely combined:
 * - Persistent marks, `exclude(id)` / `restore(id)` / `clearExclusions()`: O(depth) = O(log n) each (the
 *   live counts of the leaf's ancestors). A subtree whose points are all excluded is skipped in O(1) and an
 *   excluded point costs no distance, so when most points are excluded the query costs about what it would
 *   on a tree of the live points (the boxes still span the dead ones, so the bounds are looser). This is
 *   the path for DDS, whose exclusion set only grows during a run.
 * - Per query, a `ReadonlySet<number>` of ids or a pure predicate `(id) => boolean`: consulted only for a
 *   point that would become the new best (O(1) per such point, so most points cost no lookup), but it
 *   cannot skip subtrees: a query whose best candidates are all excluded scans more leaves. Ids that are not
 *   in this tree are ignored.
 *
 * Complexity: build O(n d log n) time, O(n d) memory. Exact query: O(n d) in the worst case, when every
 * node's bound beats the answer; that is nearly what happens at d = 32 (only log2(n / leafSize) ~ 9 of the
 * 32 dimensions are ever split, so the farthest corner is far beyond every point): there the exact tree is
 * no faster than brute force, while at d = 8 it is several times faster (test/bench/furthest.ts).
 * Approximate query: O(maxVisits * leafSize * d). No allocation per query besides the returned object: the
 * traversal stack/heap and the query copy are preallocated per tree, so a tree is not re-entrant (a
 * predicate must not query the same tree; this is checked).
 *
 * Deterministic: no randomness; same input, same tree, same answers.
 */

import { PositionIndex, buildNode, type TreeNodes } from './kd-build.js';
import {
  NO_ID,
  boxBound,
  checkIds,
  checkQuery,
  isSet,
  squaredDistance,
  type Exclusion,
  type FurthestResult,
} from './kd-distance.js';

export { bruteForceFurthest, type Exclusion, type FurthestResult } from './kd-distance.js';

export interface KdTreeOptions {
  /** Points per leaf at most (default 16). */
  leafSize?: number;
  /** Store each node's centroid and radius, so `bound: 'box+centroid'` can be used (default false). */
  centroids?: boolean;
}

export interface FurthestOptions {
  /** Approximate mode: expand at most this many nodes (>= 1); the best point found so far is returned. */
  maxVisits?: number;
  /** Node order (default 'depth-first', the child with the larger upper bound first). */
  order?: 'depth-first' | 'best-first';
  /** Upper bound used for pruning (default 'box'; 'box+centroid' needs a tree built with centroids: true). */
  bound?: 'box' | 'box+centroid';
}

/** What the last query did (one object per tree, overwritten by every query). */
export interface SearchStats {
  /** Nodes expanded (leaves scanned + internal nodes split). */
  visits: number;
  /** Points whose distance was computed. */
  distances: number;
  /** True when the approximate budget stopped the search before it was exhaustive. */
  truncated: boolean;
}

const SLACK = 1 + 1e-9;

/** One query's settings, as the traversals and the leaf scan read them. */
interface Query {
  /** Tree position of the query's own point (skipped), or -1. */
  skipPos: number;
  set: ReadonlySet<number> | null;
  pred: ((id: number) => boolean) | null;
  maxVisits: number;
  useCentroid: boolean;
}

export class KdTree {
  readonly dim: number;
  readonly size: number;
  readonly leafSize: number;
  /** Number of nodes, and the depth of the deepest leaf (root = 0). */
  readonly nodeCount: number;
  readonly depth: number;
  /** Statistics of the last query. */
  readonly stats: SearchStats = { visits: 0, distances: 0, truncated: false };

  // points in tree order
  private readonly pts: Float32Array;
  private readonly ids: Int32Array;
  // nodes (preorder: the left child of node i is i + 1)
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly right: Int32Array; // -1 for a leaf
  private readonly parent: Int32Array;
  private readonly minId: Int32Array;
  private readonly lo: Float32Array;
  private readonly hi: Float32Array;
  private readonly center: Float64Array | null;
  private readonly radius: Float64Array | null;
  private readonly leafOf: Int32Array; // position -> leaf node
  // exclusions
  private readonly mask: Uint8Array; // 1 = excluded by a persistent mark
  private readonly alive: Int32Array; // live points per node
  private excludedCount = 0;
  // id -> position
  private readonly positions: PositionIndex;
  // per-query scratch
  private readonly q: Float64Array;
  private readonly stackNode: Int32Array;
  private readonly stackUb: Float64Array;
  private busy = false;

  private constructor(
    dim: number,
    leafSize: number,
    pts: Float32Array,
    ids: Int32Array,
    nodes: TreeNodes,
    centroids: boolean,
  ) {
    this.dim = dim;
    this.leafSize = leafSize;
    this.size = ids.length;
    this.pts = pts;
    this.ids = ids;
    const m = nodes.start.length;
    this.nodeCount = m;
    this.depth = nodes.depth;
    this.start = Int32Array.from(nodes.start);
    this.end = Int32Array.from(nodes.end);
    this.right = Int32Array.from(nodes.right);
    this.parent = Int32Array.from(nodes.parent);
    this.minId = new Int32Array(m);
    this.lo = new Float32Array(m * dim);
    this.hi = new Float32Array(m * dim);
    this.center = centroids ? new Float64Array(m * dim) : null;
    this.radius = centroids ? new Float64Array(m) : null;
    this.leafOf = new Int32Array(this.size);
    this.mask = new Uint8Array(this.size);
    this.alive = new Int32Array(m);
    for (let node = 0; node < m; node++) this.summarise(node);

    this.positions = new PositionIndex(ids);

    this.q = new Float64Array(dim);
    const cap = Math.max(m, 2 * nodes.depth + 4);
    this.stackNode = new Int32Array(cap);
    this.stackUb = new Float64Array(cap);
  }

  /**
   * Builds a tree over `points` (n x dim, row-major). `ids` default to 0..n-1; they must be unique 32-bit
   * integers. Throws on a shape mismatch or a non-finite coordinate.
   */
  static build(points: Float32Array, dim: number, ids?: ArrayLike<number>, options: KdTreeOptions = {}): KdTree {
    if (!Number.isInteger(dim) || dim < 1)
      throw new Error(`kd-tree: dimension must be a positive integer, got ${dim}.`);
    if (points.length % dim !== 0)
      throw new Error(`kd-tree: ${points.length} values is not a whole number of ${dim}-dimensional points.`);
    const n = points.length / dim;
    const leafSize = options.leafSize ?? 16;
    if (!Number.isInteger(leafSize) || leafSize < 1)
      throw new Error(`kd-tree: leafSize must be a positive integer, got ${leafSize}.`);
    for (let i = 0; i < points.length; i++) {
      if (!Number.isFinite(points[i]!)) {
        throw new Error(
          `kd-tree: point ${Math.floor(i / dim)} has a non-finite value at dimension ${i % dim}; re-compute the embeddings.`,
        );
      }
    }
    const inputIds = ids ?? Int32Array.from({ length: n }, (_, i) => i);
    checkIds(inputIds, n);

    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const nodes: TreeNodes = { start: [], end: [], right: [], parent: [], depth: 0 };
    if (n > 0) buildNode(points, dim, perm, 0, n, leafSize, -1, 0, nodes);

    const pts = new Float32Array(n * dim);
    const treeIds = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const src = perm[i]!;
      pts.set(points.subarray(src * dim, src * dim + dim), i * dim);
      treeIds[i] = inputIds[src]!;
    }
    return new KdTree(dim, leafSize, pts, treeIds, nodes, options.centroids ?? false);
  }

  /** Box, centroid and radius, smallest id and live count of one node. */
  private summarise(node: number): void {
    const d = this.dim;
    const s = this.start[node]!;
    const e = this.end[node]!;
    const o = node * d;
    for (let k = 0; k < d; k++) {
      this.lo[o + k] = Infinity;
      this.hi[o + k] = -Infinity;
    }
    let minId = NO_ID;
    for (let i = s; i < e; i++) {
      for (let k = 0; k < d; k++) {
        const v = this.pts[i * d + k]!;
        if (v < this.lo[o + k]!) this.lo[o + k] = v;
        if (v > this.hi[o + k]!) this.hi[o + k] = v;
      }
      if (this.ids[i]! < minId) minId = this.ids[i]!;
      if (this.right[node] === -1) this.leafOf[i] = node;
    }
    this.minId[node] = minId;
    this.alive[node] = e - s;
    if (this.center !== null && this.radius !== null) {
      for (let k = 0; k < d; k++) {
        let sum = 0;
        for (let i = s; i < e; i++) sum += this.pts[i * d + k]!;
        this.center[o + k] = sum / (e - s);
      }
      let r2 = 0;
      for (let i = s; i < e; i++) {
        let t2 = 0;
        for (let k = 0; k < d; k++) {
          const t = this.pts[i * d + k]! - this.center[o + k]!;
          t2 += t * t;
        }
        if (t2 > r2) r2 = t2;
      }
      this.radius[node] = Math.sqrt(r2);
    }
  }

  /** Position of an id in tree order, or -1. */
  private posOf(id: number): number {
    return this.positions.of(id);
  }

  has(id: number): boolean {
    return this.posOf(id) >= 0;
  }

  /** The point of `id` (copied into `out` when given), or null if the id is not in this tree. */
  point(id: number, out?: Float32Array): Float32Array | null {
    const pos = this.posOf(id);
    if (pos < 0) return null;
    const target = out ?? new Float32Array(this.dim);
    target.set(this.pts.subarray(pos * this.dim, pos * this.dim + this.dim));
    return target;
  }

  /** Ids in tree order (a copy). */
  idList(): Int32Array {
    return this.ids.slice();
  }

  private markPos(pos: number): void {
    this.mask[pos] = 1;
    for (let node = this.leafOf[pos]!; node !== -1; node = this.parent[node]!) this.alive[node]!--;
  }

  private unmarkPos(pos: number): void {
    this.mask[pos] = 0;
    for (let node = this.leafOf[pos]!; node !== -1; node = this.parent[node]!) this.alive[node]!++;
  }

  /** Excludes `id` from every later query until restored; O(log n). Returns false if it was excluded or absent. */
  exclude(id: number): boolean {
    const pos = this.posOf(id);
    if (pos < 0 || this.mask[pos] !== 0) return false;
    this.markPos(pos);
    this.excludedCount++;
    return true;
  }

  /** Undoes `exclude(id)`; O(log n). Returns false if it was not excluded. */
  restore(id: number): boolean {
    const pos = this.posOf(id);
    if (pos < 0 || this.mask[pos] === 0) return false;
    this.unmarkPos(pos);
    this.excludedCount--;
    return true;
  }

  isExcluded(id: number): boolean {
    const pos = this.posOf(id);
    return pos >= 0 && this.mask[pos] !== 0;
  }

  clearExclusions(): void {
    this.mask.fill(0);
    for (let node = 0; node < this.nodeCount; node++) this.alive[node] = this.end[node]! - this.start[node]!;
    this.excludedCount = 0;
  }

  /** Points not excluded by persistent marks. */
  get liveCount(): number {
    return this.size - this.excludedCount;
  }

  /**
   * The point furthest from `query` among those not excluded (persistent marks, and `exclude` for this
   * query), or null if none is left. Exact unless `options.maxVisits` is given.
   */
  furthest(query: ArrayLike<number>, exclude?: Exclusion, options: FurthestOptions = {}): FurthestResult | null {
    this.checkIdle();
    checkQuery(query, this.dim);
    for (let k = 0; k < this.dim; k++) this.q[k] = query[k]!;
    return this.run(-1, exclude, options);
  }

  /** Like `furthest`, from the point of `id` (which is itself skipped). Throws if the id is not in this tree. */
  furthestFromId(id: number, exclude?: Exclusion, options: FurthestOptions = {}): FurthestResult | null {
    this.checkIdle();
    const pos = this.posOf(id);
    if (pos < 0) throw new Error(`kd-tree: id ${id} is not in this tree.`);
    for (let k = 0; k < this.dim; k++) this.q[k] = this.pts[pos * this.dim + k]!;
    return this.run(pos, exclude, options);
  }

  /** Queries share this tree's scratch buffers: refuse one started from inside another (a predicate). */
  private checkIdle(): void {
    if (this.busy)
      throw new Error('kd-tree: a query is already running on this tree (an exclusion predicate must not query it).');
  }

  private run(skipPos: number, exclude: Exclusion | undefined, options: FurthestOptions): FurthestResult | null {
    const maxVisits = options.maxVisits ?? Infinity;
    if (!(maxVisits >= 1)) throw new Error(`kd-tree: maxVisits must be at least 1, got ${maxVisits}.`);
    const useCentroid = options.bound === 'box+centroid';
    if (useCentroid && this.center === null)
      throw new Error("kd-tree: bound 'box+centroid' needs a tree built with centroids: true.");
    this.busy = true;
    try {
      let set: ReadonlySet<number> | null = null;
      let pred: ((id: number) => boolean) | null = null;
      if (exclude !== undefined) {
        if (isSet(exclude)) set = exclude.size > 0 ? exclude : null;
        else pred = exclude;
      }
      const stats = this.stats;
      stats.visits = 0;
      stats.distances = 0;
      stats.truncated = false;
      if (this.size === 0 || this.alive[0]! === 0) return null;
      const best =
        options.order === 'best-first'
          ? this.searchBestFirst({ skipPos, set, pred, maxVisits, useCentroid })
          : this.searchDepthFirst({ skipPos, set, pred, maxVisits, useCentroid });
      return best < 0 ? null : { id: this.ids[best]!, distance: Math.sqrt(this.bestD2) };
    } finally {
      this.busy = false;
    }
  }

  private bestD2 = 0;

  /** Whether a node with bound `u` can still hold a point that beats the best so far (ties: smaller id wins). */
  private mayBeat(node: number, u: number, bestPos: number): boolean {
    if (bestPos < 0) return true;
    const b2 = this.bestD2;
    return u > b2 || (u === b2 && this.minId[node]! < this.ids[bestPos]!);
  }

  /** Upper bound on the squared distance from this.q to any point of `node`. */
  private upper(node: number, useCentroid: boolean): number {
    const d = this.dim;
    const q = this.q;
    const lo = this.lo;
    const hi = this.hi;
    const o = node * d;
    let s = boxBound(lo, hi, o, q, d);
    if (useCentroid) {
      const c = this.center!;
      let a2 = 0;
      let lin = 0;
      for (let k = 0; k < d; k++) {
        const ck = c[o + k]!;
        const t = ck - q[k]!;
        a2 += t * t;
        const x = (lo[o + k]! - ck) * t;
        const y = (hi[o + k]! - ck) * t;
        lin += x > y ? x : y;
      }
      const r = this.radius![node]!;
      const rl = r * Math.sqrt(a2);
      if (rl < lin) lin = rl;
      const cb = (a2 + r * r + 2 * lin) * SLACK;
      if (cb < s) s = cb;
    }
    return s;
  }

  /**
   * Scans a leaf; returns the new best position. this.bestD2 holds the best squared distance; `bestPos`
   * is -1 before the first candidate.
   */
  private scanLeaf(node: number, bestPos: number, query: Query): number {
    const { skipPos, set, pred } = query;
    const d = this.dim;
    const pts = this.pts;
    const q = this.q;
    const ids = this.ids;
    const mask = this.mask;
    let best2 = bestPos < 0 ? -1 : this.bestD2;
    let bestId = bestPos < 0 ? NO_ID : ids[bestPos]!;
    let examined = 0;
    const e = this.end[node]!;
    for (let i = this.start[node]!; i < e; i++) {
      if (mask[i] !== 0 || i === skipPos) continue;
      const o = i * d;
      const s = squaredDistance(pts, o, q, d);
      examined++;
      const id = ids[i]!;
      // the set / predicate is consulted only for a point that would become the best
      if (s > best2 || (s === best2 && id < bestId)) {
        if (set !== null && set.has(id)) continue;
        if (pred !== null && pred(id)) continue;
        best2 = s;
        bestId = id;
        bestPos = i;
      }
    }
    this.stats.distances += examined;
    if (bestPos >= 0) this.bestD2 = best2;
    return bestPos;
  }

  private searchDepthFirst(query: Query): number {
    const { maxVisits, useCentroid } = query;
    const alive = this.alive;
    const right = this.right;
    const minId = this.minId;
    const ids = this.ids;
    const sn = this.stackNode;
    const su = this.stackUb;
    let bestPos = -1;
    let sp = 0;
    sn[sp] = 0;
    su[sp] = this.upper(0, useCentroid);
    sp++;
    while (sp > 0) {
      sp--;
      const node = sn[sp]!;
      const u = su[sp]!;
      if (bestPos >= 0) {
        const b2 = this.bestD2;
        if (u < b2 || (u === b2 && minId[node]! > ids[bestPos]!)) continue;
      }
      if (!this.countVisit(bestPos, maxVisits)) break;
      const r = right[node]!;
      if (r === -1) {
        bestPos = this.scanLeaf(node, bestPos, query);
        continue;
      }
      const l = node + 1;
      const ul = alive[l]! > 0 ? this.upper(l, useCentroid) : -1;
      const ur = alive[r]! > 0 ? this.upper(r, useCentroid) : -1;
      // push the less promising child first, so the more promising one is expanded next
      const first = ul > ur ? r : l;
      const second = ul > ur ? l : r;
      const uf = ul > ur ? ur : ul;
      const us = ul > ur ? ul : ur;
      if (uf >= 0 && this.mayBeat(first, uf, bestPos)) {
        sn[sp] = first;
        su[sp] = uf;
        sp++;
      }
      if (us >= 0 && this.mayBeat(second, us, bestPos)) {
        sn[sp] = second;
        su[sp] = us;
        sp++;
      }
    }
    return bestPos;
  }

  /**
   * Counts one more node visit; false instead once a best point exists and the budget is spent (the search then
   * stops, marked truncated). Both search orders share this, so their budgets mean the same.
   */
  private countVisit(bestPos: number, maxVisits: number): boolean {
    if (bestPos >= 0 && this.stats.visits >= maxVisits) {
      this.stats.truncated = true;
      return false;
    }
    this.stats.visits++;
    return true;
  }

  // Binary max-heap on (bound desc, node asc) in stackNode/stackUb; capacity = node count (a node enters once).
  private heapSize = 0;

  private heapPush(node: number, u: number): void {
    const hn = this.stackNode;
    const hu = this.stackUb;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pu = hu[p]!;
      if (pu > u || (pu === u && hn[p]! < node)) break;
      hn[i] = hn[p]!;
      hu[i] = pu;
      i = p;
    }
    hn[i] = node;
    hu[i] = u;
  }

  /** Removes the top (read it first). */
  private heapPop(): void {
    const hn = this.stackNode;
    const hu = this.stackUb;
    const size = --this.heapSize;
    if (size === 0) return;
    const node = hn[size]!;
    const u = hu[size]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      let c = l;
      const r = l + 1;
      if (r < size && (hu[r]! > hu[l]! || (hu[r]! === hu[l]! && hn[r]! < hn[l]!))) c = r;
      if (u > hu[c]! || (u === hu[c]! && node < hn[c]!)) break;
      hn[i] = hn[c]!;
      hu[i] = hu[c]!;
      i = c;
    }
    hn[i] = node;
    hu[i] = u;
  }

  private searchBestFirst(query: Query): number {
    const { maxVisits, useCentroid } = query;
    const alive = this.alive;
    const right = this.right;
    const minId = this.minId;
    const ids = this.ids;
    this.heapSize = 0;
    let bestPos = -1;
    const hn = this.stackNode;
    const hu = this.stackUb;
    this.heapPush(0, this.upper(0, useCentroid));
    while (this.heapSize > 0) {
      const node = hn[0]!;
      const u = hu[0]!;
      this.heapPop();
      if (bestPos >= 0) {
        const b2 = this.bestD2;
        // the heap is ordered by bound: once the top cannot win, nothing left can
        if (u < b2) break;
        if (u === b2 && minId[node]! > ids[bestPos]!) continue;
      }
      if (!this.countVisit(bestPos, maxVisits)) break;
      const r = right[node]!;
      if (r === -1) {
        bestPos = this.scanLeaf(node, bestPos, query);
        continue;
      }
      const l = node + 1;
      if (alive[l]! > 0) {
        const ul = this.upper(l, useCentroid);
        if (this.mayBeat(l, ul, bestPos)) this.heapPush(l, ul);
      }
      if (alive[r]! > 0) {
        const ur = this.upper(r, useCentroid);
        if (this.mayBeat(r, ur, bestPos)) this.heapPush(r, ur);
      }
    }
    return bestPos;
  }
}
