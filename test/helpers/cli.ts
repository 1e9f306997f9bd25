import { spawn, type ChildProcess } from 'node:child_process';
import { WINNOW_BIN } from './tmp.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Command-line flags from named options, in order: `{ limitPerClass: 4, json: true }` gives
 * `['--limit-per-class', '4', '--json']`; false and undefined are left out.
 */
export function flags(options: Record<string, string | number | boolean | undefined>): string[] {
  return Object.entries(options).flatMap(([key, v]) => {
    if (v === undefined || v === false) return [];
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return v === true ? [flag] : [flag, String(v)];
  });
}

/** A NAS-Bench-201 search of seconds on wasm (4 images per class, 3 epochs): the fault tests stop and resume it. */
export const TINY_NB201_SEARCH = {
  space: 'nb201',
  epochs: 3,
  batch: 8,
  channels: 4,
  seed: 3,
  cells: 1,
  limitPerClass: 4,
  backend: 'wasm',
} as const;

/** A baseline CNN of the tiny preset trained for one epoch: `winnow evaluate` options for a model in seconds. */
export const TINY_CNN = { baseline: 'cnn', preset: 'tiny', epochs: 1, batch: 16 } as const;

/** Runs the built `winnow` command with a private data folder. */
export function runCli(args: string[], dataDir: string, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WINNOW_BIN, ...args], {
      env: { ...process.env, WINNOW_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`winnow ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `winnow serve --port 0 --json` (with `env` added to this process's) and resolves with its URL once it listens. */
export function startServe(
  dataDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<{ url: string; port: number; child: ChildProcess; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WINNOW_BIN, 'serve', '--port', '0', '--json', ...extraArgs], {
      env: { ...process.env, ...env, WINNOW_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const stop = () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      });
    child.stdout.on('data', (d) => {
      stdout += d;
      try {
        const parsed = JSON.parse(stdout) as { url: string; port: number } | { error: { message: string } };
        // with --json an error is a document too
        if ('error' in parsed) reject(new Error(`winnow serve failed: ${parsed.error.message}`));
        else resolve({ ...parsed, child, stop });
      } catch {
        // not the whole document yet
      }
    });
    child.on('exit', (code) => reject(new Error(`winnow serve exited with ${code}: ${stderr}`)));
  });
}
