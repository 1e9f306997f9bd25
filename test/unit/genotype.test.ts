import { describe, expect, it } from 'vitest';
import {
  cellSvg,
  DARTS_OPS,
  dartsEdgeList,
  deriveDartsCell,
  deriveDartsGenotype,
  deriveNb201Genotype,
  formatDartsGenotype,
  formatGenotype,
  formatNb201,
  GenotypeFormatError,
  NB201_EDGE_LIST,
  NB201_OPS,
  OP_COLORS,
  parseDartsGenotype,
  parseGenotype,
  parseGenotypeJson,
  parseNb201,
  softmaxRows,
  toGenotypeJson,
  type DartsGenotype,
  type DartsOp,
  type Genotype,
  type GenotypeProvenance,
  type Nb201Op,
} from '../../shared/genotype.js';

// Published genotypes, verbatim: quark0/darts cnn/genotypes.py (f276dd3), yuhuixu1993/PC-DARTS genotypes.py
// (b74702f), chenxin061/pdarts genotypes.py (b880e87).
const NASNet = `NASNet = Genotype(
  normal = [
    ('sep_conv_5x5', 1),
    ('sep_conv_3x3', 0),
    ('sep_conv_5x5', 0),
    ('sep_conv_3x3', 0),
    ('avg_pool_3x3', 1),
    ('skip_connect', 0),
    ('avg_pool_3x3', 0),
    ('avg_pool_3x3', 0),
    ('sep_conv_3x3', 1),
    ('skip_connect', 1),
  ],
  normal_concat = [2, 3, 4, 5, 6],
  reduce = [
    ('sep_conv_5x5', 1),
    ('sep_conv_7x7', 0),
    ('max_pool_3x3', 1),
    ('sep_conv_7x7', 0),
    ('avg_pool_3x3', 1),
    ('sep_conv_5x5', 0),
    ('skip_connect', 3),
    ('avg_pool_3x3', 2),
    ('sep_conv_3x3', 2),
    ('max_pool_3x3', 1),
  ],
  reduce_concat = [4, 5, 6],
)`;

const AmoebaNet = `AmoebaNet = Genotype(
  normal = [
    ('avg_pool_3x3', 0),
    ('max_pool_3x3', 1),
    ('sep_conv_3x3', 0),
    ('sep_conv_5x5', 2),
    ('sep_conv_3x3', 0),
    ('avg_pool_3x3', 3),
    ('sep_conv_3x3', 1),
    ('skip_connect', 1),
    ('skip_connect', 0),
    ('avg_pool_3x3', 1),
    ],
  normal_concat = [4, 5, 6],
  reduce = [
    ('avg_pool_3x3', 0),
    ('sep_conv_3x3', 1),
    ('max_pool_3x3', 0),
    ('sep_conv_7x7', 2),
    ('sep_conv_7x7', 0),
    ('avg_pool_3x3', 1),
    ('max_pool_3x3', 0),
    ('max_pool_3x3', 1),
    ('conv_7x1_1x7', 0),
    ('sep_conv_3x3', 5),
  ],
  reduce_concat = [3, 4, 6]
)`;

const DARTS_V1 = `DARTS_V1 = Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])`;

const DARTS_V2 = `DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])`;

const PC_DARTS_cifar = `PC_DARTS_cifar = Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))`;

const PC_DARTS_image = `PC_DARTS_image = Genotype(normal=[('skip_connect', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 0), ('skip_connect', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_5x5', 2), ('max_pool_3x3', 1), ('sep_conv_3x3', 2), ('sep_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 3)], reduce_concat=range(2, 6))`;

const PDARTS = `PDARTS = Genotype(normal=[('skip_connect', 0), ('dil_conv_3x3', 1), ('skip_connect', 0),('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3',0), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_3x3', 0), ('dil_conv_5x5', 2), ('max_pool_3x3', 0), ('dil_conv_3x3', 1), ('dil_conv_3x3', 1), ('dil_conv_5x5', 3)], reduce_concat=range(2, 6))`;

/** How DARTS's train_search.py logs DARTS_V2's structure (Python 3 prints a range as `range(2, 6)`). */
const DARTS_V2_PRINTED =
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))";

/** NAS-Bench-201: the best CIFAR-10 architecture and the ResNet-like cell. */
const NB201_BEST = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const NB201_RESNET = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|';
const NB201_EXAMPLE = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

/** The GenotypeFormatError a call throws (fails the test when it throws nothing or something else). */
function formatError(fn: () => unknown): GenotypeFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GenotypeFormatError);
    return e as GenotypeFormatError;
  }
  throw new Error('expected a GenotypeFormatError');
}

const darts = (normal: Array<[DartsOp, number]>, normalConcat: number[], reduce = normal, reduceConcat = normalConcat): DartsGenotype => ({
  space: 'darts',
  normal,
  normalConcat,
  reduce,
  reduceConcat,
});

describe('DARTS genotype text', () => {
  it('formats exactly as the DARTS search script prints the namedtuple', () => {
    const g = parseDartsGenotype(DARTS_V2);
    expect(formatDartsGenotype(g)).toBe(DARTS_V2_PRINTED);
    expect(formatGenotype(g)).toBe(DARTS_V2_PRINTED);
  });

  it('prints a contiguous ascending concat as a range and anything else as a list', () => {
    const genes: Array<[DartsOp, number]> = [
      ['skip_connect', 0],
      ['skip_connect', 1],
      ['sep_conv_3x3', 2],
      ['skip_connect', 0],
      ['skip_connect', 1],
      ['sep_conv_3x3', 3],
    ];
    expect(formatDartsGenotype(darts(genes, [4]))).toContain('normal_concat=range(4, 5)');
    expect(formatDartsGenotype(darts(genes, [2, 3, 4]))).toContain('normal_concat=range(2, 5)');
    expect(formatDartsGenotype(darts(genes, [2, 4]))).toContain('normal_concat=[2, 4]');
    expect(formatDartsGenotype(darts(genes, [4, 3]))).toContain('normal_concat=[4, 3]');
  });

  it('round-trips: printed text → parse → format is the same text; genotype → format → parse is the same genotype', () => {
    expect(formatDartsGenotype(parseDartsGenotype(DARTS_V2_PRINTED))).toBe(DARTS_V2_PRINTED);
    for (const text of [DARTS_V1, DARTS_V2, PC_DARTS_cifar, PC_DARTS_image, PDARTS]) {
      const g = parseDartsGenotype(text);
      expect(parseDartsGenotype(formatDartsGenotype(g))).toEqual(g);
      expect(parseGenotype(formatGenotype(g))).toEqual(g);
    }
    const odd = darts([['none', 1], ['dil_conv_5x5', 0], ['avg_pool_3x3', 2], ['sep_conv_5x5', 1]], [3, 2], [['max_pool_3x3', 0], ['max_pool_3x3', 0], ['skip_connect', 2], ['skip_connect', 2]], [3]);
    expect(parseDartsGenotype(formatDartsGenotype(odd))).toEqual(odd);
  });

  it('accepts the layouts people paste: spacing, quotes, trailing commas, keyword order, assignments, logs', () => {
    const v2 = parseDartsGenotype(DARTS_V2_PRINTED);
    const variants = [
      DARTS_V2_PRINTED.replaceAll('range(2, 6)', 'range(2,6)'),
      DARTS_V2_PRINTED.replaceAll('range(2, 6)', '[2, 3, 4, 5]'),
      DARTS_V2_PRINTED.replaceAll('range(2, 6)', '[2,3,4,5,]'),
      DARTS_V2_PRINTED.replaceAll('range(2, 6)', 'list(range(2, 6))'),
      DARTS_V2_PRINTED.replaceAll("'", '"'),
      DARTS_V2_PRINTED.replaceAll(', ', ',\n      ').replaceAll('=', ' = '),
      `  \n\tgenotype = ${DARTS_V2_PRINTED}\n\n`,
      `genotypes.Genotype${DARTS_V2_PRINTED.slice('Genotype'.length)}`,
      // keyword order free, trailing commas, comments
      `Genotype(
        reduce_concat = range(2, 6),
        reduce = [('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1),
                  ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1),],
        normal_concat = [2, 3, 4, 5],  # every node
        normal = [
          ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),
          ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),
          ('sep_conv_3x3', 1), ('skip_connect', 0),
          ('skip_connect', 0), ('dil_conv_3x3', 2,),
        ],
      )`,
      // positional arguments, in the namedtuple's field order
      `Genotype([('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))`,
    ];
    for (const text of variants) expect(parseDartsGenotype(text), text).toEqual(v2);
  });
});

describe('published DARTS genotypes', () => {
  it('reads DARTS_V1 and DARTS_V2 from the DARTS code base', () => {
    const v2 = parseDartsGenotype(DARTS_V2);
    expect(v2.normal).toHaveLength(8);
    expect(v2.normal[0]).toEqual(['sep_conv_3x3', 0]);
    expect(v2.normal[7]).toEqual(['dil_conv_3x3', 2]);
    expect(v2.normalConcat).toEqual([2, 3, 4, 5]);
    expect(v2.reduce[0]).toEqual(['max_pool_3x3', 0]);
    expect(v2.reduce.filter(([op]) => op === 'max_pool_3x3')).toHaveLength(5);
    expect(v2.reduce.filter(([op]) => op === 'skip_connect')).toEqual([['skip_connect', 2], ['skip_connect', 2], ['skip_connect', 2]]);
    expect(v2.reduceConcat).toEqual([2, 3, 4, 5]);

    const v1 = parseDartsGenotype(DARTS_V1);
    expect(v1.normal[0]).toEqual(['sep_conv_3x3', 1]);
    expect(v1.normal[7]).toEqual(['skip_connect', 2]);
    expect(v1.reduce[7]).toEqual(['avg_pool_3x3', 0]);
    expect(v1).not.toEqual(v2);
  });

  it('reads PC-DARTS and P-DARTS genotypes (range concats; P-DARTS has genes without a space)', () => {
    const pc = parseDartsGenotype(PC_DARTS_cifar);
    expect(pc.normal[0]).toEqual(['sep_conv_3x3', 1]);
    expect(pc.reduce[3]).toEqual(['sep_conv_5x5', 2]);
    expect(pc.normalConcat).toEqual([2, 3, 4, 5]);
    const pci = parseDartsGenotype(PC_DARTS_image);
    expect(pci.normal[7]).toEqual(['dil_conv_5x5', 4]);
    const pd = parseDartsGenotype(PDARTS);
    expect(pd.normal[6]).toEqual(['sep_conv_3x3', 0]);
    expect(pd.reduce[7]).toEqual(['dil_conv_5x5', 3]);
    expect(pd.reduceConcat).toEqual([2, 3, 4, 5]);
  });

  it('rejects NASNet and AmoebaNet, whose reduction cells use operations outside the DARTS space, naming the operation', () => {
    const nas = formatError(() => parseDartsGenotype(NASNet));
    expect(nas.message).toContain("unknown operation 'sep_conv_7x7'");
    expect(nas.message).toContain('line 17');
    expect(nas.message).toContain('DARTS operations: none, max_pool_3x3');
    expect(nas.position).toBe(NASNet.indexOf("'sep_conv_7x7'"));
    const amoeba = formatError(() => parseGenotype(AmoebaNet));
    expect(amoeba.message).toContain("unknown operation 'sep_conv_7x7'");
    expect(amoeba.position).toBe(AmoebaNet.indexOf("'sep_conv_7x7'"));
    const conv = formatError(() => parseDartsGenotype(AmoebaNet.replaceAll('sep_conv_7x7', 'sep_conv_5x5')));
    expect(conv.message).toContain("unknown operation 'conv_7x1_1x7'");
  });

  it('reads NASNet layout (5 nodes, concat [2..6], trailing commas) once its 7x7 convolutions are swapped for DARTS ones', () => {
    const g = parseDartsGenotype(NASNet.replaceAll('sep_conv_7x7', 'sep_conv_5x5'));
    expect(g.normal).toHaveLength(10);
    expect(g.normalConcat).toEqual([2, 3, 4, 5, 6]);
    expect(g.reduceConcat).toEqual([4, 5, 6]);
    expect(g.reduce[6]).toEqual(['skip_connect', 3]);
    expect(g.normal[6]).toEqual(['avg_pool_3x3', 0]);
    expect(g.normal[7]).toEqual(['avg_pool_3x3', 0]);
    const text = formatDartsGenotype(g);
    expect(text).toContain('normal_concat=range(2, 7)');
    expect(text).toContain('reduce_concat=range(4, 7)');
    expect(parseDartsGenotype(text)).toEqual(g);
    // AmoebaNet's normal cell is all DARTS operations; its concat [4, 5, 6] is not a range from 2
    const amoebaNormal = parseDartsGenotype(AmoebaNet.replaceAll('sep_conv_7x7', 'sep_conv_5x5').replace('conv_7x1_1x7', 'sep_conv_3x3'));
    expect(amoebaNormal.normalConcat).toEqual([4, 5, 6]);
    expect(amoebaNormal.reduceConcat).toEqual([3, 4, 6]);
    expect(formatDartsGenotype(amoebaNormal)).toContain('reduce_concat=[3, 4, 6]');
  });
});

describe('DARTS text errors', () => {
  it('unbalanced parentheses', () => {
    const missing = formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.slice(0, -1)));
    expect(missing.message).toMatch(/expected ',' or '\)' at character \d+ \(end of text\)/);
    const gene = formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("('sep_conv_3x3', 1), ", "('sep_conv_3x3', 1, ")));
    expect(gene.message).toMatch(/expected '\)' at character \d+/);
    const extra = formatError(() => parseDartsGenotype(`${DARTS_V2_PRINTED})`));
    expect(extra.message).toContain("after the closing ')'");
    expect(extra.position).toBe(DARTS_V2_PRINTED.length);
    const trailing = formatError(() => parseDartsGenotype(`${DARTS_V2_PRINTED.slice(0, -1)},`));
    expect(trailing.message).toMatch(/expected '\)' at character \d+ \(end of text\)/);
  });

  it('a missing, repeated or unknown field', () => {
    const noReduce = DARTS_V2_PRINTED.replace(/, reduce=\[.*\](?=, reduce_concat)/, '');
    expect(noReduce).not.toContain('reduce=');
    expect(formatError(() => parseDartsGenotype(noReduce)).message).toContain("missing 'reduce'");
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace(', reduce_concat=range(2, 6)', ''))).message).toContain("missing 'reduce_concat'");
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('reduce_concat=', 'normal_concat='))).message).toContain("'normal_concat' given twice");
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('reduce_concat=', 'reduction_concat='))).message).toContain("unknown field 'reduction_concat'");
  });

  it('bad input indices, gene counts and concat nodes', () => {
    const bad = formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)")));
    expect(bad.message).toContain("normal[7] ('dil_conv_3x3', 5)");
    expect(bad.message).toContain('inputs 0..4');
    expect(bad.position).toBe(DARTS_V2_PRINTED.indexOf("('dil_conv_3x3', 2)"));
    const first = formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)", "normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 2)")));
    expect(first.message).toContain('node 0');
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("('sep_conv_3x3', 0)", "('sep_conv_3x3', -1)"))).message).toContain('bad input index');
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace(", ('dil_conv_3x3', 2)", ''))).message).toContain('7 genes');
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=[2, 3, 6]'))).message).toContain('node ids 2..5');
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=range(0, 6)'))).message).toContain('normal_concat contains 0');
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=[2, 2]'))).message).toContain('twice');
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=[]'))).message).toContain('empty');
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=range(6, 2)'))).message).toContain('empty range');
  });

  it('lexical errors say where', () => {
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("'sep_conv_3x3', 0)", "'sep_conv_3x3, 0)"))).message).toMatch(/unterminated string|expected ','/);
    const star = formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('range(2, 6)', 'range(2, 6)*')));
    expect(star.message).toContain("unexpected character '*' at character");
    expect(formatError(() => parseDartsGenotype('')).message).toContain("expected 'Genotype('");
    expect(formatError(() => parseDartsGenotype('Genotipe(normal=[])')).message).toContain("expected 'Genotype(' at character 1");
    const multi = formatError(() => parseDartsGenotype('Genotype(\n  normal = [\n    (sep_conv_3x3, 0),\n  ]\n)'));
    expect(multi.message).toContain('expected an operation name in quotes at character 29 (line 3, column 6)');
    expect(formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("'skip_connect'", "'skip_conect'"))).message).toContain("unknown operation 'skip_conect'");
  });
});

describe('NAS-Bench-201 strings', () => {
  it('round-trips the benchmark strings', () => {
    for (const s of [NB201_BEST, NB201_RESNET, NB201_EXAMPLE]) {
      const g = parseNb201(s);
      expect(formatNb201(g)).toBe(s);
      expect(parseNb201(formatNb201(g))).toEqual(g);
      expect(parseGenotype(s)).toEqual(g);
      expect(formatGenotype(g)).toBe(s);
    }
  });

  it('reads the structure node by node, inputs in order', () => {
    expect(parseNb201(`  ${NB201_EXAMPLE}\n`)).toEqual({
      space: 'nb201',
      nodes: [
        [['nor_conv_3x3', 0]],
        [['nor_conv_3x3', 0], ['avg_pool_3x3', 1]],
        [['skip_connect', 0], ['nor_conv_3x3', 1], ['skip_connect', 2]],
      ],
    });
    expect(parseNb201(NB201_RESNET).nodes[2]).toEqual([['skip_connect', 0], ['none', 1], ['none', 2]]);
    // edges listed out of order are put in input order
    expect(formatNb201(parseNb201('|nor_conv_3x3~0|+|avg_pool_3x3~1|nor_conv_3x3~0|+|skip_connect~2|skip_connect~0|nor_conv_3x3~1|'))).toBe(NB201_EXAMPLE);
  });

  it('rejects malformed strings with a reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['|nor_conv_3x3~0||nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', /expected 3 nodes separated by '\+'.*found 2/],
      ['|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~2|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', /node 2 cannot take an edge from node 2/],
      ['|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~0|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', /node 2 takes two edges from node 0/],
      ['|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|conv_3x3~1|skip_connect~2|', /unknown operation 'conv_3x3' \(NAS-Bench-201 operations: none, skip_connect/],
      [`${NB201_EXAMPLE}+|none~0|none~1|none~2|none~3|`, /found 4/],
      ['|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', /node 2 has 1 edges; expected 2/],
      ['|nor_conv_3x3-0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', /malformed edge 'nor_conv_3x3-0'/],
      ['nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', /starts with '\|'/],
      ['|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2', /node 3 must be written as/],
      ['|nor_conv_3x3~0|+||+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', /node 2/],
    ];
    for (const [s, re] of cases) expect(formatError(() => parseNb201(s)).message, s).toMatch(re);
    const where = formatError(() => parseNb201(' |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|max_pool_3x3~1|skip_connect~2|'));
    expect(where.position).toBe(' |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|'.length);
  });
});

describe('parseGenotype', () => {
  it('detects the format by content', () => {
    expect(parseGenotype(NB201_BEST).space).toBe('nb201');
    expect(parseGenotype(`  ${NB201_BEST}`).space).toBe('nb201');
    expect(parseGenotype(DARTS_V2).space).toBe('darts');
    expect(parseGenotype(DARTS_V2_PRINTED)).toEqual(parseDartsGenotype(DARTS_V2));
  });
  it('rejects anything else', () => {
    expect(formatError(() => parseGenotype('resnet18')).message).toContain('not a genotype');
    expect(formatError(() => parseGenotype('')).message).toContain('not a genotype');
  });
});

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
const drow = (op: DartsOp, value: number, none = 0.01): number[] => DARTS_OPS.map((o) => (o === op ? value : o === 'none' ? none : 0.01));
const nrow = (op: Nb201Op, value: number): number[] => NB201_OPS.map((o) => (o === op ? value : 0.1));

/** Softmaxed α whose derivation is DARTS_V2's normal cell (columns: none, max, avg, skip, sep3, sep5, dil3, dil5). */
const DARTS_V2_NORMAL_WEIGHTS = [
  // node 0 ← 0, 1: (sep_conv_3x3, 0), (sep_conv_3x3, 1)
  [0.05, 0.05, 0.05, 0.1, 0.4, 0.15, 0.1, 0.1],
  [0.1, 0.05, 0.05, 0.1, 0.35, 0.15, 0.1, 0.1],
  // node 1 ← 0, 1, 2: (sep_conv_3x3, 0), (sep_conv_3x3, 1); `none` dominates edge 2 and is ignored
  [0.05, 0.05, 0.05, 0.1, 0.45, 0.1, 0.1, 0.1],
  [0.1, 0.05, 0.05, 0.1, 0.3, 0.2, 0.1, 0.1],
  [0.6, 0.05, 0.05, 0.1, 0.05, 0.05, 0.05, 0.05],
  // node 2 ← 0..3: input 1 is strongest (sep_conv_3x3), then input 0 (skip_connect)
  [0.1, 0.05, 0.05, 0.35, 0.15, 0.1, 0.1, 0.1],
  [0.05, 0.05, 0.05, 0.1, 0.5, 0.05, 0.1, 0.1],
  [0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
  [0.4, 0.05, 0.05, 0.1, 0.2, 0.05, 0.1, 0.05],
  // node 3 ← 0..4: (skip_connect, 0), (dil_conv_3x3, 2)
  [0.05, 0.05, 0.05, 0.55, 0.1, 0.05, 0.1, 0.05],
  [0.2, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1],
  [0.05, 0.05, 0.05, 0.1, 0.15, 0.1, 0.4, 0.1],
  [0.5, 0.05, 0.05, 0.05, 0.1, 0.1, 0.1, 0.05],
  [0.1, 0.1, 0.1, 0.1, 0.25, 0.15, 0.1, 0.1],
];

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

  it("reproduces DARTS_V2's normal cell from a matching α", () => {
    const v2 = parseDartsGenotype(DARTS_V2);
    expect(deriveDartsCell(DARTS_V2_NORMAL_WEIGHTS)).toEqual(v2.normal);
    // the same α given as logits and softmaxed first
    expect(deriveDartsCell(softmaxRows(DARTS_V2_NORMAL_WEIGHTS.map((r) => r.map(Math.log))))).toEqual(v2.normal);
    const g = deriveDartsGenotype(DARTS_V2_NORMAL_WEIGHTS, DARTS_V2_NORMAL_WEIGHTS);
    expect(g).toEqual({ space: 'darts', normal: v2.normal, normalConcat: [2, 3, 4, 5], reduce: v2.normal, reduceConcat: [2, 3, 4, 5] });
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
    expect(() => deriveDartsCell(DARTS_V2_NORMAL_WEIGHTS.map((r, i) => (i === 2 ? [...r.slice(0, 7), Number.NaN] : r)))).toThrow(/row 2, column 7 is not a number/);
    expect(() => deriveDartsGenotype(DARTS_V2_NORMAL_WEIGHTS, [])).toThrow(/expected 14 rows/);
    expect(() => deriveNb201Genotype([[1, 0, 0, 0, 0]])).toThrow(/expected 6 rows/);
    expect(() => deriveNb201Genotype(Array.from({ length: 6 }, () => [1, 0, 0, 0]))).toThrow(/row 0 has 4 values; expected 5/);
  });
});

const provenance = (space: 'darts' | 'nb201'): GenotypeProvenance => ({
  app: 'winnow 0.1.0',
  createdAt: '2025-01-02T03:04:05.000Z',
  jobId: 12,
  datasetId: 3,
  datasetName: 'cifar10-subset <test> & "quotes"',
  datasetHash: 'sha256:abc123',
  space,
  strategy: 'dds',
  seed: 7,
  epochs: 50,
  alphas: space === 'darts' ? { normal: DARTS_V2_NORMAL_WEIGHTS, reduce: DARTS_V2_NORMAL_WEIGHTS } : { normal: [[0.2, 0.2, 0.2, 0.2, 0.2]] },
  metrics: { valAccuracy: 0.91, searchSeconds: 1234.5 },
});

describe('genotype JSON', () => {
  it('round-trips through JSON text with its provenance', () => {
    for (const g of [parseDartsGenotype(DARTS_V2), parseNb201(NB201_EXAMPLE)] as Genotype[]) {
      const doc = toGenotypeJson(g, provenance(g.space));
      expect(doc.format).toBe('winnow-genotype');
      expect(doc.version).toBe(1);
      expect(doc.text).toBe(formatGenotype(g));
      const back = parseGenotypeJson(JSON.stringify(doc, null, 2));
      expect(back).toEqual(doc);
      expect(back.genotype).toEqual(g);
      expect(parseGenotype(JSON.stringify(doc))).toEqual(g);
    }
    const nullable: GenotypeProvenance = { ...provenance('nb201'), jobId: null, datasetId: null, datasetName: null, datasetHash: null, alphas: null };
    expect(parseGenotypeJson(JSON.stringify(toGenotypeJson(parseNb201(NB201_BEST), nullable))).provenance).toEqual(nullable);
  });

  it('rejects tampered or malformed documents', () => {
    const doc = toGenotypeJson(parseDartsGenotype(DARTS_V2), provenance('darts'));
    const tampered = { ...doc, text: formatDartsGenotype(parseDartsGenotype(DARTS_V1)) };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(tampered))).message).toContain("'text' field does not match");
    const garbage = { ...doc, text: 'hello' };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(garbage))).message).toContain("'text' field is not a genotype");
    const wrongSpace = { ...doc, provenance: { ...doc.provenance, space: 'nb201' } };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(wrongSpace))).message).toContain('provenance.space');
    const badIndex = { ...doc, genotype: { ...doc.genotype, normal: [...(doc.genotype as DartsGenotype).normal.slice(0, 7), ['dil_conv_3x3', 9]] } };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(badIndex))).message).toContain('bad input index');
    expect(formatError(() => parseGenotypeJson('{"format": "winnow-genotype"')).message).toContain('not valid JSON');
    expect(formatError(() => parseGenotypeJson(JSON.stringify({ ...doc, version: 2 }))).message).toMatch(/not a winnow genotype document: version/);
    const noSeed = { ...doc, provenance: { ...doc.provenance, seed: 1.5 } };
    expect(formatError(() => parseGenotypeJson(JSON.stringify(noSeed))).message).toContain('provenance.seed');
    expect(() => toGenotypeJson(parseNb201(NB201_BEST), provenance('darts'))).toThrow(/provenance says darts/);
  });
});

/** Checks that tags nest and close (enough to catch broken markup without an XML library). */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  const stripped = svg.replace(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, '');
  expect(stripped).not.toMatch(/[<>]/);
  expect(stripped).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
}

const textsOf = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('cellSvg', () => {
  it('draws a DARTS cell as a standalone SVG: nodes, one labelled arrow per gene, arrows to the output', () => {
    const g = parseDartsGenotype(DARTS_V2);
    for (const cell of ['normal', 'reduce'] as const) {
      const svg = cellSvg(g, cell);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).toMatch(/ width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expectWellFormed(svg);
      const texts = textsOf(svg);
      expect(texts.slice(0, 7)).toEqual(['c_{k-2}', 'c_{k-1}', '0', '1', '2', '3', 'c_{k}']);
      expect(texts.slice(7)).toEqual(g[cell].map(([op]) => op));
      expect(svg.match(/<text/g)).toHaveLength(7 + 8);
      // one arrow per gene plus one per concat node
      expect(svg.match(/<path d="M[\d.-]+,[\d.-]+ Q/g)).toHaveLength(8 + 4);
      expect(svg.match(/marker-end="url\(#/g)).toHaveLength(12);
    }
    expect(cellSvg(g, 'reduce')).toContain(`stroke="${OP_COLORS.max_pool_3x3}"`);
    expect(cellSvg(g)).toContain(`stroke="${OP_COLORS.sep_conv_3x3}"`);
  });

  it('draws a NAS-Bench-201 cell without its `none` edges', () => {
    const svg = cellSvg(parseNb201(NB201_RESNET));
    expectWellFormed(svg);
    expect(textsOf(svg)).toEqual(['0', '1', '2', '3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect']);
    expect(svg).not.toContain('>none<');
    expect(svg.match(/<path d="M[\d.-]+,[\d.-]+ Q/g)).toHaveLength(3);
    const full = cellSvg(parseNb201(NB201_EXAMPLE));
    expect(textsOf(full).slice(4).sort()).toEqual(['avg_pool_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'skip_connect']);
  });

  it('is deterministic, themeable, self-contained and escapes text', () => {
    const g = parseDartsGenotype(PC_DARTS_cifar);
    expect(cellSvg(g, 'reduce')).toBe(cellSvg(structuredClone(g), 'reduce'));
    const dark = cellSvg(g, 'normal', { theme: 'dark' });
    expect(dark).not.toBe(cellSvg(g, 'normal'));
    expect(dark).toBe(cellSvg(g, 'normal', { theme: 'dark' }));
    for (const svg of [dark, cellSvg(g), cellSvg(parseNb201(NB201_BEST))]) {
      expect(svg).not.toMatch(/<script|<style|style=|href=|<image|<foreignObject|on\w+=/i);
      expect(svg).not.toMatch(/url\((?!#)/);
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
    // a hostile operation name reaching the drawing from an unchecked object is escaped
    const hostile = { ...g, normal: [['<script>alert("x")</script>&\'', 0] as unknown as [DartsOp, number], ...g.normal.slice(1)] } as Genotype;
    const svg = cellSvg(hostile);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&apos;');
    expectWellFormed(svg);
  });

  it('prefixes its marker ids with idPrefix, so two drawings can share a page', () => {
    const g = parseDartsGenotype(DARTS_V2);
    const ids = (svg: string): string[] => [...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    const refs = (svg: string): string[] => [...new Set([...svg.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]!))].sort();
    const plain = cellSvg(g, 'normal');
    expect(ids(plain).length).toBeGreaterThan(0);
    for (const id of ids(plain)) expect(id).toMatch(/^winnow-arrow-light-/);
    expect(cellSvg(g, 'normal', { idPrefix: 'winnow' })).toBe(plain);
    const normal = cellSvg(g, 'normal', { theme: 'dark', idPrefix: 'winnow-normal' });
    const reduce = cellSvg(g, 'reduce', { theme: 'dark', idPrefix: 'winnow-reduce' });
    for (const [svg, prefix] of [[normal, 'winnow-normal'], [reduce, 'winnow-reduce']] as const) {
      for (const id of ids(svg)) expect(id.startsWith(`${prefix}-arrow-dark-`), id).toBe(true);
      expect(refs(svg)).toEqual([...ids(svg)].sort());
      expect(svg).toBe(cellSvg(g, prefix === 'winnow-normal' ? 'normal' : 'reduce', { theme: 'dark', idPrefix: prefix }));
      expectWellFormed(svg);
    }
    expect(ids(normal).filter((id) => ids(reduce).includes(id))).toEqual([]);
    // only the ids change
    expect(cellSvg(g, 'normal', { idPrefix: 'p' }).replaceAll('"p-arrow-', '"winnow-arrow-').replaceAll('#p-arrow-', '#winnow-arrow-')).toBe(plain);
    for (const bad of ['', '1x', 'a b', 'x"><script>', 'a:b']) expect(() => cellSvg(g, 'normal', { idPrefix: bad }), bad).toThrow(/idPrefix/);
  });

  it('draws 5-node cells and repeated edges, and refuses impossible inputs', () => {
    const nasnet = parseDartsGenotype(NASNet.replaceAll('sep_conv_7x7', 'sep_conv_5x5'));
    const svg = cellSvg(nasnet);
    expectWellFormed(svg);
    expect(textsOf(svg).slice(0, 8)).toEqual(['c_{k-2}', 'c_{k-1}', '0', '1', '2', '3', '4', 'c_{k}']);
    // NASNet's node 3 takes avg_pool_3x3 from c_{k-2} twice: two arrows, labels apart
    const labels = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="17"/g)].map((m) => m.slice(1).map(Number));
    expect(labels).toHaveLength(10);
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const [ax, ay, aw] = labels[i]!;
        const [bx, by, bw] = labels[j]!;
        const apart = ax! + aw! <= bx! || bx! + bw! <= ax! || ay! + 17 <= by! || by! + 17 <= ay!;
        expect(apart, `labels ${i} and ${j} overlap`).toBe(true);
      }
    }
    expect(() => cellSvg(darts([['skip_connect', 4], ['skip_connect', 0]], [2]))).toThrow(GenotypeFormatError);
  });

  it('OP_COLORS covers every operation, one colour per family', () => {
    for (const op of [...DARTS_OPS, ...NB201_OPS]) expect(OP_COLORS[op], op).toMatch(/^#[0-9a-f]{6}$/);
    expect(OP_COLORS.max_pool_3x3).toBe(OP_COLORS.avg_pool_3x3);
    expect(OP_COLORS.sep_conv_3x3).toBe(OP_COLORS.sep_conv_5x5);
    expect(OP_COLORS.dil_conv_3x3).toBe(OP_COLORS.dil_conv_5x5);
    expect(OP_COLORS.nor_conv_1x1).toBe(OP_COLORS.nor_conv_3x3);
    expect(new Set([OP_COLORS.none, OP_COLORS.max_pool_3x3, OP_COLORS.skip_connect, OP_COLORS.sep_conv_3x3, OP_COLORS.dil_conv_3x3, OP_COLORS.nor_conv_3x3]).size).toBe(6);
  });
});
