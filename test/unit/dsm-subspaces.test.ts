/**
 * DSM-NAS subspaces (main/engine/search/dsm/subspaces.ts): the proposals of a subspace are exactly the cells within
 * distance M of its centre, the centre excluded (exhaustive for every M); the graph's edges run from the weaker
 * centre to the better one with the positions where they differ; a centre is replaced only by a better cell that is
 * not already a centre; starting centres are the given cells, then distinct random ones, the same for a seed.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import {
  SubspaceGraph,
  changedPositions,
  initialCentres,
  proposalsWithin,
} from '../../main/engine/search/dsm/subspaces.js';
import {
  NB201_SPACE_SIZE,
  archDistance,
  archFromIndex,
  archText,
  indexOfArch,
  shellSize,
} from '../../main/engine/spaces/nb201/space.js';

describe('proposals within M', () => {
  it.each([1, 2, 3, 4, 5, 6])('are every cell at distance 1..%i of the centre, once', (m) => {
    const centre = archFromIndex(4321);
    const got = proposalsWithin(centre, m).map(indexOfArch);
    const want: number[] = [];
    for (let i = 0; i < NB201_SPACE_SIZE; i++) {
      const d = archDistance(centre, archFromIndex(i));
      if (d >= 1 && d <= m) want.push(i);
    }
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort((a, b) => a - b)).toEqual(want);
    expect(got.length).toBe(Array.from({ length: m }, (_, d) => shellSize(d + 1)).reduce((a, b) => a + b, 0));
  });

  it('names the changed positions', () => {
    expect(changedPositions([0, 1, 2, 3, 4, 0], [0, 2, 2, 3, 0, 0])).toEqual([1, 4]);
  });
});

describe('the subspace graph', () => {
  const centres = [0, 100, 200];
  it('has one edge per pair, weaker to better, ties towards the lower node', () => {
    const g = new SubspaceGraph(centres, [0.2, 0.5, 0.2]);
    const edges = g.edges().map((e) => [e.from, e.to]);
    expect(edges).toEqual(
      expect.arrayContaining([
        [0, 1],
        [2, 1],
        [2, 0],
      ]),
    );
    expect(edges).toHaveLength(3);
    const e = g.edges().find((x) => x.from === 0 && x.to === 1)!;
    expect(e.positions).toEqual(changedPositions(archFromIndex(0), archFromIndex(100)));
    expect(g.best()).toBe(1);
  });

  it('replaces a centre only with a better cell that is not already a centre, and updates its edges', () => {
    const g = new SubspaceGraph(centres, [0.2, 0.5, 0.3]);
    expect(g.replace(0, archFromIndex(1), 0.2)).toBe(false); // equal is not better
    expect(g.replace(0, archFromIndex(1), 0.1)).toBe(false);
    expect(g.replace(0, archFromIndex(100), 0.9)).toBe(false); // already node 1's centre
    expect(g.centres).toEqual(centres);
    expect(g.replace(0, archFromIndex(1), 0.6)).toBe(true);
    expect(g.centres).toEqual([1, 100, 200]);
    expect(g.accuracies).toEqual([0.6, 0.5, 0.3]);
    expect(g.best()).toBe(0);
    expect(g.edges().filter((e) => e.to === 0)).toHaveLength(2);
    expect(g.cells()[0]).toEqual({ index: 1, text: archText(1), accuracy: 0.6 });
  });
});

describe('starting centres', () => {
  it('are the given cells, then distinct random ones, the same for a seed', () => {
    const given = [archText(7), archText(8)];
    const a = initialCentres(10, given, mulberry32(3));
    expect(a.slice(0, 2)).toEqual([7, 8]);
    expect(new Set(a).size).toBe(10);
    expect(initialCentres(10, given, mulberry32(3))).toEqual(a);
    expect(initialCentres(10, [], mulberry32(4))).not.toEqual(initialCentres(10, [], mulberry32(3)));
  });

  it('refuse a string that is not a cell, a repeat, or more cells than subspaces', () => {
    expect(() => initialCentres(3, ['nope'], mulberry32(1))).toThrow(/Starting cell 1 is not a NAS-Bench-201 cell/);
    expect(() => initialCentres(3, [archText(5), archText(5)], mulberry32(1))).toThrow(/repeats/);
    expect(() => initialCentres(1, [archText(5), archText(6)], mulberry32(1))).toThrow(/at most 1/);
  });
});
