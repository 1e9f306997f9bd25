/**
 * The optimisers of first-order DARTS (DARTS code: cnn/train_search.py, cnn/architect.py) and of the evaluation
 * stage (cnn/train.py: the same SGD), applied in
 * JavaScript on Float32Array copies of the parameters: one gradient read and one assign per parameter, instead of
 * the half-dozen elementwise kernels per parameter that tfjs' optimisers plus weight decay and clipping would
 * launch (~800 parameters in a DARTS supernet). Their state is plain arrays, so checkpoints are exact.
 *
 * - weights: SGD with momentum and weight decay (PyTorch semantics: g += wd·w; buf = m·buf + g; w -= lr·buf),
 *   after clipping the global gradient norm to `clip` (nn.utils.clip_grad_norm_).
 * - α: Adam with L2 weight decay added to the gradient (torch.optim.Adam(weight_decay=...)), bias-corrected.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamEntry } from './params.js';

/** The parameters an optimiser updates, in a fixed order (a ParamStore, or a tfjs-layers model's trainable weights). */
export interface ParamList {
  readonly list: readonly ParamEntry[];
}

export interface OptimizerState {
  step: number;
  buffers: Record<string, Float32Array>;
}

abstract class JsOptimizer {
  protected readonly values = new Map<string, Float32Array>();
  protected step = 0;

  constructor(protected readonly params: ParamList) {
    for (const e of params.list) this.values.set(e.name, Float32Array.from(e.variable.dataSync() as Float32Array));
  }

  /**
   * Reads the gradients (same order as params.list), updates the values, writes them back to the variables.
   * A parameter the loss does not depend on (undefined gradient: e.g. the normal cell's α in a DARTS network made
   * of reduction cells only) is left alone, as PyTorch's optimisers skip parameters whose .grad is None.
   */
  apply(grads: ReadonlyArray<tf.Tensor | undefined>, lr: number): void {
    const list = this.params.list;
    const g = grads.map(
      (t, i) => (t ? (t.dataSync() as Float32Array) : null) ?? new Float32Array(list[i]!.variable.size),
    );
    const present = grads.map((t) => t !== undefined);
    this.step++;
    this.update(g, lr, present);
    for (let i = 0; i < list.length; i++) {
      if (!present[i]) continue;
      const e = list[i]!;
      // a copy: on the cpu backend a tensor keeps the array it was made from, and the next step edits ours in place
      tf.tidy(() => e.variable.assign(tf.tensor(Float32Array.from(this.values.get(e.name)!), e.shape)));
    }
  }

  protected abstract update(grads: Float32Array[], lr: number, present: boolean[]): void;

  /** The parameters' values changed outside (a checkpoint restore): reload them. */
  reload(): void {
    for (const e of this.params.list) this.values.set(e.name, Float32Array.from(e.variable.dataSync() as Float32Array));
  }

  abstract state(): OptimizerState;
  abstract restore(s: OptimizerState): void;
}

export class SgdMomentum extends JsOptimizer {
  private readonly momentum: Map<string, Float32Array>;
  /** The last step's gradient norm before clipping (reported as a metric). */
  lastGradNorm = 0;

  constructor(
    params: ParamList,
    private readonly opts: { momentum: number; weightDecay: number; clip: number },
  ) {
    super(params);
    this.momentum = new Map(params.list.map((e) => [e.name, new Float32Array(e.variable.size)]));
  }

  protected update(grads: Float32Array[], lr: number, present: boolean[]): void {
    let sq = 0;
    for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
    const norm = Math.sqrt(sq);
    this.lastGradNorm = norm;
    const scale = norm > this.opts.clip ? this.opts.clip / (norm + 1e-6) : 1;
    const { momentum: m, weightDecay: wd } = this.opts;
    this.params.list.forEach((e, k) => {
      if (!present[k]) return;
      const w = this.values.get(e.name)!;
      const buf = this.momentum.get(e.name)!;
      const g = grads[k]!;
      for (let i = 0; i < w.length; i++) {
        const d = g[i]! * scale + wd * w[i]!;
        buf[i] = m * buf[i]! + d;
        w[i] = w[i]! - lr * buf[i]!;
      }
    });
  }

  state(): OptimizerState {
    return { step: this.step, buffers: Object.fromEntries([...this.momentum].map(([k, v]) => [`momentum:${k}`, v])) };
  }

  restore(s: OptimizerState): void {
    this.step = s.step;
    for (const [name, buf] of this.momentum) buf.set(requireBuffer(s, `momentum:${name}`, buf.length));
    this.reload();
  }
}

export class Adam extends JsOptimizer {
  private readonly m: Map<string, Float32Array>;
  private readonly v: Map<string, Float32Array>;

  constructor(
    params: ParamList,
    private readonly opts: { beta1: number; beta2: number; weightDecay: number; eps?: number },
  ) {
    super(params);
    this.m = new Map(params.list.map((e) => [e.name, new Float32Array(e.variable.size)]));
    this.v = new Map(params.list.map((e) => [e.name, new Float32Array(e.variable.size)]));
  }

  protected update(grads: Float32Array[], lr: number, present: boolean[]): void {
    const { beta1: b1, beta2: b2, weightDecay: wd } = this.opts;
    const eps = this.opts.eps ?? 1e-8;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    this.params.list.forEach((e, k) => {
      if (!present[k]) return;
      const w = this.values.get(e.name)!;
      const m = this.m.get(e.name)!;
      const v = this.v.get(e.name)!;
      const g = grads[k]!;
      for (let i = 0; i < w.length; i++) {
        const d = g[i]! + wd * w[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * d;
        v[i] = b2 * v[i]! + (1 - b2) * d * d;
        w[i] = w[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
      }
    });
  }

  state(): OptimizerState {
    return {
      step: this.step,
      buffers: Object.fromEntries([
        ...[...this.m].map(([k, b]) => [`m:${k}`, b] as const),
        ...[...this.v].map(([k, b]) => [`v:${k}`, b] as const),
      ]),
    };
  }

  restore(s: OptimizerState): void {
    this.step = s.step;
    for (const [name, buf] of this.m) buf.set(requireBuffer(s, `m:${name}`, buf.length));
    for (const [name, buf] of this.v) buf.set(requireBuffer(s, `v:${name}`, buf.length));
    this.reload();
  }
}

function requireBuffer(s: OptimizerState, key: string, length: number): Float32Array {
  const b = s.buffers[key];
  if (!b || b.length !== length)
    throw new Error(
      `The checkpoint's optimiser state has no matching "${key}"; it was written by a different network.`,
    );
  return b;
}

/** DARTS' weight schedule: CosineAnnealingLR(epochs, eta_min), stepped once per epoch (epoch is 0-based). */
export function cosineLr(epoch: number, epochs: number, lr: number, lrMin: number): number {
  return lrMin + ((lr - lrMin) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}
