/**
 * Genotypes of the two search spaces without zod: the operation lists (in the order α's columns use), the types,
 * the text formats users exchange (ARCHITECTURE.md "Formats users exchange"), the edge orders of α, derivation
 * from α, and the cell drawing. The renderer imports this module; genotype.ts adds the zod schemas and the JSON
 * document and re-exports everything here. Imports nothing.
 */

/** DARTS PRIMITIVES, in the original code's order (genotypes.py); α's columns follow it. */
export const DARTS_OPS = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5'] as const;
export type DartsOp = (typeof DARTS_OPS)[number];

/** NAS-Bench-201 operations, in the benchmark's order; α's columns follow it. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** DARTS cells have 4 intermediate nodes (steps) after the 2 inputs; 14 mixed edges in the supernet. */
export const DARTS_STEPS = 4;
export const DARTS_EDGES = 14;
/** NAS-Bench-201 cells have 4 nodes; node i takes an edge from every j < i: 6 edges. */
export const NB201_NODES = 4;
export const NB201_EDGES = 6;

// The genotype types as plain TS; genotype.ts holds their zod schemas and checks at compile time that the two agree.

/** (operation, input node): input 0 and 1 are the cell inputs (c_{k-2}, c_{k-1}), 2.. the intermediate nodes. */
type DartsGene = [DartsOp, number];

export type DartsGenotype = {
  space: 'darts';
  /** Two genes per intermediate node, node by node (8 for 4 steps). */
  normal: DartsGene[];
  normalConcat: number[];
  reduce: DartsGene[];
  reduceConcat: number[];
};

export type Nb201Genotype = {
  space: 'nb201';
  /** nodes[i-1] = the edges into node i (i = 1..3), one per earlier node j, as (operation, j) in j order. */
  nodes: [Nb201Op, number][][];
};

export type Genotype = DartsGenotype | Nb201Genotype;

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
    if (head.kind !== 'ident' || (head.text !== 'Genotype' && !head.text.endsWith('.Genotype'))) this.fail("expected 'Genotype('", head);
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
      throw new GenotypeFormatError(`unexpected ${this.describe(rest)} after the closing ')' of Genotype(...) ${at(this.src, rest.pos)}`, rest.pos);
    }
    for (const f of DARTS_FIELDS) {
      if (!values[f]) throw new GenotypeFormatError(`missing '${f}' in Genotype(...) (closing ')' ${at(this.src, close.pos)})`, close.pos);
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
    if (!this.isPunct(open, '(') && !this.isPunct(open, '[')) this.fail("expected a gene such as ('sep_conv_3x3', 0)", open);
    const close = this.opener();
    const op = this.next();
    if (op.kind !== 'str') this.fail('expected an operation name in quotes', op);
    if (!DARTS_OP_SET.has(op.text)) {
      throw new GenotypeFormatError(`unknown operation '${op.text}' ${at(this.src, op.pos)} (DARTS operations: ${DARTS_OPS.join(', ')})`, op.pos);
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
      if (stop - start > 1000) throw new GenotypeFormatError(`range(${start}, ${stop}) is too long ${at(this.src, t.pos)}`, t.pos);
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
    return this.fail("expected a concat such as range(2, 6) or [2, 3, 4, 5]", t);
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
      throw new GenotypeFormatError(`the ${cell} cell has ${genes.length} genes; expected 2 per intermediate node (an even number)`);
    }
    const steps = genes.length / 2;
    genes.forEach(([op, j], k) => {
      const pos = positions?.[cell][k];
      if (!DARTS_OP_SET.has(op)) {
        throw new GenotypeFormatError(`unknown operation '${String(op)}' in ${cell}[${k}]${where(pos)} (DARTS operations: ${DARTS_OPS.join(', ')})`, pos ?? null);
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
    if (concat.length === 0) throw new GenotypeFormatError(`${cell}_concat is empty${where(concatPos)}`, concatPos ?? null);
    const seen = new Set<number>();
    for (const c of concat) {
      if (!Number.isInteger(c) || c < 2 || c >= 2 + steps) {
        throw new GenotypeFormatError(
          `${cell}_concat contains ${c}${where(concatPos)}, which is not an intermediate node of the ${cell} cell (node ids 2..${1 + steps})`,
          concatPos ?? null,
        );
      }
      if (seen.has(c)) throw new GenotypeFormatError(`${cell}_concat lists node ${c} twice${where(concatPos)}`, concatPos ?? null);
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
    throw new GenotypeFormatError(`a NAS-Bench-201 cell has ${NB201_NODES - 1} nodes after the input, found ${g.nodes.length}`);
  }
  g.nodes.forEach((edges, n) => {
    const i = n + 1;
    if (edges.length !== i) throw new GenotypeFormatError(`node ${i} has ${edges.length} edges; expected ${i} (one from each of nodes 0..${i - 1})`);
    const seen = new Set<number>();
    for (const [op, j] of edges) {
      if (!NB201_OP_SET.has(op)) throw new GenotypeFormatError(`unknown operation '${String(op)}' into node ${i} (NAS-Bench-201 operations: ${NB201_OPS.join(', ')})`);
      if (!Number.isInteger(j) || j < 0 || j >= i) throw new GenotypeFormatError(`node ${i} takes an edge from node ${j}; its inputs are nodes 0..${i - 1}`);
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
    throw new GenotypeFormatError(`expected ${NB201_NODES - 1} nodes separated by '+' in the NAS-Bench-201 string, found ${parts.length}`);
  }
  const nodes: Array<Array<[Nb201Op, number]>> = [];
  let off = 0;
  parts.forEach((part, n) => {
    const i = n + 1;
    if (part.length < 2 || !part.startsWith('|') || !part.endsWith('|')) err(`node ${i} must be written as |op~j|...|`, off);
    const edges: Array<[Nb201Op, number]> = [];
    let eoff = off + 1;
    for (const item of part.slice(1, -1).split('|')) {
      const m = /^([^~]*)~([0-9]+)$/.exec(item);
      if (!m) err(`malformed edge '${item}' into node ${i} (expected op~input, e.g. nor_conv_3x3~0)`, eoff);
      const op = m![1]!;
      const j = Number(m![2]);
      if (!NB201_OP_SET.has(op)) err(`unknown operation '${op}' (NAS-Bench-201 operations: ${NB201_OPS.join(', ')})`, eoff);
      if (j >= i) err(`node ${i} cannot take an edge from node ${j} (its inputs are nodes 0..${i - 1})`, eoff + op.length + 1);
      if (edges.some(([, k]) => k === j)) err(`node ${i} takes two edges from node ${j}`, eoff + op.length + 1);
      edges.push([op as Nb201Op, j]);
      eoff += item.length + 1;
    }
    if (edges.length !== i) err(`node ${i} has ${edges.length} edges; expected ${i} (one from each of nodes 0..${i - 1})`, off);
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

// ---------------------------------------------------------------------------------------------------------
// Edge orders (the rows of α)

/**
 * The DARTS supernet's mixed edges in α-row order (model_search.py): node-major, inputs ascending.
 * `node` is the intermediate node's index i = 0..steps-1 (node id 2+i); `input` is the input's node id
 * (0, 1: the cell inputs c_{k-2}, c_{k-1}; 2..: earlier intermediate nodes). 14 edges for 4 steps.
 */
export function dartsEdgeList(steps: number = DARTS_STEPS): Array<{ node: number; input: number }> {
  const out: Array<{ node: number; input: number }> = [];
  for (let i = 0; i < steps; i++) for (let j = 0; j < 2 + i; j++) out.push({ node: i, input: j });
  return out;
}

/** NAS-Bench-201's edges in α-row order (its sorted '{to}<-{from}' keys): 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2. */
export const NB201_EDGE_LIST: ReadonlyArray<{ readonly to: number; readonly from: number }> = Object.freeze(
  [
    { to: 1, from: 0 },
    { to: 2, from: 0 },
    { to: 2, from: 1 },
    { to: 3, from: 0 },
    { to: 3, from: 1 },
    { to: 3, from: 2 },
  ].map((e) => Object.freeze(e)),
);

// ---------------------------------------------------------------------------------------------------------
// Derivation from α

function checkMatrix(fn: string, weights: number[][], rows: number, cols: number, rowWhat: string, colWhat: string): void {
  if (!Array.isArray(weights) || weights.length !== rows) {
    throw new Error(`${fn}: expected ${rows} rows (${rowWhat}), got ${Array.isArray(weights) ? weights.length : typeof weights}`);
  }
  weights.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${fn}: row ${r} has ${Array.isArray(row) ? row.length : 'no'} values; expected ${cols} (${colWhat})`);
    }
    row.forEach((v, c) => {
      if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${fn}: row ${r}, column ${c} is not a number (${String(v)})`);
    });
  });
}

/** Softmax of each row, numerically stable (the row's maximum is subtracted first). */
export function softmaxRows(logits: number[][]): number[][] {
  return logits.map((row, r) => {
    if (row.length === 0) return [];
    const max = Math.max(...row);
    if (!Number.isFinite(max)) throw new Error(`softmaxRows: row ${r} has no finite maximum (${String(max)})`);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  });
}

/**
 * One DARTS cell's genes from its softmaxed α (rows in dartsEdgeList order, columns in DARTS_OPS order), as
 * model_search.py's genotype()._parse: per node, the 2 incoming edges with the largest non-`none` weight
 * (stable: ties keep the lower input first), strongest first, each with its best non-`none` operation (first
 * maximum wins).
 */
export function deriveDartsCell(weights: number[][], steps: number = DARTS_STEPS): Array<[DartsOp, number]> {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`deriveDartsCell: steps must be a positive integer, got ${steps}`);
  const edges = dartsEdgeList(steps);
  checkMatrix('deriveDartsCell', weights, edges.length, DARTS_OPS.length, `one per edge for ${steps} steps, dartsEdgeList order`, 'one per DARTS operation');
  const noneIdx = DARTS_OPS.indexOf('none');
  const best = (row: number[]): number => {
    let kBest = -1;
    row.forEach((v, k) => {
      if (k !== noneIdx && (kBest < 0 || v > row[kBest]!)) kBest = k;
    });
    return kBest;
  };
  const gene: Array<[DartsOp, number]> = [];
  let start = 0;
  for (let i = 0; i < steps; i++) {
    const n = 2 + i;
    const W = weights.slice(start, start + n);
    const strength = W.map((row) => row[best(row)]!);
    const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => strength[b]! - strength[a]! || a - b);
    for (const j of order.slice(0, 2)) gene.push([DARTS_OPS[best(W[j]!)]!, j]);
    start += n;
  }
  return gene;
}

/** A DARTS genotype from the normal and reduce cells' softmaxed α; concat = all intermediate nodes. */
export function deriveDartsGenotype(normal: number[][], reduce: number[][], steps: number = DARTS_STEPS): DartsGenotype {
  const concat = Array.from({ length: steps }, (_, i) => 2 + i);
  return { space: 'darts', normal: deriveDartsCell(normal, steps), normalConcat: concat, reduce: deriveDartsCell(reduce, steps), reduceConcat: [...concat] };
}

/**
 * A NAS-Bench-201 genotype from softmaxed α (rows in NB201_EDGE_LIST order, columns in NB201_OPS order): the
 * argmax over all operations, `none` included, first maximum wins (as the benchmark's DARTS code).
 */
export function deriveNb201Genotype(weights: number[][]): Nb201Genotype {
  checkMatrix('deriveNb201Genotype', weights, NB201_EDGE_LIST.length, NB201_OPS.length, 'one per edge, NB201_EDGE_LIST order', 'one per NAS-Bench-201 operation');
  const nodes: Array<Array<[Nb201Op, number]>> = Array.from({ length: NB201_NODES - 1 }, () => []);
  NB201_EDGE_LIST.forEach(({ to, from }, r) => {
    const row = weights[r]!;
    let kBest = 0;
    row.forEach((v, k) => {
      if (v > row[kBest]!) kBest = k;
    });
    nodes[to - 1]!.push([NB201_OPS[kBest]!, from]);
  });
  for (const edges of nodes) edges.sort((a, b) => a[1] - b[1]);
  return { space: 'nb201', nodes };
}

// ---------------------------------------------------------------------------------------------------------
// Cell drawing

/** One colour per operation family (pool, skip, sep, dil, conv, none); mid-luminance, readable on light and dark. */
const FAMILY_COLORS = {
  none: '#8c8c8c',
  pool: '#2a9d8f',
  skip: '#8c6bd1',
  sep: '#e07b39',
  dil: '#d6456b',
  conv: '#3d85d8',
} as const;
type OpFamily = keyof typeof FAMILY_COLORS;

function opFamily(op: string): OpFamily {
  if (op === 'none') return 'none';
  if (op.includes('pool')) return 'pool';
  if (op.startsWith('skip')) return 'skip';
  if (op.startsWith('sep')) return 'sep';
  if (op.startsWith('dil')) return 'dil';
  return 'conv';
}

/** Edge colour of every DARTS and NAS-Bench-201 operation (shared by the cell drawing and the α heatmap). */
export const OP_COLORS: Record<string, string> = Object.freeze(
  Object.fromEntries([...new Set<string>([...DARTS_OPS, ...NB201_OPS])].map((op) => [op, FAMILY_COLORS[opFamily(op)]])),
);

const THEMES = {
  light: { bg: '#ffffff', text: '#1f2328', labelBg: '#ffffff', stroke: '#57606a', out: '#8c959f', input: '#b4eeb4', inner: '#add8e6', output: '#eee8aa' },
  dark: { bg: '#1e1f22', text: '#e6e6e6', labelBg: '#2b2d31', stroke: '#a0a7b0', out: '#7d8590', input: '#2f5d3a', inner: '#27526b', output: '#6b6230' },
} as const;

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Coordinates with one decimal, no "-0": the same input always gives the same string. */
function num(v: number): string {
  const r = Math.round(v * 10) / 10;
  return String(r === 0 ? 0 : r);
}

interface DrawNode {
  label: string;
  col: number;
  y: number;
  kind: 'input' | 'inner' | 'output';
}
interface DrawEdge {
  from: number;
  to: number;
  op: string | null;
}
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const COL_GAP = 190;
const NODE_W = 74;
const NODE_H = 30;
const LABEL_H = 17;
const CHAR_W = 6.8;
const BEND = 38;
const NUDGE = 21;

const overlaps = (a: Rect, b: Rect, pad = 3): boolean =>
  a.x - pad < b.x + b.w && b.x - pad < a.x + a.w && a.y - pad < b.y + b.h && b.y - pad < a.y + a.h;

function drawGraph(nodes: DrawNode[], edges: DrawEdge[], theme: 'light' | 'dark', title: string, idPrefix: string): string {
  const th = THEMES[theme];
  const cx = (n: DrawNode) => n.col * COL_GAP;
  const nodeRect = (n: DrawNode): Rect => ({ x: cx(n) - NODE_W / 2, y: n.y - NODE_H / 2, w: NODE_W, h: NODE_H });
  const obstacles: Rect[] = nodes.map(nodeRect);
  const exit = (n: DrawNode, tx: number, ty: number, otherX: number, otherY: number): [number, number] => {
    let dx = tx - cx(n);
    let dy = ty - n.y;
    const inside = Math.abs(dx) <= NODE_W / 2 && Math.abs(dy) <= NODE_H / 2;
    if (inside) {
      dx = otherX - cx(n);
      dy = otherY - n.y;
    }
    if (dx === 0 && dy === 0) return [cx(n), n.y];
    const t = Math.min(dx === 0 ? Infinity : NODE_W / 2 / Math.abs(dx), dy === 0 ? Infinity : NODE_H / 2 / Math.abs(dy));
    return [cx(n) + dx * t, n.y + dy * t];
  };

  const bounds = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  const grow = (x: number, y: number) => {
    bounds.x0 = Math.min(bounds.x0, x);
    bounds.y0 = Math.min(bounds.y0, y);
    bounds.x1 = Math.max(bounds.x1, x);
    bounds.y1 = Math.max(bounds.y1, y);
  };
  for (const r of obstacles) {
    grow(r.x, r.y);
    grow(r.x + r.w, r.y + r.h);
  }

  type Laid = { d: [number, number, number, number, number, number]; color: string; family: string; label: Rect | null; op: string | null };
  const laid: Laid[] = [];
  const pairCount = new Map<string, number>();
  for (const e of edges) {
    const a = nodes[e.from]!;
    const b = nodes[e.to]!;
    const x0 = cx(a);
    const x2 = cx(b);
    const midX = (x0 + x2) / 2;
    const midY = (a.y + b.y) / 2;
    const span = Math.abs(b.col - a.col);
    const sign = midY > 0.5 ? 1 : -1;
    const key = `${e.from}>${e.to}`;
    const dup = pairCount.get(key) ?? 0;
    pairCount.set(key, dup + 1);
    let wantY = midY + sign * BEND * Math.max(0, span - 1);
    if (dup > 0) wantY += (dup % 2 === 1 ? -sign : sign) * Math.ceil(dup / 2) * 2 * NUDGE;
    let label: Rect | null = null;
    let my = wantY;
    if (e.op !== null) {
      const w = Math.ceil(e.op.length * CHAR_W) + 12;
      for (let k = 0; k < 41; k++) {
        const step = Math.ceil(k / 2) * (k % 2 === 1 ? 1 : -1) * sign;
        const cand: Rect = { x: midX - w / 2, y: wantY + step * NUDGE - LABEL_H / 2, w, h: LABEL_H };
        if (k === 40 || !obstacles.some((o) => overlaps(cand, o))) {
          label = cand;
          my = cand.y + LABEL_H / 2;
          break;
        }
      }
      obstacles.push(label!);
      grow(label!.x, label!.y);
      grow(label!.x + label!.w, label!.y + label!.h);
    }
    // the quadratic's midpoint (t = 1/2) is (P0 + 2C + P2) / 4: choose C so the curve passes through the label
    const c0x = 2 * midX - (x0 + x2) / 2;
    const c0y = 2 * my - (a.y + b.y) / 2;
    const [sx, sy] = exit(a, c0x, c0y, x2, b.y);
    const [ex, ey] = exit(b, c0x, c0y, x0, a.y);
    const qx = 2 * midX - (sx + ex) / 2;
    const qy = 2 * my - (sy + ey) / 2;
    for (let i = 0; i <= 16; i++) {
      const t = i / 16;
      const u = 1 - t;
      grow(u * u * sx + 2 * u * t * qx + t * t * ex, u * u * sy + 2 * u * t * qy + t * t * ey);
    }
    const family = e.op === null ? 'out' : opFamily(e.op);
    const color = e.op === null ? th.out : (OP_COLORS[e.op] ?? FAMILY_COLORS[opFamily(e.op)]);
    laid.push({ d: [sx, sy, qx, qy, ex, ey], color, family, label, op: e.op });
  }

  const M = 16;
  const tx = M - bounds.x0;
  const ty = M - bounds.y0;
  const W = Math.ceil(bounds.x1 - bounds.x0 + 2 * M);
  const H = Math.ceil(bounds.y1 - bounds.y0 + 2 * M);
  const X = (v: number) => num(v + tx);
  const Y = (v: number) => num(v + ty);
  const markerId = (family: string) => `${idPrefix}-arrow-${theme}-${family}`;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="${th.bg}"/>`,
    '<defs>',
  );
  const families = [...new Map(laid.map((l) => [l.family, l.color])).entries()].sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
  for (const [family, color] of families) {
    out.push(
      `<marker id="${markerId(family)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
        `<path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    );
  }
  out.push('</defs>', '<g fill="none" stroke-width="1.6">');
  for (const l of laid) {
    const [sx, sy, qx, qy, ex, ey] = l.d;
    out.push(`<path d="M${X(sx)},${Y(sy)} Q${X(qx)},${Y(qy)} ${X(ex)},${Y(ey)}" stroke="${l.color}" marker-end="url(#${markerId(l.family)})"/>`);
  }
  out.push('</g>', '<g font-family="Helvetica, Arial, sans-serif" font-size="13" text-anchor="middle">');
  for (const n of nodes) {
    const r = nodeRect(n);
    const fill = n.kind === 'input' ? th.input : n.kind === 'output' ? th.output : th.inner;
    out.push(
      `<rect x="${X(r.x)}" y="${Y(r.y)}" width="${r.w}" height="${r.h}" rx="4" fill="${fill}" stroke="${th.stroke}" stroke-width="1.5"/>`,
      `<text x="${X(cx(n))}" y="${Y(n.y)}" dy="0.35em" fill="${th.text}">${escapeXml(n.label)}</text>`,
    );
  }
  out.push('</g>', '<g font-family="Menlo, Consolas, monospace" font-size="11" text-anchor="middle">');
  for (const l of laid) {
    if (!l.label || l.op === null) continue;
    const r = l.label;
    out.push(
      `<rect x="${X(r.x)}" y="${Y(r.y)}" width="${num(r.w)}" height="${r.h}" rx="5" fill="${th.labelBg}" stroke="${l.color}" stroke-width="1"/>`,
      `<text x="${X(r.x + r.w / 2)}" y="${Y(r.y + r.h / 2)}" dy="0.35em" fill="${th.text}">${escapeXml(l.op)}</text>`,
    );
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}

export interface CellSvgOptions {
  theme?: 'light' | 'dark';
  /**
   * Starts the ids of the arrow-head markers (`{idPrefix}-arrow-{theme}-{family}`; default `winnow`). Ids are
   * global to a page, so drawings shown on the same page need different prefixes.
   */
  idPrefix?: string;
}

const ID_PREFIX = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The cell as a standalone SVG document (like DARTS's visualize.py): DARTS cells with inputs c_{k-2}, c_{k-1},
 * intermediate nodes 0.., output c_{k}, one labelled arrow per gene and plain arrows from the concat nodes to
 * the output; NAS-Bench-201 cells with nodes 0..3 (3 = output), one labelled arrow per edge except `none`.
 * No scripts, styles or external references; the same genotype (and options) always gives the same string.
 */
export function cellSvg(g: Genotype, cell: 'normal' | 'reduce' = 'normal', opts?: CellSvgOptions): string {
  const theme = opts?.theme === 'dark' ? 'dark' : 'light';
  const idPrefix = opts?.idPrefix ?? 'winnow';
  if (!ID_PREFIX.test(idPrefix)) throw new Error(`cellSvg: idPrefix '${idPrefix}' must be a letter followed by letters, digits, '-' or '_'`);
  const nodes: DrawNode[] = [];
  const edges: DrawEdge[] = [];
  if (g.space === 'darts') {
    const genes = cell === 'reduce' ? g.reduce : g.normal;
    const concat = cell === 'reduce' ? g.reduceConcat : g.normalConcat;
    const steps = Math.ceil(genes.length / 2);
    nodes.push({ label: 'c_{k-2}', col: 0, y: -70, kind: 'input' }, { label: 'c_{k-1}', col: 0, y: 70, kind: 'input' });
    for (let i = 0; i < steps; i++) nodes.push({ label: String(i), col: i + 1, y: i % 2 === 0 ? -35 : 35, kind: 'inner' });
    nodes.push({ label: 'c_{k}', col: steps + 1, y: 0, kind: 'output' });
    genes.forEach(([op, j], k) => {
      const node = Math.floor(k / 2);
      if (!Number.isInteger(j) || j < 0 || j >= 2 + node) throw new GenotypeFormatError(`${cell}[${k}]: input ${j} does not exist before node ${node}`);
      edges.push({ from: j, to: 2 + node, op: String(op) });
    });
    for (const c of concat) {
      if (!Number.isInteger(c) || c < 2 || c >= 2 + steps) throw new GenotypeFormatError(`${cell}_concat: ${c} is not an intermediate node`);
      edges.push({ from: c, to: nodes.length - 1, op: null });
    }
    return drawGraph(nodes, edges, theme, `DARTS ${cell} cell`, idPrefix);
  }
  const count = g.nodes.length + 1;
  for (let i = 0; i < count; i++) {
    nodes.push({ label: String(i), col: i, y: i === 0 || i === count - 1 ? 0 : i % 2 === 1 ? -50 : 50, kind: i === 0 ? 'input' : i === count - 1 ? 'output' : 'inner' });
  }
  g.nodes.forEach((into, n) => {
    for (const [op, j] of into) {
      if (!Number.isInteger(j) || j < 0 || j > n) throw new GenotypeFormatError(`node ${n + 1} takes an edge from node ${j}, which is not before it`);
      if (op !== 'none') edges.push({ from: j, to: n + 1, op: String(op) });
    }
  });
  return drawGraph(nodes, edges, theme, 'NAS-Bench-201 cell', idPrefix);
}
