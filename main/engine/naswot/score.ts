/**
 * The NASWOT score [NASWOT]: an untrained network's ReLU units give each image of a mini-batch a binary code
 * c_i ∈ {0, 1}^{N_A} (unit active or not); K_H[i][j] = N_A − Hamming(c_i, c_j) counts the units on which two images
 * agree; the score is log|det K_H|. Networks whose codes tell the images apart score higher ([Poyser-thesis] §4.5
 * uses the same score over DDS-mined mini-batches).
 *
 * K_H from the codes packed into bits (XOR and popcount per pair); the log-determinant from an LU factorisation with
 * partial pivoting in float64 (the sum of log|u_ii|: no overflow at batch 128, where det K_H itself is far beyond
 * float64's range).
 */
import * as tf from '@tensorflow/tfjs';
import type { Nb201SinglePath } from '../spaces/nb201/single-path.js';
import type { Nb201Arch } from '../spaces/nb201/space.js';

/** Set bits of a 32-bit word (SWAR). */
function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * K_H of binary codes (row-major [batch, units], a unit counts as active when > 0), as a [batch, batch] row-major
 * matrix: each code packed into 32-bit words, K_H[i][j] = units − popcount(c_i XOR c_j). At batch 128 over ~75,000
 * units this is ~40x faster than the two float matrix products C·Cᵀ + (1 − C)(1 − C)ᵀ on wasm.
 */
export function hammingKernel(codes: ArrayLike<number>, batch: number, units: number): Float64Array {
  if (codes.length !== batch * units)
    throw new Error(`hammingKernel: ${codes.length} values is not ${batch} codes of ${units} units.`);
  const words = Math.ceil(units / 32);
  const packed = new Uint32Array(batch * words);
  for (let i = 0; i < batch; i++) {
    const base = i * units;
    for (let k = 0; k < units; k++) if (codes[base + k]! > 0) packed[i * words + (k >>> 5)]! |= 1 << (k & 31);
  }
  const K = new Float64Array(batch * batch);
  for (let i = 0; i < batch; i++) {
    K[i * batch + i] = units;
    for (let j = i + 1; j < batch; j++) {
      let d = 0;
      for (let w = 0; w < words; w++) d += popcount(packed[i * words + w]! ^ packed[j * words + w]!);
      K[i * batch + j] = K[j * batch + i] = units - d;
    }
  }
  return K;
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
  const [batch, units] = codes.shape;
  return slogdet(hammingKernel(codes.dataSync(), batch, units), batch).logAbsDet;
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
