import { describe, expect, it } from 'vitest';
import {
  DARTS_OPS,
  NB201_OPS,
  dartsEdgeList,
  NB201_EDGE_LIST,
  type DartsOp,
  type Nb201Op,
} from '../../shared/genotype/ops.js';
import { formatDartsGenotype, formatNb201, parseDartsGenotype, parseNb201 } from '../../shared/genotype/text.js';
import {
  deriveDartsCell,
  deriveDartsGenotype,
  deriveNb201Genotype,
  softmaxRows,
} from '../../shared/genotype/derive.js';
import { DARTS_V2_TEXT, DARTS_V2_NORMAL_WEIGHTS } from '../fixtures/genotypes.js';

describe('edge orders', () => {
  it('DARTS: node-major, inputs ascending, 14 edges for 4 steps', () => {
    const e = dartsEdgeList();
    expect(e).toHaveLength(14);
    expect(e.slice(0, 5)).toEqual([
      { node: 0, input: 0 },
      { node: 0, input: 1 },
      { node: 1, input: 0 },
      { node: 1, input: 1 },
      { node: 1, input: 2 },
    ]);
    expect(e[13]).toEqual({ node: 3, input: 4 });
    expect(dartsEdgeList(5)).toHaveLength(20);
    expect(dartsEdgeList(1)).toEqual([
      { node: 0, input: 0 },
      { node: 0, input: 1 },
    ]);
  });
  it("NAS-Bench-201: the benchmark's '{to}<-{from}' order", () => {
    expect(NB201_EDGE_LIST.map((e) => `${e.to}<-${e.from}`)).toEqual(['1<-0', '2<-0', '2<-1', '3<-0', '3<-1', '3<-2']);
    expect(Object.isFrozen(NB201_EDGE_LIST)).toBe(true);
  });
});

/** A DARTS α row: `value` on `op`, `none` on none, 0.01 elsewhere. */
const drow = (op: DartsOp, value: number, none = 0.01): number[] =>
  DARTS_OPS.map((o) => (o === op ? value : o === 'none' ? none : 0.01));
const nrow = (op: Nb201Op, value: number): number[] => NB201_OPS.map((o) => (o === op ? value : 0.1));

describe('deriving genotypes from α', () => {
  it('softmaxRows is a numerically stable softmax per row', () => {
    const s = softmaxRows([
      [0, 0],
      [1000, 1001, 999],
      [Math.log(1), Math.log(3)],
      [-Infinity, 0],
    ]);
    expect(s[0]).toEqual([0.5, 0.5]);
    expect(s[1]!.every(Number.isFinite)).toBe(true);
    expect(s[1]![0]).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1) + Math.exp(-2)), 12);
    expect(s[1]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(s[2]![1]).toBeCloseTo(0.75, 12);
    expect(s[3]).toEqual([0, 1]);
  });

  it("reproduces DARTS_V2_TEXT's normal cell from a matching α", () => {
    const v2 = parseDartsGenotype(DARTS_V2_TEXT);
    expect(deriveDartsCell(DARTS_V2_NORMAL_WEIGHTS)).toEqual(v2.normal);
    // the same α given as logits and softmaxed first
    expect(deriveDartsCell(softmaxRows(DARTS_V2_NORMAL_WEIGHTS.map((r) => r.map(Math.log))))).toEqual(v2.normal);
    const g = deriveDartsGenotype(DARTS_V2_NORMAL_WEIGHTS, DARTS_V2_NORMAL_WEIGHTS);
    expect(g).toEqual({
      space: 'darts',
      normal: v2.normal,
      normalConcat: [2, 3, 4, 5],
      reduce: v2.normal,
      reduceConcat: [2, 3, 4, 5],
    });
    expect(formatDartsGenotype(g)).toContain('normal_concat=range(2, 6)');
  });

  it('ignores `none` when ranking edges and choosing operations', () => {
    // node 0: edge 0 has `none` 0.9 and sep_conv_5x5 0.05; edge 1 max_pool 0.3 → edge 1 first
    const w = [drow('sep_conv_5x5', 0.05, 0.9), drow('max_pool_3x3', 0.3)];
    expect(deriveDartsCell(w, 1)).toEqual([
      ['max_pool_3x3', 1],
      ['sep_conv_5x5', 0],
    ]);
  });

  it('keeps the strongest edge first and breaks ties stably (lower input first, first operation)', () => {
    const w = [
      // node 0: equal strengths → inputs 0, 1 in order
      drow('skip_connect', 0.5),
      drow('avg_pool_3x3', 0.5),
      // node 1: inputs 1 and 2 tie above input 0 → 1 then 2
      drow('sep_conv_3x3', 0.2),
      drow('dil_conv_5x5', 0.7),
      drow('dil_conv_3x3', 0.7),
      // node 2: input 3 strongest, then input 0; input 0's operations tie → the first (max_pool_3x3)
      DARTS_OPS.map((o) => (o === 'max_pool_3x3' || o === 'avg_pool_3x3' ? 0.4 : 0.01)),
      drow('sep_conv_3x3', 0.3),
      drow('sep_conv_3x3', 0.3),
      drow('sep_conv_5x5', 0.9),
      // node 3: all equal → inputs 0, 1, each the first non-none operation
      ...Array.from({ length: 5 }, () => DARTS_OPS.map(() => 0.125)),
    ];
    expect(deriveDartsCell(w)).toEqual([
      ['skip_connect', 0],
      ['avg_pool_3x3', 1],
      ['dil_conv_5x5', 1],
      ['dil_conv_3x3', 2],
      ['sep_conv_5x5', 3],
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 0],
      ['max_pool_3x3', 1],
    ]);
  });

  it('NAS-Bench-201 takes the argmax over all operations, `none` included, first maximum on ties', () => {
    const w = [
      nrow('nor_conv_3x3', 0.6), // 1<-0
      nrow('none', 0.6), // 2<-0
      nrow('avg_pool_3x3', 0.6), // 2<-1
      nrow('skip_connect', 0.6), // 3<-0
      NB201_OPS.map(() => 0.2), // 3<-1: tie → none
      [0.1, 0.1, 0.35, 0.35, 0.1], // 3<-2: tie → nor_conv_1x1
    ];
    const g = deriveNb201Genotype(w);
    expect(formatNb201(g)).toBe('|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|');
    expect(parseNb201(formatNb201(g))).toEqual(g);
  });

  it('rejects α of the wrong shape with a clear message', () => {
    expect(() => deriveDartsCell(DARTS_V2_NORMAL_WEIGHTS.slice(1))).toThrow(/expected 14 rows/);
    expect(() => deriveDartsCell(DARTS_V2_NORMAL_WEIGHTS, 5)).toThrow(/expected 20 rows/);
    const short = DARTS_V2_NORMAL_WEIGHTS.map((r, i) => (i === 3 ? r.slice(1) : r));
    expect(() => deriveDartsCell(short)).toThrow(/row 3 has 7 values; expected 8/);
    expect(() =>
      deriveDartsCell(DARTS_V2_NORMAL_WEIGHTS.map((r, i) => (i === 2 ? [...r.slice(0, 7), Number.NaN] : r))),
    ).toThrow(/row 2, column 7 is not a number/);
    expect(() => deriveDartsGenotype(DARTS_V2_NORMAL_WEIGHTS, [])).toThrow(/expected 14 rows/);
    expect(() => deriveNb201Genotype([[1, 0, 0, 0, 0]])).toThrow(/expected 6 rows/);
    expect(() => deriveNb201Genotype(Array.from({ length: 6 }, () => [1, 0, 0, 0]))).toThrow(
      /row 0 has 4 values; expected 5/,
    );
  });
});
