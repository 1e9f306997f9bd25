import { describe, expect, it } from 'vitest';
import { parseGenotype } from '../../shared/genotype.js';
import type { DartsOp } from '../../shared/genotype/ops.js';
import {
  formatDartsGenotype,
  formatGenotype,
  formatNb201,
  parseDartsGenotype,
  parseNb201,
} from '../../shared/genotype/text.js';
import {
  NASNet,
  AmoebaNet,
  DARTS_V1,
  DARTS_V2_TEXT,
  PC_DARTS_cifar,
  PC_DARTS_image,
  PDARTS,
  DARTS_V2_PRINTED,
  NB201_BEST,
  NB201_RESNET,
  NB201_EXAMPLE,
} from '../fixtures/genotypes.js';
import { formatError, darts } from '../helpers/genotype.js';

describe('DARTS genotype text', () => {
  it('formats exactly as the DARTS search script prints the namedtuple', () => {
    const g = parseDartsGenotype(DARTS_V2_TEXT);
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
    for (const text of [DARTS_V1, DARTS_V2_TEXT, PC_DARTS_cifar, PC_DARTS_image, PDARTS]) {
      const g = parseDartsGenotype(text);
      expect(parseDartsGenotype(formatDartsGenotype(g))).toEqual(g);
      expect(parseGenotype(formatGenotype(g))).toEqual(g);
    }
    const odd = darts(
      [
        ['none', 1],
        ['dil_conv_5x5', 0],
        ['avg_pool_3x3', 2],
        ['sep_conv_5x5', 1],
      ],
      [3, 2],
      [
        ['max_pool_3x3', 0],
        ['max_pool_3x3', 0],
        ['skip_connect', 2],
        ['skip_connect', 2],
      ],
      [3],
    );
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
  it('reads DARTS_V1 and DARTS_V2_TEXT from the DARTS code base', () => {
    const v2 = parseDartsGenotype(DARTS_V2_TEXT);
    expect(v2.normal).toHaveLength(8);
    expect(v2.normal[0]).toEqual(['sep_conv_3x3', 0]);
    expect(v2.normal[7]).toEqual(['dil_conv_3x3', 2]);
    expect(v2.normalConcat).toEqual([2, 3, 4, 5]);
    expect(v2.reduce[0]).toEqual(['max_pool_3x3', 0]);
    expect(v2.reduce.filter(([op]) => op === 'max_pool_3x3')).toHaveLength(5);
    expect(v2.reduce.filter(([op]) => op === 'skip_connect')).toEqual([
      ['skip_connect', 2],
      ['skip_connect', 2],
      ['skip_connect', 2],
    ]);
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
    const amoebaNormal = parseDartsGenotype(
      AmoebaNet.replaceAll('sep_conv_7x7', 'sep_conv_5x5').replace('conv_7x1_1x7', 'sep_conv_3x3'),
    );
    expect(amoebaNormal.normalConcat).toEqual([4, 5, 6]);
    expect(amoebaNormal.reduceConcat).toEqual([3, 4, 6]);
    expect(formatDartsGenotype(amoebaNormal)).toContain('reduce_concat=[3, 4, 6]');
  });
});

describe('DARTS text errors', () => {
  it('unbalanced parentheses', () => {
    const missing = formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.slice(0, -1)));
    expect(missing.message).toMatch(/expected ',' or '\)' at character \d+ \(end of text\)/);
    const gene = formatError(() =>
      parseDartsGenotype(DARTS_V2_PRINTED.replace("('sep_conv_3x3', 1), ", "('sep_conv_3x3', 1, ")),
    );
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
    expect(
      formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace(', reduce_concat=range(2, 6)', ''))).message,
    ).toContain("missing 'reduce_concat'");
    expect(
      formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('reduce_concat=', 'normal_concat='))).message,
    ).toContain("'normal_concat' given twice");
    expect(
      formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('reduce_concat=', 'reduction_concat='))).message,
    ).toContain("unknown field 'reduction_concat'");
  });

  it('bad input indices, gene counts and concat nodes', () => {
    const bad = formatError(() =>
      parseDartsGenotype(DARTS_V2_PRINTED.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)")),
    );
    expect(bad.message).toContain("normal[7] ('dil_conv_3x3', 5)");
    expect(bad.message).toContain('inputs 0..4');
    expect(bad.position).toBe(DARTS_V2_PRINTED.indexOf("('dil_conv_3x3', 2)"));
    const first = formatError(() =>
      parseDartsGenotype(
        DARTS_V2_PRINTED.replace(
          "normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)",
          "normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 2)",
        ),
      ),
    );
    expect(first.message).toContain('node 0');
    expect(
      formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("('sep_conv_3x3', 0)", "('sep_conv_3x3', -1)")))
        .message,
    ).toContain('bad input index');
    expect(
      formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace(", ('dil_conv_3x3', 2)", ''))).message,
    ).toContain('7 genes');
    expect(
      formatError(() =>
        parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=[2, 3, 6]')),
      ).message,
    ).toContain('node ids 2..5');
    expect(
      formatError(() =>
        parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=range(0, 6)')),
      ).message,
    ).toContain('normal_concat contains 0');
    expect(
      formatError(() =>
        parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=[2, 2]')),
      ).message,
    ).toContain('twice');
    expect(
      formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=[]')))
        .message,
    ).toContain('empty');
    expect(
      formatError(() =>
        parseDartsGenotype(DARTS_V2_PRINTED.replace('normal_concat=range(2, 6)', 'normal_concat=range(6, 2)')),
      ).message,
    ).toContain('empty range');
  });

  it('lexical errors say where', () => {
    expect(
      formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("'sep_conv_3x3', 0)", "'sep_conv_3x3, 0)")))
        .message,
    ).toMatch(/unterminated string|expected ','/);
    const star = formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace('range(2, 6)', 'range(2, 6)*')));
    expect(star.message).toContain("unexpected character '*' at character");
    expect(formatError(() => parseDartsGenotype('')).message).toContain("expected 'Genotype('");
    expect(formatError(() => parseDartsGenotype('Genotipe(normal=[])')).message).toContain(
      "expected 'Genotype(' at character 1",
    );
    const multi = formatError(() => parseDartsGenotype('Genotype(\n  normal = [\n    (sep_conv_3x3, 0),\n  ]\n)'));
    expect(multi.message).toContain('expected an operation name in quotes at character 29 (line 3, column 6)');
    expect(
      formatError(() => parseDartsGenotype(DARTS_V2_PRINTED.replace("'skip_connect'", "'skip_conect'"))).message,
    ).toContain("unknown operation 'skip_conect'");
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
        [
          ['nor_conv_3x3', 0],
          ['avg_pool_3x3', 1],
        ],
        [
          ['skip_connect', 0],
          ['nor_conv_3x3', 1],
          ['skip_connect', 2],
        ],
      ],
    });
    expect(parseNb201(NB201_RESNET).nodes[2]).toEqual([
      ['skip_connect', 0],
      ['none', 1],
      ['none', 2],
    ]);
    // edges listed out of order are put in input order
    expect(
      formatNb201(
        parseNb201('|nor_conv_3x3~0|+|avg_pool_3x3~1|nor_conv_3x3~0|+|skip_connect~2|skip_connect~0|nor_conv_3x3~1|'),
      ),
    ).toBe(NB201_EXAMPLE);
  });

  it('rejects malformed strings with a reason', () => {
    const cases: Array<[string, RegExp]> = [
      [
        '|nor_conv_3x3~0||nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
        /expected 3 nodes separated by '\+'.*found 2/,
      ],
      [
        '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~2|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
        /node 2 cannot take an edge from node 2/,
      ],
      [
        '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~0|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
        /node 2 takes two edges from node 0/,
      ],
      [
        '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|conv_3x3~1|skip_connect~2|',
        /unknown operation 'conv_3x3' \(NAS-Bench-201 operations: none, skip_connect/,
      ],
      [`${NB201_EXAMPLE}+|none~0|none~1|none~2|none~3|`, /found 4/],
      [
        '|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
        /node 2 has 1 edges; expected 2/,
      ],
      [
        '|nor_conv_3x3-0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
        /malformed edge 'nor_conv_3x3-0'/,
      ],
      [
        'nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
        /starts with '\|'/,
      ],
      [
        '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2',
        /node 3 must be written as/,
      ],
      ['|nor_conv_3x3~0|+||+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', /node 2/],
    ];
    for (const [s, re] of cases) expect(formatError(() => parseNb201(s)).message, s).toMatch(re);
    const where = formatError(() =>
      parseNb201(' |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|max_pool_3x3~1|skip_connect~2|'),
    );
    expect(where.position).toBe(' |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|'.length);
  });
});
