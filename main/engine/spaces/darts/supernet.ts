/**
 * The DARTS search network (DARTS code: cnn/model_search.py, cnn/operations.py), NHWC:
 * stem (3x3 conv to 3C + BN) -> `cells` cells with reductions at cells/3 and 2·cells/3 (channels double there)
 * -> global average pool -> linear. A cell has 2 inputs (c_{k-2}, c_{k-1}, preprocessed to C channels by
 * ReLU-conv1x1-BN, or FactorizedReduce after a reduction), 4 intermediate nodes, 14 mixed edges, and outputs the
 * concatenation of its 4 intermediate nodes. Every BN inside cells is affine=False, as in DARTS' search.
 *
 * A mixed edge is Σ_o softmax(α)_o · o(x) over the 8 operations (operations.ts). A node's incoming edges are
 * computed together (operations.ts nodeForward) and recomputed in the backward pass instead of kept (nn/recompute.ts:
 * at batch 32 the kept intermediates would not fit the wasm heap). The parameter-free pools of a state are the same
 * for every node that reads it, so they are computed once per cell (5 instead of 14 per pool type in a cell).
 *
 * Two variants of the forward pass serve other search algorithms (main/engine/search/algorithms/):
 * - PC-DARTS ([PC-DARTS] §3.2-3.3; its code: model_search.py MixedOp, Cell): with K > 1 an edge's operations are
 *   built for c/K channels and see the first c/K channels of their input; the other channels bypass them (max-pooled
 *   2x2 on a stride-2 edge), the two are concatenated and channel-shuffled in K groups. Each edge is weighed by its
 *   β, a softmax over the node's incoming edges. Since the shuffle is the same permutation on every edge of a node,
 *   the node shuffles once: shuffle(concat(Σ_j β_j·mixed_j, Σ_j β_j·bypass_j)).
 * - GDAS ([GDAS] §3; AutoDL-Projects: search_model_gdas.py): with a sampler set, each edge computes only its
 *   sampled operation, times its straight-through weight, plus the other operations' weights (value 0, gradient
 *   to α), as the GDAS code's forward does.
 * - P-DARTS ([P-DARTS] §3.2; its code: model_search.py MixedOp): with `kept` in the config an edge builds and
 *   computes only its kept operations and softmax(α) runs over them; with `skipDropout` set, the stride-1
 *   skip-connections' outputs go through dropout (inverted, as nn.Dropout; a mask per cell and edge from the seed,
 *   so a recomputed or resumed step draws the same one) before they are weighed.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../nn/prng.js';
import {
  DARTS_OPS,
  DARTS_STEPS,
  dartsEdgeList,
  type DartsGenotype,
  type DartsOp,
} from '../../../../shared/genotype/ops.js';
import { deriveDartsGenotype } from '../../../../shared/genotype/derive.js';
import type { AlphaSnapshot } from '../../../../shared/search.js';
import { batchNormTrain } from '../../nn/bn.js';
import { ParamStore } from '../../nn/params.js';
import { avgPool3, conv, maxPool3 } from '../layers.js';
import { MULTIPLIER, STEM_MULTIPLIER, dartsCellPlan, edgeStride, type CellPlan } from './cells.js';
import { factorizedReduce } from './factorized-reduce.js';
import {
  classify,
  rowsOf,
  SampledNode,
  softmaxFlat,
  type GradTarget,
  type PathSampler,
  type Supernet,
  type SupernetConfig,
} from '../supernet.js';
import {
  bindVariables,
  buildEdgeParams,
  edgeBnOps,
  edgeBnOpList,
  edgeVariables,
  hasIdentity,
  keeps,
  inputPools,
  nodeForward,
  type EdgeParams,
  type InputPools,
} from './operations.js';
import { recomputeInBackward } from '../../nn/recompute.js';
import { nativeBackend } from '../../backend/tensorflow-kernels.js';
import { stackedNodeForward } from './stacked.js';
import { DARTS_OP_TABLE, defaultBn } from './ops.js';

const OPS = DARTS_OPS.length;
const SKIP = DARTS_OPS.indexOf('skip_connect');
interface CellParams {
  index: number;
  plan: CellPlan;
  pre0: tf.Variable[];
  pre1: tf.Variable;
  edges: EdgeParams[];
}

export class DartsSupernet implements Supernet {
  readonly space = 'darts' as const;
  readonly weights: ParamStore;
  readonly alphas: ParamStore;
  private readonly stem: { w: tf.Variable; gamma: tf.Variable; beta: tf.Variable };
  private readonly cells: CellParams[];
  private readonly head: { w: tf.Variable; b: tf.Variable };
  private readonly alphaNormal: tf.Variable;
  private readonly alphaReduce: tf.Variable;
  /** PC-DARTS' β, one per edge (softmax over each node's incoming edges); null without edge normalisation. */
  private readonly betaNormal: tf.Variable | null = null;
  private readonly betaReduce: tf.Variable | null = null;
  /** PC-DARTS' K (1: every channel goes through the mixed operations). */
  readonly partialChannels: number;
  private readonly edges = dartsEdgeList(DARTS_STEPS);
  gradTarget: GradTarget = 'both';
  sampler: PathSampler | null = null;
  /** P-DARTS: dropout on the stride-1 skip-connections of the next forward pass (rate, mask seed); null = none. */
  skipDropout: { rate: number; seed: number } | null = null;
  /** P-DARTS' reduced space: 0 for a kept operation, -1e9 for a dropped one, added to α before the softmax. */
  private readonly maskNormal: tf.Tensor2D | null = null;
  private readonly maskReduce: tf.Tensor2D | null = null;

  constructor(readonly config: SupernetConfig) {
    const { channels: C, cells, inChannels, classes, seed } = config;
    if (C % 2) throw new Error(`DARTS needs an even number of channels (FactorizedReduce halves them); got ${C}.`);
    const K = (this.partialChannels = config.partialChannels ?? 1);
    if (K > 1 && C % (2 * K))
      throw new Error(
        `PC-DARTS with K=${K} needs channels divisible by ${2 * K} (each edge's operations get C/K channels, which FactorizedReduce halves); got ${C}.`,
      );
    this.weights = new ParamStore(seed);
    const p = this.weights;
    const cStem = STEM_MULTIPLIER * C;
    this.stem = {
      w: p.uniform('stem.conv', [3, 3, inChannels, cStem], 9 * inChannels),
      gamma: p.constant('stem.bn.gamma', [cStem], 1),
      beta: p.constant('stem.bn.beta', [cStem], 0),
    };
    const kept = config.kept;
    this.cells = dartsCellPlan(C, cells).map((plan, i) => {
      const name = `cells.${i}`;
      const pre0 = plan.reductionPrev
        ? [
            p.uniform(`${name}.pre0.conv1`, [1, 1, plan.cPrevPrev, plan.c / 2], plan.cPrevPrev),
            p.uniform(`${name}.pre0.conv2`, [1, 1, plan.cPrevPrev, plan.c / 2], plan.cPrevPrev),
          ]
        : [p.uniform(`${name}.pre0.conv`, [1, 1, plan.cPrevPrev, plan.c], plan.cPrevPrev)];
      const pre1 = p.uniform(`${name}.pre1.conv`, [1, 1, plan.cPrev, plan.c], plan.cPrev);
      const edges = this.edges.map((e, k) =>
        buildEdgeParams(
          p,
          `${name}.edges.${k}`,
          plan.c / K,
          edgeStride(plan, e.input),
          kept?.[plan.reduction ? 'reduce' : 'normal'][k],
        ),
      );
      return { index: i, plan, pre0, pre1, edges };
    });
    const last = MULTIPLIER * this.cells[this.cells.length - 1]!.plan.c;
    this.head = { w: p.uniform('classifier.w', [last, classes], last), b: p.uniform('classifier.b', [classes], last) };
    // DARTS: α = 1e-3 · randn, one matrix per cell type
    this.alphas = new ParamStore(seed ^ 0x5eed);
    this.alphaNormal = this.alphas.normal('alpha.normal', [this.edges.length, OPS], 1e-3);
    this.alphaReduce = this.alphas.normal('alpha.reduce', [this.edges.length, OPS], 1e-3);
    if (config.edgeNormalisation) {
      // PC-DARTS: β = 1e-3 · randn per edge and cell type, drawn after α (so α is the same as DARTS' for a seed)
      this.betaNormal = this.alphas.normal('beta.normal', [this.edges.length], 1e-3);
      this.betaReduce = this.alphas.normal('beta.reduce', [this.edges.length], 1e-3);
    }
    if (kept) {
      const bias = (rows: readonly (readonly DartsOp[])[]) =>
        tf.tensor2d(rows.map((ops) => DARTS_OPS.map((op) => (ops.includes(op) ? 0 : -1e9))));
      this.maskNormal = bias(kept.normal);
      this.maskReduce = bias(kept.reduce);
    }
  }

  /** Row-wise softmax(α) of a cell type, flattened, over the kept operations in P-DARTS' reduced space. */
  private opWeights(reduce: boolean): tf.Tensor1D {
    const alpha = reduce ? this.alphaReduce : this.alphaNormal;
    const mask = reduce ? this.maskReduce : this.maskNormal;
    return mask ? tf.reshape(tf.softmax(tf.add(alpha, mask) as tf.Tensor2D), [-1]) : softmaxFlat(alpha);
  }

  get archMatrices(): tf.Variable[] {
    return [this.alphaNormal, this.alphaReduce];
  }

  logits(x: tf.Tensor4D): tf.Tensor2D {
    const sampled = this.sampler ? [this.sampler(this.alphaNormal, 0), this.sampler(this.alphaReduce, 1)] : null;
    const wNormal = sampled ? null : this.opWeights(false);
    const wReduce = sampled ? null : this.opWeights(true);
    // P-DARTS: each forward pass draws its own masks (the seed moves on, so the α and w passes of a step differ)
    const dropout = this.skipDropout && this.skipDropout.rate > 0 ? this.skipDropout : null;
    if (dropout) this.skipDropout = { rate: dropout.rate, seed: deriveSeed(dropout.seed, 'next pass') };
    const bNormal = this.betaNormal && edgeBetas(this.betaNormal);
    const bReduce = this.betaReduce && edgeBetas(this.betaReduce);
    const stem = batchNormTrain(
      conv(x, this.stem.w as tf.Tensor4D, 1, 1),
      this.stem.gamma as tf.Tensor1D,
      this.stem.beta as tf.Tensor1D,
    );
    let s0 = stem;
    let s1 = stem;
    for (const cell of this.cells) {
      const r = cell.plan.reduction;
      const out = sampled
        ? this.sampledCell(cell, s0, s1, sampled[r ? 1 : 0]!)
        : this.cell(cell, s0, s1, (r ? wReduce : wNormal)!, r ? bReduce : bNormal, dropout);
      [s0, s1] = [s1, out];
    }
    return classify(s1, this.head.w, this.head.b);
  }

  /** The cell's two inputs, preprocessed to C channels. */
  private preprocess(cell: CellParams, s0in: tf.Tensor4D, s1in: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    const s0 =
      cell.pre0.length === 2
        ? batchNormTrain(factorizedReduce(s0in, cell.pre0[0] as tf.Tensor4D, cell.pre0[1] as tf.Tensor4D))
        : batchNormTrain(conv(tf.relu(s0in), cell.pre0[0] as tf.Tensor4D));
    return [s0, batchNormTrain(conv(tf.relu(s1in), cell.pre1 as tf.Tensor4D))];
  }

  private cell(
    cell: CellParams,
    s0in: tf.Tensor4D,
    s1in: tf.Tensor4D,
    weights: tf.Tensor1D,
    betas: tf.Tensor1D | null,
    dropout: { rate: number; seed: number } | null,
  ): tf.Tensor4D {
    if (betas || this.partialChannels > 1) return this.partialCell(cell, s0in, s1in, weights, betas);
    const [s0, s1] = this.preprocess(cell, s0in, s1in);
    const states: tf.Tensor4D[] = [s0, s1];
    // pools have no parameters: each state's are computed once here and shared by every node that reads it
    const pools: InputPools[] = [inputPools(s0, edgeStride(cell.plan, 0)), inputPools(s1, edgeStride(cell.plan, 1))];
    let offset = 0;
    for (let node = 0; node < DARTS_STEPS; node++) {
      const inputs = 2 + node;
      const edges = cell.edges.slice(offset, offset + inputs);
      const { partIdx, skipIdx } = nodeWeightIndex(edges, offset);
      // with dropout on skip-connections the node adds them itself, below, outside the recomputed part
      const identities = !dropout;
      const w = tf.gather(weights, identities ? [...partIdx, ...skipIdx] : partIdx);
      const params = edges.flatMap(edgeVariables);
      const poolList = pools.flatMap((p) => [p.max, p.avg]);
      const run = (...xs: tf.Tensor[]): tf.Tensor4D => {
        const st = xs.slice(0, inputs) as tf.Tensor4D[];
        const pl = Array.from({ length: inputs }, (_, j) => ({
          max: xs[inputs + 2 * j] as tf.Tensor4D,
          avg: xs[inputs + 2 * j + 1] as tf.Tensor4D,
        }));
        return nodeForward(
          st,
          pl,
          xs[3 * inputs] as tf.Tensor1D,
          partIdx.length,
          bindVariables(edges, xs.slice(3 * inputs + 1)),
          identities,
        );
      };
      const target = this.gradTarget;
      // in P-DARTS' reduced space an input may not reach the node (its edge dropped the pools, or every operation
      // that reads the state itself): no gradient is asked of it
      const used = edges.map((q) => ({
        state: edgeBnOpList(q).some((op) => DARTS_OP_TABLE[op].kind !== 'pool') || (identities && hasIdentity(q)),
        pool: [keeps(q, 'max_pool_3x3'), keeps(q, 'avg_pool_3x3')],
      }));
      const needs = [
        ...used.map((u) => u.state),
        ...used.flatMap((u) => u.pool),
        target !== 'weights',
        ...params.map(() => target !== 'alphas'),
      ];
      const inputsList = [...states, ...poolList, w, ...params];
      // recomputed even where the intermediates would fit: keeping the small 7x7 nodes measured no faster (9.2 vs
      // 9.5 s per step, within noise) and raised the peak heap from 1.4 to 2.5 GB
      const parts: tf.Tensor4D[] = [];
      if (identities || partIdx.length)
        parts.push(
          nativeBackend()
            ? stackedNodeForward(states, pools, w, partIdx.length, edges, undefined, identities)
            : recomputeInBackward(run, inputsList, needs),
        );
      if (dropout) {
        let k = 0;
        edges.forEach((q, j) => {
          if (!hasIdentity(q)) return;
          const x = invertedDropout(states[j]!, dropout.rate, deriveSeed(dropout.seed, `${cell.index}:${offset + j}`));
          parts.push(tf.mul(x, tf.gather(weights, [skipIdx[k++]!])) as tf.Tensor4D);
        });
      }
      const h = parts.length === 1 ? parts[0]! : (tf.addN(parts) as tf.Tensor4D);
      states.push(h);
      if (node < DARTS_STEPS - 1) pools.push(inputPools(h, 1));
      offset += inputs;
    }
    return tf.concat(states.slice(2), 3);
  }

  /**
   * PC-DARTS' cell (see the file comment): per node, the mixed operations on the first c/K channels of each input,
   * weighed by softmax(α)·β, beside the β-weighed sum of the bypassed channels, shuffled in K groups.
   */
  private partialCell(
    cell: CellParams,
    s0in: tf.Tensor4D,
    s1in: tf.Tensor4D,
    weights: tf.Tensor1D,
    betas: tf.Tensor1D | null,
  ): tf.Tensor4D {
    const K = this.partialChannels;
    const c = cell.plan.c;
    const part = c / K;
    const [s0, s1] = this.preprocess(cell, s0in, s1in);
    const states: tf.Tensor4D[] = [s0, s1];
    const heads = (x: tf.Tensor4D) => (K > 1 ? tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, part]) : x);
    const partial: tf.Tensor4D[] = [heads(s0), heads(s1)];
    const pools: InputPools[] = [0, 1].map((i) => inputPools(partial[i]!, edgeStride(cell.plan, i)));
    let offset = 0;
    for (let node = 0; node < DARTS_STEPS; node++) {
      const inputs = 2 + node;
      const edges = cell.edges.slice(offset, offset + inputs);
      const { partIdx, skipIdx, partEdge, skipEdge } = nodeWeightIndex(edges, offset);
      let w = tf.gather(weights, [...partIdx, ...skipIdx]);
      if (betas) w = tf.mul(w, tf.gather(betas, [...partEdge, ...skipEdge]));
      const mixed = nodeForward(partial, pools, w as tf.Tensor1D, partIdx.length, edges);
      let h = mixed;
      if (K > 1) {
        const bypass = edges.map((q, j) => {
          const rest = tf.slice(states[j]!, [0, 0, 0, part], [-1, -1, -1, c - part]);
          const x = q.stride === 2 ? maxPool2(rest) : rest;
          return betas ? (tf.mul(x, tf.slice(betas, offset + j, 1)) as tf.Tensor4D) : x;
        });
        h = channelShuffle(tf.concat([mixed, tf.addN(bypass) as tf.Tensor4D], 3), K);
      }
      states.push(h);
      if (node < DARTS_STEPS - 1) {
        partial.push(heads(h));
        pools.push(inputPools(partial[partial.length - 1]!, 1));
      }
      offset += inputs;
    }
    return tf.concat(states.slice(2), 3);
  }

  /**
   * GDAS' cell (see the file comment): per edge only the sampled operation runs, scaled by its straight-through
   * weight; the other weights are added as they are (value 0), so every α of the edge gets a gradient.
   */
  private sampledCell(
    cell: CellParams,
    s0in: tf.Tensor4D,
    s1in: tf.Tensor4D,
    sample: { index: Int32Array; hard: tf.Tensor2D },
  ): tf.Tensor4D {
    const states: tf.Tensor4D[] = [...this.preprocess(cell, s0in, s1in)];
    const shape = nodeShape(states[1]!, cell.plan.reduction);
    let offset = 0;
    for (let node = 0; node < DARTS_STEPS; node++) {
      const inputs = 2 + node;
      const sum = new SampledNode();
      for (let j = 0; j < inputs; j++) {
        const e = offset + j;
        const op = sample.index[e]!;
        sum.add(sample.hard, e, op, sampledOp(DARTS_OPS[op]!, cell.edges[e]!, states[j]!, edgeStride(cell.plan, j)));
      }
      states.push(sum.finish(shape));
      offset += inputs;
    }
    return tf.concat(states.slice(2), 3);
  }

  alphaSnapshot(): AlphaSnapshot {
    return tf.tidy(() => {
      const snap: AlphaSnapshot = {
        normal: rowsOf(this.opWeights(false).dataSync() as Float32Array, OPS),
        reduce: rowsOf(this.opWeights(true).dataSync() as Float32Array, OPS),
      };
      const kept = this.config.kept;
      if (kept) {
        const cols = (rows: readonly (readonly DartsOp[])[]) =>
          rows.map((ops) => ops.map((op) => DARTS_OPS.indexOf(op)));
        snap.kept = { normal: cols(kept.normal), reduce: cols(kept.reduce) };
      }
      if (this.betaNormal && this.betaReduce)
        snap.edges = {
          normal: Array.from(edgeBetas(this.betaNormal).dataSync()),
          reduce: Array.from(edgeBetas(this.betaReduce).dataSync()),
        };
      return snap;
    });
  }

  /** [DARTS] derivation; with edge normalisation each edge's row is first scaled by its β ([PC-DARTS] §3.3). */
  genotype(): DartsGenotype {
    const a = this.alphaSnapshot();
    return deriveDartsGenotype(
      scaleRows(a.normal, a.edges?.normal),
      scaleRows(a.reduce!, a.edges?.reduce),
      DARTS_STEPS,
    );
  }

  dispose(): void {
    this.weights.dispose();
    this.alphas.dispose();
    tf.dispose([this.maskNormal, this.maskReduce].filter((m) => m !== null));
  }
}

/**
 * A node's entries of the flattened softmax(α) in the order nodeForward consumes them (BN'd operations edge by
 * edge, then the stride-1 identities), and the edge of each entry (for PC-DARTS' β).
 */
function nodeWeightIndex(
  edges: readonly EdgeParams[],
  offset: number,
): { partIdx: number[]; skipIdx: number[]; partEdge: number[]; skipEdge: number[] } {
  const r = { partIdx: [] as number[], skipIdx: [] as number[], partEdge: [] as number[], skipEdge: [] as number[] };
  edges.forEach((q, j) => {
    for (const op of edgeBnOps(q)) {
      r.partIdx.push((offset + j) * OPS + op);
      r.partEdge.push(offset + j);
    }
    if (hasIdentity(q)) {
      r.skipIdx.push((offset + j) * OPS + SKIP);
      r.skipEdge.push(offset + j);
    }
  });
  return r;
}

/**
 * Inverted dropout (nn.Dropout in training): each value zeroed with probability `rate`, the others scaled by
 * 1 / (1 − rate); the mask is drawn from `seed` (tf.randomUniform, seeded: the same on every backend and call).
 */
export function invertedDropout(x: tf.Tensor4D, rate: number, seed: number): tf.Tensor4D {
  // no tidy: the mask is kept for the backward pass (the caller's scope disposes it)
  const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), 'float32');
  return tf.mul(x, tf.mul(keep, 1 / (1 - rate))) as tf.Tensor4D;
}

/** Each row times its edge's weight (none: the rows as they are). */
export function scaleRows(rows: number[][], byRow: readonly number[] | undefined): number[][] {
  return byRow ? rows.map((r, i) => r.map((v) => v * byRow[i]!)) : rows;
}

/** PC-DARTS' edge weights: softmax(β) over each node's incoming edges (2, 3, 4, 5 of them), flattened. */
export function edgeBetas(beta: tf.Tensor): tf.Tensor1D {
  const parts: tf.Tensor1D[] = [];
  let offset = 0;
  for (let node = 0; node < DARTS_STEPS; node++) {
    parts.push(tf.softmax(tf.slice(beta as tf.Tensor1D, offset, 2 + node)));
    offset += 2 + node;
  }
  return tf.concat(parts);
}

/**
 * PC-DARTS' channel shuffle in `groups` groups (its code: channel_shuffle; NCHW view (groups, C/groups),
 * transpose), in NHWC: output channel i·groups + g is input channel g·(C/groups) + i.
 */
export function channelShuffle(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const C = x.shape[3];
  const per = C / groups;
  const perm = new Int32Array(C);
  for (let i = 0; i < per; i++) for (let g = 0; g < groups; g++) perm[i * groups + g] = g * per + i;
  return tf.gather(x, perm, 3);
}

/** nn.MaxPool2d(2, 2) on even sizes; on odd ones ceil, to match the stride-2 operations' ceil(H/2). */
function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, x.shape[1] % 2 || x.shape[2] % 2 ? 'same' : 'valid');
}

/** The shape of a node's output: the cell's C channels, at half the size in a reduction cell. */
function nodeShape(s1: tf.Tensor4D, reduction: boolean): [number, number, number, number] {
  const [B, H, W, C] = s1.shape;
  return reduction ? [B, Math.ceil(H / 2), Math.ceil(W / 2), C] : [B, H, W, C];
}

/** One operation of an edge on x (its output after the operation's BN), or null for `none` (GDAS' forward). */
export function sampledOp(op: DartsOp, q: EdgeParams, x: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D | null {
  const spec = DARTS_OP_TABLE[op];
  switch (spec.kind) {
    case 'none':
      return null;
    case 'pool':
      return batchNormTrain(spec.pool === 'max' ? maxPool3(x, stride) : avgPool3(x, stride));
    case 'skip':
      if (stride === 1) return x;
      return batchNormTrain(spec.forward!(tf.relu(x), q.params[op]!, stride, defaultBn));
    default:
      return batchNormTrain(spec.forward!(tf.relu(x), q.params[op]!, stride, defaultBn));
  }
}
