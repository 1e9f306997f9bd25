/**
 * Building the kd-tree's node arrays and its id index (see kdtree.ts for the design): split at the median of
 * the dimension of widest spread, under the total order (coordinate, input index), so every split halves
 * the node.
 */

/** The node arrays a build fills, in preorder (the left child of node i is i + 1; right is -1 for a leaf). */
export interface TreeNodes {
  start: number[];
  end: number[];
  right: number[];
  parent: number[];
  depth: number;
}

/** Recursive build in preorder; `perm` holds input indices and is partitioned in place. */
export function buildNode(
  points: Float32Array,
  dim: number,
  perm: Int32Array,
  start: number,
  end: number,
  leafSize: number,
  parent: number,
  depth: number,
  nodes: TreeNodes,
): number {
  const node = nodes.start.length;
  nodes.start.push(start);
  nodes.end.push(end);
  nodes.right.push(-1);
  nodes.parent.push(parent);
  if (depth > nodes.depth) nodes.depth = depth;
  if (end - start <= leafSize) return node;
  // dimension of widest spread (lowest index on ties)
  let splitDim = -1;
  let spread = 0;
  for (let k = 0; k < dim; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = points[perm[i]! * dim + k]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo > spread) {
      spread = hi - lo;
      splitDim = k;
    }
  }
  if (splitDim < 0) return node; // all points identical: one leaf, however large
  const mid = start + ((end - start) >> 1);
  select(points, dim, splitDim, perm, start, end - 1, mid);
  buildNode(points, dim, perm, start, mid, leafSize, node, depth + 1, nodes);
  nodes.right[node] = buildNode(points, dim, perm, mid, end, leafSize, node, depth + 1, nodes);
  return node;
}

/** perm[a] < perm[b] under (coordinate on dim, input index). */
function less(points: Float32Array, dim: number, k: number, a: number, b: number): boolean {
  const va = points[a * dim + k]!;
  const vb = points[b * dim + k]!;
  return va < vb || (va === vb && a < b);
}

/** Quickselect (median-of-three pivot, Hoare-style partition) so perm[kth] is in its sorted place. */
function select(
  points: Float32Array,
  dim: number,
  k: number,
  perm: Int32Array,
  left: number,
  right: number,
  kth: number,
): void {
  let l = left;
  let r = right;
  while (r > l) {
    const m = l + ((r - l) >> 1);
    // median of three to perm[m]
    if (less(points, dim, k, perm[m]!, perm[l]!)) swap(perm, m, l);
    if (less(points, dim, k, perm[r]!, perm[l]!)) swap(perm, r, l);
    if (less(points, dim, k, perm[r]!, perm[m]!)) swap(perm, r, m);
    const pivot = perm[m]!;
    let i = l;
    let j = r;
    while (i <= j) {
      while (less(points, dim, k, perm[i]!, pivot)) i++;
      while (less(points, dim, k, pivot, perm[j]!)) j--;
      if (i <= j) {
        swap(perm, i, j);
        i++;
        j--;
      }
    }
    if (kth <= j) r = j;
    else if (kth >= i) l = i;
    else return;
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Id -> position in tree order: a dense table when the ids are compact enough (the usual 0..n-1 row ids),
 * a Map otherwise. Throws on a duplicate id.
 */
export class PositionIndex {
  private readonly dense: Int32Array | null;
  private readonly offset: number;
  private readonly map: Map<number, number> | null;

  constructor(ids: Int32Array) {
    const size = ids.length;
    let minId = 0;
    let maxId = -1;
    for (let i = 0; i < size; i++) {
      const id = ids[i]!;
      if (i === 0 || id < minId) minId = id;
      if (i === 0 || id > maxId) maxId = id;
    }
    const range = maxId - minId + 1;
    if (size === 0 || range <= 16 * size + 1024) {
      this.offset = minId;
      this.dense = new Int32Array(Math.max(range, 0)).fill(-1);
      this.map = null;
      for (let i = 0; i < size; i++) {
        const slot = ids[i]! - minId;
        if (this.dense[slot] !== -1) throw new Error(`kd-tree: id ${ids[i]} appears twice; ids must be unique.`);
        this.dense[slot] = i;
      }
    } else {
      this.offset = 0;
      this.dense = null;
      this.map = new Map();
      for (let i = 0; i < size; i++) {
        if (this.map.has(ids[i]!)) throw new Error(`kd-tree: id ${ids[i]} appears twice; ids must be unique.`);
        this.map.set(ids[i]!, i);
      }
    }
  }

  /** The position of `id`, or -1. */
  of(id: number): number {
    if (this.dense !== null) {
      const slot = id - this.offset;
      if (!(slot >= 0 && slot < this.dense.length)) return -1;
      return this.dense[slot] ?? -1;
    }
    return this.map!.get(id) ?? -1;
  }
}
