/**
 * Entry point of the engine worker process. Started by child_process.fork (CLI, serve) or by Electron's
 * utilityProcess.fork (app); the only difference is the message channel.
 */
import type { HostToWorker, WorkerToHost } from '../engine/jobs/protocol.js';
import { createWorkerRuntime } from '../engine/jobs/runtime.js';
import { engineHandlerFor } from './registry.js';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

const send: (m: WorkerToHost) => void = parentPort
  ? (m) => parentPort.postMessage(m)
  : (m) => {
      if (process.send) process.send(m);
    };

const runtime = createWorkerRuntime(send, engineHandlerFor);

if (parentPort) parentPort.on('message', (e) => runtime.handle(e.data as HostToWorker));
else if (process.send) process.on('message', (m) => runtime.handle(m as HostToWorker));
else {
  process.stderr.write('The Winnow engine worker must be started by Winnow (it talks over an IPC channel).\n');
  process.exit(2);
}
// Without a parent the worker has nothing to do: leave when the channel closes.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
