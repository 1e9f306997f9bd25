/**
 * The engine side of the job protocol: takes host messages, runs one job at a time, reports events.
 * Transport-free: main/jobs/worker.ts wires it to a process channel, tests wire it in-process. The job kinds come
 * from `handlerFor` (main/jobs/registry.ts), so the engine names none.
 */
import fs from 'node:fs';
import { selectBackend } from '../backend/ladder.js';
import { JobCancelledError, JobUserError, createJobContext } from './context.js';
import { dataDirOfJob, describeWriteError } from './disk.js';
import type { HostToWorker, WorkerToHost } from './protocol.js';
import type { HandlerLookup } from './handler.js';
import { summariseSource } from '../../data/import-job.js';
import { ProbeSpec, runProbe } from '../cost/probe.js';
import { SourceError } from '../../data/types.js';

export interface WorkerRuntime {
  handle(message: HostToWorker): void;
}

function describe(e: unknown): string {
  if (e instanceof JobUserError) return e.message;
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

export function createWorkerRuntime(send: (message: WorkerToHost) => void, handlerFor: HandlerLookup): WorkerRuntime {
  let running: { jobId: number; abort: AbortController } | null = null;
  /** Calibrations in progress or queued: a job's start stops them and waits for them to let go of the backend. */
  const probes = new Set<{ abort: AbortController; done: Promise<unknown> }>();
  let lastProbe: Promise<unknown> = Promise.resolve();

  function calibrate(m: Extract<HostToWorker, { type: 'calibrate' }>): void {
    // the newest request wins: the form that asked before has moved on (its answer would come too late), and two
    // probes at once would time each other
    for (const p of probes) p.abort.abort();
    const abort = new AbortController();
    const result = lastProbe.then(() => {
      // a probe switches the backend: never while a job runs on it
      if (running) throw new Error(`The engine is busy with job ${running.jobId}.`);
      return runProbe(ProbeSpec.parse(m.probe), m.backend, { signal: abort.signal });
    });
    const entry = { abort, done: result.catch(() => null) };
    probes.add(entry);
    lastProbe = entry.done;
    void entry.done.finally(() => probes.delete(entry));
    result.then(
      (r) => send({ type: 'calibrate-result', requestId: m.requestId, result: r }),
      (e: unknown) =>
        send({ type: 'calibrate-result', requestId: m.requestId, error: e instanceof Error ? e.message : String(e) }),
    );
  }

  /** Stops every calibration (queued ones too) and waits until none holds the backend. */
  async function stopProbes(): Promise<void> {
    const all = [...probes];
    for (const p of all) p.abort.abort();
    await Promise.all(all.map((p) => p.done));
  }

  async function start(m: Extract<HostToWorker, { type: 'start' }>): Promise<void> {
    if (running) {
      send({
        type: 'finished',
        jobId: m.jobId,
        outcome: 'failed',
        message: `The engine is busy with job ${running.jobId}.`,
      });
      return;
    }
    const abort = new AbortController();
    running = { jobId: m.jobId, abort };
    const emit = (event: Parameters<typeof ctx.emit>[0]) => send({ type: 'event', jobId: m.jobId, event });
    const ctx = createJobContext(
      {
        jobId: m.jobId,
        jobDir: m.jobDir,
        resume: m.resume,
        backendPreference: m.backend,
        signal: abort.signal,
        hostContext: m.context,
      },
      (event) => emit(event),
    );
    try {
      const handler = handlerFor(m.kind);
      const params = handler.params.parse(m.params);
      fs.mkdirSync(m.jobDir, { recursive: true });
      const result = await handler.run(ctx, params);
      send({ type: 'finished', jobId: m.jobId, outcome: 'done', result });
    } catch (caught) {
      // ENOSPC / EROFS anywhere in the job: one plain sentence naming the data folder
      const e = describeWriteError(caught, dataDirOfJob(m.jobDir));
      if (e instanceof JobCancelledError || abort.signal.aborted) {
        send({ type: 'finished', jobId: m.jobId, outcome: 'cancelled', message: 'Cancelled by the user.' });
      } else {
        if (!(e instanceof JobUserError) && e instanceof Error && e.stack) ctx.log('debug', e.stack);
        send({ type: 'finished', jobId: m.jobId, outcome: 'failed', message: describe(e) });
      }
    } finally {
      running = null;
    }
  }

  return {
    handle(message) {
      switch (message.type) {
        case 'start':
          // a calibration in progress stops at its next step; the job starts once it has
          if (probes.size > 0) void stopProbes().then(() => start(message));
          else void start(message);
          break;
        case 'cancel':
          if (running && running.jobId === message.jobId) running.abort.abort();
          break;
        case 'detect':
          summariseSource(message.path, message.format, message.cifar100Labels).then(
            (result) => send({ type: 'detect-result', requestId: message.requestId, result }),
            (e: unknown) =>
              send({
                type: 'detect-result',
                requestId: message.requestId,
                error: { message: e instanceof Error ? e.message : String(e), source: e instanceof SourceError },
              }),
          );
          break;
        case 'calibrate':
          calibrate(message);
          break;
        case 'probe':
          selectBackend(message.backend).then(
            (report) => send({ type: 'probe-result', requestId: message.requestId, report }),
            (e: unknown) => {
              const report = (e as { report?: unknown }).report;
              send({ type: 'probe-result', requestId: message.requestId, report: report as never });
            },
          );
          break;
      }
    },
  };
}
