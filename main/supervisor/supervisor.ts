/**
 * The host side of the job model: a queue (one running job per worker), the worker's lifecycle, and
 * persistence of every event before it is published to the UIs. Jobs belong to the process that created
 * them (owner_pid); a process never runs or interrupts another live process's jobs.
 */
import fs from 'node:fs';
import type { BackendChoice, BackendReport } from '../../shared/backend.js';
import { isFinished, isResumable, type JobEvent, type JobSummary, type PushMessage } from '../../shared/jobs.js';
import { describeWriteError, diskFullMessage, isDiskFull } from '../engine/jobs/disk.js';
import type {
  HostToWorker,
  SourceSummary,
  WorkerChannel,
  WorkerLauncher,
  WorkerToHost,
} from '../engine/jobs/protocol.js';
import type { ImportFormat } from '../../shared/datasets.js';
import { SourceReadError } from '../data/types.js';
import type { AnyJobKindSpec, HostJobContext, JobCheckHost, JobHost } from '../jobs/kind.js';
import { describeIssues, findJobKind, jobKind, parseJobParams } from '../jobs/registry.js';
import { jobDirFor, moveAside } from '../store/paths.js';
import type { Store } from '../store/index.js';
import type { ProbeResult } from '../engine/cost/probe.js';

export class SupervisorError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Around each job the supervisor calls its kind's host hooks (main/jobs/kind.ts): `prepare` before the engine
 * starts it, `finalize` on its result, `discard` when it ends unfinished.
 */
export interface SupervisorOptions {
  store: Store;
  dataDir: string;
  launcher: WorkerLauncher;
  publish: (message: PushMessage) => void;
  /** After a cancel, how long the worker gets to stop the job before it is killed. */
  cancelGraceMs?: number;
  /** How often to look for cancel requests made by other processes. */
  pollMs?: number;
}

const pidAlive = (pid: number | null): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Bytes under a folder (what a job had written when the disk filled up); 0 when it is gone. */
function folderBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) total += folderBytes(p);
    else if (e.isFile()) total += fs.statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}

function describeExit(code: number | null, signal: string | null): string {
  if (signal === 'SIGKILL') return 'the engine process was killed (SIGKILL; out of memory, or killed by hand)';
  if (signal) return `the engine process was stopped by ${signal}`;
  return `the engine process exited unexpectedly with code ${code}`;
}

/** A calibration asked for while a job runs on the engine. */
export class EngineBusyError extends Error {
  constructor(readonly jobId: number) {
    super(`The engine is busy with job ${jobId}; the time is estimated when it is free.`);
  }
}

export class JobSupervisor {
  private readonly store: Store;
  private worker: WorkerChannel | null = null;
  private running: { jobId: number; kind: string; jobDir: string; cancelTimer?: NodeJS.Timeout } | null = null;
  private readonly probes = new Map<number, (r: BackendReport | Error) => void>();
  private readonly detections = new Map<number, (r: SourceSummary | Error) => void>();
  private readonly calibrations = new Map<number, (r: ProbeResult | Error) => void>();
  private nextProbe = 1;
  private closed = false;
  private readonly poll: NodeJS.Timeout;
  private readonly idleWaiters: Array<() => void> = [];
  /**
   * Jobs of kinds that run in the host (`hostRun`: an experiment): they take no engine slot; `wake` resolves their
   * `nextChange` waits, called on every job state change.
   */
  private readonly hostRuns = new Map<number, { abort: AbortController; wake: Array<() => void> }>();

  /** What the kinds' host hooks are given. */
  private readonly host: JobHost;

  constructor(private readonly opts: SupervisorOptions) {
    this.store = opts.store;
    this.host = { store: opts.store, dataDir: opts.dataDir };
    this.recover();
    this.poll = setInterval(() => this.pollCancelRequests(), opts.pollMs ?? 1000);
    this.poll.unref();
    this.pump();
  }

  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  /**
   * Jobs left `running` by a process that is gone become `interrupted`; its queued jobs are adopted. Needs no free
   * space: partial outputs are removed first (giving space back), and a state that still cannot be written (a
   * full disk) is left for the next start instead of failing this one.
   */
  private recover(): void {
    for (const job of this.store.jobs.listByStates(['running', 'queued'])) {
      if (job.ownerPid !== process.pid && pidAlive(job.ownerPid)) continue;
      try {
        if (job.state === 'running') {
          const spec = findJobKind(job.kind);
          spec?.discard?.(this.host, { id: job.id, jobDir: jobDirFor(this.opts.dataDir, job.id) });
          this.record(job.id, {
            type: 'state',
            state: 'interrupted',
            // a kind whose handler cannot continue from a checkpoint never promises one
            message: spec?.engine.resumable
              ? 'Winnow stopped while this job was running. Resume it to continue from its last checkpoint.'
              : 'Winnow stopped while this job was running. Resume it to run it again from the start.',
          });
        } else {
          this.store.jobs.setOwner(job.id, process.pid, null);
        }
      } catch (e) {
        if (!isDiskFull(e)) throw e;
      }
    }
  }

  /** Queues a job whose params its kind's schema has parsed (the API does; see main/jobs/registry.ts). */
  start(request: { kind: string; params: unknown }): JobSummary {
    this.assertOpen();
    jobKind(request.kind);
    const job = this.store.jobs.create(request.kind, request.params, process.pid);
    // a new job never starts in an old job's folder (a stale checkpoint would be "resumed"): move it aside
    const moved = moveAside(jobDirFor(this.opts.dataDir, job.id));
    if (moved)
      this.record(job.id, {
        type: 'log',
        level: 'warn',
        message: `A folder from an earlier job ${job.id} was in the way; it was moved to ${moved}.`,
      });
    this.record(job.id, { type: 'state', state: 'queued' });
    this.pump();
    return this.get(job.id);
  }

  get(id: number): JobSummary {
    const job = this.store.jobs.get(id);
    if (!job) throw new SupervisorError('not_found', `There is no job ${id}. List jobs with \`winnow jobs list\`.`);
    return job;
  }

  cancel(id: number): JobSummary {
    const job = this.get(id);
    if (isFinished(job.state))
      throw new SupervisorError('conflict', `Job ${id} has already ended (${job.state}); there is nothing to cancel.`);
    const owner = this.store.jobs.ownership(id)?.ownerPid ?? null;
    if (owner !== process.pid && pidAlive(owner)) {
      // another Winnow process runs it: leave a request its supervisor picks up within a second
      this.store.jobs.requestCancel(id);
      return this.get(id);
    }
    const hostRun = this.hostRuns.get(id);
    if (hostRun) {
      // the run cancels its children and returns; it ends as cancelled then
      hostRun.abort.abort();
      hostRun.wake.splice(0).forEach((w) => w());
      return this.get(id);
    }
    if (job.state === 'queued' || this.running?.jobId !== id) {
      this.record(id, { type: 'state', state: 'cancelled', message: 'Cancelled before it started.' });
      return this.get(id);
    }
    this.send({ type: 'cancel', jobId: id });
    const running = this.running;
    running.cancelTimer ??= setTimeout(() => {
      if (this.running?.jobId === id) {
        this.record(id, {
          type: 'log',
          level: 'warn',
          message: 'The job did not stop in time; stopping the engine process.',
        });
        this.finish(id, 'cancelled', 'Cancelled by the user (the engine process was stopped).');
        this.killWorker();
      }
    }, this.opts.cancelGraceMs ?? 10_000);
    return this.get(id);
  }

  /** `restart`: the job's folder (its checkpoint) is moved to leftovers/ first, so the job runs from the start. */
  resume(id: number, options: { restart?: boolean } = {}): JobSummary {
    this.assertOpen();
    const job = this.get(id);
    if (!isResumable(job.state)) {
      throw new SupervisorError(
        'conflict',
        `Job ${id} is ${job.state}; only interrupted, cancelled or failed jobs can be resumed.`,
      );
    }
    if (options.restart) {
      const moved = moveAside(jobDirFor(this.opts.dataDir, id));
      this.record(id, {
        type: 'log',
        level: 'info',
        message: `Restarting from scratch${moved ? `; the earlier files were moved to ${moved}` : ''}.`,
      });
    }
    this.store.jobs.setOwner(id, process.pid, null);
    this.record(id, { type: 'state', state: 'queued', message: 'Resumed: waiting for the engine.' });
    this.pump();
    return this.get(id);
  }

  /** Asks the worker which backend it would use (and why the others were not). */
  probe(preference: BackendChoice): Promise<BackendReport> {
    return this.request(
      this.probes,
      60_000,
      'The engine process did not answer the backend probe within 60 s.',
      (requestId) => ({ type: 'probe', requestId, backend: preference }),
    );
  }

  /**
   * Sends a request the worker answers by requestId, settled by onWorkerMessage (or rejected when the worker dies
   * or `timeoutMs` passes with no answer).
   */
  private request<T>(
    pending: Map<number, (r: T | Error) => void>,
    timeoutMs: number,
    timeoutMessage: string,
    message: (requestId: number) => HostToWorker,
  ): Promise<T> {
    this.assertOpen();
    const requestId = this.nextProbe++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(requestId);
        reject(new Error(timeoutMessage));
      }, timeoutMs);
      pending.set(requestId, (r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      });
      this.send(message(requestId));
    });
  }

  /**
   * Lets the engine process go when no job runs, so the next job or probe starts a fresh one: a process that has
   * tried to load the native backend keeps that outcome, and `winnow setup tensorflow` changes it. False (nothing
   * done) while a job, a probe or a detection runs; its process is left alone.
   */
  releaseEngine(): boolean {
    if (this.running || this.probes.size > 0 || this.detections.size > 0 || this.calibrations.size > 0) return false;
    this.killWorker();
    return true;
  }

  /**
   * What a path holds, read by the engine process: a source's contents (a gzip-compressed IDX file, say) are never
   * inflated in the host that serves the UI. Rejects with SourceReadError when the path is not a readable dataset.
   */
  detect(source: { path: string; format: ImportFormat; cifar100Labels?: 'fine' | 'coarse' }): Promise<SourceSummary> {
    return this.request(
      this.detections,
      600_000,
      'The engine process did not finish reading the source within 10 minutes.',
      (requestId) => ({
        type: 'detect',
        requestId,
        path: source.path,
        format: source.format,
        ...(source.cifar100Labels ? { cifar100Labels: source.cifar100Labels } : {}),
      }),
    );
  }

  /**
   * Cost before Start: times a few steps of a job's network at its shape in the engine process (a ProbeSpec of
   * main/engine/cost/probe.ts). Rejects, saying so, while a job runs: the probe would switch its backend and
   * measure a shared CPU.
   */
  calibrate(probe: unknown, backend: BackendChoice): Promise<ProbeResult> {
    if (this.running) return Promise.reject(new EngineBusyError(this.running.jobId));
    return this.request(
      this.calibrations,
      120_000,
      'The engine did not finish timing the network within 2 minutes.',
      (requestId) => ({ type: 'calibrate', requestId, backend, probe }),
    );
  }

  /** Whether a job is running now (an estimate's calibration waits for it to end). */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves when no job is running or queued for this process (tests and the CLI wait on it). */
  whenIdle(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    for (const [id, run] of [...this.hostRuns]) {
      this.hostRuns.delete(id);
      run.abort.abort();
      run.wake.splice(0).forEach((w) => w());
      this.record(id, {
        type: 'state',
        state: 'interrupted',
        message: 'Winnow was closed while this job was running. Resume it to continue.',
      });
    }
    if (this.running) {
      this.finish(
        this.running.jobId,
        'interrupted',
        'Winnow was closed while this job was running. Resume it to continue.',
      );
    }
    this.killWorker();
  }

  // ---- internals ---------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new Error('The job supervisor is closed.');
  }

  /** Persists an event, then publishes it (and the job's new summary) to the UIs. */
  private record(jobId: number, event: JobEvent): void {
    let stored;
    try {
      stored = this.store.jobs.appendEvent(jobId, event);
    } catch (e) {
      if (!isDiskFull(e)) throw e;
      this.diskFull(jobId, event);
      return;
    }
    this.opts.publish({ channel: 'job.event', ...stored });
    if (event.type !== 'log' && event.type !== 'metric') {
      const job = this.store.jobs.get(jobId);
      if (job) this.opts.publish({ channel: 'job.updated', job });
    }
    if (event.type === 'state') for (const run of this.hostRuns.values()) run.wake.splice(0).forEach((w) => w());
  }

  /**
   * The database could not take an event: the disk holding the data folder is full. The running job stops (nothing
   * it reports can be kept), its partial outputs are removed first to give the space back, then its failure is
   * written; if even that fails, the UIs still hear it, and the next start's recovery writes it.
   */
  private diskFull(jobId: number, event: JobEvent): void {
    const running = this.running;
    if (running?.jobId !== jobId) {
      // a job that already ended here (its final state could not be written): the UIs still hear the end
      const job = event.type === 'state' ? this.store.jobs.get(jobId) : undefined;
      if (job && event.type === 'state')
        this.opts.publish({
          channel: 'job.updated',
          job: { ...job, state: event.state, message: event.message ?? job.message },
        });
      return;
    }
    clearTimeout(running.cancelTimer);
    this.running = null;
    const written = folderBytes(running.jobDir);
    try {
      findJobKind(running.kind)?.discard?.(this.host, { id: jobId, jobDir: running.jobDir });
    } catch {
      // best effort: the failure below matters more
    }
    this.killWorker();
    const message = diskFullMessage(this.opts.dataDir, written + (1 << 20));
    try {
      this.store.jobs.appendEvent(jobId, { type: 'state', state: 'failed', message });
    } catch {
      // still full: the row stays `running` until a start with free space marks it interrupted
    }
    const job = this.store.jobs.get(jobId);
    if (job)
      this.opts.publish({
        channel: 'job.updated',
        job: { ...job, state: 'failed', message, endedAt: job.endedAt ?? Date.now() },
      });
    queueMicrotask(() => this.pump());
  }

  /** The next queued engine job of this process (host-run kinds never wait for the engine). */
  private nextQueued(): JobSummary | undefined {
    return this.store.jobs
      .listByStates(['queued'])
      .find((j) => j.ownerPid === process.pid && !findJobKind(j.kind)?.hostRun);
  }

  private idle(): boolean {
    return (
      !this.running &&
      this.hostRuns.size === 0 &&
      !this.store.jobs.listByStates(['queued']).some((j) => j.ownerPid === process.pid)
    );
  }

  private pump(): void {
    if (this.closed) return;
    for (const job of this.store.jobs.listByStates(['queued'])) {
      const spec = findJobKind(job.kind);
      if (job.ownerPid === process.pid && spec?.hostRun && !this.hostRuns.has(job.id)) this.startHostRun(job, spec);
    }
    if (this.running) return;
    const job = this.nextQueued();
    if (!job) {
      if (this.idle()) this.idleWaiters.splice(0).forEach((r) => r());
      return;
    }
    const jobDir = jobDirFor(this.opts.dataDir, job.id);
    this.running = { jobId: job.id, kind: job.kind, jobDir };
    const worker = this.ensureWorker();
    this.store.jobs.setOwner(job.id, process.pid, worker.pid ?? null);
    this.record(job.id, { type: 'state', state: 'running' });
    fs.mkdirSync(jobDir, { recursive: true });
    const backend = this.store.settings.get().backend;
    let context: unknown;
    try {
      const spec = jobKind(job.kind);
      context = spec.prepare?.(this.host, { id: job.id, params: spec.engine.params.parse(job.params) });
    } catch (e) {
      this.finish(job.id, 'failed', e instanceof Error ? e.message : String(e));
      return;
    }
    this.send({
      type: 'start',
      jobId: job.id,
      kind: job.kind,
      params: job.params,
      jobDir,
      resume: job.attempts > 0,
      backend,
      context,
    });
  }

  /** Runs a host-run kind's job (an experiment) in this process; it ends when its `run` settles. */
  private startHostRun(job: JobSummary, spec: AnyJobKindSpec): void {
    const run = { abort: new AbortController(), wake: [] as Array<() => void> };
    this.hostRuns.set(job.id, run);
    const jobDir = jobDirFor(this.opts.dataDir, job.id);
    const attempts = job.attempts;
    this.store.jobs.setOwner(job.id, process.pid, null);
    this.record(job.id, { type: 'state', state: 'running' });
    const checkHost: JobCheckHost = { ...this.host, detect: (source) => this.detect(source) };
    let params: unknown;
    try {
      fs.mkdirSync(jobDir, { recursive: true });
      params = spec.engine.params.parse(job.params);
    } catch (e) {
      this.endHostRun(job.id, 'failed', e instanceof Error ? e.message : String(e));
      return;
    }
    const ctx: HostJobContext<unknown> = {
      jobId: job.id,
      jobDir,
      params,
      attempts,
      host: checkHost,
      startJob: async (kind, raw) => {
        const child = jobKind(kind);
        const parsed = parseJobParams(child, raw);
        if (!parsed.success)
          throw new Error(
            `The ${child.ui?.noun ?? kind} it would start has invalid settings: ${describeIssues(parsed.error, { whole: 'params' })}.`,
          );
        await child.refuse?.(checkHost, parsed.data);
        return this.start({ kind, params: parsed.data });
      },
      resumeJob: (id) => this.resume(id),
      cancelJob: (id) => this.cancel(id),
      emit: (event) => {
        if (this.hostRuns.get(job.id) === run) this.record(job.id, event);
      },
      nextChange: () =>
        new Promise((resolve) => {
          if (run.abort.signal.aborted) resolve();
          else run.wake.push(resolve);
        }),
      signal: run.abort.signal,
    };
    spec.hostRun!.run(ctx).then(
      (result) => {
        if (this.hostRuns.get(job.id) !== run) return; // closed meanwhile
        if (run.abort.signal.aborted) return this.endHostRun(job.id, 'cancelled', 'Cancelled by the user.');
        let final: unknown = result ?? null;
        try {
          if (spec.finalize) final = spec.finalize(this.host, { id: job.id, jobDir, result });
        } catch (caught) {
          const e = describeWriteError(caught, this.opts.dataDir, folderBytes(jobDir));
          return this.endHostRun(job.id, 'failed', e instanceof Error ? e.message : String(e));
        }
        this.record(job.id, { type: 'result', result: final });
        this.endHostRun(job.id, 'done');
      },
      (e: unknown) => {
        if (this.hostRuns.get(job.id) !== run) return;
        if (run.abort.signal.aborted) return this.endHostRun(job.id, 'cancelled', 'Cancelled by the user.');
        const described = describeWriteError(e, this.opts.dataDir, folderBytes(jobDir));
        this.endHostRun(job.id, 'failed', described instanceof Error ? described.message : String(described));
      },
    );
  }

  private endHostRun(jobId: number, state: 'done' | 'failed' | 'cancelled', message?: string): void {
    this.hostRuns.delete(jobId);
    if (state !== 'done') {
      try {
        findJobKind(this.store.jobs.get(jobId)?.kind ?? '')?.discard?.(this.host, {
          id: jobId,
          jobDir: jobDirFor(this.opts.dataDir, jobId),
        });
      } catch {
        // best effort: the state below matters more
      }
    }
    this.record(jobId, { type: 'state', state, ...(message ? { message } : {}) });
    queueMicrotask(() => this.pump());
  }

  private ensureWorker(): WorkerChannel {
    if (this.worker) return this.worker;
    const worker = this.opts.launcher();
    this.worker = worker;
    worker.onMessage((m) => this.onWorkerMessage(worker, m));
    worker.onExit(({ code, signal }) => this.onWorkerExit(worker, code, signal));
    return worker;
  }

  private send(message: HostToWorker): void {
    this.ensureWorker().send(message);
  }

  private killWorker(): void {
    const w = this.worker;
    this.worker = null;
    if (w) w.kill();
  }

  private onWorkerMessage(worker: WorkerChannel, m: WorkerToHost): void {
    if (worker !== this.worker) return; // a worker we already let go
    switch (m.type) {
      case 'ready':
        break;
      case 'event':
        if (this.running?.jobId === m.jobId) this.record(m.jobId, m.event);
        break;
      case 'finished': {
        const running = this.running;
        if (running?.jobId !== m.jobId) break;
        if (m.outcome !== 'done') {
          this.finish(m.jobId, m.outcome, m.message);
          break;
        }
        let result: unknown = m.result ?? null;
        const spec = findJobKind(running.kind);
        try {
          if (spec?.finalize) result = spec.finalize(this.host, { id: m.jobId, jobDir: running.jobDir, result });
        } catch (caught) {
          const e = describeWriteError(caught, this.opts.dataDir, folderBytes(running.jobDir));
          this.finish(m.jobId, 'failed', e instanceof Error ? e.message : String(e));
          break;
        }
        this.record(m.jobId, { type: 'result', result });
        this.finish(m.jobId, 'done');
        break;
      }
      case 'detect-result': {
        const settle = this.detections.get(m.requestId);
        this.detections.delete(m.requestId);
        if (m.result) settle?.(m.result);
        else
          settle?.(
            m.error?.source
              ? new SourceReadError(m.error.message)
              : new Error(m.error?.message ?? 'The engine could not read the source.'),
          );
        break;
      }
      case 'calibrate-result': {
        const settle = this.calibrations.get(m.requestId);
        this.calibrations.delete(m.requestId);
        settle?.(m.result ?? new Error(m.error ?? 'The engine could not time the network.'));
        break;
      }
      case 'probe-result': {
        const resolve = this.probes.get(m.requestId);
        this.probes.delete(m.requestId);
        resolve?.(m.report);
        break;
      }
    }
  }

  private finish(jobId: number, state: 'done' | 'failed' | 'cancelled' | 'interrupted', message?: string): void {
    const running = this.running;
    if (running?.jobId !== jobId) return;
    clearTimeout(running.cancelTimer);
    this.running = null;
    if (state !== 'done') {
      try {
        findJobKind(running.kind)?.discard?.(this.host, { id: jobId, jobDir: running.jobDir });
      } catch (e) {
        this.record(jobId, {
          type: 'log',
          level: 'warn',
          message: `Could not clean up: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
    }
    this.record(jobId, { type: 'state', state, ...(message ? { message } : {}) });
    queueMicrotask(() => this.pump());
  }

  private onWorkerExit(worker: WorkerChannel, code: number | null, signal: string | null): void {
    if (worker !== this.worker) return;
    this.worker = null;
    const why = describeExit(code, signal);
    for (const settle of this.probes.values()) settle(new Error(`The backend probe failed: ${why}.`));
    this.probes.clear();
    for (const settle of this.detections.values()) settle(new Error(`Reading the source failed: ${why}.`));
    this.detections.clear();
    for (const settle of this.calibrations.values()) settle(new Error(`Timing the network failed: ${why}.`));
    this.calibrations.clear();
    if (this.running) {
      const jobId = this.running.jobId;
      this.finish(
        jobId,
        'interrupted',
        `Interrupted: ${why}. Resume it from Runs or with \`winnow jobs resume ${jobId}\`.`,
      );
    }
  }

  private pollCancelRequests(): void {
    if (this.closed) return;
    const mine = [...(this.running ? [this.running.jobId] : []), ...this.hostRuns.keys()];
    if (mine.length === 0) return;
    const ids = this.store.jobs.takeCancelRequests(mine);
    for (const id of ids) this.cancel(id);
  }
}
