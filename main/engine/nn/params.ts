/**
 * Named trainable parameters of a supernet, created in a fixed order from a seeded generator so that the same
 * seed gives the same network on every backend, and saved / restored by name for checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from './prng.js';

/** tfjs needs globally unique variable names; the counter keeps them readable. */
let variableCounter = 0;

export interface ParamEntry {
  name: string;
  shape: number[];
  variable: tf.Variable;
}

export class ParamStore {
  private readonly entries: ParamEntry[] = [];
  private readonly byName = new Map<string, ParamEntry>();
  private readonly rng: () => number;

  constructor(seed: number) {
    this.rng = mulberry32(seed);
  }

  /**
   * PyTorch's default init for conv / linear weights (kaiming_uniform with a = √5): U(−1/√fanIn, 1/√fanIn),
   * what the DARTS and NAS-Bench-201 search code uses.
   */
  uniform(name: string, shape: number[], fanIn: number): tf.Variable {
    const bound = 1 / Math.sqrt(fanIn);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (this.rng() * 2 - 1) * bound;
    return this.add(name, shape, data);
  }

  /** N(0, std²) by Box–Muller (DARTS initialises α as 1e-3 · randn). */
  normal(name: string, shape: number[], std: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = Math.max(this.rng(), 1e-12);
      data[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rng());
    }
    return this.add(name, shape, data);
  }

  constant(name: string, shape: number[], value: number): tf.Variable {
    return this.add(name, shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value));
  }

  private add(name: string, shape: number[], data: Float32Array): tf.Variable {
    if (this.byName.has(name)) throw new Error(`Parameter "${name}" is defined twice.`);
    const variable = tf.variable(tf.tensor(data, shape), true, `param${++variableCounter}:${name}`);
    const e = { name, shape, variable };
    this.entries.push(e);
    this.byName.set(name, e);
    return variable;
  }

  get list(): readonly ParamEntry[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.reduce((a, e) => a + e.variable.size, 0);
  }

  /** Copies of every parameter's values, by name. */
  snapshot(): Map<string, Float32Array> {
    // copies: on the cpu backend dataSync() returns the tensor's own storage
    return new Map(this.entries.map((e) => [e.name, Float32Array.from(e.variable.dataSync() as Float32Array)]));
  }

  restore(values: ReadonlyMap<string, Float32Array>): void {
    for (const e of this.entries) {
      const v = values.get(e.name);
      if (!v) throw new Error(`The checkpoint has no values for "${e.name}": it was written by a different network.`);
      if (v.length !== e.variable.size)
        throw new Error(`The checkpoint's "${e.name}" has ${v.length} values, the network needs ${e.variable.size}.`);
      tf.tidy(() => e.variable.assign(tf.tensor(Float32Array.from(v), e.shape)));
    }
  }

  dispose(): void {
    for (const e of this.entries) e.variable.dispose();
    this.entries.length = 0;
    this.byName.clear();
  }
}
