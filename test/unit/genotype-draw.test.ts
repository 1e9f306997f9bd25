import { describe, expect, it } from 'vitest';
import { DARTS_OPS, NB201_OPS, type DartsOp, type Genotype } from '../../shared/genotype/ops.js';
import { GenotypeFormatError, parseDartsGenotype, parseNb201 } from '../../shared/genotype/text.js';
import { cellSvg, OP_COLORS } from '../../shared/genotype/draw.js';
import {
  NASNet,
  DARTS_V2_TEXT,
  PC_DARTS_cifar,
  NB201_BEST,
  NB201_RESNET,
  NB201_EXAMPLE,
} from '../fixtures/genotypes.js';
import { darts } from '../helpers/genotype.js';

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
    const g = parseDartsGenotype(DARTS_V2_TEXT);
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
    expect(textsOf(full).slice(4).sort()).toEqual([
      'avg_pool_3x3',
      'nor_conv_3x3',
      'nor_conv_3x3',
      'nor_conv_3x3',
      'skip_connect',
      'skip_connect',
    ]);
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
    const hostile = {
      ...g,
      normal: [['<script>alert("x")</script>&\'', 0] as unknown as [DartsOp, number], ...g.normal.slice(1)],
    } as Genotype;
    const svg = cellSvg(hostile);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&apos;');
    expectWellFormed(svg);
  });

  it('prefixes its marker ids with idPrefix, so two drawings can share a page', () => {
    const g = parseDartsGenotype(DARTS_V2_TEXT);
    const ids = (svg: string): string[] => [...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    const refs = (svg: string): string[] =>
      [...new Set([...svg.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]!))].sort();
    const plain = cellSvg(g, 'normal');
    expect(ids(plain).length).toBeGreaterThan(0);
    for (const id of ids(plain)) expect(id).toMatch(/^winnow-arrow-light-/);
    expect(cellSvg(g, 'normal', { idPrefix: 'winnow' })).toBe(plain);
    const normal = cellSvg(g, 'normal', { theme: 'dark', idPrefix: 'winnow-normal' });
    const reduce = cellSvg(g, 'reduce', { theme: 'dark', idPrefix: 'winnow-reduce' });
    for (const [svg, prefix] of [
      [normal, 'winnow-normal'],
      [reduce, 'winnow-reduce'],
    ] as const) {
      for (const id of ids(svg)) expect(id.startsWith(`${prefix}-arrow-dark-`), id).toBe(true);
      expect(refs(svg)).toEqual([...ids(svg)].sort());
      expect(svg).toBe(
        cellSvg(g, prefix === 'winnow-normal' ? 'normal' : 'reduce', { theme: 'dark', idPrefix: prefix }),
      );
      expectWellFormed(svg);
    }
    expect(ids(normal).filter((id) => ids(reduce).includes(id))).toEqual([]);
    // only the ids change
    expect(
      cellSvg(g, 'normal', { idPrefix: 'p' })
        .replaceAll('"p-arrow-', '"winnow-arrow-')
        .replaceAll('#p-arrow-', '#winnow-arrow-'),
    ).toBe(plain);
    for (const bad of ['', '1x', 'a b', 'x"><script>', 'a:b'])
      expect(() => cellSvg(g, 'normal', { idPrefix: bad }), bad).toThrow(/idPrefix/);
  });

  it('draws 5-node cells and repeated edges, and refuses impossible inputs', () => {
    const nasnet = parseDartsGenotype(NASNet.replaceAll('sep_conv_7x7', 'sep_conv_5x5'));
    const svg = cellSvg(nasnet);
    expectWellFormed(svg);
    expect(textsOf(svg).slice(0, 8)).toEqual(['c_{k-2}', 'c_{k-1}', '0', '1', '2', '3', '4', 'c_{k}']);
    // NASNet's node 3 takes avg_pool_3x3 from c_{k-2} twice: two arrows, labels apart
    const labels = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="17"/g)].map((m) =>
      m.slice(1).map(Number),
    );
    expect(labels).toHaveLength(10);
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const [ax, ay, aw] = labels[i]!;
        const [bx, by, bw] = labels[j]!;
        const apart = ax! + aw! <= bx! || bx! + bw! <= ax! || ay! + 17 <= by! || by! + 17 <= ay!;
        expect(apart, `labels ${i} and ${j} overlap`).toBe(true);
      }
    }
    expect(() =>
      cellSvg(
        darts(
          [
            ['skip_connect', 4],
            ['skip_connect', 0],
          ],
          [2],
        ),
      ),
    ).toThrow(GenotypeFormatError);
  });

  it('OP_COLORS covers every operation, one colour per family', () => {
    for (const op of [...DARTS_OPS, ...NB201_OPS]) expect(OP_COLORS[op], op).toMatch(/^#[0-9a-f]{6}$/);
    expect(OP_COLORS.max_pool_3x3).toBe(OP_COLORS.avg_pool_3x3);
    expect(OP_COLORS.sep_conv_3x3).toBe(OP_COLORS.sep_conv_5x5);
    expect(OP_COLORS.dil_conv_3x3).toBe(OP_COLORS.dil_conv_5x5);
    expect(OP_COLORS.nor_conv_1x1).toBe(OP_COLORS.nor_conv_3x3);
    expect(
      new Set([
        OP_COLORS.none,
        OP_COLORS.max_pool_3x3,
        OP_COLORS.skip_connect,
        OP_COLORS.sep_conv_3x3,
        OP_COLORS.dil_conv_3x3,
        OP_COLORS.nor_conv_3x3,
      ]).size,
    ).toBe(6);
  });
});
