/**
 * One DARTS node for the native backend: the same value as operations.ts `nodeForward`, computed with a few dozen
 * large kernel calls instead of hundreds of small ones. TensorFlow pays a fixed cost per kernel call that dwarfs
 * the arithmetic of a [32, 14, 14, 16] tensor; wasm, whose per-call cost is low but whose heap is small, keeps the
 * per-edge form (and recomputes nodes in the backward pass).
 *
 * The node's incoming edges that share a stride are stacked along the channel axis (edge-major: edge e's channels
 * are e·C … e·C + C − 1), so every operation runs once for all of them:
 * - depthwise convolutions: the edges' filters concatenated, one call;
 * - 1x1 convolutions: one block-diagonal [E·C, E·C] filter built from the edges' own, one call;
 * - BN (affine=False, per edge and channel): the stacked channels are exactly those groups, one call — and the
 *   node's final "Σ_ops w · BN(op(x))" normalises every operation's stacked output at once, then weighs the
 *   [op, edge] blocks with softmax(α) gathered into that order and sums them.
 * Each operation is the table's (ops.ts), run once on the edges' parameters joined by role. Parameters are the
 * edges' own tensors (the same ParamStore entries), so checkpoints, gradients and genotypes are the same whichever
 * form trained them.
 */
import * as tf from '@tensorflow/tfjs';
import { DARTS_OP_TABLE, defaultBn, type ChannelBn, type OpParam } from './ops.js';
import {
  bnOpsAt,
  edgeBnOpList,
  edgeBnOps,
  hasIdentity,
  keeps,
  type EdgeParams,
  type InputPools,
} from './operations.js';

/** [k, k, C, 1] filters of E edges as one [k, k, E·C, 1] filter. */
function stackDepthwise(filters: tf.Tensor[]): tf.Tensor4D {
  return (filters.length === 1 ? filters[0]! : tf.concat(filters, 2)) as tf.Tensor4D;
}

/** [1, 1, Ci, Co] filters of E edges as one block-diagonal [1, 1, E·Ci, E·Co] filter. */
export function blockDiagonal(filters: tf.Tensor[]): tf.Tensor4D {
  const E = filters.length;
  if (E === 1) return filters[0] as tf.Tensor4D;
  const [, , ci, co] = filters[0]!.shape as [number, number, number, number];
  const stacked = tf.reshape(tf.stack(filters), [E, ci, 1, co]);
  const eye = tf.reshape(tf.eye(E), [E, 1, E, 1]);
  return tf.reshape(tf.mul(stacked, eye), [1, 1, E * ci, E * co]) as tf.Tensor4D;
}

/** One operation's parameters of E edges joined as one operation on the stacked channels. */
function joinedParams(
  edges: readonly EdgeParams[],
  op: keyof EdgeParams['params'],
  specs: readonly OpParam[],
): tf.Tensor[] {
  return specs.map((spec, i) => {
    const filters = edges.map((e) => e.params[op]![i]!);
    return spec.role === 'depthwise' ? stackDepthwise(filters) : blockDiagonal(filters);
  });
}

/**
 * FactorizedReduce of stacked edges concatenates [all edges' first halves | all edges' second halves]: interleave
 * them so each edge's C output channels are kept together.
 */
function interleaveHalves(halves: tf.Tensor4D, E: number): tf.Tensor4D {
  if (E === 1) return halves;
  const [B, H, W, C2] = halves.shape;
  const half = C2 / 2 / E;
  const [a, b] = tf.split(halves, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
  return tf.reshape(tf.concat([tf.reshape(a, [B, H, W, E, half]), tf.reshape(b, [B, H, W, E, half])], 4), [
    B,
    H,
    W,
    C2,
  ]) as tf.Tensor4D;
}

/**
 * Σ_b w_b · x_b over the `blocks` channel blocks of x ([B, H, W, blocks·C] -> [B, H, W, C]), as one 1x1
 * convolution with the filter w ⊗ I_C: a matrix product TensorFlow runs far faster than a broadcast multiply
 * and a sum over a middle axis, and whose filter gradient carries the gradient of w.
 */
function weighedSum(x: tf.Tensor4D, w: tf.Tensor1D, blocks: number): tf.Tensor4D {
  const C = x.shape[3] / blocks;
  const filter = tf.reshape(tf.mul(tf.reshape(w, [blocks, 1, 1]), tf.eye(C).expandDims(0)), [
    1,
    1,
    blocks * C,
    C,
  ]) as tf.Tensor4D;
  return tf.conv2d(x, filter, 1, 'valid');
}

/**
 * nodeForward's value (operations.ts), stacked. `w` holds the node's weights in nodeForward's order: the BN'd
 * operations edge by edge (edgeBnOps), then the stride-1 identities (none with `identities` false). An operation
 * runs stacked over the edges that keep it (all of them, but in P-DARTS' reduced space).
 */
export function stackedNodeForward(
  states: readonly tf.Tensor4D[],
  pools: readonly InputPools[],
  w: tf.Tensor1D,
  parts: number,
  bound: readonly EdgeParams[],
  bn: ChannelBn = defaultBn,
  identities = true,
): tf.Tensor4D {
  // where each edge's weights start in w
  const starts: number[] = [];
  let at = 0;
  for (const q of bound) {
    starts.push(at);
    at += edgeBnOps(q).length;
  }
  if (at !== parts) throw new Error(`stackedNodeForward: ${at} operation outputs for ${parts} weights.`);
  const sums: tf.Tensor4D[] = [];
  const stack = (xs: tf.Tensor4D[]): tf.Tensor4D => (xs.length === 1 ? xs[0]! : (tf.concat(xs, 3) as tf.Tensor4D));
  for (const stride of [2, 1] as const) {
    const idx = bound.map((q, j) => (q.stride === stride ? j : -1)).filter((j) => j >= 0);
    if (!idx.length) continue;
    // ReLU of the stacked inputs, once per set of edges (one set when every edge keeps every operation)
    const relus = new Map<string, tf.Tensor4D>();
    const reluOf = (js: number[]) => {
      const key = js.join(',');
      if (!relus.has(key)) relus.set(key, tf.relu(stack(js.map((j) => states[j]!))));
      return relus.get(key)!;
    };
    // operation blocks in bnOpsAt order (max, avg, [skip_connect at stride 2], sep3, sep5, dil3, dil5), each over
    // the edges that keep it; `order`: the weight in w of each block's edge
    const blocks: tf.Tensor4D[] = [];
    const order: number[] = [];
    for (const op of bnOpsAt(stride)) {
      const js = idx.filter((j) => keeps(bound[j]!, op));
      if (!js.length) continue;
      const spec = DARTS_OP_TABLE[op];
      if (spec.kind === 'pool') blocks.push(stack(js.map((j) => pools[j]![spec.pool!])));
      else {
        const rx = reluOf(js);
        const E = js.length;
        const edges = js.map((j) => bound[j]!);
        const out = spec.forward!(rx, joinedParams(edges, op, spec.params(rx.shape[3] / E, stride)), stride, bn);
        blocks.push(spec.kind === 'skip' ? interleaveHalves(out, E) : out);
      }
      for (const j of js) order.push(starts[j]! + edgeBnOpList(bound[j]!).indexOf(op));
    }
    if (!blocks.length) continue;
    const normed = bn(tf.concat(blocks, 3) as tf.Tensor4D);
    sums.push(weighedSum(normed, tf.gather(w, order), order.length));
  }
  // the stride-1 identities, weighed
  const skips = identities ? bound.map((q, j) => (hasIdentity(q) ? j : -1)).filter((j) => j >= 0) : [];
  if (skips.length) {
    const ws = tf.slice(w, parts, skips.length);
    sums.push(
      weighedSum(
        tf.concat(
          skips.map((j) => states[j]!),
          3,
        ) as tf.Tensor4D,
        ws,
        skips.length,
      ),
    );
  }
  if (!sums.length) throw new Error('stackedNodeForward: a node with no operation.');
  return (sums.length === 1 ? sums[0]! : tf.addN(sums)) as tf.Tensor4D;
}
