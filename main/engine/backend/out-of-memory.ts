/**
 * A wasm heap exhaustion surfaces as "memory access out of bounds" or an abort from inside the module; these turn
 * it into a message that says what to change. Other errors, and errors on other backends, pass through unchanged.
 */
import { JobUserError } from '../jobs/context.js';

export interface MemoryFootprint {
  /** What ran out: "search", "evaluation". */
  job: string;
  batch: number;
  channels: number;
}

/** The error to throw for `e`: a JobUserError when it is a wasm out-of-memory, else `e` itself. */
export function explainOutOfMemory(e: unknown, what: MemoryFootprint, backend: string): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  if (
    backend === 'wasm' &&
    (e instanceof WebAssembly.RuntimeError || /memory access out of bounds|Aborted\(|Out of memory/i.test(msg))
  ) {
    return new JobUserError(
      `The ${what.job} ran out of memory: the wasm backend can address 4 GB, and a batch of ${what.batch} with ${what.channels} channels needs more. ` +
        'Lower the batch size or the channels and start again.',
    );
  }
  return e;
}

/** Runs a step, translating a wasm out-of-memory (see explainOutOfMemory). */
export function stepOrExplain<T>(step: () => T, what: MemoryFootprint, backend: string): T {
  try {
    return step();
  } catch (e) {
    throw explainOutOfMemory(e, what, backend);
  }
}
