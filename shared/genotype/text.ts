/**
 * The genotype text formats users exchange (ARCHITECTURE.md "Formats users exchange"): DARTS text as the DARTS
 * search script prints it and NAS-Bench-201 strings, with a tokenizer and parser whose errors say where. Zod-free
 * so the renderer can read pasted genotypes; ../genotype.ts adds the JSON document.
 */
import {
  DARTS_OPS,
  NB201_NODES,
  NB201_OPS,
  type DartsGene,
  type DartsGenotype,
  type DartsOp,
  type Genotype,
  type Nb201Genotype,
  type Nb201Op,
} from './ops.js';

// ---------------------------------------------------------------------------------------------------------
// Errors

/** A genotype text (DARTS, NAS-Bench-201 or JSON) that cannot be read; the message says what and where. */
export class GenotypeFormatError extends Error {
  /** 0-based character offset into the text where the problem is, when there is one. */
  readonly position: number | null;
  constructor(message: string, position: number | null = null) {
    super(message);
    this.name = 'GenotypeFormatError';
    this.position = position;
  }
}

const DARTS_OP_SET: ReadonlySet<string> = new Set(DARTS_OPS);
const NB201_OP_SET: ReadonlySet<string> = new Set(NB201_OPS);

/** "at character 57" (1-based), with line and column when the text has several lines. */
function at(src: string, pos: number): string {
  const end = pos >= src.length ? ' (end of text)' : '';
  if (!src.includes('\n')) return `at character ${pos + 1}${end}`;
  const before = src.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `at character ${pos + 1} (line ${line}, column ${column})${end}`;
}

// ---------------------------------------------------------------------------------------------------------
// DARTS text

function formatConcat(c: readonly number[]): string {
  const contiguous = c.length >= 1 && c.every((v, i) => v === c[0]! + i);
  return contiguous ? `range(${c[0]!}, ${c[0]! + c.length})` : `[${c.join(', ')}]`;
}

function formatGenes(genes: readonly (readonly [string, number])[]): string {
  return `[${genes.map(([op, j]) => `('${op}', ${j})`).join(', ')}]`;
}

/** The genotype exactly as DARTS's train_search.py prints the namedtuple (Python 3). */
export function formatDartsGenotype(g: DartsGenotype): string {
  return (
    `Genotype(normal=${formatGenes(g.normal)}, normal_concat=${formatConcat(g.normalConcat)}, ` +
    `reduce=${formatGenes(g.reduce)}, reduce_concat=${formatConcat(g.reduceConcat)})`
  );
}

type Tok = { kind: 'ident' | 'str' | 'int' | 'punct' | 'eof'; text: string; pos: number };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if ('()[],='.includes(c)) {
      toks.push({ kind: 'punct', text: c, pos: i });
      i++;
    } else if (c === "'" || c === '"') {
      const start = i++;
      while (i < src.length && src[i] !== c && src[i] !== '\n') i++;
      if (src[i] !== c) throw new GenotypeFormatError(`unterminated string starting ${at(src, start)}`, start);
      toks.push({ kind: 'str', text: src.slice(start + 1, i), pos: start });
      i++;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const start = i++;
      while (i < src.length && /[0-9]/.test(src[i]!)) i++;
      toks.push({ kind: 'int', text: src.slice(start, i), pos: start });
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i++;
      while (i < src.length && /[A-Za-z0-9_.]/.test(src[i]!)) i++;
      toks.push({ kind: 'ident', text: src.slice(start, i), pos: start });
    } else {
      throw new GenotypeFormatError(`unexpected character '${c}' ${at(src, i)}`, i);
    }
  }
  toks.push({ kind: 'eof', text: '', pos: src.length });
  return toks;
}

const DARTS_FIELDS = ['normal', 'normal_concat', 'reduce', 'reduce_concat'] as const;
type DartsField = (typeof DARTS_FIELDS)[number];

/** Where the parts of a parsed genotype were, for semantic errors. */
interface DartsPositions {
  normal: number[];
  reduce: number[];
  normalConcat: number;
  reduceConcat: number;
}

class DartsParser {
  private p = 0;
  private readonly toks: Tok[];
  constructor(private readonly src: string) {
    this.toks = tokenize(src);
  }

  private peek(k = 0): Tok {
    return this.toks[Math.min(this.p + k, this.toks.length - 1)]!;
  }
  private next(): Tok {
    const t = this.peek();
    if (this.p < this.toks.length - 1) this.p++;
    return t;
  }
  private isPunct(t: Tok, ch: string): boolean {
    return t.kind === 'punct' && t.text === ch;
  }
  private describe(t: Tok): string {
    if (t.kind === 'eof') return 'the end of the text';
    if (t.kind === 'str') return `the string '${t.text}'`;
    return `'${t.text}'`;
  }
  private fail(what: string, t: Tok): never {
    throw new GenotypeFormatError(`${what} ${at(this.src, t.pos)}, found ${this.describe(t)}`, t.pos);
  }
  private expect(ch: string): Tok {
    const t = this.next();
    if (!this.isPunct(t, ch)) this.fail(`expected '${ch}'`, t);
    return t;
  }
  private int(): { value: number; pos: number } {
    const t = this.next();
    if (t.kind !== 'int') this.fail('expected an integer', t);
    const value = Number(t.text) + 0; // "-0" → 0
    if (!Number.isSafeInteger(value)) this.fail('integer out of range', t);
    return { value, pos: t.pos };
  }

  parse(): { genotype: DartsGenotype; positions: DartsPositions } {
    // optional `NAME = ` assignment
    const first = this.peek();
    if (first.kind === 'ident' && this.isPunct(this.peek(1), '=')) this.p += 2;
    const head = this.next();
    if (head.kind !== 'ident' || (head.text !== 'Genotype' && !head.text.endsWith('.Genotype')))
      this.fail("expected 'Genotype('", head);
    this.expect('(');
    const values: Partial<Record<DartsField, { value: DartsGene[] | number[]; pos: number; genePos?: number[] }>> = {};
    let positional = 0;
    let keyworded = false;
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, ')')) break;
      if (t.kind === 'eof') this.fail("expected ')'", t);
      let field: DartsField;
      if (t.kind === 'ident' && this.isPunct(this.peek(1), '=')) {
        if (!(DARTS_FIELDS as readonly string[]).includes(t.text)) {
          throw new GenotypeFormatError(
            `unknown field '${t.text}' ${at(this.src, t.pos)} (a DARTS Genotype has ${DARTS_FIELDS.join(', ')})`,
            t.pos,
          );
        }
        field = t.text as DartsField;
        keyworded = true;
        this.p += 2;
      } else {
        if (keyworded) this.fail('expected a keyword argument (positional argument after keyword)', t);
        if (positional >= DARTS_FIELDS.length) this.fail("expected ')' (too many arguments)", t);
        field = DARTS_FIELDS[positional++]!;
      }
      if (values[field]) throw new GenotypeFormatError(`'${field}' given twice ${at(this.src, t.pos)}`, t.pos);
      const pos = this.peek().pos;
      if (field === 'normal' || field === 'reduce') {
        const { genes, genePos } = this.geneList();
        values[field] = { value: genes, pos, genePos };
      } else {
        values[field] = { value: this.concat(), pos };
      }
      const sep = this.peek();
      if (this.isPunct(sep, ',')) this.next();
      else if (!this.isPunct(sep, ')')) this.fail("expected ',' or ')'", sep);
    }
    const close = this.next();
    const rest = this.peek();
    if (rest.kind !== 'eof') {
      throw new GenotypeFormatError(
        `unexpected ${this.describe(rest)} after the closing ')' of Genotype(...) ${at(this.src, rest.pos)}`,
        rest.pos,
      );
    }
    for (const f of DARTS_FIELDS) {
      if (!values[f])
        throw new GenotypeFormatError(
          `missing '${f}' in Genotype(...) (closing ')' ${at(this.src, close.pos)})`,
          close.pos,
        );
    }
    const genotype: DartsGenotype = {
      space: 'darts',
      normal: values.normal!.value as DartsGene[],
      normalConcat: values.normal_concat!.value as number[],
      reduce: values.reduce!.value as DartsGene[],
      reduceConcat: values.reduce_concat!.value as number[],
    };
    return {
      genotype,
      positions: {
        normal: values.normal!.genePos ?? [],
        reduce: values.reduce!.genePos ?? [],
        normalConcat: values.normal_concat!.pos,
        reduceConcat: values.reduce_concat!.pos,
      },
    };
  }

  private opener(): string {
    const t = this.next();
    if (this.isPunct(t, '[')) return ']';
    if (this.isPunct(t, '(')) return ')';
    return this.fail("expected '[' or '('", t);
  }

  private geneList(): { genes: DartsGene[]; genePos: number[] } {
    const close = this.opener();
    const genes: DartsGene[] = [];
    const genePos: number[] = [];
    for (;;) {
      if (this.isPunct(this.peek(), close)) break;
      genePos.push(this.peek().pos);
      genes.push(this.gene());
      const sep = this.peek();
      if (this.isPunct(sep, ',')) this.next();
      else if (!this.isPunct(sep, close)) this.fail(`expected ',' or '${close}'`, sep);
    }
    this.next();
    return { genes, genePos };
  }

  private gene(): DartsGene {
    const open = this.peek();
    if (!this.isPunct(open, '(') && !this.isPunct(open, '['))
      this.fail("expected a gene such as ('sep_conv_3x3', 0)", open);
    const close = this.opener();
    const op = this.next();
    if (op.kind !== 'str') this.fail('expected an operation name in quotes', op);
    if (!DARTS_OP_SET.has(op.text)) {
      throw new GenotypeFormatError(
        `unknown operation '${op.text}' ${at(this.src, op.pos)} (DARTS operations: ${DARTS_OPS.join(', ')})`,
        op.pos,
      );
    }
    this.expect(',');
    const input = this.int();
    if (this.isPunct(this.peek(), ',')) this.next();
    this.expect(close);
    return [op.text as DartsOp, input.value];
  }

  private concat(): number[] {
    const t = this.peek();
    if (t.kind === 'ident' && (t.text === 'list' || t.text === 'tuple')) {
      this.next();
      this.expect('(');
      const inner = this.concat();
      this.expect(')');
      return inner;
    }
    if (t.kind === 'ident' && t.text === 'range') {
      this.next();
      this.expect('(');
      const a = this.int();
      let start = 0;
      let stop = a.value;
      if (this.isPunct(this.peek(), ',') && this.peek(1).kind === 'int') {
        this.next();
        start = a.value;
        stop = this.int().value;
      }
      if (this.isPunct(this.peek(), ',')) this.next();
      this.expect(')');
      if (stop <= start) throw new GenotypeFormatError(`empty range(${start}, ${stop}) ${at(this.src, t.pos)}`, t.pos);
      if (stop - start > 1000)
        throw new GenotypeFormatError(`range(${start}, ${stop}) is too long ${at(this.src, t.pos)}`, t.pos);
      return Array.from({ length: stop - start }, (_, i) => start + i);
    }
    if (this.isPunct(t, '[') || this.isPunct(t, '(')) {
      const close = this.opener();
      const out: number[] = [];
      for (;;) {
        if (this.isPunct(this.peek(), close)) break;
        out.push(this.int().value);
        const sep = this.peek();
        if (this.isPunct(sep, ',')) this.next();
        else if (!this.isPunct(sep, close)) this.fail(`expected ',' or '${close}'`, sep);
      }
      this.next();
      return out;
    }
    return this.fail('expected a concat such as range(2, 6) or [2, 3, 4, 5]', t);
  }
}

/** Checks the structure of a DARTS genotype; throws GenotypeFormatError naming the offending gene. */
function validateDarts(g: DartsGenotype, src?: string, positions?: DartsPositions): void {
  const where = (pos: number | undefined) => (src !== undefined && pos !== undefined ? ` ${at(src, pos)}` : '');
  for (const cell of ['normal', 'reduce'] as const) {
    const genes = g[cell];
    const concat = cell === 'normal' ? g.normalConcat : g.reduceConcat;
    const concatPos = cell === 'normal' ? positions?.normalConcat : positions?.reduceConcat;
    if (genes.length === 0) throw new GenotypeFormatError(`the ${cell} cell has no genes`);
    if (genes.length % 2 !== 0) {
      throw new GenotypeFormatError(
        `the ${cell} cell has ${genes.length} genes; expected 2 per intermediate node (an even number)`,
      );
    }
    const steps = genes.length / 2;
    genes.forEach(([op, j], k) => {
      const pos = positions?.[cell][k];
      if (!DARTS_OP_SET.has(op)) {
        throw new GenotypeFormatError(
          `unknown operation '${String(op)}' in ${cell}[${k}]${where(pos)} (DARTS operations: ${DARTS_OPS.join(', ')})`,
          pos ?? null,
        );
      }
      const node = Math.floor(k / 2);
      if (!Number.isInteger(j) || j < 0 || j >= 2 + node) {
        throw new GenotypeFormatError(
          `bad input index in ${cell}[${k}] ('${op}', ${j})${where(pos)}: gene ${k} belongs to node ${node} (node id ${2 + node}), ` +
            `which can only take inputs 0..${1 + node} (0, 1: the cell inputs; 2..: earlier nodes)`,
          pos ?? null,
        );
      }
    });
    if (concat.length === 0)
      throw new GenotypeFormatError(`${cell}_concat is empty${where(concatPos)}`, concatPos ?? null);
    const seen = new Set<number>();
    for (const c of concat) {
      if (!Number.isInteger(c) || c < 2 || c >= 2 + steps) {
        throw new GenotypeFormatError(
          `${cell}_concat contains ${c}${where(concatPos)}, which is not an intermediate node of the ${cell} cell (node ids 2..${1 + steps})`,
          concatPos ?? null,
        );
      }
      if (seen.has(c))
        throw new GenotypeFormatError(`${cell}_concat lists node ${c} twice${where(concatPos)}`, concatPos ?? null);
      seen.add(c);
    }
  }
}

/**
 * Reads a DARTS genotype: the printed namedtuple, the multi-line `Genotype(\n normal = [...` layout of published
 * genotypes.py files, an optional `NAME = ` in front, list or range concats, either quote, trailing commas, any
 * keyword order. Validates operations, input indices and concat nodes.
 */
export function parseDartsGenotype(text: string): DartsGenotype {
  const { genotype, positions } = new DartsParser(text).parse();
  validateDarts(genotype, text, positions);
  return genotype;
}

// ---------------------------------------------------------------------------------------------------------
// NAS-Bench-201 string

/** `|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|` */
export function formatNb201(g: Nb201Genotype): string {
  return g.nodes.map((edges) => `|${edges.map(([op, j]) => `${op}~${j}`).join('|')}|`).join('+');
}

function validateNb201(g: Nb201Genotype): void {
  if (g.nodes.length !== NB201_NODES - 1) {
    throw new GenotypeFormatError(
      `a NAS-Bench-201 cell has ${NB201_NODES - 1} nodes after the input, found ${g.nodes.length}`,
    );
  }
  g.nodes.forEach((edges, n) => {
    const i = n + 1;
    if (edges.length !== i)
      throw new GenotypeFormatError(
        `node ${i} has ${edges.length} edges; expected ${i} (one from each of nodes 0..${i - 1})`,
      );
    const seen = new Set<number>();
    for (const [op, j] of edges) {
      if (!NB201_OP_SET.has(op))
        throw new GenotypeFormatError(
          `unknown operation '${String(op)}' into node ${i} (NAS-Bench-201 operations: ${NB201_OPS.join(', ')})`,
        );
      if (!Number.isInteger(j) || j < 0 || j >= i)
        throw new GenotypeFormatError(`node ${i} takes an edge from node ${j}; its inputs are nodes 0..${i - 1}`);
      if (seen.has(j)) throw new GenotypeFormatError(`node ${i} takes two edges from node ${j}`);
      seen.add(j);
    }
  });
}

/** Reads a NAS-Bench-201 architecture string (whitespace around it is ignored); edges come back in input order. */
export function parseNb201(s: string): Nb201Genotype {
  const base = s.length - s.trimStart().length;
  const src = s.trim();
  const err = (msg: string, off: number): never => {
    throw new GenotypeFormatError(`${msg} ${at(s, base + off)}`, base + off);
  };
  if (!src.startsWith('|')) err("a NAS-Bench-201 string starts with '|'", 0);
  const parts = src.split('+');
  if (parts.length !== NB201_NODES - 1) {
    throw new GenotypeFormatError(
      `expected ${NB201_NODES - 1} nodes separated by '+' in the NAS-Bench-201 string, found ${parts.length}`,
    );
  }
  const nodes: Array<Array<[Nb201Op, number]>> = [];
  let off = 0;
  parts.forEach((part, n) => {
    const i = n + 1;
    if (part.length < 2 || !part.startsWith('|') || !part.endsWith('|'))
      err(`node ${i} must be written as |op~j|...|`, off);
    const edges: Array<[Nb201Op, number]> = [];
    let eoff = off + 1;
    for (const item of part.slice(1, -1).split('|')) {
      const m = /^([^~]*)~([0-9]+)$/.exec(item);
      if (!m) err(`malformed edge '${item}' into node ${i} (expected op~input, e.g. nor_conv_3x3~0)`, eoff);
      const op = m![1]!;
      const j = Number(m![2]);
      if (!NB201_OP_SET.has(op))
        err(`unknown operation '${op}' (NAS-Bench-201 operations: ${NB201_OPS.join(', ')})`, eoff);
      if (j >= i)
        err(`node ${i} cannot take an edge from node ${j} (its inputs are nodes 0..${i - 1})`, eoff + op.length + 1);
      if (edges.some(([, k]) => k === j)) err(`node ${i} takes two edges from node ${j}`, eoff + op.length + 1);
      edges.push([op as Nb201Op, j]);
      eoff += item.length + 1;
    }
    if (edges.length !== i)
      err(`node ${i} has ${edges.length} edges; expected ${i} (one from each of nodes 0..${i - 1})`, off);
    edges.sort((a, b) => a[1] - b[1]);
    nodes.push(edges);
    off += part.length + 1;
  });
  return { space: 'nb201', nodes };
}

// ---------------------------------------------------------------------------------------------------------
// Either space

/** DARTS text or NAS-Bench-201 string, by the genotype's space. */
export function formatGenotype(g: Genotype): string {
  return g.space === 'darts' ? formatDartsGenotype(g) : formatNb201(g);
}

/** Structural checks of either space's genotype (genotype.ts's JSON reader uses them); throws GenotypeFormatError. */
export function validateGenotype(g: Genotype): void {
  if (g.space === 'darts') validateDarts(g);
  else validateNb201(g);
}
