/**
 * The NAS-Bench-201 search network (AutoDL-Projects: models/cell_searchs/search_model_darts.py, search_cells.py,
 * cell_operations.py), NHWC: stem (3x3 conv to C + BN) -> N cells (C) -> residual reduction block (2C) -> N cells
 * (2C) -> residual reduction block (4C) -> N cells (4C) -> BN + ReLU -> global average pool -> linear.
 *
 * A cell has 4 nodes; node i = Σ_{j<i} mixed_edge(node j) over 6 edges, each Σ_o softmax(α)_o · o(x) over
 * none / skip_connect / nor_conv_1x1 / nor_conv_3x3 / avg_pool_3x3 (ReLU-conv-BN for the convolutions, BN
 * affine=False inside cells; the pool has no BN). One α matrix [6, 5] is shared by every cell. As in the DARTS
 * supernet, a node normalises and weighs its convolutions' outputs in one op (nn/bn.ts weightedBnSum).
 * Reduction blocks: ReLU-conv3x3(stride 2)-BN, ReLU-conv3x3-BN, plus a shortcut avgpool2x2 -> conv1x1; affine BN.
 *
 * GDAS ([GDAS] §3; AutoDL-Projects: search_model_gdas.py): with a sampler set, each edge computes only its sampled
 * operation, times its straight-through weight, plus the other operations' weights (value 0, gradient to α).
 */
import * as tf from '@tensorflow/tfjs';
import { NB201_EDGE_LIST, NB201_NODES, NB201_OPS, type Nb201Genotype } from '../../../../shared/genotype/ops.js';
import { deriveNb201Genotype } from '../../../../shared/genotype/derive.js';
import type { AlphaSnapshot } from '../../../../shared/search.js';
import { batchNormTrain, weightedBnSum } from '../../nn/bn.js';
import { ParamStore } from '../../nn/params.js';
import { avgPool3, conv } from '../layers.js';
import { recomputeInBackward } from '../../nn/recompute.js';
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

const OPS = NB201_OPS.length;
const IDX = Object.fromEntries(NB201_OPS.map((o, i) => [o, i])) as Record<(typeof NB201_OPS)[number], number>;

export interface AffineBn {
  gamma: tf.Variable;
  beta: tf.Variable;
}
export interface ResBlock {
  convA: tf.Variable;
  bnA: AffineBn;
  convB: tf.Variable;
  bnB: AffineBn;
  shortcut: tf.Variable;
}
export interface CellParams {
  /** Per edge (NB201_EDGE_LIST order): the 1x1 and 3x3 convolutions. */
  conv1: tf.Variable[];
  conv3: tf.Variable[];
}
export type Stage = { kind: 'cell'; p: CellParams } | { kind: 'reduce'; p: ResBlock };

/**
 * One node of a NAS-Bench-201 cell: Σ over its incoming edges (from nodes[e.from]) of none / skip / conv1x1 /
 * conv3x3 / avgpool, weighted by w (the edges' convolutions first, then their identity and pool, edge by edge).
 * convs = [conv1x1, conv3x3] per edge, in edge order.
 */
function nb201Node(
  nodes: readonly tf.Tensor4D[],
  edges: ReadonlyArray<{ from: number }>,
  w: tf.Tensor1D,
  convs: readonly tf.Tensor4D[],
): tf.Tensor4D {
  const relus: Array<tf.Tensor4D | undefined> = [];
  const convOut: tf.Tensor4D[] = [];
  const plain: tf.Tensor4D[] = [];
  edges.forEach((e, i) => {
    const src = nodes[e.from]!;
    const rx = (relus[e.from] ??= tf.relu(src));
    convOut.push(conv(rx, convs[2 * i]!), conv(rx, convs[2 * i + 1]!, 1, 1));
    plain.push(src, avgPool3(src, 1));
  });
  const k = convOut.length;
  return tf.addN([
    weightedBnSum(convOut, tf.slice(w, 0, k)),
    ...plain.map((t, i) => tf.mul(t, tf.slice(w, k + i, 1))),
  ]) as tf.Tensor4D;
}

export class Nb201Supernet implements Supernet {
  gradTarget: GradTarget = 'both';
  sampler: PathSampler | null = null;
  readonly space = 'nb201' as const;
  readonly weights: ParamStore;
  readonly alphas: ParamStore;
  private readonly stem: { w: tf.Variable; bn: AffineBn };
  private readonly stages: Stage[] = [];
  private readonly last: AffineBn;
  private readonly head: { w: tf.Variable; b: tf.Variable };
  private readonly alpha: tf.Variable;

  constructor(readonly config: SupernetConfig) {
    const { channels: C, cells: N, inChannels, classes, seed } = config;
    this.weights = new ParamStore(seed);
    const p = this.weights;
    const bn = (name: string, c: number): AffineBn => ({
      gamma: p.constant(`${name}.gamma`, [c], 1),
      beta: p.constant(`${name}.beta`, [c], 0),
    });
    this.stem = { w: p.uniform('stem.conv', [3, 3, inChannels, C], 9 * inChannels), bn: bn('stem.bn', C) };
    const widths = [
      ...Array<number>(N).fill(C),
      2 * C,
      ...Array<number>(N).fill(2 * C),
      4 * C,
      ...Array<number>(N).fill(4 * C),
    ];
    const reduceAt = new Set([N, 2 * N + 1]);
    let cPrev = C;
    widths.forEach((c, i) => {
      const name = `cells.${i}`;
      if (reduceAt.has(i)) {
        this.stages.push({
          kind: 'reduce',
          p: {
            convA: p.uniform(`${name}.conv_a`, [3, 3, cPrev, c], 9 * cPrev),
            bnA: bn(`${name}.bn_a`, c),
            convB: p.uniform(`${name}.conv_b`, [3, 3, c, c], 9 * c),
            bnB: bn(`${name}.bn_b`, c),
            shortcut: p.uniform(`${name}.downsample`, [1, 1, cPrev, c], cPrev),
          },
        });
      } else {
        this.stages.push({
          kind: 'cell',
          p: {
            conv1: NB201_EDGE_LIST.map((e) =>
              p.uniform(`${name}.edge${e.to}<-${e.from}.nor_conv_1x1`, [1, 1, c, c], c),
            ),
            conv3: NB201_EDGE_LIST.map((e) =>
              p.uniform(`${name}.edge${e.to}<-${e.from}.nor_conv_3x3`, [3, 3, c, c], 9 * c),
            ),
          },
        });
      }
      cPrev = c;
    });
    this.last = bn('lastact.bn', cPrev);
    this.head = {
      w: p.uniform('classifier.w', [cPrev, classes], cPrev),
      b: p.uniform('classifier.b', [classes], cPrev),
    };
    this.alphas = new ParamStore(seed ^ 0x5eed);
    this.alpha = this.alphas.normal('alpha.cell', [NB201_EDGE_LIST.length, OPS], 1e-3);
  }

  get archMatrices(): tf.Variable[] {
    return [this.alpha];
  }

  logits(x: tf.Tensor4D): tf.Tensor2D {
    const sample = this.sampler?.(this.alpha, 0);
    const w = sample ? null : softmaxFlat(this.alpha);
    let h = batchNormTrain(
      conv(x, this.stem.w as tf.Tensor4D, 1, 1),
      this.stem.bn.gamma as tf.Tensor1D,
      this.stem.bn.beta as tf.Tensor1D,
    );
    for (const s of this.stages)
      h = s.kind === 'reduce' ? this.reduce(s.p, h) : sample ? this.sampledCell(s.p, h, sample) : this.cell(s.p, h, w!);
    h = tf.relu(batchNormTrain(h, this.last.gamma as tf.Tensor1D, this.last.beta as tf.Tensor1D));
    return classify(h, this.head.w, this.head.b);
  }

  private cell(p: CellParams, x: tf.Tensor4D, weights: tf.Tensor1D): tf.Tensor4D {
    const nodes: tf.Tensor4D[] = [x];
    for (let to = 1; to < NB201_NODES; to++) {
      const edges = NB201_EDGE_LIST.map((e, k) => ({ ...e, k })).filter((e) => e.to === to);
      // weights: each edge's two convolutions (BN'd together), then each edge's identity and pool
      const convIdx = edges.flatMap((e) => [e.k * OPS + IDX.nor_conv_1x1, e.k * OPS + IDX.nor_conv_3x3]);
      const plainIdx = edges.flatMap((e) => [e.k * OPS + IDX.skip_connect, e.k * OPS + IDX.avg_pool_3x3]);
      const w = tf.gather(weights, [...convIdx, ...plainIdx]);
      const params = edges.flatMap((e) => [p.conv1[e.k]!, p.conv3[e.k]!]);
      const inputs = nodes.length;
      const run = (...xs: tf.Tensor[]): tf.Tensor4D =>
        nb201Node(
          xs.slice(0, inputs) as tf.Tensor4D[],
          edges,
          xs[inputs] as tf.Tensor1D,
          xs.slice(inputs + 1) as tf.Tensor4D[],
        );
      const target = this.gradTarget;
      nodes.push(
        recomputeInBackward(
          run,
          [...nodes, w, ...params],
          [...nodes.map(() => true), target !== 'weights', ...params.map(() => target !== 'alphas')],
        ),
      );
    }
    return nodes[NB201_NODES - 1]!;
  }

  /** GDAS' cell: each edge runs its sampled operation only (see the file comment). */
  private sampledCell(p: CellParams, x: tf.Tensor4D, sample: { index: Int32Array; hard: tf.Tensor2D }): tf.Tensor4D {
    const nodes: tf.Tensor4D[] = [x];
    for (let to = 1; to < NB201_NODES; to++) {
      const sum = new SampledNode();
      NB201_EDGE_LIST.forEach((e, k) => {
        if (e.to !== to) return;
        const op = sample.index[k]!;
        const src = nodes[e.from]!;
        let out: tf.Tensor4D | null = null;
        if (op === IDX.skip_connect) out = src;
        else if (op === IDX.avg_pool_3x3) out = avgPool3(src, 1);
        else if (op === IDX.nor_conv_1x1) out = batchNormTrain(conv(tf.relu(src), p.conv1[k] as tf.Tensor4D));
        else if (op === IDX.nor_conv_3x3) out = batchNormTrain(conv(tf.relu(src), p.conv3[k] as tf.Tensor4D, 1, 1));
        sum.add(sample.hard, k, op, out);
      });
      nodes.push(sum.finish(x.shape));
    }
    return nodes[NB201_NODES - 1]!;
  }

  private reduce(p: ResBlock, x: tf.Tensor4D): tf.Tensor4D {
    const a = batchNormTrain(
      conv(tf.relu(x), p.convA as tf.Tensor4D, 2, 1),
      p.bnA.gamma as tf.Tensor1D,
      p.bnA.beta as tf.Tensor1D,
    );
    const b = batchNormTrain(
      conv(tf.relu(a), p.convB as tf.Tensor4D, 1, 1),
      p.bnB.gamma as tf.Tensor1D,
      p.bnB.beta as tf.Tensor1D,
    );
    // odd sizes: PyTorch's AvgPool2d(2, 2) would drop a row the strided conv keeps; 'same' keeps both at ceil(H/2)
    const pooled = x.shape[1] % 2 || x.shape[2] % 2 ? tf.avgPool(x, 2, 2, 'same') : tf.avgPool(x, 2, 2, 'valid');
    return tf.add(conv(pooled, p.shortcut as tf.Tensor4D), b);
  }

  alphaSnapshot(): AlphaSnapshot {
    return tf.tidy(() => ({ normal: rowsOf(softmaxFlat(this.alpha).dataSync() as Float32Array, OPS) }));
  }

  genotype(): Nb201Genotype {
    return deriveNb201Genotype(this.alphaSnapshot().normal);
  }

  dispose(): void {
    this.weights.dispose();
    this.alphas.dispose();
  }
}
