/**
 * The multi-threaded wasm build (XNNPACK's thread pool) in Node.
 *
 * tfjs-backend-wasm turns threads off in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag says false there) because its
 * Emscripten pthread workers are started from `blob:` URLs, which Node's Worker refuses: the worker script comes
 * from URL.createObjectURL(new Blob([workerJs])), and the worker then loads the main script from another Blob.
 * Here both scripts are written to real files once, the worker's Blob URL is swapped for its file path while the
 * backend initialises, and the worker is told to load the main script from its file. Everything else is the
 * package's own code. If any step fails, the single-threaded build is used and the reason is reported.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** The line of the package's worker script that loads the main script from a Blob (tfjs-backend-wasm 4.x). */
const LOAD_MAIN_SCRIPT = 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}';

interface ThreadFiles {
  worker: string;
}

function writeThreadFiles(): ThreadFiles {
  const version = (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  const dir = path.join(os.tmpdir(), `winnow-tfjs-wasm-threads-${version}-${process.getuid?.() ?? 'u'}`);
  const main = path.join(dir, 'threaded-simd-main.js');
  const worker = path.join(dir, 'threaded-simd-worker.cjs');
  if (fs.existsSync(main) && fs.existsSync(worker)) return { worker };
  const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js') as
    ((...a: unknown[]) => unknown) | { default: (...a: unknown[]) => unknown };
  const fn = typeof factory === 'function' ? factory : factory.default;
  const { wasmWorkerContents } =
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string;
    };
  if (!wasmWorkerContents.includes(LOAD_MAIN_SCRIPT))
    throw new Error(`this version (${version}) of @tensorflow/tfjs-backend-wasm loads its main script differently`);
  // as tfjs does before making its Blob: the packaged source has raw newlines inside string literals
  const patched = wasmWorkerContents
    .replace(/\n/g, '\\n')
    .replace(LOAD_MAIN_SCRIPT, `if(true){importScripts(${JSON.stringify(main)})}`);
  fs.mkdirSync(dir, { recursive: true });
  // write-then-rename: two processes starting at once never read half a file
  const tmpMain = `${main}.${process.pid}.tmp`;
  const tmpWorker = `${worker}.${process.pid}.tmp`;
  fs.writeFileSync(tmpMain, `var WasmBackendModuleThreadedSimd = ${fn.toString()}`);
  fs.writeFileSync(tmpWorker, patched);
  fs.renameSync(tmpMain, main);
  fs.renameSync(tmpWorker, worker);
  return { worker };
}

/**
 * Arranges for the next wasm backend initialisation to use `threads` threads. Returns a function that undoes the
 * temporary URL.createObjectURL swap (call it once the backend is ready), or throws with the reason threads
 * cannot be used.
 */
export function prepareWasmThreads(threads: number): () => void {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is not available in this runtime');
  const files = writeThreadFiles();
  const original = URL.createObjectURL.bind(URL);
  URL.createObjectURL = ((obj: Blob) =>
    obj.type === 'application/javascript' ? files.worker : original(obj)) as typeof URL.createObjectURL;
  // The module sizes XNNPACK's thread pool when it is instantiated, as emscripten_num_logical_cores() / 2
  // (assuming two hyper-threads per core), clamped to 1..4 — one thread on a 2-core machine. In Node that count
  // is os.cpus().length: report twice the threads wanted while the module starts.
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % Math.max(1, real.length)]!);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  return () => {
    URL.createObjectURL = original;
    os.cpus = cpus;
  };
}

/** Back to the single-threaded build for the next initialisation (after the threaded one failed to start). */
export function disableWasmThreads(): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
}

interface PThreadRegistry {
  unusedWorkers?: Array<{ unref?: () => void }>;
  runningWorkers?: Array<{ unref?: () => void }>;
}

/**
 * Lets Node exit while the pthread workers are alive (they idle in the pool between kernels): without this, any
 * script or CLI command that used the threaded backend would hang after its last line.
 */
export function unrefWasmWorkers(backend: unknown): void {
  const pt = (backend as { wasm?: { PThread?: PThreadRegistry } } | null)?.wasm?.PThread;
  for (const w of [...(pt?.unusedWorkers ?? []), ...(pt?.runningWorkers ?? [])]) w.unref?.();
}
