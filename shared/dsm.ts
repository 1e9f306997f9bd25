/**
 * DSM-NAS over NAS-Bench-201 (the `dsm-search` job): its parameters, the event it emits per iteration (the
 * subspace graph, the reward and the centre replacements, for a live view), and its result. [DSM-NAS] keeps K
 * candidate subspaces, each the cells within architecture distance M of a centre cell; a global policy (a GNN over
 * the subspace graph, then an LSTM and a classifier) picks a subspace, a local policy (an LSTM) proposes a
 * modification of at most M edges, the reward is the improvement R(β|α) = acc(β, w_β) − acc(α, w_α) with weights
 * inherited from a single-path supernet, and a centre is replaced by β when β is better (§III, Algorithm 1).
 * Keys: docs/REFERENCES.md.
 *
 * Cells are written as NAS-Bench-201 strings (`|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...|`); a cell's
 * `index` reads its 6 operation indices (edges in NB201_EDGE_LIST order, operations in NB201_OPS order,
 * shared/genotype/ops.ts) as base-5 digits, edge 0 the most significant. A "position" is an edge's place in
 * NB201_EDGE_LIST (0..5). Accuracies are fractions in [0, 1].
 */
import { z } from 'zod';
import { BackendChoice } from './backend.js';
import { Nb201Genotype } from './genotype.js';
import { NB201_SUPERNET_FIELDS } from './nb201-supernet.js';

/** Positions (edges) of an NB201 cell: the architecture string's length L in [DSM-NAS] Eq. 4. */
export const DSM_POSITIONS = 6;

export const DsmParams = z.object({
  datasetId: z.number().int().positive().describe('the dataset to search'),
  /** Search iterations: each samples one subspace and one modification, evaluates it and takes one policy step. */
  iterations: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(200)
    .describe('search iterations: each tries one changed cell in one subspace and learns from it [DSM-NAS §III-A]'),
  /** K: the number of candidate subspaces (nodes of the subspace graph). [DSM-NAS] uses 10 (4 on NAS-Bench-201). */
  subspaces: z
    .number()
    .int()
    .min(2)
    .max(32)
    .default(10)
    .describe('K: subspaces, groups of similar cells around a centre cell, searched side by side [DSM-NAS §III-B]'),
  /** M: the local search distance; a proposal changes at most M of the 6 edges, and at least one. */
  distance: z
    .number()
    .int()
    .min(1)
    .max(DSM_POSITIONS)
    .default(3)
    .describe("M: a proposal changes at most this many of the cell's 6 edges [DSM-NAS §III-C]"),
  /**
   * DSM-NAS+: NAS-Bench-201 strings to start the centres from (at most K; the rest are drawn at random, distinct).
   * Empty: every centre is drawn at random, as Algorithm 1 line 2.
   */
  init: z
    .array(z.string())
    .max(32)
    .default([])
    .describe('cells to start centres from (DSM-NAS+; the rest random); empty: all random [DSM-NAS §IV-A]'),
  /** Adam learning rate of the controller (both policies). */
  controllerLr: z
    .number()
    .positive()
    .max(1)
    .default(3e-4)
    .describe('learning rate of the controller, the small network that picks what to try (Adam) [DSM-NAS §IV-C]'),
  /** Weight of the entropy bonus added to the policy-gradient objective (exploration). */
  entropyWeight: z
    .number()
    .min(0)
    .max(1)
    .default(1e-3)
    .describe('weight of the entropy bonus: higher keeps the controller trying new things [DSM-NAS §IV-C]'),
  /** The moving-average baseline: b ← decay·b + (1 − decay)·R after each iteration. */
  baselineDecay: z
    .number()
    .min(0)
    .max(0.9999)
    .default(0.95)
    .describe('how slowly the running average of rewards, that a reward is compared with, forgets'),
  /** Width of the controller: node embeddings, GNN layers and LSTM states. */
  controllerHidden: z
    .number()
    .int()
    .min(4)
    .max(256)
    .default(32)
    .describe('controller width: the size of its internal layers [DSM-NAS §III-B]'),
  /**
   * Reuse the supernet of a finished `naswot` (with Kendall's τ) or `dsm-search` job of the same dataset instead of
   * training one; its channels, cells and input size then apply and the supernet* settings below are unused.
   */
  supernetFrom: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe('reuse the shared network of this finished NASWOT or DSM-NAS job instead of training one'),
  ...NB201_SUPERNET_FIELDS,
  seed: NB201_SUPERNET_FIELDS.seed.describe('seed of the centres, the controller, the supernet and every sample'),
  backend: BackendChoice.default('auto'),
});
export type DsmParams = z.infer<typeof DsmParams>;

/** One cell with its inherited-weight validation accuracy. */
export const DsmCell = z.object({
  /** Index in the space (base-5 digits of the edges' operations). */
  index: z.number().int(),
  /** The NAS-Bench-201 string. */
  text: z.string(),
  accuracy: z.number(),
});
export type DsmCell = z.infer<typeof DsmCell>;

/** One changed position of a modification: the edge (0..5) and its operation before and after (NB201_OPS names). */
export const DsmChange = z.object({
  position: z.number().int(),
  from: z.string(),
  to: z.string(),
});
export type DsmChange = z.infer<typeof DsmChange>;

/**
 * A directed edge of the subspace graph, from the weaker centre to the better one ([DSM-NAS] §III-B; equal
 * accuracies: from the higher node number to the lower). Its feature in the controller is h_to − h_from, zero
 * where the two centres agree; `positions` lists where they differ (the modification that turns one into the other).
 */
export const DsmGraphEdge = z.object({
  /** Node numbers: indices into the centres list (0..K−1). */
  from: z.number().int(),
  to: z.number().int(),
  positions: z.array(z.number().int()),
});
export type DsmGraphEdge = z.infer<typeof DsmGraphEdge>;

/**
 * Event `dsm-iteration`: one search iteration, after its policy step and any replacement. The job checkpoints after
 * emitting it, so a search cut off in between runs that iteration again when resumed: an iteration's event replaces
 * any earlier one of the same or a later iteration (keep the last per iteration number).
 */
export const DsmIterationData = z.object({
  /** 1-based. */
  iteration: z.number().int(),
  iterations: z.number().int(),
  /** The node (0..K−1) the global policy chose. */
  subspace: z.number().int(),
  /** Its centre α before the iteration, with acc(α, w_α). */
  centre: DsmCell,
  /** β = α ⊕ Δα, with acc(β, w_β); `changes` are the positions where β differs from α (1..M of them). */
  proposal: DsmCell.extend({ changes: z.array(DsmChange) }),
  /** R(β|α) = acc(β) − acc(α). */
  reward: z.number(),
  /** The moving-average baseline after this iteration's update (the advantage used was R − the previous one). */
  baseline: z.number(),
  /** Entropy (nats) of this iteration's decisions: the subspace choice plus every local decision. */
  entropy: z.number(),
  /** log π of the sampled subspace and modification. */
  logProb: z.number(),
  /** Whether β replaced α as the centre of this subspace (only when β is better and not already a centre). */
  replaced: z.boolean(),
  /** The K centres after this iteration, node order. */
  centres: z.array(DsmCell),
  /** The subspace graph after this iteration. */
  edges: z.array(DsmGraphEdge),
  /** The best centre so far: its node and accuracy. */
  best: z.object({ subspace: z.number().int(), accuracy: z.number() }),
  /** Distinct cells evaluated with inherited weights so far (the cost of the search). */
  evaluated: z.number().int(),
  /** Wall time of this iteration's controller work (sampling + policy-gradient step), milliseconds. */
  controllerMs: z.number(),
});
export type DsmIterationData = z.infer<typeof DsmIterationData>;

/** A centre replacement: at `iteration`, node `subspace`'s centre went from `from` to `to` (better). */
export const DsmReplacement = z.object({
  iteration: z.number().int(),
  subspace: z.number().int(),
  from: DsmCell,
  to: DsmCell,
});
export type DsmReplacement = z.infer<typeof DsmReplacement>;

export const DsmResult = z.object({
  space: z.literal('nb201'),
  /** The best centre at the end ([DSM-NAS] §III-B, last sentence): the searched cell. */
  best: DsmCell.extend({ genotype: Nb201Genotype, subspace: z.number().int() }),
  /** The K centres at the end, node order. */
  centres: z.array(DsmCell),
  /** The centres the search started from, node order. */
  initial: z.array(DsmCell),
  replacements: z.array(DsmReplacement),
  /** R(β|α) per iteration, in order. */
  rewards: z.array(z.number()),
  iterations: z.number().int(),
  subspaces: z.number().int(),
  distance: z.number().int(),
  /** Distinct cells evaluated with inherited weights. */
  evaluated: z.number().int(),
  /** Search time (seconds) without the supernet's training. */
  seconds: z.number(),
  /** Mean controller step (sampling + policy-gradient update), milliseconds. */
  controllerStepMs: z.number(),
  /** Cells evaluated with inherited weights per second of evaluation time (cache hits excluded). */
  archsPerSecond: z.number(),
  supernet: z.object({
    /** 'trained' by this job, or 'reused' from job `jobId`. */
    source: z.enum(['trained', 'reused']),
    jobId: z.number().int().nullable(),
    channels: z.number().int(),
    cells: z.number().int(),
    inputSize: z.number().int(),
    epochs: z.number().int(),
    /** Training time in this job (0 when reused). */
    seconds: z.number(),
  }),
  backend: z.string(),
  files: z.object({
    /** The best centre as genotype.json with provenance (the Evaluate page lists it). */
    genotypeJson: z.string(),
    /** One row per iteration: subspace, centre, proposal, accuracies, reward, baseline, replaced. */
    historyCsv: z.string(),
    /** The supernet folder this job used (its own, or the reused job's). */
    supernet: z.string(),
  }),
});
export type DsmResult = z.infer<typeof DsmResult>;
