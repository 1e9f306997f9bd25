/**
 * Training-mode batch normalisation for the supernets, with hand-written gradients, built from the kernels the
 * wasm backend runs fastest (measured on [32, 28, 28, 16], test/bench/supernet-step.ts --profile):
 * - per-channel sums as one whole-image average pool (0.22 ms; tf.sum over the outer axes transposes first: 1 ms);
 * - per-channel scale and shift as a 1x1 depthwise convolution with bias (0.17 ms; tf.batchNorm: 4.4 ms,
 *   broadcasting mul / add: 0.5 ms each).
 *
 * - `batchNormTrain`: BN over the batch and spatial axes (NHWC), optionally affine (gamma, beta).
 * - `weightedBnSum`: Σ_p w_p · BN(Y_p) — a DARTS mixed node's "weighted sum of BN(op(x))" over all its incoming
 *   operations, as one op whose backward pass costs a few passes per part.
 *
 * Running statistics are not tracked: a search evaluates in training mode (the α step's forward pass gives the
 * validation loss), as DARTS' architect does.
 */
import * as tf from '@tensorflow/tfjs';

export const BN_EPS = 1e-5;

/**
 * Σ over batch, height and width of an NHWC tensor: [C]. Computed as one average pool over the whole image
 * ([B, H, W, C] viewed as [1, B·H, W, C], one window) times the count: XNNPACK's pooling takes 0.22 ms on
 * [32, 28, 28, 16], where a [1, N] x [N, C] product costs 2.3 ms (it re-packs the activation as weights every call)
 * and tf.sum over the outer axes 1 ms (it transposes first).
 */
export function channelSum(x: tf.Tensor4D): tf.Tensor1D {
  const [B, H, W, C] = x.shape;
  const pooled = tf.avgPool(tf.reshape(x, [1, B * H, W, C]) as tf.Tensor4D, [B * H, W], 1, 'valid');
  return tf.reshape(tf.mul(pooled, B * H * W), [C]);
}

/** x · scale + shift per channel (shift optional), as a 1x1 depthwise convolution. Not differentiable: forward use. */
export function scaleShift(x: tf.Tensor4D, scale: tf.Tensor1D, shift?: tf.Tensor1D): tf.Tensor4D {
  const C = x.shape[3];
  const filter = tf.reshape(scale, [1, 1, C, 1]) as tf.Tensor4D;
  return shift ? tf.fused.depthwiseConv2d({ x, filter, strides: 1, pad: 'valid', bias: shift }) : tf.depthwiseConv2d(x, filter, 1, 'valid');
}

/**
 * Mean and 1/√(var + ε) per channel, in two pooling passes: μ, then the mean of (x − μ)². (E[x²] − μ² would save
 * the subtraction but loses float32 precision when a channel's mean is large against its spread.)
 */
function stats(x: tf.Tensor4D): { mean: tf.Tensor1D; rstd: tf.Tensor1D } {
  const n = x.size / x.shape[3];
  const mean = tf.div(channelSum(x), n) as tf.Tensor1D;
  const variance = tf.div(channelSum(tf.square(tf.sub(x, mean)) as tf.Tensor4D), n);
  return { mean, rstd: tf.rsqrt(tf.add(variance, BN_EPS)) as tf.Tensor1D };
}

/**
 * y = (x − μ) / √(σ² + ε) · gamma + beta, μ and σ² over [N, H, W]. gamma / beta: both or neither.
 * Gradient (x̂ = (x − μ) r, s = r·gamma): dgamma = Σ dy·x̂, dbeta = Σ dy,
 * dx = s·(dy − dbeta/n − x̂·dgamma/n) = dy·s + x·(−s·r·dgamma/n) + (−s·dbeta/n + s·r·μ·dgamma/n).
 */
export function batchNormTrain(x: tf.Tensor4D, gamma?: tf.Tensor1D, beta?: tf.Tensor1D): tf.Tensor4D {
  const affine = gamma !== undefined && beta !== undefined;
  const n = x.size / x.shape[3];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xv = args[0] as tf.Tensor4D;
    const g = affine ? (args[1] as tf.Tensor1D) : undefined;
    const b = affine ? (args[2] as tf.Tensor1D) : undefined;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { mean, rstd } = stats(xv);
    const scale: tf.Tensor1D = g ? tf.mul(rstd, g) : rstd;
    const shift = tf.sub(b ?? 0, tf.mul(mean, scale)) as tf.Tensor1D;
    save([xv, mean, rstd, scale]);
    return {
      value: scaleShift(xv, scale, shift),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, m, r, s] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const g4 = dy as tf.Tensor4D;
        const dbeta = channelSum(g4);
        const dgamma = tf.mul(r, tf.sub(channelSum(tf.mul(g4, xs)), tf.mul(m, dbeta))) as tf.Tensor1D;
        const k = tf.mul(tf.mul(s, r), tf.div(dgamma, -n)) as tf.Tensor1D; // coefficient of x
        const c = tf.sub(tf.mul(s, tf.div(dbeta, -n)), tf.mul(k, m)) as tf.Tensor1D;
        const dx = tf.add(scaleShift(g4, s, c), scaleShift(xs, k));
        return affine ? [dx, dgamma, dbeta] : [dx];
      },
    };
  });
  return (affine ? op(x, gamma, beta) : op(x)) as tf.Tensor4D;
}

/**
 * out = Σ_p w_p · BN(Y_p) for same-shaped NHWC parts Y_p and weights w ([P]), BN per part and channel (DARTS'
 * affine=False BN after each operation of a mixed edge).
 *
 * Forward, with a_p = w_p r_p: out = Σ_p Y_p · a_p − Σ_p a_p μ_p.
 * Gradient (G = dL/dout, N = B·H·W, Ḡ = Σ_n G / N, P_p = Σ_n G · x̂_p = r_p (Σ_n G·Y_p − μ_p Σ_n G)):
 *   dw_p = Σ_c P_p
 *   dY_p = G · a_p + Y_p · k_p + c_p,  k_p = −r_p a_p P_p / N,  c_p = −a_p Ḡ − k_p μ_p.
 */
export function weightedBnSum(parts: readonly tf.Tensor4D[], w: tf.Tensor1D): tf.Tensor4D {
  const P = parts.length;
  if (w.shape[0] !== P) throw new Error(`weightedBnSum: ${P} parts but ${w.shape[0]} weights.`);
  const first = parts[0]!;
  const n = first.size / first.shape[3];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const ys = args.slice(0, P) as tf.Tensor4D[];
    const wv = args[P] as tf.Tensor1D;
    const save = args[P + 1] as tf.GradSaveFunc;
    const ws = tf.split(wv, P);
    const st = ys.map(stats);
    const a = st.map((s, p) => tf.mul(s.rstd, ws[p]!) as tf.Tensor1D);
    const shift = tf.neg(tf.addN(a.map((ap, p) => tf.mul(ap, st[p]!.mean)))) as tf.Tensor1D;
    const out = tf.addN(ys.map((y, p) => scaleShift(y, a[p]!, p === 0 ? shift : undefined))) as tf.Tensor4D;
    save([...ys, ...st.map((s) => s.mean), ...st.map((s) => s.rstd), ...a]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const G = dy as tf.Tensor4D;
        const y = saved.slice(0, P) as tf.Tensor4D[];
        const mu = saved.slice(P, 2 * P) as tf.Tensor1D[];
        const r = saved.slice(2 * P, 3 * P) as tf.Tensor1D[];
        const ap = saved.slice(3 * P) as tf.Tensor1D[];
        const sumG = channelSum(G);
        const gMean = tf.div(sumG, n);
        const dws: tf.Tensor[] = [];
        const dys = y.map((yp, p) => {
          const Pp = tf.mul(r[p]!, tf.sub(channelSum(tf.mul(G, yp)), tf.mul(mu[p]!, sumG)));
          dws.push(tf.sum(Pp, 0, true));
          const k = tf.mul(tf.mul(r[p]!, ap[p]!), tf.div(Pp, -n)) as tf.Tensor1D;
          const c = tf.sub(tf.neg(tf.mul(ap[p]!, gMean)), tf.mul(k, mu[p]!)) as tf.Tensor1D;
          return tf.add(scaleShift(G, ap[p]!, c), scaleShift(yp, k));
        });
        return [...dys, tf.concat(dws)];
      },
    };
  });
  return op(...parts, w) as tf.Tensor4D;
}
