/**
 * The DSM-NAS controller in tfjs ([DSM-NAS] §III-B, §III-C): a global policy π_G that picks one of the K candidate
 * subspaces from the subspace graph, and a local policy π_L that proposes the modification Δα of its centre.
 *
 * Node and edge features. A node is its centre α, embedded as the concatenation of a learnable vector per component
 * (h_α = [E(1, α¹); …; E(6, α⁶)], one table row per position and operation); an edge α → α′ carries h_α′ − h_α,
 * zero where the two centres agree (§III-B).
 *
 * The GNN (two layers). We chose mean-aggregation message passing with edge features, over both edge directions:
 *
 *     x′_v = tanh(W_s·x_v + W_in·mean_{u→v}[x_u ; h_v − h_u] + W_out·mean_{v→w}[x_w ; h_w − h_v] + b)
 *
 * Why this form: the mean keeps the scale independent of the degree (a node's in-degree is its rank by accuracy, from
 * 0 to K−1); the graph is directed weaker → better, so aggregating only incoming edges would leave the weakest centre
 * with no messages, and the outgoing side is what tells a weak centre how the better ones differ from it ("which
 * modification improves an architecture", the paper's reason for the edge features); and with a linear message the
 * mean of the messages is the message of the mean, so a layer is a few K×K matrix products (the adjacency rows
 * normalised), with the edge term in closed form: mean_{u→v}(h_v − h_u) = 1{deg>0}·h_v − Ā_in·h.
 *
 * Global policy: an LSTM reads the K node features in node order; a classifier (tanh layer, then a score) on each
 * output gives the logits of a softmax over the K subspaces.
 *
 * Local policy: an LSTM, started from the chosen node's global LSTM output, walks the 6 positions; at position i it
 * reads the centre's operation there and its previous decision and emits an operation (the centre's own one = no
 * change there). Masks keep every proposal inside Ω_α and different from the centre: once M positions have changed
 * only the centre's operation is allowed, and at the last position, when nothing has changed yet, the centre's
 * operation is not. Masked choices get probability 0, so the probabilities over the valid choices sum to 1.
 *
 * log π(subspace, Δα) = log π_G(subspace) + Σ_i log π_L(op_i | …); the entropy reported is the sum of the entropies
 * of those 7 decisions (the usual estimate along the sampled path).
 */
import * as tf from '@tensorflow/tfjs';
import { ParamStore } from '../../nn/params.js';
import { NB201_EDGE_COUNT as L, NB201_OP_COUNT as C } from '../../spaces/nb201/space.js';

export interface ControllerConfig {
  /** K */
  subspaces: number;
  /** M */
  distance: number;
  hidden: number;
  seed: number;
}

/** One decision of the controller: the subspace (node) and the proposal β (its 6 operation indices). */
export interface DsmAction {
  subspace: number;
  ops: number[];
}

/** The graph the controller reads: the K centres (operation indices) and the directed edges weaker → better. */
export interface ControllerGraph {
  centres: readonly (readonly number[])[];
  edges: ReadonlyArray<{ from: number; to: number }>;
}

/** Per trajectory: log π and the summed entropy of its decisions. */
export type TrajectoryScores = {
  logProb: tf.Tensor1D;
  entropy: tf.Tensor1D;
};

const MASKED = -1e9;

/** Which operations are allowed at `position` given the centre's operation there and the changes made so far. */
export function allowedOps(position: number, centreOp: number, changes: number, m: number): boolean[] {
  return Array.from({ length: C }, (_, o) => (o === centreOp ? !(position === L - 1 && changes === 0) : changes < m));
}

/** Draws an index with probability ∝ weights[i] (weights ≥ 0, not all 0). */
function draw(weights: readonly number[], rng: () => number): number {
  const total = weights.reduce((a, w) => a + w, 0);
  let u = rng() * total;
  let last = -1;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! <= 0) continue;
    last = i;
    if (u < weights[i]!) return i;
    u -= weights[i]!;
  }
  return last; // rounding left u at the top: the last possible choice
}

export class DsmController {
  readonly params: ParamStore;
  readonly embedDim: number;
  private readonly v: Record<string, tf.Variable> = {};

  constructor(readonly config: ControllerConfig) {
    const { hidden: H, subspaces: K, distance: M } = config;
    if (K < 2) throw new Error('DSM-NAS needs at least two subspaces.');
    if (M < 1 || M > L) throw new Error(`The distance limit M must be 1..${L}; got ${M}.`);
    const de = Math.max(2, Math.ceil(H / L));
    const D = de * L;
    this.embedDim = de;
    const p = (this.params = new ParamStore(config.seed));
    const add = (name: string, shape: number[], fanIn: number) => (this.v[name] = p.uniform(name, shape, fanIn));
    add('embed', [L * C, de], 1);
    add('prevEmbed', [C + 1, de], 1);
    // GNN layer 1 (input h, width D) and layer 2 (input width H); edge features are always h differences (width D)
    add('g1.self', [D, H], D);
    add('g1.in', [2 * D, H], 2 * D);
    add('g1.out', [2 * D, H], 2 * D);
    add('g1.bias', [H], D);
    add('g2.self', [H, H], H);
    add('g2.in', [H + D, H], H + D);
    add('g2.out', [H + D, H], H + D);
    add('g2.bias', [H], H);
    add('global.kernel', [2 * H, 4 * H], 2 * H);
    add('global.bias', [4 * H], 2 * H);
    add('classifier.w', [H, H], H);
    add('classifier.b', [H], H);
    add('classifier.v', [H, 1], H);
    add('local.kernel', [2 * de + H, 4 * H], 2 * de + H);
    add('local.bias', [4 * H], 2 * de + H);
    add('local.out', [H, C], H);
    add('local.posBias', [L, C], H);
  }

  /** One step of the LSTM `name` (tfjs' basic cell: forget-gate bias 1, kernel over [input ; h]). */
  private lstm(name: 'global' | 'local', x: tf.Tensor2D, c: tf.Tensor2D, h: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
    return tf.basicLSTMCell(
      tf.scalar(1),
      this.v[`${name}.kernel`]! as tf.Tensor2D,
      this.v[`${name}.bias`]! as tf.Tensor1D,
      x,
      c,
      h,
    ) as [tf.Tensor2D, tf.Tensor2D];
  }

  /** The global part: node features through the GNN and the LSTM; returns the LSTM outputs and the K logits. */
  private globalPass(g: ControllerGraph): { outputs: tf.Tensor2D; logits: tf.Tensor1D } {
    const K = g.centres.length;
    const v = this.v;
    const H = this.config.hidden;
    const idx = tf.tensor1d(
      g.centres.flatMap((c) => c.map((o, i) => i * C + o)),
      'int32',
    );
    const h = tf.reshape(tf.gather(v.embed!, idx), [K, L * this.embedDim]) as tf.Tensor2D;
    const ain = new Float32Array(K * K);
    const aout = new Float32Array(K * K);
    const indeg = new Array<number>(K).fill(0);
    const outdeg = new Array<number>(K).fill(0);
    for (const e of g.edges) {
      indeg[e.to]!++;
      outdeg[e.from]!++;
    }
    for (const e of g.edges) {
      ain[e.to * K + e.from] = 1 / indeg[e.to]!;
      aout[e.from * K + e.to] = 1 / outdeg[e.from]!;
    }
    const Ain = tf.tensor2d(ain, [K, K]);
    const Aout = tf.tensor2d(aout, [K, K]);
    const hasIn = tf.tensor2d(
      indeg.map((d) => (d > 0 ? 1 : 0)),
      [K, 1],
    );
    const hasOut = tf.tensor2d(
      outdeg.map((d) => (d > 0 ? 1 : 0)),
      [K, 1],
    );
    const eIn = tf.sub(tf.mul(hasIn, h), tf.matMul(Ain, h));
    const eOut = tf.sub(tf.matMul(Aout, h), tf.mul(hasOut, h));
    const layer = (x: tf.Tensor2D, name: string): tf.Tensor2D =>
      tf.tanh(
        tf.addN([
          tf.matMul(x, v[`${name}.self`]! as tf.Tensor2D),
          tf.matMul(tf.concat([tf.matMul(Ain, x), eIn], 1), v[`${name}.in`]! as tf.Tensor2D),
          tf.matMul(tf.concat([tf.matMul(Aout, x), eOut], 1), v[`${name}.out`]! as tf.Tensor2D),
          tf.reshape(v[`${name}.bias`]!, [1, H]).tile([K, 1]),
        ]),
      ) as tf.Tensor2D;
    const x2 = layer(layer(h, 'g1'), 'g2');
    let c = tf.zeros([1, H]) as tf.Tensor2D;
    let hs = tf.zeros([1, H]) as tf.Tensor2D;
    const outs: tf.Tensor2D[] = [];
    for (let k = 0; k < K; k++) {
      [c, hs] = this.lstm('global', tf.slice(x2, [k, 0], [1, H]), c, hs);
      outs.push(hs);
    }
    const outputs = tf.concat(outs, 0) as tf.Tensor2D;
    const logits = tf.reshape(
      tf.matMul(
        tf.tanh(tf.add(tf.matMul(outputs, v['classifier.w']! as tf.Tensor2D), v['classifier.b']!)),
        v['classifier.v']! as tf.Tensor2D,
      ),
      [K],
    ) as tf.Tensor1D;
    return { outputs, logits };
  }

  /**
   * Runs both policies over B trajectories. With `given`, scores those decisions (teacher forcing: the gradient
   * path); without, samples one trajectory with `rng` (reading each decision's probabilities as it goes).
   */
  private pass(
    g: ControllerGraph,
    given: readonly DsmAction[] | null,
    rng?: () => number,
  ): TrajectoryScores & { actions: DsmAction[] } {
    const M = this.config.distance;
    const H = this.config.hidden;
    const v = this.v;
    const { outputs, logits } = this.globalPass(g);
    const B = given ? given.length : 1;
    const logG = tf.logSoftmax(logits);
    let subspaces: number[];
    if (given) subspaces = given.map((a) => a.subspace);
    else subspaces = [draw(Array.from(tf.exp(logG).dataSync()), rng!)];
    for (const s of subspaces)
      if (!Number.isInteger(s) || s < 0 || s >= g.centres.length) throw new RangeError(`No subspace ${s}.`);
    const sIdx = tf.tensor1d(subspaces, 'int32');
    const entG = tf.neg(tf.sum(tf.mul(tf.exp(logG), logG)));
    let logProb = tf.gather(logG, sIdx) as tf.Tensor1D;
    let entropy = tf.mul(tf.ones([B]), entG) as tf.Tensor1D;
    let hs = tf.gather(outputs, sIdx) as tf.Tensor2D;
    let c = tf.zeros([B, H]) as tf.Tensor2D;
    const ops: number[][] = Array.from({ length: B }, () => []);
    const changes = new Array<number>(B).fill(0);
    let prev = new Array<number>(B).fill(C);
    for (let i = 0; i < L; i++) {
      const centreOps = subspaces.map((s) => g.centres[s]![i]!);
      // the cell concatenates [input ; h] itself: its kernel has 2·de + H rows
      const input = tf.concat(
        [
          tf.gather(
            v.embed!,
            tf.tensor1d(
              centreOps.map((o) => i * C + o),
              'int32',
            ),
          ),
          tf.gather(v.prevEmbed!, tf.tensor1d(prev, 'int32')),
        ],
        1,
      ) as tf.Tensor2D;
      [c, hs] = this.lstm('local', input, c, hs);
      const allowed = centreOps.map((o, b) => allowedOps(i, o, changes[b]!, M));
      const mask = tf.tensor2d(
        allowed.flatMap((row) => row.map((ok) => (ok ? 0 : MASKED))),
        [B, C],
      );
      const raw = tf.add(tf.matMul(hs, v['local.out']! as tf.Tensor2D), tf.slice(v['local.posBias']!, [i, 0], [1, C]));
      const logP = tf.logSoftmax(tf.add(raw, mask)) as tf.Tensor2D;
      let chosen: number[];
      if (given) chosen = given.map((a) => a.ops[i]!);
      else {
        const p = tf.exp(logP).dataSync();
        chosen = [
          draw(
            allowed[0]!.map((ok, o) => (ok ? p[o]! : 0)),
            rng!,
          ),
        ];
      }
      chosen.forEach((o, b) => {
        if (!allowed[b]![o]) throw new RangeError(`Operation ${o} is not allowed at position ${i} of trajectory ${b}.`);
        ops[b]!.push(o);
        if (o !== centreOps[b]) changes[b]!++;
      });
      const pick = tf.oneHot(tf.tensor1d(chosen, 'int32'), C);
      logProb = tf.add(logProb, tf.sum(tf.mul(pick, logP), 1));
      // masked entries: p = 0 exactly, p·log p = 0
      entropy = tf.sub(entropy, tf.sum(tf.mul(tf.exp(logP), logP), 1));
      prev = chosen;
    }
    return { logProb, entropy, actions: subspaces.map((s, b) => ({ subspace: s, ops: ops[b]! })) };
  }

  /** Samples one subspace and one proposal in it; returns them with their log π and entropy (numbers). */
  sample(g: ControllerGraph, rng: () => number): { action: DsmAction; logProb: number; entropy: number } {
    let out: { action: DsmAction; logProb: number; entropy: number } | undefined;
    tf.tidy(() => {
      const r = this.pass(g, null, rng);
      out = { action: r.actions[0]!, logProb: r.logProb.dataSync()[0]!, entropy: r.entropy.dataSync()[0]! };
    });
    return out!;
  }

  /** log π and entropy of given trajectories, as tensors (call inside tf.tidy / tf.variableGrads). */
  score(g: ControllerGraph, actions: readonly DsmAction[]): TrajectoryScores {
    const { logProb, entropy } = this.pass(g, actions);
    return { logProb, entropy };
  }

  /** π_G over the K subspaces (numbers). */
  subspaceProbs(g: ControllerGraph): number[] {
    return tf.tidy(() => Array.from(tf.softmax(this.globalPass(g).logits).dataSync()));
  }

  dispose(): void {
    this.params.dispose();
  }
}
