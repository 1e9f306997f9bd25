/**
 * The similarity autoencoder ([DDS-NAS] Sec. 3.2 and Table 1; [Poyser-thesis] Sec. 4.2.2.1): the
 * GANomaly encoder/decoder pair (Akçay et al. 2018), which is a DCGAN generator/discriminator pair, with NO skip
 * connections, written with tfjs-core ops and explicit variables (no tfjs-layers).
 *
 * Architecture, for an internal size S ∈ {32, 64} and base width w (ndf = ngf = w), K = log2(S / 4) stages:
 *   encoder  x[S,S,C] → conv4×4/2 (+bias) LeakyReLU(0.2)                       → [S/2, S/2, w]
 *                     → K−1 × { conv4×4/2 (no bias) BN LeakyReLU(0.2) }        → [4, 4, w·2^(K−1)]
 *                     → conv4×4 valid → z ∈ R^dim (a 4×4 valid conv on a 4×4 map IS a dense layer on the
 *                       flattened map, so it runs as one fused matmul with bias)
 *   decoder  z → convT4×4 valid 1×1 → 4×4 (again a dense layer: one matmul) BN ReLU    → [4, 4, w·2^(K−1)]
 *              → K−1 × { convT4×4/2 (no bias) BN ReLU }                          → [S/2, S/2, w]
 *              → convT4×4/2 (+bias) sigmoid                                      → [S, S, C] in [0, 1]
 * GANomaly ends in tanh on inputs scaled to [−1, 1]; we keep the data in [0, 1] (what `batchTensor` gives,
 * what the MSE compares) and end in sigmoid, the same function up to an affine map: tanh(a) = 2σ(2a) − 1.
 *
 * Input sizes 28..64: the network runs at S = 32 for inputs up to 40 px, at S = 64 above. Inputs smaller than
 * S are zero-PADDED (centred) and the output is cropped back: padding is exact (no resampling blur), costs one
 * pad and one slice, and for MNIST-like data the zero border is the background anyway. Inputs of 33..40 px are
 * RESIZED down to 32 with bilinear interpolation and the output resized back (padding them to 64 would cost
 * 4× the compute for ≤ 20 % more resolution). The reconstruction loss is always taken at the stored size.
 *
 * Batch norm: batch statistics in training mode, running averages in inference mode. The running mean and
 * variance are explicit non-trainable variables, updated in the forward pass of training mode (EMA with
 * `bnMomentum`, PyTorch convention, unbiased variance) outside the gradient; `momentum = null` switches to a
 * cumulative average, which `calibrateBatchNorm` (train.ts) uses to recompute exact population statistics
 * for the final weights ("precise BN"). The training-mode BN has a hand-written gradient (the classic
 * closed form dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂))): about 11 kernels instead of the ~25 that
 * tfjs-core's FusedBatchNorm gradient + the moments' gradients take.
 *
 * Initialisation (DCGAN): conv weights N(0, 0.02), BN γ ~ N(1, 0.02), β = 0, biases 0; drawn from a
 * mulberry32 stream seeded by `seed`, so the same seed gives the same network on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../nn/prng.js';

export interface AutoencoderConfig {
  /** Stored image side in pixels (square images), 28..64. */
  inputSize: number;
  channels: 1 | 3;
  /** Latent size N. */
  dim: number;
  seed: number;
  /** Base number of filters (ndf = ngf). Default 16 for 1 channel, 32 for 3. */
  width?: number;
}

export interface WeightEntry {
  data: Float32Array;
  shape: number[];
}
export type AutoencoderWeights = Record<string, WeightEntry>;

const LEAK = 0.2;
let nextId = 0;
const BN_EPS = 1e-5;

interface BnParams {
  gamma: tf.Variable;
  beta: tf.Variable;
  runMean: tf.Variable;
  runVar: tf.Variable;
}

function gaussian(rng: () => number, n: number, mean: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // Box–Muller, two normals per pair of uniforms
    const u1 = Math.max(rng(), 1e-12);
    const u2 = rng();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// 4×4 stride-2 'same' convolutions (pad 1 on each side) with gradients made of fast forward convolutions.
//
// On wasm, tfjs's Conv2DBackpropFilter (composed from 16 strided slices + a matmul) took 30–140 ms per call
// for these shapes and the native Conv2DBackpropInput 3–16 ms, while a forward Conv2D (XNNPACK) takes 0.3–2 ms.
// Both backprops are themselves forward convolutions:
// - dX (= conv2dTranspose): insert a zero after every row and column of dy (reshape to 6-D, pad, reshape),
//   pad by (k − 1 − 1, k − 1 − 1 − 1) = (2, 1), and correlate with the filter rotated by 180° and with its
//   in/out channels swapped: 2–5× faster, bit-identical.
// - dW: dW[kh, kw, ci, co] = Σ_{b, oy, ox} xpad[b, 2·oy + kh, 2·ox + kw, ci] · dy[b, oy, ox, co], i.e. a
//   stride-1 convolution of xpad viewed as [ci, H+2, W+2, b] with dy viewed as a [Ho, Wo, b, co] filter of
//   dilation 2: 25–30× faster (float32 rounding only).
// Measured on this 2-core machine, wasm backend, batch 8–16 (see the bench). Even sizes only (S = 32, 64).
// ---------------------------------------------------------------------------------------------------------

/** Forward: [B, H, W, Ci] * [4, 4, Ci, Co] → [B, H/2, W/2, Co]. */
function convS2(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return tf.conv2d(x, w, 2, 'same');
}

/** The gradient of convS2 w.r.t. its input (= conv2dTranspose of dy), at input shape [B, 2h, 2w, Ci]. */
function convS2Input(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const [b, h, wd, co] = dy.shape;
  const dil = tf.reshape(
    tf.pad(tf.reshape(dy, [b, h, 1, wd, 1, co]), [
      [0, 0],
      [0, 0],
      [0, 1],
      [0, 0],
      [0, 1],
      [0, 0],
    ]),
    [b, 2 * h, 2 * wd, co],
  ) as tf.Tensor4D;
  const padded = tf.pad(dil, [
    [0, 0],
    [2, 1],
    [2, 1],
    [0, 0],
  ]);
  const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(padded, wf, 1, 'valid');
}

/** The gradient of convS2 w.r.t. its [4, 4, Ci, Co] filter, given its input x and output gradient dy. */
function convS2Filter(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  const xt = tf.transpose(
    tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]),
    [3, 1, 2, 0],
  ) as tf.Tensor4D;
  const f = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  return tf.transpose(tf.conv2d(xt, f, 1, 'valid', 'NHWC', 2), [1, 2, 0, 3]);
}

/** An op of an input and a filter with its own gradients; customGrad keeps both for the backward pass. */
function withGradients(
  value: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
  gradients: (dy: tf.Tensor4D, x: tf.Tensor4D, w: tf.Tensor4D) => [tf.Tensor4D, tf.Tensor4D],
): (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: value(x, w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        return gradients(dy as tf.Tensor4D, xs, ws);
      },
    };
  }) as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
}

/** 4×4 stride-2 convolution, pad 1 (PyTorch `Conv2d(k=4, s=2, p=1)`), with fast gradients. */
export const conv4s2 = withGradients(convS2, (dy, x, w) => [convS2Input(dy, w), convS2Filter(x, dy)]);

/**
 * 4×4 stride-2 transposed convolution, pad 1 (PyTorch `ConvTranspose2d(k=4, s=2, p=1)`): [B, h, w, Ci] with
 * a [4, 4, Co, Ci] filter (tf.conv2dTranspose's layout) → [B, 2h, 2w, Co], with fast gradients.
 */
export const convT4s2 = withGradients(convS2Input, (g, h, w) => [convS2(g, w), convS2Filter(g, h)]);

/** The internal size the network runs at, and how the stored size gets there. */
export function internalGeometry(inputSize: number): { size: 32 | 64; mode: 'same' | 'pad' | 'resize' } {
  if (!Number.isInteger(inputSize) || inputSize < 28 || inputSize > 64) {
    throw new Error(
      `The autoencoder takes images of 28 to 64 pixels, got ${inputSize}. Import the dataset at a size in that range.`,
    );
  }
  const size = inputSize <= 40 ? 32 : 64;
  return { size, mode: inputSize === size ? 'same' : inputSize < size ? 'pad' : 'resize' };
}

export class Autoencoder {
  readonly inputSize: number;
  readonly channels: 1 | 3;
  readonly dim: number;
  readonly width: number;
  readonly seed: number;
  readonly size: 32 | 64;
  readonly mode: 'same' | 'pad' | 'resize';
  /** EMA momentum of the BN running statistics; null = cumulative average (see calibrateBatchNorm). */
  bnMomentum: number | null = 0.1;
  /** Whether training-mode forward passes update the running statistics. */
  trackRunningStats = true;
  private bnSeen = 0;

  private readonly vars = new Map<string, tf.Variable>();
  private readonly trainable: tf.Variable[] = [];
  private readonly encConvs: Array<{ w: tf.Variable; b?: tf.Variable; bn?: BnParams }> = [];
  private readonly decConvs: Array<{ w: tf.Variable; b?: tf.Variable; bn?: BnParams }> = [];
  private readonly encOut: { w: tf.Variable; b: tf.Variable };
  private readonly decIn: { w: tf.Variable; bn: BnParams };
  private readonly stages: number;
  private disposed = false;

  constructor(config: AutoencoderConfig) {
    const { inputSize, channels, dim, seed } = config;
    if (channels !== 1 && channels !== 3)
      throw new Error(`The autoencoder takes 1 or 3 channels, got ${String(channels)}.`);
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`Latent size must be a positive integer, got ${dim}.`);
    const geo = internalGeometry(inputSize);
    this.inputSize = inputSize;
    this.channels = channels;
    this.dim = dim;
    this.seed = seed;
    this.size = geo.size;
    this.mode = geo.mode;
    this.width = config.width ?? (channels === 1 ? 16 : 32);
    const w = this.width;
    this.stages = Math.log2(this.size / 4);
    const rng = mulberry32(seed);

    // Encoder: stage i maps channels cin -> w·2^i.
    let cin: number = channels;
    for (let i = 0; i < this.stages; i++) {
      const cout = w * 2 ** i;
      const layer: { w: tf.Variable; b?: tf.Variable; bn?: BnParams } = {
        w: this.param(`enc.${i}.w`, [4, 4, cin, cout], rng, 0.02),
      };
      if (i === 0) layer.b = this.zeros(`enc.${i}.b`, [cout], true);
      else layer.bn = this.bn(`enc.${i}.bn`, cout, rng);
      this.encConvs.push(layer);
      cin = cout;
    }
    this.encOut = { w: this.param('enc.out.w', [16 * cin, dim], rng, 0.02), b: this.zeros('enc.out.b', [dim], true) };

    // Decoder: mirror image.
    const top = w * 2 ** (this.stages - 1);
    this.decIn = { w: this.param('dec.in.w', [dim, 16 * top], rng, 0.02), bn: this.bn('dec.in.bn', top, rng) };
    cin = top;
    for (let i = this.stages - 2; i >= 0; i--) {
      const cout = w * 2 ** i;
      // conv2dTranspose filters are [fh, fw, outChannels, inChannels]
      this.decConvs.push({
        w: this.param(`dec.${i + 1}.w`, [4, 4, cout, cin], rng, 0.02),
        bn: this.bn(`dec.${i + 1}.bn`, cout, rng),
      });
      cin = cout;
    }
    this.decConvs.push({
      w: this.param('dec.0.w', [4, 4, channels, cin], rng, 0.02),
      b: this.zeros('dec.0.b', [channels], true),
    });
  }

  private register(name: string, t: tf.Tensor, trainable: boolean): tf.Variable {
    const v = tf.variable(t, trainable, `ae${nextId++}/${name}`);
    t.dispose();
    this.vars.set(name, v);
    if (trainable) this.trainable.push(v);
    return v;
  }
  private param(name: string, shape: number[], rng: () => number, std: number, mean = 0): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.register(name, tf.tensor(gaussian(rng, n, mean, std), shape, 'float32'), true);
  }
  private zeros(name: string, shape: number[], trainable: boolean): tf.Variable {
    return this.register(name, tf.zeros(shape, 'float32'), trainable);
  }
  private bn(name: string, c: number, rng: () => number): BnParams {
    return {
      gamma: this.param(`${name}.gamma`, [c], rng, 0.02, 1),
      beta: this.zeros(`${name}.beta`, [c], true),
      runMean: this.zeros(`${name}.mean`, [c], false),
      runVar: this.register(`${name}.var`, tf.ones([c], 'float32'), false),
    };
  }

  /** Resets the running statistics (mean 0, variance 1) and the cumulative-average counter. */
  resetBatchNormStats(): void {
    this.bnSeen = 0;
    tf.tidy(() => {
      for (const [name, v] of this.vars) {
        if (name.endsWith('.bn.mean')) v.assign(tf.zerosLike(v));
        else if (name.endsWith('.bn.var')) v.assign(tf.onesLike(v));
      }
    });
  }

  private batchNorm(x: tf.Tensor4D, p: BnParams, training: boolean): tf.Tensor4D {
    if (!training) return tf.batchNorm(x, p.runMean, p.runVar, p.beta, p.gamma, BN_EPS) as tf.Tensor4D;
    let stats: [tf.Tensor1D, tf.Tensor1D] | null = null;
    const track = this.trackRunningStats;
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [xv, gamma, beta, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
      const { mean, variance } = tf.moments(xv, [0, 1, 2]);
      const rstd = tf.rsqrt(tf.add(variance, BN_EPS));
      save([xv, mean, rstd, gamma]);
      if (track) stats = [tf.keep(mean as tf.Tensor1D), tf.keep(variance as tf.Tensor1D)];
      return {
        value: tf.batchNorm(xv, mean, variance, beta, gamma, BN_EPS) as tf.Tensor4D,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, m, r, g] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          const n = xs.shape[0] * xs.shape[1] * xs.shape[2];
          const xhat = tf.mul(tf.sub(xs, m), r);
          const dbeta = tf.sum(dy, [0, 1, 2]);
          const dgamma = tf.sum(tf.mul(dy, xhat), [0, 1, 2]);
          const inner = tf.sub(tf.sub(dy, tf.mul(dbeta, 1 / n)), tf.mul(xhat, tf.mul(dgamma, 1 / n)));
          const dx = tf.mul(inner, tf.mul(g, r));
          return [dx, dgamma, dbeta];
        },
      };
    });
    const y = op(x, p.gamma, p.beta) as tf.Tensor4D;
    if (stats) {
      const [mean, variance] = stats as [tf.Tensor1D, tf.Tensor1D];
      const n = x.shape[0] * x.shape[1] * x.shape[2];
      tf.tidy(() => {
        const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
        const m = this.bnMomentum ?? 1 / (this.bnSeen + 1);
        p.runMean.assign(tf.add(p.runMean, tf.mul(tf.sub(mean, p.runMean), m)));
        p.runVar.assign(tf.add(p.runVar, tf.mul(tf.sub(unbiased, p.runVar), m)));
      });
      mean.dispose();
      variance.dispose();
    }
    return y;
  }

  /** With `bnMomentum = null`: call after each training-mode forward batch, so the next one weighs 1/(k+1). */
  countBatch(): void {
    this.bnSeen++;
  }

  private toInternal(x: tf.Tensor4D): tf.Tensor4D {
    if (this.mode === 'same') return x;
    if (this.mode === 'resize') return tf.image.resizeBilinear(x, [this.size, this.size], false, true);
    const lo = Math.floor((this.size - this.inputSize) / 2);
    const hi = this.size - this.inputSize - lo;
    return tf.pad(x, [
      [0, 0],
      [lo, hi],
      [lo, hi],
      [0, 0],
    ]);
  }

  private fromInternal(y: tf.Tensor4D): tf.Tensor4D {
    if (this.mode === 'same') return y;
    if (this.mode === 'resize') return tf.image.resizeBilinear(y, [this.inputSize, this.inputSize], false, true);
    const lo = Math.floor((this.size - this.inputSize) / 2);
    return tf.slice(y, [0, lo, lo, 0], [y.shape[0], this.inputSize, this.inputSize, this.channels]);
  }

  /** x: [B, inputSize, inputSize, channels] in [0, 1] → z: [B, dim]. */
  encode(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    this.assertAlive();
    if (x.shape[1] !== this.inputSize || x.shape[2] !== this.inputSize || x.shape[3] !== this.channels) {
      throw new Error(
        `Autoencoder expects [B, ${this.inputSize}, ${this.inputSize}, ${this.channels}] images, got [${x.shape.join(', ')}].`,
      );
    }
    let h = this.toInternal(x);
    for (const layer of this.encConvs) {
      h = conv4s2(h, layer.w as tf.Tensor4D);
      h = layer.b ? tf.add(h, layer.b) : this.batchNorm(h, layer.bn!, training);
      h = tf.leakyRelu(h, LEAK);
    }
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
    return tf.fused.matMul({ a: flat, b: this.encOut.w as tf.Tensor2D, bias: this.encOut.b }) as tf.Tensor2D;
  }

  /** z: [B, dim] → reconstructions [B, inputSize, inputSize, channels] in [0, 1]. */
  decode(z: tf.Tensor2D, training: boolean): tf.Tensor4D {
    this.assertAlive();
    const b = z.shape[0];
    const top = this.width * 2 ** (this.stages - 1);
    let h = tf.reshape(tf.matMul(z, this.decIn.w as tf.Tensor2D), [b, 4, 4, top]) as tf.Tensor4D;
    h = tf.relu(this.batchNorm(h, this.decIn.bn, training));
    for (const layer of this.decConvs) {
      h = convT4s2(h, layer.w as tf.Tensor4D);
      if (layer.bn) h = tf.relu(this.batchNorm(h, layer.bn, training));
      else h = tf.sigmoid(tf.add(h, layer.b!));
    }
    return this.fromInternal(h);
  }

  /** The variables the optimiser updates (BN running statistics excluded). */
  trainableVariables(): tf.Variable[] {
    return [...this.trainable];
  }

  /** Every variable (trainable and BN running statistics) as plain arrays, keyed by a stable name. */
  getWeights(): AutoencoderWeights {
    this.assertAlive();
    const out: AutoencoderWeights = {};
    for (const [name, v] of this.vars) out[name] = { data: v.dataSync().slice() as Float32Array, shape: [...v.shape] };
    return out;
  }

  setWeights(weights: AutoencoderWeights): void {
    this.assertAlive();
    for (const [name, v] of this.vars) {
      const w = weights[name];
      if (!w)
        throw new Error(
          `The saved autoencoder has no weight "${name}": it was saved by another architecture. Train it again.`,
        );
      if (w.shape.length !== v.shape.length || w.shape.some((s, i) => s !== v.shape[i]) || w.data.length !== v.size) {
        throw new Error(
          `The saved weight "${name}" has shape [${w.shape.join(', ')}], expected [${v.shape.join(', ')}]: train the autoencoder again.`,
        );
      }
    }
    for (const [name, v] of this.vars) tf.tidy(() => v.assign(tf.tensor(weights[name]!.data, v.shape, 'float32')));
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.trainable.reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('This autoencoder has been disposed.');
  }
}
