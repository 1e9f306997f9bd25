/**
 * The NAS-Bench-201 architecture space (main/engine/spaces/nb201/space.ts): indices, strings and genotypes agree for
 * all 15,625 cells; the architecture distance ([DSM-NAS] Eq. 4); the ball of radius M listed exhaustively against a
 * brute-force scan of the space; sampling within M (every sample inside, the whole ball reached, uniform).
 */
import { describe, expect, it } from 'vitest';
import { NB201_OPS } from '../../shared/genotype/ops.js';
import { parseNb201 } from '../../shared/genotype/text.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import {
  NB201_SPACE_SIZE,
  archDistance,
  archFromIndex,
  archOfGenotype,
  archText,
  ball,
  genotypeOfArch,
  indexOfArch,
  indexOfText,
  sampleIndices,
  sampleWithin,
  shellSize,
} from '../../main/engine/spaces/nb201/space.js';

describe('NB201 cells as indices, strings and genotypes', () => {
  it('round-trips every one of the 15,625 cells', () => {
    expect(NB201_SPACE_SIZE).toBe(15_625);
    const texts = new Set<string>();
    for (let i = 0; i < NB201_SPACE_SIZE; i++) {
      const arch = archFromIndex(i);
      expect(indexOfArch(arch)).toBe(i);
      const text = archText(i);
      texts.add(text);
      expect(indexOfText(text)).toBe(i);
      expect(archOfGenotype(genotypeOfArch(arch))).toEqual(arch);
    }
    expect(texts.size).toBe(NB201_SPACE_SIZE);
  });

  it('writes the benchmark string with edges in NB201_EDGE_LIST order (1<-0 | 2<-0 2<-1 | 3<-0 3<-1 3<-2)', () => {
    // digits: edge 0 most significant; ops none=0 skip=1 conv1x1=2 conv3x3=3 pool=4
    const arch = [3, 1, 2, 0, 4, 3];
    expect(archText(indexOfArch(arch))).toBe(
      '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|',
    );
    expect(
      archOfGenotype(
        parseNb201('|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|'),
      ),
    ).toEqual(arch);
    expect(indexOfArch([0, 0, 0, 0, 0, 0])).toBe(0);
    expect(indexOfArch([0, 0, 0, 0, 0, 1])).toBe(1);
    expect(indexOfArch([1, 0, 0, 0, 0, 0])).toBe(5 ** 5);
  });

  it('refuses indices and architectures outside the space, saying what is allowed', () => {
    expect(() => archFromIndex(15_625)).toThrow(/outside 0\.\.15624/);
    expect(() => archFromIndex(-1)).toThrow(/outside/);
    expect(() => indexOfArch([0, 0, 0, 0, 0])).toThrow(/6 operation indices in 0\.\.4/);
    expect(() => indexOfArch([0, 0, 0, 0, 0, 5])).toThrow(/6 operation indices/);
    expect(() => indexOfText('|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|')).toThrow();
  });
});

describe('architecture distance and subspaces', () => {
  it('counts the edges whose operation differs', () => {
    expect(archDistance([0, 1, 2, 3, 4, 0], [0, 1, 2, 3, 4, 0])).toBe(0);
    expect(archDistance([0, 1, 2, 3, 4, 0], [1, 1, 2, 3, 4, 0])).toBe(1);
    expect(archDistance([0, 1, 2, 3, 4, 0], [4, 0, 1, 2, 3, 4])).toBe(6);
    expect(archDistance([3, 3, 3, 0, 0, 0], [3, 2, 3, 0, 1, 0])).toBe(2);
  });

  it('is a metric on a sample of cells (symmetric, zero only on itself, triangle inequality)', () => {
    const rng = mulberry32(3);
    for (let t = 0; t < 300; t++) {
      const [a, b, c] = [0, 1, 2].map(() => archFromIndex(Math.floor(rng() * NB201_SPACE_SIZE)));
      expect(archDistance(a!, b!)).toBe(archDistance(b!, a!));
      expect(archDistance(a!, b!) === 0).toBe(indexOfArch(a!) === indexOfArch(b!));
      expect(archDistance(a!, c!)).toBeLessThanOrEqual(archDistance(a!, b!) + archDistance(b!, c!));
    }
  });

  it.each([0, 1, 2, 3])('lists the ball of radius %i exactly: every cell of the space within M, none beyond', (m) => {
    const centre = [3, 0, 1, 4, 2, 3];
    const listed = ball(centre, m).map(indexOfArch);
    const brute: number[] = [];
    for (let i = 0; i < NB201_SPACE_SIZE; i++) if (archDistance(centre, archFromIndex(i)) <= m) brute.push(i);
    expect([...listed].sort((a, b) => a - b)).toEqual(brute);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed[0]).toBe(indexOfArch(centre));
    expect(listed.length).toBe(Array.from({ length: m + 1 }, (_, d) => shellSize(d)).reduce((a, b) => a + b, 0));
  });

  it('the ball of radius 6 is the whole space; shells are C(6, d)·4^d', () => {
    expect(ball([0, 0, 0, 0, 0, 0], 6).length).toBe(NB201_SPACE_SIZE);
    expect([0, 1, 2, 3, 6].map(shellSize)).toEqual([1, 24, 240, 1280, 4096]);
  });

  it.each([1, 2, 3])('samples only within distance %i, reaching the whole ball about uniformly', (m) => {
    const centre = [1, 2, 3, 4, 0, 1];
    const rng = mulberry32(11 + m);
    const size = ball(centre, m).length;
    const counts = new Map<number, number>();
    const draws = size * 40;
    for (let i = 0; i < draws; i++) {
      const s = sampleWithin(centre, m, rng);
      expect(archDistance(centre, s)).toBeLessThanOrEqual(m);
      counts.set(indexOfArch(s), (counts.get(indexOfArch(s)) ?? 0) + 1);
    }
    expect(counts.size).toBe(size);
    // uniform: every cell about 40 times (a loose bound: 40 ± 6σ)
    for (const n of counts.values()) expect(n).toBeGreaterThan(40 - 6 * Math.sqrt(40));
  });

  it('sampling is repeatable for a seed and radius 0 gives the centre', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          sampleWithin([0, 1, 2, 3, 4, 0], 3, r)
      )(mulberry32(9)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          sampleWithin([0, 1, 2, 3, 4, 0], 3, r)
      )(mulberry32(9)),
    );
    expect(a).toEqual(b);
    expect(sampleWithin([4, 4, 4, 4, 4, 4], 0, mulberry32(1))).toEqual([4, 4, 4, 4, 4, 4]);
    expect(() => sampleWithin([0, 0, 0, 0, 0, 0], 7, mulberry32(1))).toThrow(/0\.\.6/);
  });

  it('draws N distinct cells, or the whole space in order', () => {
    const s = sampleIndices(200, mulberry32(2));
    expect(new Set(s).size).toBe(200);
    expect(s.every((i) => i >= 0 && i < NB201_SPACE_SIZE)).toBe(true);
    expect(sampleIndices(200, mulberry32(2))).toEqual(s);
    expect(sampleIndices(NB201_SPACE_SIZE, mulberry32(2))).toEqual(
      Array.from({ length: NB201_SPACE_SIZE }, (_, i) => i),
    );
    expect(NB201_OPS.length ** 6).toBe(NB201_SPACE_SIZE);
  });
});
