import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostToWorker, WorkerChannel, WorkerLauncher, WorkerToHost } from '../engine/jobs/protocol.js';
import { createWorkerRuntime } from '../engine/jobs/runtime.js';
import { engineHandlerFor } from '../jobs/registry.js';

/**
 * The built worker script. In the bundle (dist/main/cli.js) it is the sibling worker.js; when running from
 * sources (tests) it is <repo>/dist/main/worker.js, found by walking up to package.json.
 */
export function defaultWorkerScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const sibling = path.join(here, 'worker.js');
  if (fs.existsSync(sibling)) return sibling;
  for (let dir = here; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'main', 'worker.js');
  }
  return sibling;
}

/**
 * Starts the engine worker with child_process.fork (CLI and `winnow serve`). Its stdout and stderr go to
 * `logFile` (so `--json` output stays clean) and their last lines are kept for error messages.
 */
export function forkLauncher(options: { script?: string; logFile?: string } = {}): WorkerLauncher {
  return () => {
    const script = options.script ?? defaultWorkerScript();
    if (!fs.existsSync(script)) {
      throw new Error(`The engine worker ${script} is missing: run \`npm run build\` first.`);
    }
    const child = fork(script, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
    if (options.logFile) {
      fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
      const log = fs.createWriteStream(options.logFile, { flags: 'a' });
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
      child.once('exit', () => setTimeout(() => log.end(), 50));
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
    return {
      get pid() {
        return child.pid;
      },
      send: (m: HostToWorker) => {
        if (child.connected) child.send(m);
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as WorkerToHost)),
      onExit: (listener) => child.once('exit', (code, signal) => listener({ code, signal })),
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    } satisfies WorkerChannel;
  };
}

/** Runs the engine in this process (tests, and quick CLI runs). Messages are delivered asynchronously, as over IPC. */
export function inProcessLauncher(): WorkerLauncher {
  return () => {
    const messageListeners: Array<(m: WorkerToHost) => void> = [];
    const exitListeners: Array<(i: { code: number | null; signal: string | null }) => void> = [];
    let alive = true;
    const runtime = createWorkerRuntime((m) => {
      if (alive) setImmediate(() => alive && messageListeners.forEach((l) => l(m)));
    }, engineHandlerFor);
    setImmediate(() => alive && messageListeners.forEach((l) => l({ type: 'ready', pid: process.pid })));
    return {
      pid: undefined,
      send: (m) => {
        if (alive) setImmediate(() => runtime.handle(m));
      },
      onMessage: (l) => messageListeners.push(l),
      onExit: (l) => exitListeners.push(l),
      kill: () => {
        if (!alive) return;
        alive = false;
        exitListeners.forEach((l) => l({ code: null, signal: 'SIGKILL' }));
      },
    };
  };
}
