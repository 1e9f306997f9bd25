/**
 * Training-mode batch normalisation for the supernets, with hand-written gradients so that backprop costs a few
 * full passes instead of the dozen tfjs-core's autodiff of moments + batchNorm would record.
 *
 * - `batchNormTrain`: BN over the batch and spatial axes (NHWC), optionally affine (gamma, beta).
 * - `weightedBnSum`: Σ_k w_k · BN(Y_k) for K same-shaped tensors concatenated along channels — a DARTS mixed
 *   node's "weighted sum of BN(op(x))" in one op. Per-channel BN statistics do not care how channels are grouped,
 *   so one BN over the concatenation equals K separate BNs (DARTS' affine=False BN after each operation).
 *
 * Running statistics are not tracked: a search evaluates in training mode (the α step's forward pass gives the
 * validation loss), as DARTS' architect does.
 */
import * as tf from '@tensorflow/tfjs';

export const BN_EPS = 1e-5;

/**
 * y = (x − μ) / √(σ² + ε) · gamma + beta, μ and σ² over [N, H, W]. gamma / beta: both or neither.
 * Gradient: dx = r·gamma·(dy − mean(dy) − x̂·mean(dy·x̂)); dgamma = Σ dy·x̂; dbeta = Σ dy.
 */
export function batchNormTrain(x: tf.Tensor4D, gamma?: tf.Tensor1D, beta?: tf.Tensor1D): tf.Tensor4D {
  const affine = gamma !== undefined && beta !== undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xv = args[0] as tf.Tensor4D;
    const g = affine ? (args[1] as tf.Tensor1D) : undefined;
    const b = affine ? (args[2] as tf.Tensor1D) : undefined;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { mean, variance } = tf.moments(xv, [0, 1, 2]);
    const rstd = tf.rsqrt(tf.add(variance, BN_EPS));
    const y = tf.batchNorm(xv, mean, variance, b, g, BN_EPS) as tf.Tensor4D;
    save(g ? [xv, mean, rstd, g] : [xv, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, m, r, gs] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D | undefined];
        const n = xs.shape[0] * xs.shape[1] * xs.shape[2];
        const xhat = tf.mul(tf.sub(xs, m), r);
        const dbeta = tf.sum(dy, [0, 1, 2]);
        const dgamma = tf.sum(tf.mul(dy, xhat), [0, 1, 2]);
        // dx = r·gamma·dy − r·gamma·(dbeta + x̂·dgamma)/n, as one per-channel scale and shift of dy and x̂
        const scale = gs ? tf.mul(r, gs) : r;
        const dx = tf.sub(tf.mul(dy, scale), tf.add(tf.mul(xhat, tf.mul(scale, tf.div(dgamma, n))), tf.mul(scale, tf.div(dbeta, n))));
        return gs ? [dx, dgamma, dbeta] : [dx];
      },
    };
  });
  return (affine ? op(x, gamma, beta) : op(x)) as tf.Tensor4D;
}

/**
 * out[n, c] = Σ_k w_k · x̂[n, k, c], x̂ = BN(y) per channel, for y = concat(Y_1..Y_K) along channels ([B, H, W, K·C])
 * and w of shape [K]. Returns [B, H, W, C].
 *
 * Forward: moments of y, then out = Σ_k y_k · (w_k r_k) − Σ_k w_k μ_k r_k (one scale, one sum over K, one shift).
 * Gradient (G = dL/dout, N = B·H·W, P[k, c] = Σ_n G[n, c] · x̂[n, k, c]):
 *   dw_k = Σ_c P[k, c]
 *   dy[n, k, c] = r w_k (G[n, c] − Ḡ[c]) − r w_k x̂[n, k, c] P[k, c] / N
 */
export function weightedBnSum(y: tf.Tensor4D, w: tf.Tensor1D): tf.Tensor4D {
  const [B, H, W, KC] = y.shape;
  const K = w.shape[0];
  if (KC % K !== 0) throw new Error(`weightedBnSum: ${KC} channels do not split into ${K} equal groups.`);
  const C = KC / K;
  const N = B * H * W;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [yv, wv, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const { mean, variance } = tf.moments(yv, [0, 1, 2]);
    const r = tf.reshape(tf.rsqrt(tf.add(variance, BN_EPS)), [K, C]);
    const mu = tf.reshape(mean, [K, C]);
    const wr = tf.mul(r, tf.reshape(wv, [K, 1])); // [K, C]
    const shift = tf.sum(tf.mul(wr, mu), 0); // [C]
    const scaled = tf.mul(tf.reshape(yv, [N, K, C]), wr);
    const out = tf.reshape(tf.sub(tf.sum(scaled, 1), shift), [B, H, W, C]);
    save([yv, mu, r, wv]);
    return {
      value: out as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ys, m, rs, ws] = saved as [tf.Tensor4D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const g2 = tf.reshape(dy, [N, C]);
        const gMean = tf.mean(g2, 0, true); // [1, C]
        // G repeated over K: wasm's binary kernels read out of bounds when both operands broadcast ([N,1,C]·[K,C])
        const G = tf.tile(tf.reshape(g2, [N, 1, C]), [1, K, 1]);
        const y3 = tf.reshape(ys, [N, K, C]);
        // P = r · (Σ_n G·y − μ · Σ_n G)
        const sumGY = tf.sum(tf.mul(y3, G), 0); // [K, C]
        const P = tf.mul(rs, tf.sub(sumGY, tf.mul(m, tf.mul(gMean, N))));
        const dw = tf.sum(P, 1); // [K]
        const rw = tf.mul(rs, tf.reshape(ws, [K, 1])); // [K, C]
        // dy = G·(r w) + y·a + b with a = −r² w P / N and b = −r w Ḡ − a μ
        const a = tf.mul(tf.mul(rw, rs), tf.div(P, -N));
        const b = tf.sub(tf.neg(tf.mul(rw, gMean)), tf.mul(a, m));
        const dyv = tf.add(tf.add(tf.mul(G, rw), tf.mul(y3, a)), b);
        return [tf.reshape(dyv, [B, H, W, KC]), dw];
      },
    };
  });
  return op(y, w) as tf.Tensor4D;
}
