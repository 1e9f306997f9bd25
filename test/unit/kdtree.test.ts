import { describe, expect, it } from 'vitest';
import { ClassKdForest } from '../../main/engine/embed/kd-forest.js';
import { KdTree, bruteForceFurthest, type Exclusion, type FurthestOptions } from '../../main/engine/embed/kdtree.js';
import { mulberry32, shuffleInPlace } from '../../main/engine/nn/prng.js';

function gaussian(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** n points in d dims: a mix of gaussian clusters, with some coordinates quantised so that ties occur. */
function randomPoints(rng: () => number, n: number, d: number): Float32Array {
  const centers = Array.from({ length: 3 }, () => Array.from({ length: d }, () => 4 * gaussian(rng)));
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centers[Math.floor(rng() * centers.length)]!;
    const quantise = rng() < 0.2;
    for (let k = 0; k < d; k++) {
      const v = c[k]! + gaussian(rng);
      out[i * d + k] = quantise ? Math.round(v) : v;
    }
  }
  return out;
}

/** Queries inside the data's box (data-like) and far outside it. */
function queries(rng: () => number, d: number, count: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let j = 0; j < count; j++) {
    const outside = j % 2 === 1;
    out.push(
      Float32Array.from({ length: d }, () => (outside ? 40 + 10 * rng() : 0) + 4 * gaussian(rng) * (outside ? 3 : 1)),
    );
  }
  return out;
}

/** Distinct, non-contiguous ids (so id order differs from input order and from tree order). */
function makeIds(rng: () => number, n: number): Int32Array {
  const ids = Int32Array.from({ length: n }, (_, i) => 3 * i + 7);
  return shuffleInPlace(ids, rng) as Int32Array;
}

/** n random points and their shuffled ids, drawn from `rng` in that order. */
function pointCloud(rng: () => number, n: number, d: number): { pts: Float32Array; ids: Int32Array } {
  return { pts: randomPoints(rng, n, d), ids: makeIds(rng, n) };
}

function dist(points: Float32Array, d: number, row: number, q: Float32Array): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = points[row * d + k]! - q[k]!;
    s += t * t;
  }
  return Math.sqrt(s);
}

const MODES: FurthestOptions[] = [
  {},
  { order: 'best-first' },
  { bound: 'box+centroid' },
  { order: 'best-first', bound: 'box+centroid' },
];

describe('KdTree.furthest is exact (against brute force)', () => {
  for (const d of [2, 8, 32]) {
    for (const n of [1, 17, 1000]) {
      it(`d=${d}, n=${n}: no exclusions, a set, a predicate, persistent marks; every order and bound`, () => {
        const rng = mulberry32(1000 * d + n);
        const { pts, ids } = pointCloud(rng, n, d);
        const tree = KdTree.build(pts, d, ids, { leafSize: n === 1000 ? 16 : 4, centroids: true });
        const qs = queries(rng, d, n === 1000 ? 16 : 8);
        const excludedSet = new Set<number>();
        for (let i = 0; i < n; i++) if (rng() < 0.3) excludedSet.add(ids[i]!);
        const predicate = (id: number): boolean => id % 5 === 2;
        for (const q of qs) {
          for (const exclude of [undefined, excludedSet, predicate] as (Exclusion | undefined)[]) {
            const want = bruteForceFurthest(pts, d, ids, q, exclude);
            for (const mode of MODES) {
              expect(tree.furthest(q, exclude, mode)).toEqual(want);
            }
          }
          // persistent marks give the same answer as the same ids in a set
          for (const id of excludedSet) tree.exclude(id);
          const want = bruteForceFurthest(pts, d, ids, q, excludedSet);
          for (const mode of MODES) expect(tree.furthest(q, undefined, mode)).toEqual(want);
          // marks and a predicate combine
          const both = (id: number): boolean => excludedSet.has(id) || predicate(id);
          expect(tree.furthest(q, predicate)).toEqual(bruteForceFurthest(pts, d, ids, q, both));
          tree.clearExclusions();
        }
      });
    }
  }

  it('is exact for every leaf size, including 1 and larger than n', () => {
    const rng = mulberry32(77);
    const d = 5;
    const pts = randomPoints(rng, 300, d);
    const qs = queries(rng, d, 10);
    for (const leafSize of [1, 2, 3, 16, 64, 1000]) {
      const tree = KdTree.build(pts, d, undefined, { leafSize, centroids: true });
      for (const q of qs) expect(tree.furthest(q)).toEqual(bruteForceFurthest(pts, d, null, q));
    }
  });

  it('is exact on many small tie-heavy problems (integer grid coordinates), with marks and sets', () => {
    const rng = mulberry32(123);
    for (let trial = 0; trial < 300; trial++) {
      const d = 1 + Math.floor(rng() * 6);
      const n = 1 + Math.floor(rng() * 60);
      const pts = Float32Array.from({ length: n * d }, () => Math.floor(rng() * 5) - 2);
      const ids = makeIds(rng, n);
      const tree = KdTree.build(pts, d, ids, { leafSize: 1 + Math.floor(rng() * 8), centroids: true });
      const marked = new Set<number>();
      const set = new Set<number>();
      for (const id of ids) {
        const u = rng();
        if (u < 0.2) marked.add(id);
        else if (u < 0.4) set.add(id);
      }
      for (const id of marked) tree.exclude(id);
      const union = new Set([...marked, ...set]);
      const q = Float32Array.from({ length: d }, () => Math.floor(rng() * 7) - 3);
      const want = bruteForceFurthest(pts, d, ids, q, union);
      for (const mode of MODES) expect(tree.furthest(q, set, mode)).toEqual(want);
    }
  });

  it('querying from an id skips that id and matches brute force', () => {
    const rng = mulberry32(5);
    const d = 8;
    const n = 400;
    const { pts, ids } = pointCloud(rng, n, d);
    const tree = KdTree.build(pts, d, ids);
    for (let row = 0; row < n; row += 37) {
      const q = pts.slice(row * d, row * d + d);
      const self = ids[row]!;
      const got = tree.furthestFromId(self);
      expect(got).toEqual(bruteForceFurthest(pts, d, ids, q, (id) => id === self));
    }
    expect(() => tree.furthestFromId(-5)).toThrow(/not in this tree/);
  });
});

describe('exclusions', () => {
  const rng = mulberry32(11);
  const d = 8;
  const n = 500;
  const { pts, ids } = pointCloud(rng, n, d);
  const q = queries(rng, d, 2);

  it('excluding all but one point returns that point; excluding all returns null', () => {
    const tree = KdTree.build(pts, d, ids, { centroids: true });
    const keep = ids[123]!;
    const allButOne = new Set(Array.from(ids).filter((id) => id !== keep));
    const all = new Set(Array.from(ids));
    for (const query of q) {
      for (const mode of MODES) {
        expect(tree.furthest(query, allButOne, mode)?.id).toBe(keep);
        expect(tree.furthest(query, all, mode)).toBeNull();
        expect(tree.furthest(query, (id) => id !== keep, mode)?.id).toBe(keep);
        expect(tree.furthest(query, () => true, mode)).toBeNull();
        expect(tree.furthest(query, allButOne, { ...mode, maxVisits: 1 })?.id).toBe(keep);
      }
      for (const id of allButOne) tree.exclude(id);
      expect(tree.liveCount).toBe(1);
      expect(tree.furthest(query)?.id).toBe(keep);
      expect(tree.furthest(query, new Set([keep]))).toBeNull();
      tree.exclude(keep);
      expect(tree.furthest(query)).toBeNull();
      expect(tree.furthest(query, undefined, { maxVisits: 1 })).toBeNull();
      tree.clearExclusions();
      expect(tree.liveCount).toBe(n);
    }
  });

  it('a per-query set and persistent marks combine, and the set leaves the marks as they were', () => {
    const tree = KdTree.build(pts, d, ids);
    tree.exclude(ids[0]!);
    tree.exclude(ids[1]!);
    const big = new Set(Array.from(ids).slice(0, 400)); // overlaps the marks
    expect(tree.furthest(q[0]!, big)).toEqual(bruteForceFurthest(pts, d, ids, q[0]!, big));
    const other = new Set(Array.from(ids).slice(300, 450));
    const union = new Set([ids[0]!, ids[1]!, ...other]);
    expect(tree.furthest(q[0]!, other)).toEqual(bruteForceFurthest(pts, d, ids, q[0]!, union));
    expect(tree.liveCount).toBe(n - 2);
    expect(tree.isExcluded(ids[0]!)).toBe(true);
    expect(tree.isExcluded(ids[2]!)).toBe(false);
    expect(tree.furthest(q[0]!)).toEqual(bruteForceFurthest(pts, d, ids, q[0]!, new Set([ids[0]!, ids[1]!])));
  });

  it('exclude / restore report changes and ignore unknown ids', () => {
    const tree = KdTree.build(pts, d, ids);
    expect(tree.exclude(ids[3]!)).toBe(true);
    expect(tree.exclude(ids[3]!)).toBe(false);
    expect(tree.exclude(1)).toBe(false); // not an id of this tree (ids are 3i + 7)
    expect(tree.restore(ids[4]!)).toBe(false);
    expect(tree.restore(ids[3]!)).toBe(true);
    expect(tree.liveCount).toBe(n);
    const before = tree.furthest(q[1]!);
    const first = before!.id;
    tree.exclude(first);
    expect(tree.furthest(q[1]!)!.id).not.toBe(first);
    tree.restore(first);
    expect(tree.furthest(q[1]!)).toEqual(before);
  });

  it('skips dead subtrees: with most points excluded by marks, few nodes are visited', () => {
    const big = randomPoints(mulberry32(3), 4000, 4);
    const tree = KdTree.build(big, 4);
    for (let id = 10; id < 4000; id++) tree.exclude(id);
    const got = tree.furthest(new Float32Array(4));
    expect(got).toEqual(bruteForceFurthest(big, 4, null, new Float32Array(4), (id) => id >= 10));
    expect(tree.stats.visits).toBeLessThan(tree.nodeCount / 4);
  });
});

describe('ties are deterministic: the smallest id wins', () => {
  it('among duplicate points', () => {
    const d = 3;
    const pts = new Float32Array(60 * d);
    for (let i = 0; i < 60; i++) pts.set(i < 30 ? [5, 5, 5] : [0, 0, 0], i * d);
    const ids = shuffleInPlace(
      Int32Array.from({ length: 60 }, (_, i) => 100 - i),
      mulberry32(9),
    ) as Int32Array;
    const farIds = Array.from(ids).slice(0, 30);
    for (const leafSize of [1, 4, 16]) {
      const tree = KdTree.build(pts, d, ids, { leafSize, centroids: true });
      for (const mode of MODES) {
        const got = tree.furthest(new Float32Array([0, 0, 0]), undefined, mode)!;
        expect(got.id).toBe(Math.min(...farIds));
        expect(got.distance).toBeCloseTo(Math.sqrt(75), 6);
        expect(got).toEqual(bruteForceFurthest(pts, d, ids, new Float32Array([0, 0, 0])));
        const without = new Set([Math.min(...farIds)]);
        expect(tree.furthest(new Float32Array([0, 0, 0]), without, mode)!.id).toBe(
          Math.min(...farIds.filter((id) => !without.has(id))),
        );
      }
    }
  });

  it('among distinct points at equal distance (corners of a cube, query at its centre)', () => {
    const d = 4;
    const corners = 1 << d;
    const pts = new Float32Array(corners * d);
    for (let c = 0; c < corners; c++) for (let k = 0; k < d; k++) pts[c * d + k] = (c >> k) & 1 ? 1 : -1;
    const ids = Int32Array.from({ length: corners }, (_, i) => 50 - 3 * i);
    const tree = KdTree.build(pts, d, ids, { leafSize: 1, centroids: true });
    const centre = new Float32Array(d);
    for (const mode of MODES) {
      expect(tree.furthest(centre, undefined, mode)!.id).toBe(50 - 3 * (corners - 1));
      expect(tree.furthest(centre, new Set([50 - 3 * (corners - 1)]), mode)!.id).toBe(50 - 3 * (corners - 2));
    }
  });

  it('two builds of the same data answer the same', () => {
    const rng = mulberry32(21);
    const pts = randomPoints(rng, 700, 8);
    const qs = queries(rng, 8, 10);
    const a = KdTree.build(pts, 8);
    const b = KdTree.build(pts, 8);
    for (const q of qs) {
      expect(a.furthest(q, undefined, { maxVisits: 7 })).toEqual(b.furthest(q, undefined, { maxVisits: 7 }));
      expect(a.stats).toEqual(b.stats);
    }
  });
});

describe('approximate mode (maxVisits)', () => {
  it('never returns an excluded id, always returns a valid point, never beats the exact answer', () => {
    const rng = mulberry32(31);
    let truncated = 0;
    for (const d of [2, 8, 32]) {
      const n = 1000;
      const { pts, ids } = pointCloud(rng, n, d);
      const rowOf = new Map(Array.from(ids, (id, row) => [id, row] as const));
      const tree = KdTree.build(pts, d, ids, { centroids: true });
      const excluded = new Set<number>();
      for (let i = 0; i < n; i++) if (rng() < 0.9) excluded.add(ids[i]!);
      const kinds: [string, Exclusion | undefined][] = [
        ['set', excluded],
        ['predicate', (id) => excluded.has(id)],
        ['marks', undefined],
      ];
      for (const q of queries(rng, d, 6)) {
        const exact = tree.furthest(q, excluded)!;
        for (const [kind, exclude] of kinds) {
          if (kind === 'marks') for (const id of excluded) tree.exclude(id);
          for (const maxVisits of [1, 2, 5, 20]) {
            for (const order of ['depth-first', 'best-first'] as const) {
              for (const bound of ['box', 'box+centroid'] as const) {
                const got = tree.furthest(q, exclude, { maxVisits, order, bound });
                if (tree.stats.truncated) truncated++;
                expect(got).not.toBeNull();
                expect(excluded.has(got!.id)).toBe(false);
                expect(rowOf.has(got!.id)).toBe(true);
                expect(got!.distance).toBeCloseTo(dist(pts, d, rowOf.get(got!.id)!, q), 9);
                expect(got).toEqual(bruteForceFurthest(pts, d, ids, q, (id) => id !== got!.id));
                expect(got!.distance).toBeLessThanOrEqual(exact.distance);
              }
            }
          }
          // a budget that covers the whole tree is exact
          expect(tree.furthest(q, exclude, { maxVisits: tree.nodeCount })).toEqual(exact);
          tree.clearExclusions();
        }
      }
    }
    expect(truncated).toBeGreaterThan(100); // the budget really did cut searches short
  });

  it('rejects a budget below 1, and the centroid bound on a tree built without centroids', () => {
    const tree = KdTree.build(new Float32Array([0, 1]), 1);
    expect(() => tree.furthest([0], undefined, { maxVisits: 0 })).toThrow(/maxVisits/);
    expect(() => tree.furthest([0], undefined, { bound: 'box+centroid' })).toThrow(/centroids: true/);
  });
});

describe('input checks', () => {
  it('rejects bad shapes, non-finite values and duplicate ids with a message', () => {
    expect(() => KdTree.build(new Float32Array(5), 2)).toThrow(/whole number/);
    expect(() => KdTree.build(new Float32Array([0, NaN]), 2)).toThrow(/non-finite/);
    expect(() => KdTree.build(new Float32Array(4), 2, [1, 1])).toThrow(/appears twice/);
    expect(() => KdTree.build(new Float32Array(4), 2, [1])).toThrow(/one id per point/);
    expect(() => KdTree.build(new Float32Array(4), 2, [1, 1e12])).toThrow(/32-bit/);
    const tree = KdTree.build(new Float32Array(4), 2);
    expect(() => tree.furthest([0])).toThrow(/dimensions/);
    expect(() => tree.furthest([0, Infinity])).toThrow(/non-finite/);
  });

  it('handles an empty tree and sparse ids (map lookup)', () => {
    const empty = KdTree.build(new Float32Array(0), 3);
    expect(empty.furthest([0, 0, 0])).toBeNull();
    const sparse = KdTree.build(new Float32Array([0, 0, 3, 4]), 2, [-2_000_000_000, 2_000_000_000]);
    expect(sparse.furthest([0, 0])).toEqual({ id: 2_000_000_000, distance: 5 });
    expect(sparse.exclude(2_000_000_000)).toBe(true);
    expect(sparse.furthest([0, 0])).toEqual({ id: -2_000_000_000, distance: 0 });
  });

  it('is not re-entrant: a predicate that queries the same tree is refused', () => {
    const tree = KdTree.build(new Float32Array([0, 1, 2]), 1);
    expect(() => tree.furthest([0], (id) => tree.furthest([0]) === null && id < 0)).toThrow(/already running/);
    expect(tree.furthest([0])).toEqual({ id: 2, distance: 2 }); // and the tree still works
    // a predicate that swallows the refusal does not corrupt the outer query
    const swallow = (id: number): boolean => {
      try {
        tree.furthest([2]);
      } catch {
        /* refused */
      }
      return id === 2;
    };
    expect(tree.furthest([0], swallow)).toEqual({ id: 1, distance: 1 });
  });
});

describe('ClassKdForest', () => {
  const rng = mulberry32(41);
  const d = 8;
  const n = 900;
  const pts = randomPoints(rng, n, d);
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * 3) * 2); // classes 0, 2, 4
  const ids = makeIds(rng, n);
  const forest = ClassKdForest.build(pts, d, labels, { ids, leafSize: 8 });

  function classBrute(
    label: number,
    q: Float32Array,
    exclude: (id: number) => boolean,
  ): ReturnType<typeof bruteForceFurthest> {
    return bruteForceFurthest(pts, d, ids, q, (id) => forest.labelOf(id) !== label || exclude(id));
  }

  it('answers within the class, by id (self skipped) and by query', () => {
    expect(forest.labels()).toEqual([0, 2, 4]);
    const subset = new Set(Array.from(ids).filter((_, i) => i % 4 === 0));
    for (let row = 1; row < n; row += 53) {
      const id = ids[row]!;
      const label = labels[row]!;
      expect(forest.labelOf(id)).toBe(label);
      const got = forest.furthestSameClass(id, label, subset);
      expect(got).toEqual(classBrute(label, pts.slice(row * d, row * d + d), (x) => x === id || subset.has(x)));
      expect(forest.labelOf(got!.id)).toBe(label);
      const q = queries(rng, d, 1)[0]!;
      expect(forest.furthestSameClass(q, label, subset)).toEqual(classBrute(label, q, (x) => subset.has(x)));
      expect(forest.embedding(id)).toEqual(pts.slice(row * d, row * d + d));
    }
  });

  it('routes persistent exclusions to the right tree', () => {
    const q = new Float32Array(d);
    const first = forest.furthestSameClass(q, 2)!;
    expect(forest.exclude(first.id)).toBe(true);
    expect(forest.isExcluded(first.id)).toBe(true);
    const second = forest.furthestSameClass(q, 2)!;
    expect(second.id).not.toBe(first.id);
    expect(second).toEqual(classBrute(2, q, (x) => x === first.id));
    forest.clearExclusions();
    expect(forest.furthestSameClass(q, 2)).toEqual(first);
  });

  it('says what is wrong with a bad call', () => {
    const id = ids[0]!;
    const other = (labels[0]! + 2) % 6;
    expect(() => forest.furthestSameClass(id, other)).toThrow(/is in class/);
    expect(() => forest.furthestSameClass(-1, 0)).toThrow(/no embedding/);
    expect(forest.furthestSameClass(new Float32Array(d), 7)).toBeNull(); // no such class
    expect(() => ClassKdForest.build(pts, d, labels.subarray(1))).toThrow(/one label per embedding/);
  });
});
