/**
 * Entry point of the engine worker process. Started by child_process.fork (CLI, serve) or by Electron's
 * utilityProcess.fork (app); the only difference is the message channel.
 */
import type { HostToWorker, WorkerToHost } from '../engine/jobs/protocol.js';
import { createWorkerRuntime } from '../engine/jobs/runtime.js';
import { engineHandlerFor, loadJobKindPlugins } from './registry.js';

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

// plug-in job kinds load before the first message is handled (then-callbacks keep the messages' order); a plug-in
// that fails to load fails every job with the reason
const plugins = loadJobKindPlugins().then(
  () => null,
  (e: unknown) => (e instanceof Error ? e.message : String(e)),
);
const handle = (m: HostToWorker) =>
  void plugins.then((failure) => {
    if (failure && m.type === 'start') send({ type: 'finished', jobId: m.jobId, outcome: 'failed', message: failure });
    else runtime.handle(m);
  });

if (parentPort) parentPort.on('message', (e) => handle(e.data as HostToWorker));
else if (process.send) process.on('message', (m) => handle(m as HostToWorker));
else {
  process.stderr.write('The Winnow engine worker must be started by Winnow (it talks over an IPC channel).\n');
  process.exit(2);
}
// Without a parent the worker has nothing to do: leave when the channel closes.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
