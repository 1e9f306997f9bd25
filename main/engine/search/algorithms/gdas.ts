/**
 * GDAS ([GDAS] §3; AutoDL-Projects: models/cell_searchs/search_model_gdas.py, exps/NAS-Bench-201-algos/
 * GDAS.py): each forward pass samples one operation per edge with the Gumbel-max trick,
 *
 *   h = (log_softmax(α) + g) / τ,  g = −log(−log u),  u ~ U(0, 1);  p = softmax(h);  index = argmax p
 *   weights = onehot(index) − stopgrad(p) + p       (straight-through: value one-hot, gradient of p)
 *
 * and the supernet computes only the sampled operation of each edge (spaces/*: sampledCell). The temperature τ falls
 * linearly from τ_max in the first epoch to τ_min in the last (GDAS.py: tau_max − (tau_max − tau_min)·epoch/(epochs−1)).
 * The noise comes from a stream of (seed, epoch, step, pass, matrix), so a resumed search samples the same paths.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, mulberry32 } from '../../nn/prng.js';
import type { Genotype } from '../../../../shared/genotype.js';
import type { AlphaSnapshot, SearchParams } from '../../../../shared/search.js';
import type { PathSampler, Supernet } from '../../spaces/supernet.js';
import { gradientStep, type DartsOptimizers } from './step.js';
import type { SearchAlgorithm, SearchStep } from './types.js';

/** τ in a 0-based epoch of `epochs`. */
export function gdasTau(epoch: number, epochs: number, tauMax: number, tauMin: number): number {
  return epochs > 1 ? tauMax - ((tauMax - tauMin) * epoch) / (epochs - 1) : tauMax;
}

/** Gumbel(0, 1) noise, rows x cols, from rng (u in (0, 1): u = 0 would give an infinite sample). */
export function gumbelNoise(rows: number, cols: number, rng: () => number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) {
    const u = Math.min(Math.max(rng(), 1e-10), 1 - 1e-7);
    out[i] = -Math.log(-Math.log(u));
  }
  return out;
}

/** Each row's argmax (the first on ties) of a row-major matrix, and the one-hot matrix of it. */
function rowArgmax(values: Float32Array, rows: number, cols: number): { index: Int32Array; onehot: Float32Array } {
  const index = new Int32Array(rows);
  const onehot = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c]! > values[r * cols + best]!) best = c;
    index[r] = best;
    onehot[r * cols + best] = 1;
  }
  return { index, onehot };
}

/**
 * The straight-through hard sample of an α matrix ([edges, ops]) with the given Gumbel noise and temperature:
 * the chosen operation per edge and the weights (value one-hot, gradient that of softmax((log_softmax(α) + g) / τ)).
 */
export function gumbelHard(
  alpha: tf.Tensor2D,
  noise: Float32Array,
  tau: number,
): { index: Int32Array; hard: tf.Tensor2D } {
  const [rows, cols] = alpha.shape;
  const probs = tf.softmax(tf.div(tf.add(tf.logSoftmax(alpha), tf.tensor2d(noise, [rows, cols])), tau)) as tf.Tensor2D;
  const p = probs.dataSync() as Float32Array;
  const { index, onehot } = rowArgmax(p, rows, cols);
  // onehot − stopgrad(p) + p: the constant copy of p carries no gradient
  const hard = tf.add(tf.sub(tf.tensor2d(onehot, [rows, cols]), tf.tensor2d(p, [rows, cols])), probs) as tf.Tensor2D;
  return { index, hard };
}

/** A sampler for one forward pass: noise from (seed, stream, matrix). */
export function gumbelSampler(seed: number, stream: string, tau: number): PathSampler {
  return (alpha, matrix) => {
    const [rows, cols] = alpha.shape as [number, number];
    const rng = mulberry32(deriveSeed(seed, `${stream}:${matrix}`));
    return gumbelHard(alpha as tf.Tensor2D, gumbelNoise(rows, cols, rng), tau);
  };
}

/** The argmax path (no noise, weights exactly one-hot): how a GDAS supernet is tested after its search. */
export const argmaxSampler: PathSampler = (alpha) => {
  const [rows, cols] = alpha.shape as [number, number];
  const { index, onehot } = rowArgmax(alpha.dataSync() as Float32Array, rows, cols);
  return { index, hard: tf.tensor2d(onehot, [rows, cols]) };
};

/** GDAS over a supernet: the α and weight steps each on a freshly sampled path ([GDAS] Alg. 1). */
export class Gdas implements SearchAlgorithm {
  readonly name = 'gdas' as const;
  private tau: number;

  constructor(
    private readonly net: Supernet,
    private readonly opt: DartsOptimizers,
    private readonly params: Pick<SearchParams, 'epochs' | 'seed' | 'tauMax' | 'tauMin'>,
  ) {
    this.tau = params.tauMax;
  }

  beginEpoch(epoch: number): void {
    this.tau = gdasTau(epoch, this.params.epochs, this.params.tauMax, this.params.tauMin);
  }

  epochInfo(): Record<string, number> {
    return { tau: this.tau };
  }

  step(s: SearchStep) {
    const { net, opt } = this;
    const sampler = (pass: string) => gumbelSampler(this.params.seed, `gdas:${s.epoch}:${s.step}:${pass}`, this.tau);
    try {
      net.sampler = sampler('a');
      const val = gradientStep(net, 'alphas', s.val.x, s.val.labels, (g) => opt.alphas.apply(g, s.lr.alphas));
      net.sampler = sampler('w');
      const train = gradientStep(net, 'weights', s.train.x, s.train.labels, (g) => opt.weights.apply(g, s.lr.weights));
      return { train, val };
    } finally {
      net.sampler = null;
    }
  }

  alphaSnapshot(): AlphaSnapshot {
    return this.net.alphaSnapshot();
  }

  genotype(): Genotype {
    return this.net.genotype();
  }

  evaluationMode(): void {
    this.net.sampler = argmaxSampler;
  }

  state(): unknown {
    return null;
  }

  restore(): void {}

  provenance() {
    return { tauMax: this.params.tauMax, tauMin: this.params.tauMin };
  }
}
