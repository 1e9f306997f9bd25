/**
 * Second-order DARTS' α gradient ([DARTS] §2.3, Eq. 7-8; its code: cnn/architect.py `_backward_step_unrolled`,
 * `_compute_unrolled_model`, `_hessian_vector_product`):
 *
 *   w' = w − ξ (μ·buf + ∇w L_train(w, α) + wd·w)          one virtual SGD step, as the weight optimiser would take it
 *   g  = ∇α L_val(w', α) − ξ ∇²α,w L_train(w, α) · ∇w' L_val(w', α)
 *   ∇²α,w L_train · v ≈ (∇α L_train(w + ε v, α) − ∇α L_train(w − ε v, α)) / 2ε,   ε = 0.01 / ‖v‖   (Eq. 8)
 *
 * with ξ the weights' current learning rate (the code passes `eta = lr`). Written on plain variable lists and loss
 * closures, so the unit tests check it on problems with known Hessians; the supernet's wrapper is in darts.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradTarget } from '../../spaces/supernet.js';

export interface BilevelProblem {
  weights: readonly tf.Variable[];
  alphas: readonly tf.Variable[];
  /** L_train(w, α) and L_val(w, α) at the variables' current values. */
  trainLoss: () => tf.Scalar;
  valLoss: () => tf.Scalar;
  /** Told which set the next loss is differentiated for (the supernet skips the other set's gradients). */
  target?: (t: GradTarget) => void;
}

/** Gradients of f with respect to vars (zeros where f does not depend on one), and f's value. */
function gradsOf(f: () => tf.Scalar, vars: readonly tf.Variable[]): { value: number; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(f, vars as tf.Variable[]);
  const out = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { value: loss, grads: out };
}

function assignAll(vars: readonly tf.Variable[], values: readonly tf.Tensor[]): void {
  vars.forEach((v, i) => v.assign(values[i]!));
}

/** The global L2 norm of a list of tensors (in double precision). */
export function globalNorm(ts: readonly tf.Tensor[]): number {
  let sq = 0;
  for (const t of ts) for (const x of t.dataSync() as Float32Array) sq += x * x;
  return Math.sqrt(sq);
}

/**
 * ∇²α,w L_train(w, α) · v by central differences (Eq. 8), at w = `at`; leaves the weights at `at`. Returns the
 * product (one tensor per α variable) and the ε used.
 */
export function finiteDifferenceHvp(
  p: BilevelProblem,
  at: readonly tf.Tensor[],
  v: readonly tf.Tensor[],
  r = 0.01,
): { hvp: tf.Tensor[]; epsilon: number } {
  const norm = globalNorm(v);
  const epsilon = r / (norm > 0 ? norm : 1);
  const shifted = (sign: 1 | -1) => {
    tf.tidy(() =>
      assignAll(
        p.weights,
        at.map((w, i) => tf.add(w, tf.mul(v[i]!, sign * epsilon))),
      ),
    );
    p.target?.('alphas');
    return gradsOf(p.trainLoss, p.alphas).grads;
  };
  const plus = shifted(1);
  const minus = shifted(-1);
  assignAll(p.weights, at);
  const hvp = plus.map((g, i) => tf.tidy(() => tf.div(tf.sub(g, minus[i]!), 2 * epsilon)));
  tf.dispose([...plus, ...minus]);
  return { hvp, epsilon };
}

export interface UnrollOptions {
  /** ξ: the virtual step's learning rate. */
  xi: number;
  momentum: number;
  weightDecay: number;
  /** The weight optimiser's momentum buffers (same order as weights); absent = zeros (the first step). */
  momentumBuffers?: ReadonlyArray<Float32Array | undefined>;
}

/**
 * The unrolled α gradient g (see the file comment), one tensor per α variable; the weights end as they began.
 * `valLoss` is evaluated once, at w' (its value is returned).
 */
export function unrolledAlphaGradient(
  p: BilevelProblem,
  o: UnrollOptions,
): { grads: tf.Tensor[]; epsilon: number; valLoss: number } {
  const w0 = p.weights.map((v) => tf.clone(v));
  try {
    p.target?.('weights');
    const gTrain = gradsOf(p.trainLoss, p.weights).grads;
    tf.tidy(() =>
      assignAll(
        p.weights,
        w0.map((w, i) => {
          const buf = o.momentumBuffers?.[i];
          let d = tf.add(gTrain[i]!, tf.mul(w, o.weightDecay));
          if (buf && o.momentum) d = tf.add(d, tf.mul(tf.tensor(buf, w.shape), o.momentum));
          return tf.sub(w, tf.mul(d, o.xi));
        }),
      ),
    );
    tf.dispose(gTrain);
    p.target?.('both');
    const outer = gradsOf(p.valLoss, [...p.alphas, ...p.weights]);
    const dAlpha = outer.grads.slice(0, p.alphas.length);
    const dW = outer.grads.slice(p.alphas.length);
    assignAll(p.weights, w0);
    const { hvp, epsilon } = finiteDifferenceHvp(p, w0, dW);
    const grads = dAlpha.map((g, i) => tf.tidy(() => tf.sub(g, tf.mul(hvp[i]!, o.xi))));
    tf.dispose([...outer.grads, ...hvp]);
    return { grads, epsilon, valLoss: outer.value };
  } finally {
    assignAll(p.weights, w0);
    tf.dispose(w0);
  }
}
