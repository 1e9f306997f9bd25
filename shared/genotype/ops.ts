/**
 * The two search spaces' vocabulary without zod: the operation lists (in the order α's columns use), the
 * genotype types, and the edge orders (the rows of α). The renderer imports it; imports nothing.
 */

/** DARTS PRIMITIVES, in the original code's order (genotypes.py); α's columns follow it. */
export const DARTS_OPS = [
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
] as const;
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

// The genotype types as plain TS; ../genotype.ts holds their zod schemas and checks at compile time that the two agree.

/** (operation, input node): input 0 and 1 are the cell inputs (c_{k-2}, c_{k-1}), 2.. the intermediate nodes. */
export type DartsGene = [DartsOp, number];

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
