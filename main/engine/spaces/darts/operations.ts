/**
 * The mixed edges of the DARTS supernet, per edge (the wasm path): each edge holds the parameters of the operations
 * of the table (ops.ts), and a node sums its edges' operations weighed by softmax(α). Each operation that ends in
 * a BN returns its output *before* that BN: the node normalises and weighs all of them at once (nn/bn.ts
 * weightedBnSum). `none` returns nothing; skip_connect at stride 1 is the identity, which the node adds itself.
 */
import * as tf from '@tensorflow/tfjs';
import { DARTS_OPS, type DartsOp } from '../../../../shared/genotype/ops.js';
import { weightedBnSum } from '../../nn/bn.js';
import type { ParamStore } from '../../nn/params.js';
import { avgPool3, maxPool3 } from '../layers.js';
import { DARTS_OP_TABLE, PARAMETER_ORDER, defaultBn } from './ops.js';

/**
 * An edge's parameters by operation (those of PARAMETER_ORDER that have any). Parameters are tensors, not only
 * variables: the recomputed backward pass binds them to differentiable copies.
 */
export interface EdgeParams {
  stride: 1 | 2;
  params: Partial<Record<DartsOp, tf.Tensor[]>>;
  /** The operations the edge keeps (P-DARTS' reduced space, [P-DARTS] §3.3); absent = every operation. */
  ops?: readonly DartsOp[];
}

/** An edge's parameters, for its kept operations only (`ops`; absent = every operation). */
export function buildEdgeParams(
  p: ParamStore,
  name: string,
  c: number,
  stride: 1 | 2,
  ops?: readonly DartsOp[],
): EdgeParams {
  const params: EdgeParams['params'] = {};
  for (const op of PARAMETER_ORDER) {
    if (ops && !ops.includes(op)) continue;
    const specs = DARTS_OP_TABLE[op].params(c, stride);
    if (specs.length) params[op] = specs.map((s) => p.uniform(`${name}.${op}.${s.name}`, s.shape, s.fanIn));
  }
  return ops ? { stride, params, ops } : { stride, params };
}

/** Whether the edge keeps the operation. */
export function keeps(q: Pick<EdgeParams, 'ops'>, op: DartsOp): boolean {
  return !q.ops || q.ops.includes(op);
}

/** The edge's BN'd operations (bnOpsAt its stride) that it keeps, in α order. */
export function edgeBnOpList(q: Pick<EdgeParams, 'stride' | 'ops'>): DartsOp[] {
  return bnOpsAt(q.stride).filter((op) => keeps(q, op));
}

/** Whether the edge has the stride-1 identity (skip_connect, kept) that a node adds itself. */
export function hasIdentity(q: Pick<EdgeParams, 'stride' | 'ops'>): boolean {
  return q.stride === 1 && keeps(q, 'skip_connect');
}

/** The operations of an edge of this stride whose output is BN'd (all but none and the stride-1 identity), in α order. */
export function bnOpsAt(stride: 1 | 2): DartsOp[] {
  return DARTS_OPS.filter((op) => {
    const kind = DARTS_OP_TABLE[op].kind;
    return kind === 'skip' ? stride === 2 : kind !== 'none';
  });
}

const IDX = Object.fromEntries(DARTS_OPS.map((o, i) => [o, i])) as Record<DartsOp, number>;

/** The α columns of the outputs `edgeBnOutputs` returns for this edge, in the same order. */
export function edgeBnOps(q: EdgeParams): number[] {
  return edgeBnOpList(q).map((op) => IDX[op]);
}

/** An edge's parameters as a flat list (fixed order), and back: what the recomputed node differentiates. */
export function edgeVariables(q: EdgeParams): tf.Tensor[] {
  return PARAMETER_ORDER.flatMap((op) => q.params[op] ?? []);
}

export function bindVariables(edges: readonly EdgeParams[], flat: readonly tf.Tensor[]): EdgeParams[] {
  let i = 0;
  const bound = edges.map((q) => {
    const params: EdgeParams['params'] = {};
    for (const op of PARAMETER_ORDER) {
      const n = q.params[op]?.length ?? 0;
      if (n) params[op] = flat.slice(i, (i += n));
    }
    return q.ops ? { stride: q.stride, params, ops: q.ops } : { stride: q.stride, params };
  });
  if (i !== flat.length) throw new Error(`bindVariables: used ${i} of ${flat.length} tensors.`);
  return bound;
}

/** The parameter-free pools of one node input (shared by every node that reads it: computed once per cell). */
export interface InputPools {
  max: tf.Tensor4D;
  avg: tf.Tensor4D;
}

/** max_pool_3x3 and avg_pool_3x3 of a cell state at the stride its edges use. */
export function inputPools(x: tf.Tensor4D, stride: 1 | 2): InputPools {
  return { max: maxPool3(x, stride), avg: avgPool3(x, stride) };
}

/**
 * One intermediate node of a DARTS cell: Σ over its incoming edges of the mixed operation. Edge j reads
 * states[j] (and its pools); `w` holds the node's softmax(α) entries — first the `parts` BN'd operations edge by
 * edge (edgeBnOps order), then the stride-1 identities (hasIdentity). All BN'd outputs are normalised and weighed
 * in one op (nn/bn.ts weightedBnSum, equal to a BN per operation); each state's ReLU is computed once. With
 * `identities` false the node leaves the identities out (w ends after the BN'd ones): the caller adds them itself
 * (P-DARTS' dropout on skip-connections).
 */
export function nodeForward(
  states: readonly tf.Tensor4D[],
  pools: readonly InputPools[],
  w: tf.Tensor1D,
  parts: number,
  bound: readonly EdgeParams[],
  identities = true,
): tf.Tensor4D {
  const outs: tf.Tensor4D[] = [];
  const skips: tf.Tensor4D[] = [];
  bound.forEach((q, j) => {
    for (const o of edgeBnOutputs(q, tf.relu(states[j]!), pools[j]!)) outs.push(o.out);
    if (identities && hasIdentity(q)) skips.push(states[j]!);
  });
  if (outs.length !== parts) throw new Error(`nodeForward: ${outs.length} operation outputs for ${parts} weights.`);
  const mixed = weightedBnSum(outs, tf.slice(w, 0, parts));
  if (!skips.length) return mixed;
  return tf.addN([mixed, ...skips.map((x, k) => tf.mul(x, tf.slice(w, parts + k, 1)))]) as tf.Tensor4D;
}

/**
 * The pre-BN outputs of one mixed edge, tagged with their operation's column in α, given ReLU(x) and x's pools.
 */
export function edgeBnOutputs(
  q: EdgeParams,
  rx: tf.Tensor4D,
  pools: InputPools,
): Array<{ op: number; out: tf.Tensor4D }> {
  return edgeBnOpList(q).map((op) => {
    const spec = DARTS_OP_TABLE[op];
    return {
      op: IDX[op],
      out: spec.kind === 'pool' ? pools[spec.pool!] : spec.forward!(rx, q.params[op]!, q.stride, defaultBn),
    };
  });
}
