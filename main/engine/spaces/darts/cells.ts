/**
 * The cell plan of a DARTS network, shared by the supernet (spaces/darts/supernet.ts) and the evaluation network
 * (evaluate/networks/darts.ts), as DARTS' Network and NetworkCIFAR share theirs: reduction cells at cells/3 and
 * 2·cells/3 (integer division), where the channels double; a cell after a reduction preprocesses its older input
 * with FactorizedReduce; a reduction cell's edges from its two inputs have stride 2.
 */

/** DARTS' stem multiplier (the stem has 3C channels) and cell multiplier (a cell concatenates 4 nodes). */
export const STEM_MULTIPLIER = 3;
export const MULTIPLIER = 4;

export interface CellPlan {
  reduction: boolean;
  reductionPrev: boolean;
  /** Channels of the cell's two inputs (c_{k-2}, c_{k-1}) with 4 concatenated nodes, and of its nodes. */
  cPrevPrev: number;
  cPrev: number;
  c: number;
}

export function dartsCellPlan(channels: number, cells: number): CellPlan[] {
  const reductions = new Set([Math.floor(cells / 3), Math.floor((2 * cells) / 3)]);
  let c = channels;
  let cPrevPrev = STEM_MULTIPLIER * channels;
  let cPrev = cPrevPrev;
  let reductionPrev = false;
  const plan: CellPlan[] = [];
  for (let i = 0; i < cells; i++) {
    const reduction = reductions.has(i);
    if (reduction) c *= 2;
    plan.push({ reduction, reductionPrev, cPrevPrev, cPrev, c });
    reductionPrev = reduction;
    [cPrevPrev, cPrev] = [cPrev, MULTIPLIER * c];
  }
  return plan;
}

/** The stride of an edge from state `input` (0, 1: the cell's inputs; 2..: its nodes). */
export function edgeStride(plan: Pick<CellPlan, 'reduction'>, input: number): 1 | 2 {
  return plan.reduction && input < 2 ? 2 : 1;
}
