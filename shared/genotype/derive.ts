/** Deriving a genotype from α (softmaxed architecture weights), as the DARTS and NAS-Bench-201 codes do. */
import {
  DARTS_OPS,
  DARTS_STEPS,
  NB201_EDGE_LIST,
  NB201_NODES,
  NB201_OPS,
  dartsEdgeList,
  type DartsGenotype,
  type DartsOp,
  type Nb201Genotype,
  type Nb201Op,
} from './ops.js';

function checkMatrix(
  fn: string,
  weights: number[][],
  rows: number,
  cols: number,
  rowWhat: string,
  colWhat: string,
): void {
  if (!Array.isArray(weights) || weights.length !== rows) {
    throw new Error(
      `${fn}: expected ${rows} rows (${rowWhat}), got ${Array.isArray(weights) ? weights.length : typeof weights}`,
    );
  }
  weights.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(
        `${fn}: row ${r} has ${Array.isArray(row) ? row.length : 'no'} values; expected ${cols} (${colWhat})`,
      );
    }
    row.forEach((v, c) => {
      if (typeof v !== 'number' || Number.isNaN(v))
        throw new Error(`${fn}: row ${r}, column ${c} is not a number (${String(v)})`);
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
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`deriveDartsCell: steps must be a positive integer, got ${steps}`);
  const edges = dartsEdgeList(steps);
  checkMatrix(
    'deriveDartsCell',
    weights,
    edges.length,
    DARTS_OPS.length,
    `one per edge for ${steps} steps, dartsEdgeList order`,
    'one per DARTS operation',
  );
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
export function deriveDartsGenotype(
  normal: number[][],
  reduce: number[][],
  steps: number = DARTS_STEPS,
): DartsGenotype {
  const concat = Array.from({ length: steps }, (_, i) => 2 + i);
  return {
    space: 'darts',
    normal: deriveDartsCell(normal, steps),
    normalConcat: concat,
    reduce: deriveDartsCell(reduce, steps),
    reduceConcat: [...concat],
  };
}

/**
 * A NAS-Bench-201 genotype from softmaxed α (rows in NB201_EDGE_LIST order, columns in NB201_OPS order): the
 * argmax over all operations, `none` included, first maximum wins (as the benchmark's DARTS code).
 */
export function deriveNb201Genotype(weights: number[][]): Nb201Genotype {
  checkMatrix(
    'deriveNb201Genotype',
    weights,
    NB201_EDGE_LIST.length,
    NB201_OPS.length,
    'one per edge, NB201_EDGE_LIST order',
    'one per NAS-Bench-201 operation',
  );
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
