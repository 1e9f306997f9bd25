/** Setup and checks shared by the tests of the kernels registered for the wasm backend. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect } from 'vitest';
import { selectBackend } from '../../main/engine/backend/ladder.js';

/** Selects `backend` (wasm: registering its kernels and gradient fixes) before the enclosing block's tests. */
export function useBackend(backend: 'cpu' | 'wasm'): void {
  beforeAll(async () => {
    await selectBackend(backend);
  });
}

/** useBackend('wasm'). */
export function useWasmBackend(): void {
  useBackend('wasm');
}

/** The wasm backend is the active one and has each named kernel. */
export function expectWasmKernels(...kernelNames: string[]): void {
  expect(tf.getBackend()).toBe('wasm');
  for (const name of kernelNames) expect(tf.getKernel(name, 'wasm')).toBeDefined();
}

/** Runs `step` three times and expects the tensor count unchanged: call it after one warm-up run (caches allocate once). */
export async function expectNoTensorLeak(step: () => unknown): Promise<void> {
  const before = tf.memory().numTensors;
  for (let k = 0; k < 3; k++) await step();
  expect(tf.memory().numTensors).toBe(before);
}
