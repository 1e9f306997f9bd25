/**
 * Building a network twice from one description: once as the training graph (with DropPath layers and the
 * auxiliary head) and once as the inference graph (standard layers only). Layers are created on first use, by
 * name, and the second pass applies the same layer objects to its own input — tfjs-layers' shared layers, as in
 * Keras — so both graphs hold the same weights and a training step is visible to the inference model at once.
 *
 * Names are the layers' identity: the same spec and input give the same names (checkpoints restore by name), and
 * every layer's initializer seed is derived from (network seed, layer name), so the same seed gives the same
 * weights and no two layers draw the same values.
 *
 * The blocks follow PyTorch, the reference code being PyTorch (DARTS, NAS-Bench-201):
 * - Initialisation is PyTorch's default for Conv2d and Linear (kaiming_uniform with a = √5, i.e.
 *   U(−1/√fanIn, 1/√fanIn), fanIn = input channels per group × kernel area; Linear biases likewise). tfjs'
 *   VarianceScaling would count all channels as a depthwise kernel's fan-in, so the bounds are computed here.
 * - BatchNorm is affine with PyTorch's defaults: momentum 0.1 (Keras convention: 0.9) and epsilon 1e-5; its
 *   training-mode pass is batch-norm.ts's (leaner than tfjs-layers', same class in model.json).
 * - Convolutions have no bias and PyTorch's symmetric zero padding. TF's 'same' is that padding exactly for stride
 *   1 with an odd (effective) kernel, so those use 'same' (no separate pad kernel); strided ones use an explicit
 *   ZeroPadding2D and 'valid', because 'same' with stride 2 pads only bottom/right on even inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../nn/prng.js';
import { LeanBatchNormalization } from './batch-norm.js';
import { DropPath, type DropPathState } from './drop-path.js';

export type Sym = tf.SymbolicTensor;
type Pair = [number, number];

/** The settings a convolution layer and a separable one share: PyTorch's bias=False, stride, dilation. */
function convolution(name: string, o: ConvOptions, padding: 'same' | 'valid') {
  return {
    name,
    filters: o.filters,
    kernelSize: o.kernel,
    strides: o.stride ?? 1,
    dilationRate: o.dilation ?? 1,
    padding,
    useBias: false,
  };
}

/** 'train' creates the layers (and adds DropPath / auxiliary layers); 'inference' reuses them. */
export type Pass = 'train' | 'inference';

export interface ConvOptions {
  filters: number;
  /** Square kernel size, or [height, width] (then `pad` must be given). */
  kernel: number | Pair;
  stride?: number;
  /** PyTorch's `padding`: symmetric zero padding (default: (kernel − 1)/2 · dilation, i.e. size-preserving). */
  pad?: number;
  dilation?: number;
}

export class GraphBuilder {
  pass: Pass = 'train';
  private readonly layers = new Map<string, tf.layers.Layer>();
  private readonly seeds = new Set<number>();
  private dropPaths = 0;

  constructor(
    readonly seed: number,
    readonly dropPathState: DropPathState | null,
  ) {}

  get training(): boolean {
    return this.pass === 'train';
  }

  /** The layer called `name`, created by `make` on first use. */
  layer<L extends tf.layers.Layer>(name: string, make: () => L): L {
    let l = this.layers.get(name);
    if (!l) {
      l = make();
      if (l.name !== name) throw new Error(`GraphBuilder: layer made for '${name}' is called '${l.name}'.`);
      this.layers.set(name, l);
    }
    return l as L;
  }

  apply(name: string, make: () => tf.layers.Layer, x: Sym | Sym[]): Sym {
    return this.layer(name, make).apply(x) as Sym;
  }

  /** A seed for one initializer, derived from the network seed and a name; never the same for two names. */
  private initSeed(name: string): number {
    let s = deriveSeed(this.seed, `init:${name}`);
    while (this.seeds.has(s)) s = (s + 1) >>> 0;
    this.seeds.add(s);
    return s;
  }

  /** PyTorch's default: U(−1/√fanIn, 1/√fanIn). */
  uniform(name: string, fanIn: number): ReturnType<typeof tf.initializers.randomUniform> {
    const bound = 1 / Math.sqrt(fanIn);
    return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.initSeed(name) });
  }

  relu(name: string, x: Sym): Sym {
    return this.apply(name, () => tf.layers.activation({ name, activation: 'relu' }), x);
  }

  bn(name: string, x: Sym): Sym {
    return this.apply(name, () => new LeanBatchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-5 }), x);
  }

  /** Zero padding: `p` on every side, or [[top, bottom], [left, right]]. No layer when there is nothing to pad. */
  pad(name: string, x: Sym, p: number | [Pair, Pair]): Sym {
    const padding: [Pair, Pair] =
      typeof p === 'number'
        ? [
            [p, p],
            [p, p],
          ]
        : p;
    if (padding.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.apply(name, () => tf.layers.zeroPadding2d({ name, padding }), x);
  }

  /**
   * How a convolution with PyTorch padding `pad` is written: 'same' where TF's 'same' pads exactly `pad` on every
   * side (stride 1, pad = dilation·(kernel − 1)/2), otherwise an explicit ZeroPadding2D (named `${name}_pad`) + 'valid'.
   */
  private padded(name: string, x: Sym, o: ConvOptions): { x: Sym; padding: 'same' | 'valid' } {
    const stride = o.stride ?? 1;
    const dilation = o.dilation ?? 1;
    const [kh, kw] = kernelPair(o.kernel);
    const pad = o.pad ?? (dilation * (kh - 1)) / 2;
    if (stride === 1 && pad > 0 && kh === kw && 2 * pad === dilation * (kh - 1)) return { x, padding: 'same' };
    return { x: this.pad(`${name}_pad`, x, pad), padding: 'valid' };
  }

  /** nn.Conv2d(bias=False). */
  conv(name: string, x: Sym, o: ConvOptions): Sym {
    const cin = channels(x);
    const p = this.padded(name, x, o);
    const make = () =>
      tf.layers.conv2d({
        ...convolution(name, o, p.padding),
        kernelInitializer: this.uniform(name, cin * kernelPair(o.kernel)[0] * kernelPair(o.kernel)[1]),
      });
    return this.apply(name, make, p.x);
  }

  /**
   * A depthwise nn.Conv2d(groups=C, bias=False) followed by a 1x1 nn.Conv2d(bias=False) — DARTS' pair inside SepConv
   * and DilConv — as one SeparableConv2D (depthwise_kernel [k, k, C, 1], pointwise_kernel [1, 1, C, filters]).
   * SeparableConv2D rather than DepthwiseConv2D: tfjs-layers 4.22's DepthwiseConv2D ignores `dilationRate` (its
   * call passes no dilation and its output shape leaves it out), SeparableConv2D honours it.
   */
  separable(name: string, x: Sym, o: ConvOptions): Sym {
    const cin = channels(x);
    const p = this.padded(name, x, o);
    const make = () => {
      const pointwiseInitializer = this.uniform(`${name}/pointwise`, cin);
      const layer = tf.layers.separableConv2d({
        ...convolution(name, o, p.padding),
        depthMultiplier: 1,
        depthwiseInitializer: this.uniform(`${name}/depthwise`, kernelPair(o.kernel)[0] * kernelPair(o.kernel)[1]),
        pointwiseInitializer,
      });
      // tfjs-layers 4.22 sets pointwiseInitializer from config.depthwiseInitializer (layers/convolutional.js,
      // SeparableConv constructor): put ours back before the first call builds the weights
      (layer as unknown as { pointwiseInitializer: typeof pointwiseInitializer }).pointwiseInitializer =
        pointwiseInitializer;
      return layer;
    };
    return this.apply(name, make, p.x);
  }

  /** 'same' pooling: TF leaves the padding out of the average (PyTorch count_include_pad=False) and pads max with −∞. */
  pool(name: string, x: Sym, kind: 'max' | 'avg', size: number | Pair, stride: number, padding: 'same' | 'valid'): Sym {
    const args = { name, poolSize: size, strides: stride, padding };
    return this.apply(
      name,
      () => (kind === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)),
      x,
    );
  }

  /** Cropping: [[top, bottom], [left, right]] rows / columns removed. */
  crop(name: string, x: Sym, cropping: [Pair, Pair]): Sym {
    return this.apply(name, () => tf.layers.cropping2D({ name, cropping }), x);
  }

  add(name: string, xs: Sym[]): Sym {
    if (xs.length === 1) return xs[0]!;
    return this.apply(name, () => tf.layers.add({ name }), xs);
  }

  concat(name: string, xs: Sym[]): Sym {
    if (xs.length === 1) return xs[0]!;
    return this.apply(name, () => tf.layers.concatenate({ name, axis: -1 }), xs);
  }

  /**
   * Zeros shaped like x[:, ::stride, ::stride] (DARTS / NAS-Bench-201 Zero), from standard layers: a frozen 1x1
   * depthwise convolution whose kernel is 0. Its name ends in `_zero` (countMultiplyAdds leaves it out).
   */
  zeros(name: string, x: Sym, stride = 1): Sym {
    const full = `${name}_zero`;
    const make = () =>
      tf.layers.depthwiseConv2d({
        name: full,
        kernelSize: 1,
        strides: stride,
        padding: 'valid',
        useBias: false,
        depthwiseInitializer: 'zeros',
        trainable: false,
      });
    return this.apply(full, make, x);
  }

  /**
   * `live`, plus zero times each of `dead`: keeps in the graph (and in the parameter count) the operations whose
   * result nothing reads, as PyTorch's module lists do, without changing any value.
   */
  keepAlive(name: string, live: Sym, dead: Sym[]): Sym {
    const distinct = [...new Set(dead)];
    if (!distinct.length) return live;
    return this.add(`${name}_keepalive`, [live, ...distinct.map((d, i) => this.zeros(`${name}_dead${i}`, d))]);
  }

  /** DARTS' drop_path, in the training graph only. */
  dropPath(name: string, x: Sym): Sym {
    if (!this.training || !this.dropPathState) return x;
    const state = this.dropPathState;
    return this.apply(name, () => new DropPath({ name, index: this.dropPaths++, state }), x);
  }

  globalAveragePool(name: string, x: Sym): Sym {
    return this.apply(name, () => tf.layers.globalAveragePooling2d({ name }), x);
  }

  flatten(name: string, x: Sym): Sym {
    return this.apply(name, () => tf.layers.flatten({ name }), x);
  }

  /** nn.Linear: weight and bias U(−1/√fanIn, 1/√fanIn). */
  dense(name: string, x: Sym, units: number): Sym {
    const fanIn = channels(x);
    const make = () =>
      tf.layers.dense({
        name,
        units,
        kernelInitializer: this.uniform(`${name}/kernel`, fanIn),
        biasInitializer: this.uniform(`${name}/bias`, fanIn),
      });
    return this.apply(name, make, x);
  }

  /** ReLU → Conv → BN (DARTS / NAS-Bench-201 ReLUConvBN). */
  reluConvBn(name: string, x: Sym, o: ConvOptions): Sym {
    return this.bn(`${name}_bn`, this.conv(`${name}_conv`, this.relu(`${name}_relu`, x), o));
  }
}

function kernelPair(k: number | Pair): Pair {
  return typeof k === 'number' ? [k, k] : k;
}

export function channels(x: Sym): number {
  return x.shape[x.shape.length - 1]!;
}

/** [height, width] of an NHWC symbolic tensor. */
export function spatial(x: Sym): Pair {
  return [x.shape[1]!, x.shape[2]!];
}
