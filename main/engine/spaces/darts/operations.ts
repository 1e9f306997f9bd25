/**
 * The 8 DARTS operations of one mixed edge (DARTS code: cnn/operations.py OPS, with affine=False BN as during the
 * search). Each operation that ends in a BN returns its output *before* that BN: the node normalises and weighs
 * all of them at once (nn/bn.ts weightedBnSum). `none` returns nothing; skip_connect at stride 1 is the identity,
 * which the node adds itself.
 *
 *   max_pool_3x3 / avg_pool_3x3: pool 3x3 (padding 1, avg without the padding) -> BN
 *   skip_connect, stride 2:      FactorizedReduce -> BN
 *   sep_conv_kxk:                ReLU, dw kxk (stride), pw 1x1, BN, ReLU, dw kxk, pw 1x1 -> BN
 *   dil_conv_kxk:                ReLU, dw kxk dilation 2 (stride), pw 1x1 -> BN
 */
import * as tf from '@tensorflow/tfjs';
import { DARTS_OPS, type DartsOp } from '../../../../shared/genotype/ops.js';
import { batchNormTrain, weightedBnSum } from '../../nn/bn.js';
import type { ParamStore } from '../../nn/params.js';
import { avgPool3, depthwise, factorizedReduce, maxPool3 } from '../layers.js';


/** Parameters are tensors, not only variables: the recomputed backward pass binds them to differentiable copies. */
interface SepParams {
  dw1: tf.Tensor;
  pw1: tf.Tensor;
  dw2: tf.Tensor;
  pw2: tf.Tensor;
}
interface DilParams {
  dw: tf.Tensor;
  pw: tf.Tensor;
}
export interface EdgeParams {
  stride: 1 | 2;
  sep3: SepParams;
  sep5: SepParams;
  dil3: DilParams;
  dil5: DilParams;
  /** FactorizedReduce of skip_connect on stride-2 edges. */
  reduce?: [tf.Tensor, tf.Tensor];
}

function sepParams(p: ParamStore, name: string, c: number, k: number): SepParams {
  return {
    dw1: p.uniform(`${name}.dw1`, [k, k, c, 1], k * k),
    pw1: p.uniform(`${name}.pw1`, [1, 1, c, c], c),
    dw2: p.uniform(`${name}.dw2`, [k, k, c, 1], k * k),
    pw2: p.uniform(`${name}.pw2`, [1, 1, c, c], c),
  };
}

function dilParams(p: ParamStore, name: string, c: number, k: number): DilParams {
  return { dw: p.uniform(`${name}.dw`, [k, k, c, 1], k * k), pw: p.uniform(`${name}.pw`, [1, 1, c, c], c) };
}

export function buildEdgeParams(p: ParamStore, name: string, c: number, stride: 1 | 2): EdgeParams {
  return {
    stride,
    sep3: sepParams(p, `${name}.sep_conv_3x3`, c, 3),
    sep5: sepParams(p, `${name}.sep_conv_5x5`, c, 5),
    dil3: dilParams(p, `${name}.dil_conv_3x3`, c, 3),
    dil5: dilParams(p, `${name}.dil_conv_5x5`, c, 5),
    ...(stride === 2 ? { reduce: [p.uniform(`${name}.skip_connect.conv1`, [1, 1, c, c / 2], c), p.uniform(`${name}.skip_connect.conv2`, [1, 1, c, c / 2], c)] as [tf.Variable, tf.Variable] } : {}),
  };
}

const pointwise = (x: tf.Tensor4D, w: tf.Tensor): tf.Tensor4D => tf.conv2d(x, w as tf.Tensor4D, 1, 'valid');

function sepConv(rx: tf.Tensor4D, q: SepParams, stride: 1 | 2): tf.Tensor4D {
  const h = batchNormTrain(pointwise(depthwise(rx, q.dw1 as tf.Tensor4D, stride, 1), q.pw1));
  return pointwise(depthwise(tf.relu(h), q.dw2 as tf.Tensor4D, 1, 1), q.pw2);
}

function dilConv(rx: tf.Tensor4D, q: DilParams, stride: 1 | 2): tf.Tensor4D {
  return pointwise(depthwise(rx, q.dw as tf.Tensor4D, stride, 2), q.pw);
}

const IDX = Object.fromEntries(DARTS_OPS.map((o, i) => [o, i])) as Record<DartsOp, number>;

/** The α columns of the outputs `edgeBnOutputs` returns for this edge, in the same order. */
export function edgeBnOps(q: EdgeParams): number[] {
  return [IDX.max_pool_3x3, IDX.avg_pool_3x3, ...(q.reduce ? [IDX.skip_connect] : []), IDX.sep_conv_3x3, IDX.sep_conv_5x5, IDX.dil_conv_3x3, IDX.dil_conv_5x5];
}

/** An edge's parameters as a flat list (fixed order), and back: what the recomputed node differentiates. */
export function edgeVariables(q: EdgeParams): tf.Tensor[] {
  const sep = (p: SepParams) => [p.dw1, p.pw1, p.dw2, p.pw2];
  return [...sep(q.sep3), ...sep(q.sep5), q.dil3.dw, q.dil3.pw, q.dil5.dw, q.dil5.pw, ...(q.reduce ?? [])];
}

export function bindVariables(edges: readonly EdgeParams[], flat: readonly tf.Tensor[]): EdgeParams[] {
  let i = 0;
  const next = (): tf.Tensor => flat[i++]!;
  const sep = (): SepParams => ({ dw1: next(), pw1: next(), dw2: next(), pw2: next() });
  const bound = edges.map((q) => {
    const sep3 = sep();
    const sep5 = sep();
    const dil3 = { dw: next(), pw: next() };
    const dil5 = { dw: next(), pw: next() };
    return { stride: q.stride, sep3, sep5, dil3, dil5, ...(q.reduce ? { reduce: [next(), next()] as [tf.Tensor, tf.Tensor] } : {}) };
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
 * edge (edgeBnOps order), then the stride-1 identities. All BN'd outputs are normalised and weighed in one op
 * (nn/bn.ts weightedBnSum, equal to a BN per operation); each state's ReLU is computed once.
 */
export function nodeForward(states: readonly tf.Tensor4D[], pools: readonly InputPools[], w: tf.Tensor1D, parts: number, bound: readonly EdgeParams[]): tf.Tensor4D {
  const outs: tf.Tensor4D[] = [];
  const skips: tf.Tensor4D[] = [];
  bound.forEach((q, j) => {
    for (const o of edgeBnOutputs(q, tf.relu(states[j]!), pools[j]!)) outs.push(o.out);
    if (q.stride === 1) skips.push(states[j]!);
  });
  if (outs.length !== parts) throw new Error(`nodeForward: ${outs.length} operation outputs for ${parts} weights.`);
  const mixed = weightedBnSum(outs, tf.slice(w, 0, parts));
  if (!skips.length) return mixed;
  return tf.addN([mixed, ...skips.map((x, k) => tf.mul(x, tf.slice(w, parts + k, 1)))]) as tf.Tensor4D;
}

/**
 * The pre-BN outputs of one mixed edge, tagged with their operation's column in α, given ReLU(x) and x's pools.
 */
export function edgeBnOutputs(q: EdgeParams, rx: tf.Tensor4D, pools: InputPools): Array<{ op: number; out: tf.Tensor4D }> {
  const out: Array<{ op: number; out: tf.Tensor4D }> = [
    { op: IDX.max_pool_3x3, out: pools.max },
    { op: IDX.avg_pool_3x3, out: pools.avg },
  ];
  if (q.reduce) out.push({ op: IDX.skip_connect, out: factorizedReduce(rx, q.reduce[0] as tf.Tensor4D, q.reduce[1] as tf.Tensor4D, false) });
  out.push(
    { op: IDX.sep_conv_3x3, out: sepConv(rx, q.sep3, q.stride) },
    { op: IDX.sep_conv_5x5, out: sepConv(rx, q.sep5, q.stride) },
    { op: IDX.dil_conv_3x3, out: dilConv(rx, q.dil3, q.stride) },
    { op: IDX.dil_conv_5x5, out: dilConv(rx, q.dil5, q.stride) },
  );
  return out;
}
