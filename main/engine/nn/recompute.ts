/**
 * Gradient checkpointing for tfjs: run a block's forward pass without keeping its intermediate tensors, and run it
 * again inside the backward pass to get the gradients. tfjs keeps every intermediate of a gradient computation
 * alive until backprop ends; a DARTS supernet at batch 32 on 28x28 images needs ~6 GB of them, beyond what the
 * wasm heap can address. Recomputing per mixed node keeps the peak to one node's intermediates, for one extra
 * forward pass.
 *
 * `needsGrad[i] = false` marks inputs whose gradient nobody wants (the weights during an α step, α during a weight
 * step): their gradient is not computed, as tfjs itself would prune it, and zeros are returned in its place.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBackend } from '../backend/tensorflow-kernels.js';

interface EngineTapeState {
  state: { activeTape: unknown };
}

/**
 * tfjs runs gradient functions after the outer tape has stopped recording, so a tf.grads() inside one starts a
 * fresh tape — and on finishing sets the engine's active tape to null, which the outer backprop then fails to clean
 * up. Keep the outer tape and put it back.
 */
function gradsInsideBackprop<T>(f: () => T): T {
  const engine = tf.engine() as unknown as EngineTapeState;
  const outer = engine.state.activeTape;
  try {
    return f();
  } finally {
    engine.state.activeTape = outer;
  }
}

export function recomputeInBackward(
  fn: (...inputs: tf.Tensor[]) => tf.Tensor4D,
  inputs: readonly tf.Tensor[],
  needsGrad: readonly boolean[],
): tf.Tensor4D {
  if (needsGrad.length !== inputs.length)
    throw new Error(`recomputeInBackward: ${inputs.length} inputs but ${needsGrad.length} needsGrad flags.`);
  // the native backend has the machine's memory, not a 4 GB heap: keeping the intermediates is cheaper than a
  // second forward pass (and tfjs prunes the gradients nobody asked for by itself)
  if (nativeBackend()) return fn(...inputs);
  const wanted = inputs.map((_, i) => i).filter((i) => needsGrad[i]);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    const save = args[inputs.length] as tf.GradSaveFunc;
    save(xs);
    return {
      value: fn(...xs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sub = (...w: tf.Tensor[]): tf.Tensor => {
          const all = saved.slice();
          wanted.forEach((i, k) => (all[i] = w[k]!));
          return fn(...all);
        };
        const grads = wanted.length
          ? gradsInsideBackprop(() =>
              tf.grads(sub)(
                wanted.map((i) => saved[i]!),
                dy,
              ),
            )
          : [];
        const out: tf.Tensor[] = saved.map((s) => s);
        saved.forEach((s, i) => {
          if (!needsGrad[i]) out[i] = tf.zerosLike(s);
        });
        wanted.forEach((i, k) => (out[i] = grads[k]!));
        return out;
      },
    };
  });
  return op(...inputs) as tf.Tensor4D;
}
