/**
 * The NASWOT score [NASWOT]: an untrained network's ReLU units give each image of a mini-batch a binary code
 * c_i ∈ {0, 1}^{N_A} (unit active or not); K_H[i][j] = N_A − Hamming(c_i, c_j) counts the units on which two images
 * agree; the score is log|det K_H|. Networks whose codes tell the images apart score higher ([Poyser-thesis] §4.5
 * uses the same score over DDS-mined mini-batches).
 *
 * K_H = C·Cᵀ + (1 − C)(1 − C)ᵀ (agreements on active plus on inactive units) as two matrix products; the
 * log-determinant from an LU factorisation with partial pivoting in float64 (the sum of log|u_ii|: no overflow at
 * batch 128, where det K_H itself is far beyond float64's range).
 */
import * as tf from '@tensorflow/tfjs';
import type { Nb201SinglePath } from '../spaces/nb201/single-path.js';
import type { Nb201Arch } from '../spaces/nb201/space.js';

/** K_H of binary codes [batch, units] (any numeric tensor of 0s and 1s), as a [batch, batch] tensor. */
export function hammingKernel(codes: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const off = tf.sub(1, codes) as tf.Tensor2D;
    return tf.add(tf.matMul(codes, codes, false, true), tf.matMul(off, off, false, true)) as tf.Tensor2D;
  });
}

/**
 * sign and log|det| of an n×n matrix (row-major), by LU with partial pivoting in float64. A singular matrix gives
 * sign 0 and −Infinity (numpy.linalg.slogdet's convention).
 */
export function slogdet(matrix: ArrayLike<number>, n: number): { sign: number; logAbsDet: number } {
  if (matrix.length !== n * n) throw new Error(`slogdet: ${matrix.length} values is not a ${n}x${n} matrix.`);
  const a = Float64Array.from(matrix);
  let sign = 1;
  let logAbsDet = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best === 0) return { sign: 0, logAbsDet: -Infinity };
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[p * n + j]!;
        a[p * n + j] = t;
      }
      sign = -sign;
    }
    const pivot = a[k * n + k]!;
    if (pivot < 0) sign = -sign;
    logAbsDet += Math.log(Math.abs(pivot));
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k]! / pivot;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j]! -= f * a[k * n + j]!;
    }
  }
  return { sign, logAbsDet };
}

/** log|det K_H| of binary codes [batch, units]; −Infinity when two images share a code (K_H singular). */
export function naswotScoreOfCodes(codes: tf.Tensor2D): number {
  const k = hammingKernel(codes);
  try {
    return slogdet(k.dataSync(), codes.shape[0]).logAbsDet;
  } finally {
    k.dispose();
  }
}

/**
 * The NASWOT score of one architecture of the untrained network on a normalised batch: one forward pass with
 * batch statistics in every BN (the network as initialised, in training mode), every ReLU's code recorded.
 */
export function naswotScore(net: Nb201SinglePath, arch: Nb201Arch, x: tf.Tensor4D): number {
  const codes = tf.tidy(() => {
    const parts: tf.Tensor2D[] = [];
    net.logits(x, arch, { bn: { kind: 'batch' }, codes: parts });
    return tf.concat(parts, 1);
  });
  try {
    return naswotScoreOfCodes(codes);
  } finally {
    codes.dispose();
  }
}
