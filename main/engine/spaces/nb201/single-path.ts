/**
 * The NAS-Bench-201 network with one operation per edge: the layout of the search network in supernet.ts (stem,
 * N cells at C, residual reduction, N cells at 2C, reduction, N cells at 4C, BN + ReLU, pool, linear), with every
 * edge's candidate weights held once, and a forward pass that runs one architecture (space.ts) through them. It
 * serves the one-shot recipe (uniform single-path sampling trains the shared weights; an architecture is then
 * evaluated with the weights it inherits) and NASWOT (an untrained network's ReLU codes, [NASWOT]).
 *
 * Batch norm has three modes: `batch` (batch statistics, differentiable: training and NASWOT), `calibrate` (batch
 * statistics, each layer's mean and variance recorded into a BnStats: the recalibration an inherited-weight
 * evaluation needs, as the shared running statistics belong to no single path) and `running` (the recorded
 * statistics: evaluation). The weights are the supernet's own (supernet.ts creates them), read by name.
 */
import * as tf from '@tensorflow/tfjs';
import { NB201_EDGE_LIST, NB201_NODES, NB201_OPS } from '../../../../shared/genotype/ops.js';
import { BN_EPS, batchNormTrain } from '../../nn/bn.js';
import type { ParamStore } from '../../nn/params.js';
import { avgPool3, conv } from '../layers.js';
import { classify, type SupernetConfig } from '../supernet.js';
import { Nb201Supernet, type AffineBn, type CellParams, type ResBlock, type Stage } from './supernet.js';
import type { Nb201Arch } from './space.js';

const OP = Object.fromEntries(NB201_OPS.map((o, i) => [o, i])) as Record<(typeof NB201_OPS)[number], number>;

/** Per BN layer (by name): the sums of its per-batch means and variances over the calibration batches. */
export class BnStats {
  private readonly sums = new Map<string, { mean: Float64Array; variance: Float64Array; batches: number }>();

  add(name: string, mean: Float32Array, variance: Float32Array): void {
    let s = this.sums.get(name);
    if (!s)
      this.sums.set(
        name,
        (s = { mean: new Float64Array(mean.length), variance: new Float64Array(mean.length), batches: 0 }),
      );
    for (let i = 0; i < mean.length; i++) {
      s.mean[i]! += mean[i]!;
      s.variance[i]! += variance[i]!;
    }
    s.batches++;
  }

  /** The averaged statistics of a layer (what PyTorch's cumulative running average gives after a reset). */
  get(name: string): { mean: Float32Array; variance: Float32Array } {
    const s = this.sums.get(name);
    if (!s) throw new Error(`No batch-norm statistics for "${name}": recalibrate on at least one batch first.`);
    return {
      mean: Float32Array.from(s.mean, (v) => v / s.batches),
      variance: Float32Array.from(s.variance, (v) => v / s.batches),
    };
  }

  get layers(): number {
    return this.sums.size;
  }
}

export type BnMode = { kind: 'batch' } | { kind: 'calibrate'; stats: BnStats } | { kind: 'running'; stats: BnStats };

export interface ForwardOptions {
  bn: BnMode;
  /** NASWOT: each ReLU's binary code (pre-activation > 0), as [batch, units] tensors, pushed in layer order. */
  codes?: tf.Tensor2D[];
}

export class Nb201SinglePath {
  readonly weights: ParamStore;
  private readonly stem: { w: tf.Variable; bn: AffineBn };
  private readonly stages: Stage[] = [];
  private readonly last: AffineBn;
  private readonly head: { w: tf.Variable; b: tf.Variable };

  /** The supernet's α (unused here: it is built so the weights are created exactly as the supernet's). */
  private readonly alphas: ParamStore;

  constructor(readonly config: SupernetConfig) {
    // the supernet creates the weights: same names, shapes, order and seeded values, so either network reads the
    // other's saved weights
    const supernet = new Nb201Supernet(config);
    this.weights = supernet.weights;
    this.alphas = supernet.alphas;
    const byName = new Map(this.weights.list.map((e) => [e.name, e.variable]));
    const v = (name: string): tf.Variable => byName.get(name)!;
    const bn = (name: string): AffineBn => ({ gamma: v(`${name}.gamma`), beta: v(`${name}.beta`) });
    const N = config.cells;
    this.stem = { w: v('stem.conv'), bn: bn('stem.bn') };
    const reduceAt = new Set([N, 2 * N + 1]);
    for (let i = 0; i < 3 * N + 2; i++) {
      const name = `cells.${i}`;
      this.stages.push(
        reduceAt.has(i)
          ? {
              kind: 'reduce',
              p: {
                convA: v(`${name}.conv_a`),
                bnA: bn(`${name}.bn_a`),
                convB: v(`${name}.conv_b`),
                bnB: bn(`${name}.bn_b`),
                shortcut: v(`${name}.downsample`),
              },
            }
          : {
              kind: 'cell',
              p: {
                conv1: NB201_EDGE_LIST.map((e) => v(`${name}.edge${e.to}<-${e.from}.nor_conv_1x1`)),
                conv3: NB201_EDGE_LIST.map((e) => v(`${name}.edge${e.to}<-${e.from}.nor_conv_3x3`)),
              },
            },
      );
    }
    this.last = bn('lastact.bn');
    this.head = { w: v('classifier.w'), b: v('classifier.b') };
  }

  /** NHWC input -> [batch, classes] logits of the architecture `arch` (every cell runs the same cell, as in NB201). */
  logits(x: tf.Tensor4D, arch: Nb201Arch, opts: ForwardOptions): tf.Tensor2D {
    const s = this.stem;
    let h = this.bn('stem.bn', conv(x, s.w as tf.Tensor4D, 1, 1), opts, s.bn);
    this.stages.forEach((st, i) => {
      h = st.kind === 'cell' ? this.cell(`cells.${i}`, st.p, h, arch, opts) : this.reduce(`cells.${i}`, st.p, h, opts);
    });
    h = this.relu(this.bn('lastact.bn', h, opts, this.last), opts);
    return classify(h, this.head.w, this.head.b);
  }

  /** The variables `arch` uses (the others get no gradient from its forward pass). */
  variablesOf(arch: Nb201Arch): tf.Variable[] {
    const used = new Set<tf.Variable>([
      this.stem.w,
      this.stem.bn.gamma,
      this.stem.bn.beta,
      this.last.gamma,
      this.last.beta,
      this.head.w,
      this.head.b,
    ]);
    for (const st of this.stages) {
      if (st.kind === 'reduce')
        for (const v of [
          st.p.convA,
          st.p.bnA.gamma,
          st.p.bnA.beta,
          st.p.convB,
          st.p.bnB.gamma,
          st.p.bnB.beta,
          st.p.shortcut,
        ])
          used.add(v);
      else {
        arch.forEach((o, k) => {
          if (o === OP.nor_conv_1x1) used.add(st.p.conv1[k]!);
          if (o === OP.nor_conv_3x3) used.add(st.p.conv3[k]!);
        });
      }
    }
    return this.weights.list.map((e) => e.variable).filter((v) => used.has(v));
  }

  private relu(x: tf.Tensor4D, opts: ForwardOptions): tf.Tensor4D {
    if (opts.codes)
      opts.codes.push(tf.tidy(() => tf.reshape(tf.cast(tf.greater(x, 0), 'float32'), [x.shape[0], -1]) as tf.Tensor2D));
    return tf.relu(x);
  }

  private bn(name: string, x: tf.Tensor4D, opts: ForwardOptions, affine?: AffineBn): tf.Tensor4D {
    const g = affine?.gamma as tf.Tensor1D | undefined;
    const b = affine?.beta as tf.Tensor1D | undefined;
    const mode = opts.bn;
    if (mode.kind === 'batch') return batchNormTrain(x, g, b);
    if (mode.kind === 'calibrate') {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      mode.stats.add(name, mean.dataSync() as Float32Array, variance.dataSync() as Float32Array);
      return tf.batchNorm(x, mean, variance, b, g, BN_EPS) as tf.Tensor4D;
    }
    const st = mode.stats.get(name);
    return tf.batchNorm(x, tf.tensor1d(st.mean), tf.tensor1d(st.variance), b, g, BN_EPS) as tf.Tensor4D;
  }

  private cell(name: string, p: CellParams, x: tf.Tensor4D, arch: Nb201Arch, opts: ForwardOptions): tf.Tensor4D {
    const nodes: tf.Tensor4D[] = [x];
    for (let to = 1; to < NB201_NODES; to++) {
      const terms: tf.Tensor4D[] = [];
      NB201_EDGE_LIST.forEach((e, k) => {
        if (e.to !== to) return;
        const src = nodes[e.from]!;
        const op = arch[k]!;
        if (op === OP.skip_connect) terms.push(src);
        else if (op === OP.avg_pool_3x3) terms.push(avgPool3(src, 1));
        else if (op === OP.nor_conv_1x1 || op === OP.nor_conv_3x3) {
          // each ReLU-conv-BN has its own ReLU, as in NB201 (NASWOT hooks every ReLU module)
          const r = this.relu(src, opts);
          const out =
            op === OP.nor_conv_1x1 ? conv(r, p.conv1[k] as tf.Tensor4D) : conv(r, p.conv3[k] as tf.Tensor4D, 1, 1);
          terms.push(this.bn(`${name}.edge${e.to}<-${e.from}.${NB201_OPS[op]}`, out, opts));
        }
      });
      nodes.push(
        terms.length === 0
          ? (tf.zerosLike(x) as tf.Tensor4D)
          : terms.length === 1
            ? terms[0]!
            : (tf.addN(terms) as tf.Tensor4D),
      );
    }
    return nodes[NB201_NODES - 1]!;
  }

  private reduce(name: string, p: ResBlock, x: tf.Tensor4D, opts: ForwardOptions): tf.Tensor4D {
    const a = this.bn(`${name}.bn_a`, conv(this.relu(x, opts), p.convA as tf.Tensor4D, 2, 1), opts, p.bnA);
    const b = this.bn(`${name}.bn_b`, conv(this.relu(a, opts), p.convB as tf.Tensor4D, 1, 1), opts, p.bnB);
    const pooled = x.shape[1] % 2 || x.shape[2] % 2 ? tf.avgPool(x, 2, 2, 'same') : tf.avgPool(x, 2, 2, 'valid');
    return tf.add(conv(pooled, p.shortcut as tf.Tensor4D), b);
  }

  dispose(): void {
    this.weights.dispose();
    this.alphas.dispose();
  }
}
