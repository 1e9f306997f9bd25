/**
 * The backend ladder: tensorflow-gpu -> tensorflow -> wasm -> cpu. `auto` takes the first rung that loads;
 * a named backend is tried alone. Every rung reports whether it loaded and, if not, why, in words a person
 * can act on (the Settings page and `winnow system info` show them).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import { disableWasmThreads, prepareWasmThreads, unrefWasmWorkers } from './wasm-threads.js';
import {
  BACKEND_LADDER,
  type BackendAttempt,
  type BackendChoice,
  type BackendName,
  type BackendReport,
} from '../../../shared/backend.js';
import { registerWasmGradientKernels, WASM_EXTRA_KERNELS } from './wasm-kernels.js';
import { registerLayerGradientFixes } from './layer-gradients.js';
import { registerTensorflowKernels, TENSORFLOW_WRAPPED_KERNELS } from './tensorflow-kernels.js';
import { cudaLibrariesFor, missingSharedLibraries } from './cuda.js';

const require = createRequire(import.meta.url);

export const BACKEND_PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** The tfjs backend name each rung registers (both native packages register 'tensorflow'). */
const TFJS_NAME: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

export class BackendUnavailableError extends Error {
  constructor(
    readonly report: BackendReport,
    message: string,
  ) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** The TensorFlow version the native package links: from `winnow setup tensorflow`'s stamp, else its own 2.9.1. */
export function linkedTensorflowVersion(pkg: string): string {
  try {
    const stamp = JSON.parse(
      fs.readFileSync(
        path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'deps', 'winnow-setup.json'),
        'utf8',
      ),
    ) as { tfVersion?: string };
    if (stamp.tfVersion) return stamp.tfVersion;
  } catch {
    // not set up by Winnow: the package's own download
  }
  return '2.9.1';
}

/** Whether the package's N-API addon exists (npm keeps the package when only its install script was skipped). */
function addonBuilt(pkg: string): boolean {
  try {
    const lib = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'lib');
    return fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

/** Which of the CUDA libraries the linked libtensorflow needs the dynamic loader cannot find (Linux), or null when we cannot tell. */
export function missingCudaLibraries(
  env: NodeJS.ProcessEnv = process.env,
  tfVersion = linkedTensorflowVersion(BACKEND_PACKAGES['tensorflow-gpu']),
): string[] | null {
  return missingSharedLibraries(cudaLibrariesFor(tfVersion).libraries, env);
}

const SETUP_HINT: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  tensorflow:
    'Run `npx winnow setup tensorflow` (or Settings > Native engine > Set up), which builds it offline from a TensorFlow wheel.',
  'tensorflow-gpu':
    'Run `npx winnow setup tensorflow --gpu` (or Settings > Native engine > Set up for GPU); it needs an NVIDIA GPU with CUDA and cuDNN.',
};

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 300);
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<string | null> {
  const pkg = BACKEND_PACKAGES[name];
  if (!isInstalled(pkg)) {
    return `${pkg} is not installed (npm drops it when its own download of libtensorflow fails, e.g. offline). ${SETUP_HINT[name]}`;
  }
  if (!addonBuilt(pkg)) {
    return `${pkg} is installed but its TensorFlow addon is not built (its install step needs to download libtensorflow). ${SETUP_HINT[name]}`;
  }
  if (name === 'tensorflow-gpu') {
    const tfVersion = linkedTensorflowVersion(pkg);
    const missing = missingCudaLibraries(process.env, tfVersion);
    if (missing && missing.length > 0) {
      const needs = cudaLibrariesFor(tfVersion);
      return `TensorFlow ${tfVersion} on the GPU needs ${needs.label}; not found: ${missing.join(', ')}. ${needs.howTo}`;
    }
  }
  // TensorFlow's C++ start-up lines (CPU features, oneDNN) are for its developers: keep warnings and errors only
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
  try {
    const spec = pkg; // a variable keeps bundlers and the type checker from requiring the optional package
    await import(spec);
  } catch (e) {
    return `${pkg} is installed but failed to load: ${firstLine(e)} ${SETUP_HINT[name]}`;
  }
  return null;
}

function wasmDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

async function activate(name: BackendName): Promise<string | null> {
  registerLayerGradientFixes(); // backend-neutral gradient fixes the tfjs-layers networks need (layer-gradients.ts)
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const why = await tryNative(name);
    if (why) return why;
    registerTensorflowKernels();
  }
  let undoThreads: (() => void) | null = null;
  if (name === 'wasm') {
    try {
      setWasmPaths(wasmDir());
    } catch (e) {
      return `the wasm binaries could not be located: ${firstLine(e)}`;
    }
    registerWasmGradientKernels();
    const threads = wasmThreadsWanted();
    // (not tf.findBackend: it would start initialising the backend before the threads are arranged)
    const initialised = 'wasm' in (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
    if (!initialised) {
      wasmThreadsNote = null;
      if (threads > 1) {
        try {
          undoThreads = prepareWasmThreads(threads);
        } catch (e) {
          wasmThreadsNote = `single-threaded: ${firstLine(e)}`;
        }
      }
    }
  }
  let why = await startBackend(name, undoThreads);
  if (why && undoThreads) {
    // the threaded build did not start: the single-threaded one still may
    disableWasmThreads();
    wasmThreadsNote = `single-threaded: the threaded build did not start (${why})`;
    why = await startBackend(name, null);
  }
  if (!why && undoThreads && !wasmThreadsNote) unrefWasmWorkers(tf.findBackend('wasm'));
  return why;
}

async function startBackend(name: BackendName, undoThreads: (() => void) | null): Promise<string | null> {
  try {
    const ok = await tf.setBackend(TFJS_NAME[name]);
    if (!ok) return `tfjs could not initialise the ${name} backend.`;
    await tf.ready();
  } catch (e) {
    return `tfjs could not initialise the ${name} backend: ${firstLine(e)}`;
  } finally {
    undoThreads?.();
  }
  return null;
}

let wasmThreadsNote: string | null = null;

/**
 * Threads for the wasm backend: WINNOW_WASM_THREADS if set (1 = the single-threaded build), else one per core
 * (at most 8). See wasm-threads.ts for how the threaded build is made to start in Node.
 */
function wasmThreadsWanted(): number {
  const env = process.env['WINNOW_WASM_THREADS'];
  if (env !== undefined && env !== '') {
    const n = Number(env);
    return Number.isInteger(n) && n >= 1 ? n : 1;
  }
  return Math.min(8, os.cpus().length);
}

function details(name: BackendName): BackendReport['details'] {
  const d: BackendReport['details'] = { tfjsVersion: tf.version.tfjs };
  if (name === 'wasm') {
    d.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    // ask the running module: the package's getThreadsCount() belongs to whichever copy (ESM / CJS) registered it
    const running = (
      tf.findBackend('wasm') as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | null
    )?.wasm?.tfjs?.getThreadsCount?.();
    d.threadsCount = running ?? 1;
    d.threads = d.threadsCount > 1;
    if (wasmThreadsNote) d.threadsNote = wasmThreadsNote;
    d.extraKernels = WASM_EXTRA_KERNELS.join(', ');
  }
  if (name === 'tensorflow' || name === 'tensorflow-gpu') {
    const binding = (tf.findBackend('tensorflow') as unknown as { binding?: { TF_Version?: string } } | null)?.binding;
    if (binding?.TF_Version) d.tensorflowVersion = binding.TF_Version;
    d.wrappedKernels = TENSORFLOW_WRAPPED_KERNELS.join(', ');
  }
  return d;
}

let current: BackendReport | null = null;
/** Selections run one after another: two concurrent tf.setBackend('wasm') calls make the second fail. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Selects a backend for this process. Calling it again with the same preference returns the cached report;
 * another preference switches (a native backend, once loaded, stays loaded).
 */
export function selectBackend(preference: BackendChoice = 'auto'): Promise<BackendReport> {
  // tfjs' console advice ("install our node backend …") is wrong here: Winnow picks the backend itself and says
  // which in the job log; production mode silences tfjs' own warnings (not errors).
  tf.enableProdMode();
  const next = queue.then(() => select(preference));
  queue = next.catch(() => undefined);
  return next;
}

/**
 * WINNOW_BACKEND=<rung> makes "auto" mean that rung (the test suites pin wasm with it, so their seeded
 * expectations hold on a machine where the native engine is set up; also handy to compare rungs).
 */
function autoOverride(): BackendName | null {
  const v = process.env['WINNOW_BACKEND'];
  return v && (BACKEND_LADDER as readonly string[]).includes(v) ? (v as BackendName) : null;
}

async function select(asked: BackendChoice): Promise<BackendReport> {
  const preference: BackendChoice = asked === 'auto' ? (autoOverride() ?? 'auto') : asked;
  if (current && current.preference === preference) return current;
  const attempts: BackendAttempt[] = [];
  let selected: BackendName | null = null;
  for (const name of BACKEND_LADDER) {
    const packageName = BACKEND_PACKAGES[name];
    if (selected) {
      attempts.push({ name, packageName, ok: false, skipped: true, reason: `not tried: ${selected} loaded first` });
      continue;
    }
    if (preference !== 'auto' && preference !== name) {
      attempts.push({ name, packageName, ok: false, skipped: true, reason: `not tried: ${preference} was requested` });
      continue;
    }
    const t0 = performance.now();
    const why = await activate(name);
    const ms = Math.round(performance.now() - t0);
    if (why === null) {
      selected = name;
      attempts.push({ name, packageName, ok: true, ms });
    } else {
      attempts.push({ name, packageName, ok: false, reason: why, ms });
    }
  }
  if (!selected) {
    const report: BackendReport = { preference, selected: 'cpu', attempts, details: {} };
    const reason = attempts.find((a) => a.name === preference)?.reason ?? 'no backend loaded';
    throw new BackendUnavailableError(
      report,
      `The ${preference} backend is not available: ${reason} Choose "auto" or another backend.`,
    );
  }
  current = { preference, selected, attempts, details: details(selected) };
  return current;
}
