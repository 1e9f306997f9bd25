/**
 * Training-mode batch normalisation for the supernets, with hand-written gradients, built from the kernels the
 * wasm backend runs fastest (measured on [32, 28, 28, 16], test/bench/supernet-step.ts --profile):
 * - per-channel means as one whole-image average pool (0.22 ms; tf.mean over the outer axes transposes first: 1 ms);
 * - per-channel scale and shift as a 1x1 depthwise convolution with bias (0.17 ms; tf.batchNorm: 4.4 ms,
 *   broadcasting mul / add: 0.5 ms each).
 *
 * - `batchNormTrain`: BN over the batch and spatial axes (NHWC), optionally affine (gamma, beta).
 * - `weightedBnSum`: Σ_p w_p · BN(Y_p) — a DARTS mixed node's "weighted sum of BN(op(x))" over all its incoming
 *   operations, as one op whose backward pass costs a few passes per part.
 *
 * On the native backend both are TensorFlow's fused batch norm instead (native-bn.ts): one kernel call each way.
 *
 * Running statistics are not tracked: a search evaluates in training mode (the α step's forward pass gives the
 * validation loss), as DARTS' architect does.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBackend } from '../backend/tensorflow-kernels.js';
import { nativeBatchNormTrain } from './native-bn.js';

export const BN_EPS = 1e-5;

/**
 * Per-channel mean of an NHWC tensor as [1, 1, 1, C]: one average pool over the whole image ([B, H, W, C] viewed as
 * [1, B·H, W, C], one window). XNNPACK's pooling takes 0.22 ms on [32, 28, 28, 16], where a [1, N] x [N, C] product
 * costs 2.3 ms (it re-packs the activation as weights every call) and tf.mean over the outer axes 1 ms (it
 * transposes first).
 */
function poolMean(x: tf.Tensor4D): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  return tf.avgPool(tf.reshape(x, [1, B * H, W, C]) as tf.Tensor4D, [B * H, W], 1, 'valid');
}

/** Per-channel mean over batch, height and width: [C]. */
export function channelMean(x: tf.Tensor4D): tf.Tensor1D {
  return tf.reshape(poolMean(x), [x.shape[3]]);
}

/**
 * x · scale + shift per channel (shift optional, rank 1), as a 1x1 depthwise convolution. Used inside custom
 * gradients only (its own gradient would go through the slow depthwise backprops).
 */
export function scaleShift(x: tf.Tensor4D, scale: tf.Tensor, shift?: tf.Tensor): tf.Tensor4D {
  const C = x.shape[3];
  const filter = tf.reshape(scale, [1, 1, C, 1]) as tf.Tensor4D;
  return shift
    ? tf.fused.depthwiseConv2d({ x, filter, strides: 1, pad: 'valid', bias: shift })
    : tf.depthwiseConv2d(x, filter, 1, 'valid');
}

/**
 * Mean and variance per channel, in two pooling passes: μ, then the mean of (x − μ)². (E[x²] − μ² would save the
 * subtraction but loses float32 precision when a channel's mean is large against its spread.) Both [1, 1, 1, C].
 */
function moments(x: tf.Tensor4D): { mean: tf.Tensor4D; variance: tf.Tensor4D } {
  const mean = poolMean(x);
  return { mean, variance: poolMean(tf.square(tf.sub(x, mean)) as tf.Tensor4D) };
}

/**
 * y = (x − μ) / √(σ² + ε) · gamma + beta, μ and σ² over [N, H, W]. gamma / beta: both or neither.
 * Gradient (x̂ = (x − μ) r, s = r·gamma, E = mean over N): dbeta = N·E[dy], dgamma = N·r·(E[dy·x] − μ·E[dy]),
 * dx = s·(dy − E[dy] − x̂·dgamma/N) = dy·s + x·k + c with k = −s·r·dgamma/N, c = −s·E[dy] − k·μ.
 */
export function batchNormTrain(x: tf.Tensor4D, gamma?: tf.Tensor1D, beta?: tf.Tensor1D): tf.Tensor4D {
  const native = nativeBackend();
  if (native) return nativeBatchNormTrain(native, BN_EPS, x, gamma, beta);
  const affine = gamma !== undefined && beta !== undefined;
  const C = x.shape[3];
  const n = x.size / C;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xv = args[0] as tf.Tensor4D;
    const g = affine ? (args[1] as tf.Tensor1D) : undefined;
    const b = affine ? (args[2] as tf.Tensor1D) : undefined;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const st = moments(xv);
    const mean = tf.reshape(st.mean, [C]) as tf.Tensor1D;
    const rstd = tf.rsqrt(tf.add(tf.reshape(st.variance, [C]), BN_EPS)) as tf.Tensor1D;
    const scale: tf.Tensor1D = g ? tf.mul(rstd, g) : rstd;
    const shift = tf.sub(b ?? 0, tf.mul(mean, scale)) as tf.Tensor1D;
    save([xv, mean, rstd, scale]);
    return {
      value: scaleShift(xv, scale, shift),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, m, r, s] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const g4 = dy as tf.Tensor4D;
        const gMean = channelMean(g4);
        const dgammaN = tf.mul(r, tf.sub(channelMean(tf.mul(g4, xs) as tf.Tensor4D), tf.mul(m, gMean))); // dgamma / N
        const k = tf.neg(tf.mul(tf.mul(s, r), dgammaN));
        const c = tf.sub(tf.neg(tf.mul(s, gMean)), tf.mul(k, m));
        const dx = tf.add(scaleShift(g4, s, c), scaleShift(xs, k));
        return affine ? [dx, tf.mul(dgammaN, n), tf.mul(gMean, n)] : [dx];
      },
    };
  });
  return (affine ? op(x, gamma, beta) : op(x)) as tf.Tensor4D;
}

/**
 * out = Σ_p w_p · BN(Y_p) for same-shaped NHWC parts Y_p and weights w ([P]), BN per part and channel (DARTS'
 * affine=False BN after each operation of a mixed edge). The per-part statistics are gathered into [P, C] matrices
 * so the small arithmetic on them costs a few kernel calls per node, not per part (a DARTS step has ~850 parts).
 *
 * Forward, with a_p = w_p r_p: out = Σ_p Y_p · a_p − Σ_p a_p μ_p.
 * Gradient (G = dL/dout, E = mean over the N = B·H·W positions, Q_p = E[G·x̂_p] = r_p (E[G·Y_p] − μ_p E[G])):
 *   dw_p = N Σ_c Q_p
 *   dY_p = G · a_p + Y_p · k_p + c_p,  k_p = −r_p a_p Q_p,  c_p = −a_p E[G] − k_p μ_p.
 */
export function weightedBnSum(parts: readonly tf.Tensor4D[], w: tf.Tensor1D): tf.Tensor4D {
  const P = parts.length;
  if (w.shape[0] !== P) throw new Error(`weightedBnSum: ${P} parts but ${w.shape[0]} weights.`);
  const native = nativeBackend();
  if (native) {
    // the parts side by side along channels: one fused BN normalises each part's channels on their own
    const [B, H, W, C] = parts[0]!.shape;
    const normed = nativeBatchNormTrain(native, BN_EPS, tf.concat(parts as tf.Tensor4D[], 3));
    return tf.sum(tf.mul(tf.reshape(normed, [B, H, W, P, C]), tf.reshape(w, [P, 1])), 3) as tf.Tensor4D;
  }
  const first = parts[0]!;
  const C = first.shape[3];
  const n = first.size / C;
  const rows = (m: tf.Tensor): tf.Tensor[] => tf.unstack(m);
  // bias rows as slices of the flattened matrix: wasm's FusedDepthwiseConv2D reads the bias's rank from the data it
  // was created with, so an unstacked or reshaped [1, C] row (which shares that data) is refused as rank 2
  const biasRows = (m: tf.Tensor): tf.Tensor[] => {
    const flat = tf.reshape(m, [P * C]);
    return Array.from({ length: P }, (_, p) => tf.slice(flat, p * C, C));
  };
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const ys = args.slice(0, P) as tf.Tensor4D[];
    const wv = args[P] as tf.Tensor1D;
    const save = args[P + 1] as tf.GradSaveFunc;
    const st = ys.map(moments);
    const mu = tf.reshape(
      tf.concat(
        st.map((s) => s.mean),
        0,
      ),
      [P, C],
    );
    const r = tf.rsqrt(
      tf.add(
        tf.reshape(
          tf.concat(
            st.map((s) => s.variance),
            0,
          ),
          [P, C],
        ),
        BN_EPS,
      ),
    );
    const a = tf.mul(r, tf.reshape(wv, [P, 1]));
    const shift = tf.neg(tf.sum(tf.mul(a, mu), 0));
    const aRows = rows(a);
    const out = tf.addN(ys.map((y, p) => scaleShift(y, aRows[p]!, p === 0 ? shift : undefined))) as tf.Tensor4D;
    save([...ys, mu, r, a]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const G = dy as tf.Tensor4D;
        const y = saved.slice(0, P) as tf.Tensor4D[];
        const [m, rs, as] = saved.slice(P) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const gMean = tf.reshape(poolMean(G), [1, C]);
        const eGY = tf.reshape(
          tf.concat(
            y.map((yp) => poolMean(tf.mul(G, yp) as tf.Tensor4D)),
            0,
          ),
          [P, C],
        );
        const Q = tf.mul(rs, tf.sub(eGY, tf.mul(m, gMean)));
        const k = tf.neg(tf.mul(tf.mul(rs, as), Q));
        const c = tf.sub(tf.neg(tf.mul(as, gMean)), tf.mul(k, m));
        const [aR, kR, cR] = [rows(as), rows(k), biasRows(c)];
        const dys = y.map((yp, p) => tf.add(scaleShift(G, aR[p]!, cR[p]!), scaleShift(yp, kR[p]!)));
        return [...dys, tf.mul(tf.sum(Q, 1), n)];
      },
    };
  });
  return op(...parts, w) as tf.Tensor4D;
}
