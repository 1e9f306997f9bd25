/** The α heatmap of a search's cells: edge labels, the rows to draw and which operation each edge keeps. */
import { DARTS_OPS, NB201_EDGE_LIST, NB201_OPS, dartsEdgeList, type Genotype } from '../../../shared/genotype/ops.js';
import type { AlphaSnapshot, SearchSpace } from '../../../shared/search.js';
import { finite } from './search-curves.js';
import { opsOf, type Cell } from './search.js';

// ---- α heatmap ----------------------------------------------------------------------------------------------

/** DARTS node names: inputs 0 and 1 are the cell inputs c_{k-2} and c_{k-1}; 2.. are intermediate nodes 0.. */
export function dartsInputName(input: number): string {
  if (input === 0) return 'c_{k-2}';
  if (input === 1) return 'c_{k-1}';
  return String(input - 2);
}

/**
 * Row labels in α's row order: `c_{k-2} → 0`, `1 → 3` (darts; the arrow points at the intermediate node the edge
 * feeds) or `0 → 1` (nb201, node to node).
 */
export function edgeLabels(space: SearchSpace): string[] {
  if (space === 'darts') return dartsEdgeList().map((e) => `${dartsInputName(e.input)} → ${e.node}`);
  return NB201_EDGE_LIST.map((e) => `${e.from} → ${e.to}`);
}

export type HeatScale = 'absolute' | 'row';

export interface HeatRow {
  label: string;
  values: number[];
  /**
   * Column of the operation the derived cell keeps on this edge, or -1 when the cell drops the edge (a DARTS node
   * keeps its two strongest inputs). Without a genotype: the strongest operation (other than `none` for darts).
   */
  kept: number;
  /** 0..1 per column: the colour's strength. */
  strength: number[];
}

/** Per α row, the column of the operation `genotype` keeps on that edge (-1: edge not kept). */
export function keptColumns(space: SearchSpace, genotype: Genotype | null | undefined, cell: Cell): number[] | null {
  if (!genotype || genotype.space !== space) return null;
  if (genotype.space === 'darts') {
    const edges = dartsEdgeList();
    const out = edges.map(() => -1);
    const genes = cell === 'reduce' ? genotype.reduce : genotype.normal;
    genes.forEach(([op, input], k) => {
      const node = Math.floor(k / 2);
      const row = edges.findIndex((e) => e.node === node && e.input === input);
      if (row >= 0) out[row] = (DARTS_OPS as readonly string[]).indexOf(op);
    });
    return out;
  }
  const out = NB201_EDGE_LIST.map(() => -1);
  genotype.nodes.forEach((into, n) => {
    for (const [op, from] of into) {
      const row = NB201_EDGE_LIST.findIndex((e) => e.to === n + 1 && e.from === from);
      if (row >= 0) out[row] = (NB201_OPS as readonly string[]).indexOf(op);
    }
  });
  return out;
}

/**
 * The heatmap's rows. `absolute` colours by the softmax value itself; `row` stretches each row from its smallest
 * to its largest value, which shows early preferences while α is still close to uniform. `kept` follows the
 * genotype derived from the same snapshot when given.
 */
export function heatRows(
  space: SearchSpace,
  matrix: readonly (readonly number[])[],
  scale: HeatScale,
  kept: readonly number[] | null = null,
): HeatRow[] {
  const labels = edgeLabels(space);
  const none = opsOf(space).indexOf('none');
  return matrix.map((row, i) => {
    const values = [...row];
    let best = -1;
    for (let j = 0; j < values.length; j++) {
      if ((space === 'darts' && j === none) || !finite(values[j]!)) continue;
      if (best < 0 || values[j]! > values[best]!) best = j;
    }
    let strength: number[];
    if (scale === 'row') {
      const lo = Math.min(...values.filter(finite));
      const hi = Math.max(...values.filter(finite));
      strength = values.map((v) => (finite(v) && hi > lo ? (v - lo) / (hi - lo) : 0));
    } else {
      strength = values.map((v) => (finite(v) ? Math.min(1, Math.max(0, v)) : 0));
    }
    return { label: labels[i] ?? `edge ${i}`, values, kept: kept ? (kept[i] ?? -1) : best, strength };
  });
}

/** The α of one cell type in a snapshot (null when the space has no such cell). */
export function alphasOf(alphas: AlphaSnapshot | null | undefined, cell: Cell): number[][] | null {
  if (!alphas) return null;
  return cell === 'normal' ? alphas.normal : (alphas.reduce ?? null);
}
