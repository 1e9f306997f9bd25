/**
 * Benchmark: the first-order DARTS step of supernet-step.ts (darts supernet, C=16, 5 cells, batch 32, 28x28x1, one α
 * step + one weight step) on several backends in the same run, one after another, so their images/s are measured on
 * the same machine under the same load: each tfjs backend through supernet-step.ts, and PyTorch through its twin
 * torch_supernet_step.py (the same network and step written with PyTorch's kernels; /usr/bin/python3 with torch).
 *
 *   npx tsx test/bench/backends.ts [--backends wasm,tensorflow,pytorch] [--steps N] [--threads 2] [--warmup N]
 *                                  [--batch N] [--python /usr/bin/python3] [--timeout-min 60] [--torch-args "..."]
 *
 * Each backend runs as its own child process (`npx tsx test/bench/supernet-step.ts --backend B --steps N`, with
 * TF_CPP_MIN_LOG_LEVEL=2; `python3 test/bench/torch_supernet_step.py --threads T --steps N`). --threads sets the
 * wasm thread pool (WINNOW_WASM_THREADS), torch.set_num_threads, and TF_NUM_INTRAOP_THREADS for tensorflow (which
 * libtensorflow reads for its own pool; supernet-step.ts reports threads 1 for it whatever the pool is). A backend
 * that fails (not installed, fails to load, python without torch, timeout) gets {backend, error: "<one line why>"}
 * and the others still run.
 *
 * Prints one JSON document: {machine: {cpus, model, load_before, load_after}, runs: [each backend's JSON line, plus
 * wall_s and the 1-minute load when it started], ratios: {"<a>_vs_<b>": images/s of a / images/s of b, for every
 * ordered pair of backends that ran}}. Wall-clock numbers: run it on an otherwise idle machine (on a busy one, a
 * multi-threaded backend waits on its threads and loses more than a single-threaded one).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,tensorflow,pytorch' },
    steps: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    warmup: { type: 'string' },
    batch: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'timeout-min': { type: 'string', default: '60' },
    'torch-args': { type: 'string', default: '' },
  },
});

const root = path.resolve(import.meta.dirname, '..', '..');
const timeoutMs = Number(values['timeout-min']) * 60_000;
const load1 = (): number => Math.round(os.loadavg()[0]! * 100) / 100;
const loads = (): number[] => os.loadavg().map((l) => Math.round(l * 100) / 100);

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError?: string;
}

/** Runs a command in its own process group (so a timeout ends npx's grandchildren too) and collects its output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (e) => (spawnError = e.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

/** The last stdout line that parses as a JSON object (the benches print exactly one). */
function lastJson(stdout: string): Record<string, unknown> | null {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v: unknown = JSON.parse(lines[i]!);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // not this line
    }
  }
  return null;
}

/** One line saying why a child failed: its error line (a thrown Error, a Python exception), else its last words. */
function whyFailed(r: ChildResult): string {
  if (r.spawnError) return `could not start: ${r.spawnError}`;
  if (r.timedOut) return `timed out after ${values['timeout-min']} min`;
  const lines = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.includes('var Module'));
  const errorLine = [...lines].reverse().find((l) => /^([\w.]*(Error|Exception)\b|Error:)/.test(l));
  const line = errorLine ?? lines[lines.length - 1] ?? (r.stdout.trim().split('\n').pop() || '');
  const status = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
  return `${line ? `${line.slice(0, 300)} ` : ''}(${status})`;
}

async function measure(backend: string): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
  let cmd: string;
  let args: string[];
  if (backend === 'pytorch') {
    cmd = values.python;
    args = [path.join('test', 'bench', 'torch_supernet_step.py'), '--threads', values.threads, '--steps', values.steps];
    if (values.warmup) args.push('--warmup', values.warmup);
    if (values.batch) args.push('--batch', values.batch);
    args.push(...values['torch-args'].split(/\s+/).filter(Boolean));
  } else {
    cmd = 'npx';
    args = ['tsx', path.join('test', 'bench', 'supernet-step.ts'), '--backend', backend, '--steps', values.steps];
    if (values.warmup) args.push('--warmup', values.warmup);
    if (values.batch) args.push('--batch', values.batch);
    if (backend === 'wasm') env.WINNOW_WASM_THREADS = values.threads;
    if (backend.startsWith('tensorflow')) {
      env.TF_NUM_INTRAOP_THREADS = values.threads;
      env.TF_NUM_INTEROP_THREADS = '1';
    }
  }
  const load = load1();
  const t0 = performance.now();
  const r = await run(cmd, args, env);
  const wall = Math.round((performance.now() - t0) / 100) / 10;
  const json = r.code === 0 ? lastJson(r.stdout) : null;
  if (!json)
    return {
      backend,
      error: r.code === 0 ? `no JSON line in its output (exit 0)` : whyFailed(r),
      wall_s: wall,
      load_1m_at_start: load,
    };
  const out: Record<string, unknown> = { ...json, wall_s: wall, load_1m_at_start: load };
  // a tfjs run reports the backend selectBackend gave it: keep what was asked for beside it if they differ
  if (json.backend !== backend) out.requested = backend;
  return out;
}

const machine: Record<string, unknown> = {
  cpus: os.cpus().length,
  model: os.cpus()[0]?.model ?? null,
  load_before: loads(),
};
const runs: Array<Record<string, unknown>> = [];
for (const backend of values.backends
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean)) {
  process.stderr.write(`backends: ${backend}…\n`);
  runs.push(await measure(backend));
}
machine.load_after = loads();

const speed = (r: Record<string, unknown>): number | null =>
  typeof r.train_images_per_s === 'number' && r.train_images_per_s > 0 ? r.train_images_per_s : null;
const ratios: Record<string, number> = {};
for (const a of runs) {
  for (const b of runs) {
    const [sa, sb] = [speed(a), speed(b)];
    if (a === b || sa === null || sb === null) continue;
    ratios[`${String(a.requested ?? a.backend)}_vs_${String(b.requested ?? b.backend)}`] =
      Math.round((sa / sb) * 1000) / 1000;
  }
}
process.stdout.write(
  `${JSON.stringify({ bench: 'backends', steps: Number(values.steps), threads: Number(values.threads), machine, runs, ratios }, null, 2)}\n`,
);
