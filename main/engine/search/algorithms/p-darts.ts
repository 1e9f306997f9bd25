/**
 * P-DARTS ([P-DARTS] §3.2, settings §4; its code: train_search.py, model_search.py): first-order DARTS steps in stages of growing
 * depth (shared/search.ts pdartsPlan: 5 -> 11 -> 17 cells on CIFAR), each stage a new supernet with fresh weights and
 * α, its own optimisers and its own cosine schedule, over a reduced space: between stages each edge drops its
 * weakest operations by softmax(α) (8 -> 5 -> 3; search space approximation, the code's get_min_k, `none` ranked like the others).
 * Search space regularisation: dropout on the skip-connections' outputs, its rate decayed within a stage
 * (pdartsDropout), and the final derivation keeps at most M = 2 skip-connections in the normal cell, replacing the
 * weakest ones by their edge's next-best operation (the code's delete_min_sk_prob, keep_1_on, keep_2_branches).
 * As in the code, the first 10 of each stage's 25 epochs train only the weights (pdartsPlan's warm-up).
 *
 * The checkpoint keeps the stage and the kept operations, so a resumed search rebuilds the stage's supernet before
 * its weights, α and optimiser state are restored, and crosses the next stage boundary from the same α.
 */
import {
  DARTS_OPS,
  DARTS_STEPS,
  type DartsGene,
  type DartsGenotype,
  type DartsOp,
} from '../../../../shared/genotype/ops.js';
import { deriveDartsCell } from '../../../../shared/genotype/derive.js';
import {
  pdartsDropout,
  pdartsPlan,
  type AlphaSnapshot,
  type PdartsStage,
  type SearchParams,
} from '../../../../shared/search.js';
import { deriveSeed } from '../../nn/prng.js';
import { DartsSupernet } from '../../spaces/darts/supernet.js';
import type { Supernet } from '../../spaces/supernet.js';
import { DartsFamily } from './darts.js';
import { createOptimizers, type DartsOptimizers } from './step.js';
import type { SearchAlgorithm, SearchStep } from './types.js';

/** The operations each edge keeps, per cell type (edge order, DARTS_OPS order within an edge). */
export interface KeptOps {
  normal: DartsOp[][];
  reduce: DartsOp[][];
}

/** [P-DARTS] §3.2, search space regularisation: the normal cell keeps at most this many skip-connections (M = 2 in the paper). */
export const PDARTS_MAX_SKIPS = 2;

const SKIP = DARTS_OPS.indexOf('skip_connect');
const NONE = DARTS_OPS.indexOf('none');

/**
 * Between two stages ([P-DARTS] §3.2, search space approximation): each edge keeps its `keep` strongest operations by softmax(α) (`probs`: rows
 * of the stage's softmax over its kept operations, DARTS_OPS columns). As the code's get_min_k: the weakest goes
 * first, the earlier operation on a tie; `none` is ranked like the others.
 */
export function dropWeakest(probs: readonly number[][], kept: readonly DartsOp[][], keep: number): DartsOp[][] {
  return kept.map((ops, e) => {
    const left = [...ops];
    while (left.length > keep) {
      let weakest = 0;
      left.forEach((op, i) => {
        if (probs[e]![DARTS_OPS.indexOf(op)]! < probs[e]![DARTS_OPS.indexOf(left[weakest]!)]!) weakest = i;
      });
      left.splice(weakest, 1);
    }
    return left;
  });
}

/** The α row (edge) of each gene of a derived cell: node i's genes read from inputs 0 .. i+1. */
function geneEdges(genes: readonly DartsGene[]): number[] {
  return genes.map(([, input], g) => {
    const node = Math.floor(g / 2);
    return (node * (node + 3)) / 2 + input;
  });
}

/**
 * A cell derived as DARTS does (the two strongest edges per node, each its best operation but `none`) with at most
 * `maxSkips` skip-connections ([P-DARTS] §3.2, search space regularisation): while there are more, the chosen skip-connection with the smallest
 * weight is set to 0, so its edge takes its next-best operation and the edges are ranked again. An edge whose only
 * other operation is `none` keeps its skip-connection.
 */
export function limitSkipConnections(probs: readonly number[][], maxSkips: number): DartsGene[] {
  const rows = probs.map((r) => [...r]);
  for (;;) {
    const genes = deriveDartsCell(rows, DARTS_STEPS);
    const edges = geneEdges(genes);
    const skips = edges.filter((_, g) => genes[g]![0] === 'skip_connect');
    const replaceable = skips.filter((e) => rows[e]!.some((v, o) => o !== SKIP && o !== NONE && v > 0));
    if (skips.length <= maxSkips || !replaceable.length) return genes;
    let weakest = replaceable[0]!;
    for (const e of replaceable) if (rows[e]![SKIP]! < rows[weakest]![SKIP]!) weakest = e;
    rows[weakest]![SKIP] = 0;
  }
}

/** P-DARTS' genotype: the normal cell with at most PDARTS_MAX_SKIPS skip-connections, the reduction cell as DARTS. */
export function pdartsGenotype(a: Pick<AlphaSnapshot, 'normal' | 'reduce'>): DartsGenotype {
  const concat = Array.from({ length: DARTS_STEPS }, (_, i) => 2 + i);
  return {
    space: 'darts',
    normal: limitSkipConnections(a.normal, PDARTS_MAX_SKIPS),
    normalConcat: concat,
    reduce: deriveDartsCell(a.reduce!, DARTS_STEPS),
    reduceConcat: [...concat],
  };
}

type PdartsParams = Pick<
  SearchParams,
  | 'epochs'
  | 'space'
  | 'cells'
  | 'seed'
  | 'momentum'
  | 'weightDecay'
  | 'gradClip'
  | 'alphaWeightDecay'
  | 'alphaWarmupEpochs'
  | 'stages'
  | 'stageCells'
  | 'stageOps'
  | 'skipDropout'
>;

interface PdartsState {
  stage: number;
  kept: KeptOps;
}

export class PDarts implements SearchAlgorithm {
  readonly name = 'p-darts' as const;
  readonly plan: PdartsStage[];
  private stage = 0;
  private kept: KeptOps;
  private net: DartsSupernet;
  private opt: DartsOptimizers;
  private inner: DartsFamily;
  private rate = 0;

  /** `net`, `opt`: the first stage's supernet (pdartsPlan's first depth, every operation) and optimisers. */
  constructor(
    net: DartsSupernet,
    opt: DartsOptimizers,
    private readonly params: PdartsParams,
  ) {
    this.plan = pdartsPlan(params);
    const all = () => Array.from({ length: net.archMatrices[0]!.shape[0]! }, () => [...DARTS_OPS]);
    this.kept = { normal: all(), reduce: all() };
    this.net = net;
    this.opt = opt;
    this.inner = this.stepper();
  }

  /** The supernet and optimisers of the current stage (a new pair per stage). */
  current(): { net: Supernet; opt: DartsOptimizers } {
    return { net: this.net, opt: this.opt };
  }

  /** The stage of a 0-based epoch. */
  stageOf(epoch: number): number {
    return this.plan.findLastIndex((s) => s.start <= epoch);
  }

  /** Each stage runs its own cosine schedule over its epochs, as the code's per-stage scheduler. */
  schedule(epoch: number): { epoch: number; epochs: number } {
    const s = this.plan[this.stageOf(epoch)]!;
    return { epoch: epoch - s.start, epochs: s.epochs };
  }

  private stepper(): DartsFamily {
    const s = this.plan[this.stage]!;
    const base = { epochs: this.params.epochs, momentum: this.params.momentum, weightDecay: this.params.weightDecay };
    return new DartsFamily(this.net, this.opt, base, {
      name: 'p-darts',
      order: 1,
      warmupEpochs: s.start + s.warmup,
      betaDecayLambda: null,
      provenance: {},
    });
  }

  /** Replaces the supernet by the stage's: its depth, the kept operations, fresh weights and α, new optimisers. */
  private enter(stage: number, kept: KeptOps): void {
    this.net.dispose();
    this.stage = stage;
    this.kept = kept;
    this.net = new DartsSupernet({
      ...this.net.config,
      cells: this.plan[stage]!.cells,
      seed: deriveSeed(this.params.seed, `p-darts-stage:${stage}`),
      kept,
    });
    this.opt = createOptimizers(this.net, this.params);
    this.inner = this.stepper();
  }

  beginEpoch(epoch: number): void {
    const target = this.stageOf(epoch);
    while (this.stage < target) {
      const a = this.net.alphaSnapshot();
      const keep = this.plan[this.stage + 1]!.ops;
      this.enter(this.stage + 1, {
        normal: dropWeakest(a.normal, this.kept.normal, keep),
        reduce: dropWeakest(a.reduce!, this.kept.reduce, keep),
      });
    }
    const s = this.plan[this.stage]!;
    this.rate = pdartsDropout(s, epoch - s.start);
    this.inner.beginEpoch(epoch);
  }

  step(s: SearchStep) {
    this.net.skipDropout = {
      rate: this.rate,
      seed: deriveSeed(this.params.seed, `p-darts-dropout:${s.epoch}:${s.step}`),
    };
    try {
      return this.inner.step(s);
    } finally {
      this.net.skipDropout = null;
    }
  }

  epochInfo(): Record<string, number> {
    const s = this.plan[this.stage]!;
    return {
      stage: this.stage + 1,
      stages: this.plan.length,
      stageCells: s.cells,
      stageOps: Math.max(...this.kept.normal.map((ops) => ops.length)),
      skipDropout: this.rate,
      alphaFrozen: this.inner.epochInfo().alphaFrozen ?? 0,
    };
  }

  alphaSnapshot(): AlphaSnapshot {
    return this.net.alphaSnapshot();
  }

  genotype(): DartsGenotype {
    return pdartsGenotype(this.net.alphaSnapshot());
  }

  evaluationMode(): void {
    this.net.skipDropout = null;
  }

  state(): PdartsState {
    return { stage: this.stage, kept: this.kept };
  }

  /** Rebuilds the checkpoint's stage (before the trainer restores its weights, α and optimisers into it). */
  restore(state: unknown): void {
    const st = state as PdartsState | null;
    if (st && st.stage > 0) this.enter(st.stage, st.kept);
  }

  provenance() {
    return {
      stages: this.plan.length,
      stageEpochs: this.plan.map((s) => s.epochs),
      stageCells: this.plan.map((s) => s.cells),
      stageOps: this.plan.map((s) => s.ops),
      skipDropout: this.plan.map((s) => s.dropout),
      alphaWarmupEpochs: this.plan.map((s) => s.warmup),
      maxSkipConnections: PDARTS_MAX_SKIPS,
    };
  }
}
