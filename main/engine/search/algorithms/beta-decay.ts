/**
 * β-DARTS' Beta-Decay regulariser ([beta-DARTS] §3; its code: architect.py `mlc_loss`, `_backward_step`):
 * the mean over every edge (of every α matrix) of log Σ_o exp(α_o), added to the α step's validation loss with a
 * weight λ that rises linearly over the search (the code: λ = 50·epoch/100 for its 50 epochs, i.e. λ_max·epoch/epochs
 * with λ_max = 25 here). Its gradient on an edge is softmax(α)/edges: it pulls the mixture's weights down evenly,
 * which keeps the β = softmax(α) values of the edges from growing apart (the paper's "decay" of β).
 */
import * as tf from '@tensorflow/tfjs';

/** mean over all rows of all matrices of logsumexp(row). */
export function betaDecay(matrices: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    const rows = matrices.map((m) => tf.logSumExp(m as tf.Tensor2D, 1));
    return tf.mean(tf.concat(rows)) as tf.Scalar;
  });
}

/** λ in a 0-based epoch of `epochs`: linear from 0 (the first epoch) towards lambdaMax. */
export function betaDecayLambda(epoch: number, epochs: number, lambdaMax: number): number {
  return (lambdaMax * epoch) / epochs;
}
