/**
 * nn/recompute.ts: recomputeInBackward(fn, inputs, needsGrad) must be indistinguishable from calling fn directly —
 * same value, same gradients (zeros for needsGrad = false inputs) — under tf.grads and under an outer
 * tf.variableGrads tape, and must not leak tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormTrain } from '../../main/engine/nn/bn.js';
import { recomputeInBackward } from '../../main/engine/nn/recompute.js';
import { rand, relError } from '../helpers/numeric.js';
import { useBackend } from '../helpers/wasm.js';

const X: [number, number, number, number] = [2, 5, 5, 3];
const W: [number, number, number, number] = [3, 3, 3, 3];

/**
 * A block like a supernet node: a convolution, a custom-gradient BN inside, a nonlinearity, a per-channel weight,
 * and a residual use of its input (x is used twice, so its gradient has two paths).
 */
function block(...xs: tf.Tensor[]): tf.Tensor4D {
  const [x, w, s] = xs as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D];
  const h = batchNormTrain(tf.conv2d(x, w, 1, 'same'));
  return tf.add(tf.mul(tf.tanh(h), s), tf.mul(x, 0.5)) as tf.Tensor4D;
}

function inputs() {
  return {
    x: tf.tensor4d(rand(2 * 5 * 5 * 3, 1), X),
    w: tf.tensor4d(rand(81, 2, 0.5), W),
    s: tf.tensor1d([0.7, -1.2, 2]),
    r: tf.tensor4d(rand(2 * 5 * 5 * 3, 3), X),
  };
}

describe('recomputeInBackward (cpu)', () => {
  useBackend('cpu');

  it('gives the same value as calling fn', () => {
    tf.tidy(() => {
      const { x, w, s } = inputs();
      const got = recomputeInBackward(block, [x, w, s], [true, true, true]);
      expect(got.shape).toEqual(X);
      expect(relError(got.dataSync(), block(x, w, s).dataSync())).toBeLessThan(1e-6);
    });
  });

  it('gives the same gradients wrt every input', () => {
    tf.tidy(() => {
      const { x, w, s, r } = inputs();
      const direct = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(block(a, b, c), r)))([
        x,
        w,
        s,
      ]);
      const recomputed = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(recomputeInBackward(block, [a, b, c], [true, true, true]), r)),
      )([x, w, s]);
      for (let k = 0; k < 3; k++) {
        expect(recomputed[k]!.shape).toEqual(direct[k]!.shape);
        expect(relError(recomputed[k]!.dataSync(), direct[k]!.dataSync())).toBeLessThan(1e-5);
      }
    });
  });

  it.each([[[true, false, true]], [[false, true, false]], [[false, false, false]]] as const)(
    'needsGrad %j: zeros where false, the direct gradient where true',
    (needs) => {
      tf.tidy(() => {
        const { x, w, s, r } = inputs();
        const direct = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(block(a, b, c), r)))([
          x,
          w,
          s,
        ]);
        const got = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.sum(tf.mul(recomputeInBackward(block, [a, b, c], needs), r)),
        )([x, w, s]);
        needs.forEach((n, k) => {
          expect(got[k]!.shape).toEqual(direct[k]!.shape);
          if (n) expect(relError(got[k]!.dataSync(), direct[k]!.dataSync())).toBeLessThan(1e-5);
          else for (const v of got[k]!.dataSync()) expect(v).toBe(0);
        });
      });
    },
  );

  it('refuses a needsGrad list of another length', () => {
    tf.tidy(() => {
      const { x, w, s } = inputs();
      expect(() => recomputeInBackward(block, [x, w, s], [true, true])).toThrow(/3 inputs but 2 needsGrad/);
    });
  });

  /** Fresh inputs and the chain's variables over them (named `${prefix}-x` …; w2 drawn from `w2Seed`), listed in grad order. */
  function chainVariables(prefix: string, w2Seed: number) {
    const { x, w, s, r } = inputs();
    const vars = {
      x: tf.variable(x, true, `${prefix}-x`),
      w1: tf.variable(w, true, `${prefix}-w1`),
      w2: tf.variable(tf.tensor4d(rand(81, w2Seed, 0.5), W), true, `${prefix}-w2`),
      s: tf.variable(s, true, `${prefix}-s`),
    };
    return { x, w, s, r, vars, list: [vars.x, vars.w1, vars.w2, vars.s] };
  }

  /** Two chained blocks (as consecutive supernet nodes) over variables, inside tf.variableGrads. */
  function chainedLoss(
    vars: { x: tf.Variable; w1: tf.Variable; w2: tf.Variable; s: tf.Variable },
    r: tf.Tensor,
    recompute: boolean,
  ): () => tf.Scalar {
    const call = (xs: tf.Tensor[]): tf.Tensor4D =>
      recompute
        ? recomputeInBackward(
            block,
            xs,
            xs.map(() => true),
          )
        : block(...xs);
    return () => {
      const h1 = call([vars.x, vars.w1, vars.s]);
      const h2 = call([h1, vars.w2, vars.s]);
      return tf.sum(tf.mul(h2, r));
    };
  }

  it('works inside tf.variableGrads (an outer tape), twice in a row, with the direct gradients', () => {
    const { x, w, s, r, vars, list } = chainVariables('recompute-test', 9);
    try {
      const want = tf.variableGrads(chainedLoss(vars, r, false), list);
      for (let round = 0; round < 2; round++) {
        const got = tf.variableGrads(chainedLoss(vars, r, true), list);
        expect(Math.abs(got.value.dataSync()[0]! - want.value.dataSync()[0]!)).toBeLessThan(
          1e-4 * Math.max(1, Math.abs(want.value.dataSync()[0]!)),
        );
        for (const v of list) {
          expect(got.grads[v.name], v.name).toBeDefined();
          expect(
            relError(got.grads[v.name]!.dataSync(), want.grads[v.name]!.dataSync()),
            `${v.name}, round ${round}`,
          ).toBeLessThan(1e-5);
        }
        tf.dispose([got.value, ...Object.values(got.grads)]);
      }
      // the engine's tape is healthy afterwards: a plain variableGrads still gives the same gradients
      const again = tf.variableGrads(chainedLoss(vars, r, false), list);
      for (const v of list)
        expect(relError(again.grads[v.name]!.dataSync(), want.grads[v.name]!.dataSync())).toBeLessThan(1e-6);
      tf.dispose([want.value, ...Object.values(want.grads), again.value, ...Object.values(again.grads)]);
    } finally {
      tf.dispose([x, w, s, r, ...list]);
    }
  });

  it('the tensor count does not grow across repeated calls', () => {
    const { x, w, s, r, vars, list } = chainVariables('recompute-leak', 19);
    const round = () => {
      const { value, grads } = tf.variableGrads(chainedLoss(vars, r, true), list);
      tf.dispose([value, ...Object.values(grads)]);
      // plain forward use (no tape) and a tf.grads with a needsGrad = false input
      tf.tidy(() => {
        recomputeInBackward(block, [vars.x, vars.w1, vars.s], [true, true, true]).dataSync();
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(recomputeInBackward(block, [a, b, vars.s], [true, false, true])),
        )([vars.x, vars.w1]);
      });
    };
    try {
      round();
      const before = tf.memory().numTensors;
      for (let k = 0; k < 3; k++) round();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.dispose([x, w, s, r, ...list]);
    }
  });
});
