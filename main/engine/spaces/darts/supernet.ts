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
 */
import * as tf from '@tensorflow/tfjs';
import { DARTS_OPS, DARTS_STEPS, dartsEdgeList, type DartsGenotype } from '../../../../shared/genotype/ops.js';
import { deriveDartsGenotype } from '../../../../shared/genotype/derive.js';
import type { AlphaSnapshot } from '../../../../shared/search.js';
import { batchNormTrain } from '../../nn/bn.js';
import { ParamStore } from '../../nn/params.js';
import { conv } from '../layers.js';
import { MULTIPLIER, STEM_MULTIPLIER, dartsCellPlan, edgeStride, type CellPlan } from './cells.js';
import { factorizedReduce } from './factorized-reduce.js';
import { classify, rowsOf, softmaxFlat, type GradTarget, type Supernet, type SupernetConfig } from '../supernet.js';
import {
  bindVariables,
  buildEdgeParams,
  edgeBnOps,
  edgeVariables,
  inputPools,
  nodeForward,
  type EdgeParams,
  type InputPools,
} from './operations.js';
import { recomputeInBackward } from '../../nn/recompute.js';
import { nativeBackend } from '../../backend/tensorflow-kernels.js';
import { stackedNodeForward } from './stacked.js';

const OPS = DARTS_OPS.length;
const SKIP = DARTS_OPS.indexOf('skip_connect');
interface CellParams {
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
  private readonly edges = dartsEdgeList(DARTS_STEPS);
  gradTarget: GradTarget = 'both';

  constructor(readonly config: SupernetConfig) {
    const { channels: C, cells, inChannels, classes, seed } = config;
    if (C % 2) throw new Error(`DARTS needs an even number of channels (FactorizedReduce halves them); got ${C}.`);
    this.weights = new ParamStore(seed);
    const p = this.weights;
    const cStem = STEM_MULTIPLIER * C;
    this.stem = {
      w: p.uniform('stem.conv', [3, 3, inChannels, cStem], 9 * inChannels),
      gamma: p.constant('stem.bn.gamma', [cStem], 1),
      beta: p.constant('stem.bn.beta', [cStem], 0),
    };
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
        buildEdgeParams(p, `${name}.edges.${k}`, plan.c, edgeStride(plan, e.input)),
      );
      return { plan, pre0, pre1, edges };
    });
    const last = MULTIPLIER * this.cells[this.cells.length - 1]!.plan.c;
    this.head = { w: p.uniform('classifier.w', [last, classes], last), b: p.uniform('classifier.b', [classes], last) };
    // DARTS: α = 1e-3 · randn, one matrix per cell type
    this.alphas = new ParamStore(seed ^ 0x5eed);
    this.alphaNormal = this.alphas.normal('alpha.normal', [this.edges.length, OPS], 1e-3);
    this.alphaReduce = this.alphas.normal('alpha.reduce', [this.edges.length, OPS], 1e-3);
  }

  logits(x: tf.Tensor4D): tf.Tensor2D {
    const wNormal = softmaxFlat(this.alphaNormal);
    const wReduce = softmaxFlat(this.alphaReduce);
    const stem = batchNormTrain(
      conv(x, this.stem.w as tf.Tensor4D, 1, 1),
      this.stem.gamma as tf.Tensor1D,
      this.stem.beta as tf.Tensor1D,
    );
    let s0 = stem;
    let s1 = stem;
    for (const cell of this.cells) {
      const out = this.cell(cell, s0, s1, cell.plan.reduction ? wReduce : wNormal);
      [s0, s1] = [s1, out];
    }
    return classify(s1, this.head.w, this.head.b);
  }

  private cell(cell: CellParams, s0in: tf.Tensor4D, s1in: tf.Tensor4D, weights: tf.Tensor1D): tf.Tensor4D {
    const s0 =
      cell.pre0.length === 2
        ? batchNormTrain(factorizedReduce(s0in, cell.pre0[0] as tf.Tensor4D, cell.pre0[1] as tf.Tensor4D))
        : batchNormTrain(conv(tf.relu(s0in), cell.pre0[0] as tf.Tensor4D));
    const s1 = batchNormTrain(conv(tf.relu(s1in), cell.pre1 as tf.Tensor4D));
    const states: tf.Tensor4D[] = [s0, s1];
    // pools have no parameters: each state's are computed once here and shared by every node that reads it
    const pools: InputPools[] = [inputPools(s0, edgeStride(cell.plan, 0)), inputPools(s1, edgeStride(cell.plan, 1))];
    let offset = 0;
    for (let node = 0; node < DARTS_STEPS; node++) {
      const inputs = 2 + node;
      const edges = cell.edges.slice(offset, offset + inputs);
      // the node's weights in the order nodeForward consumes them: BN'd operations edge by edge, then the identities
      const partIdx: number[] = [];
      const skipIdx: number[] = [];
      edges.forEach((q, j) => {
        for (const op of edgeBnOps(q)) partIdx.push((offset + j) * OPS + op);
        if (q.stride === 1) skipIdx.push((offset + j) * OPS + SKIP);
      });
      const w = tf.gather(weights, [...partIdx, ...skipIdx]);
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
        );
      };
      const target = this.gradTarget;
      const needs = [
        ...states.map(() => true),
        ...poolList.map(() => true),
        target !== 'weights',
        ...params.map(() => target !== 'alphas'),
      ];
      const inputsList = [...states, ...poolList, w, ...params];
      // recomputed even where the intermediates would fit: keeping the small 7x7 nodes measured no faster (9.2 vs
      // 9.5 s per step, within noise) and raised the peak heap from 1.4 to 2.5 GB
      const h = nativeBackend()
        ? stackedNodeForward(states, pools, w, partIdx.length, edges)
        : recomputeInBackward(run, inputsList, needs);
      states.push(h);
      if (node < DARTS_STEPS - 1) pools.push(inputPools(h, 1));
      offset += inputs;
    }
    return tf.concat(states.slice(2), 3);
  }

  alphaSnapshot(): AlphaSnapshot {
    return tf.tidy(() => ({
      normal: rowsOf(softmaxFlat(this.alphaNormal).dataSync() as Float32Array, OPS),
      reduce: rowsOf(softmaxFlat(this.alphaReduce).dataSync() as Float32Array, OPS),
    }));
  }

  genotype(): DartsGenotype {
    const a = this.alphaSnapshot();
    return deriveDartsGenotype(a.normal, a.reduce!, DARTS_STEPS);
  }

  dispose(): void {
    this.weights.dispose();
    this.alphas.dispose();
  }
}
