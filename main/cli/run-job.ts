/**
 * Every job-starting command runs its job the same way: start it (or resume it), show its progress and events
 * while waiting, cancel it on Ctrl-C, then report how it ended (as one JSON document with --json).
 */
import type { CostEstimate } from '../../shared/cost.js';
import { isFinished, type JobEvent, type JobSummary } from '../../shared/jobs.js';
import { jobMeaningNotes } from '../../shared/meaning.js';
import type { WinnowHost } from '../api/host.js';
import { findJobKind } from '../jobs/registry.js';
import { withHost, type GlobalValues } from './args.js';
import { estimateLines } from './estimate.js';
import { meaningLines } from './meaning.js';
import { EXIT_FAILURE, EXIT_OK, ProgressBar, UsageError, printJson, progressLabel, say } from './output.js';

export type EventLine = (e: JobEvent) => string | null;

/**
 * Starts a job, shows its progress, waits for its end; Ctrl-C cancels it. `eventLine` turns one of the job's
 * events into a line for stderr (printed above the progress bar), or null to print nothing.
 */
export async function watchJob(
  host: WinnowHost,
  start: () => Promise<JobSummary>,
  json: boolean,
  eventLine?: EventLine,
): Promise<JobSummary> {
  const bar = new ProgressBar();
  let jobId = 0;
  let settle: (job: JobSummary) => void = () => {};
  const finished = new Promise<JobSummary>((r) => (settle = r));
  const printEvent = (event: JobEvent) => {
    const line = eventLine ? eventLine(event) : null;
    if (line !== null) {
      bar.done();
      say(line);
    }
  };
  // events a job emits while it starts (an experiment's plan) arrive before its id does: kept until it is known
  const early: Array<{ jobId: number; event: JobEvent }> = [];
  const unsubscribe = host.api.subscribe((m) => {
    if (m.channel === 'job.event') {
      if (jobId === 0) {
        if (early.length < 100) early.push(m);
      } else if (m.jobId === jobId) printEvent(m.event);
      return;
    }
    if (m.job.id !== jobId) return;
    const job = m.job;
    if (job.progress && job.state === 'running')
      bar.update(job.progress.fraction, progressLabel(job.progress), job.progress.etaSeconds);
    if (isFinished(job.state)) settle(job);
  });
  const onSigint = () => {
    if (jobId) {
      say('\nCancelling…');
      void host.api.dispatch('jobs.cancel', { id: jobId }).catch(() => {});
    }
  };
  process.on('SIGINT', onSigint);
  try {
    const job = await start();
    jobId = job.id;
    if (!json) say(`Job ${job.id} (${job.kind}) started.`);
    for (const e of early.splice(0)) if (e.jobId === jobId) printEvent(e.event);
    const current = host.store.jobs.get(job.id);
    if (current && isFinished(current.state)) settle(current);
    return await finished;
  } finally {
    bar.done();
    unsubscribe();
    process.off('SIGINT', onSigint);
  }
}

export interface JobCommand {
  values: GlobalValues;
  kind: string;
  /** `--resume <job>`: continue that job instead of starting one. */
  resumeId?: number;
  /** The new job's parameters, or how to look them up on the host (e.g. a stored model of an evaluation). */
  params?: unknown;
  lookUpParams?(host: WinnowHost): Promise<unknown>;
  /** A line for one of the job's events; default: the kind's own (its `cli.eventLine`). */
  eventLine?: EventLine;
  /** Where a job to be resumed stands, said before it resumes (not with --json); throws when it does not exist. */
  resuming?(host: WinnowHost, id: number): Promise<string>;
  /** Prints how the job ended; returns the exit code. */
  report(host: WinnowHost, job: JobSummary, json: boolean): Promise<number> | number;
}

/** Runs a job-starting command: opens the host, starts or resumes the job, waits for it, reports. */
export function runJobCommand(c: JobCommand): Promise<number> {
  const { json } = c.values;
  const cli = findJobKind(c.kind)?.cli;
  const eventLine = c.eventLine ?? (cli?.eventLine ? (e: JobEvent) => cli.eventLine!(e) : undefined);
  return withHost(c.values, async (host) => {
    if (c.values.estimate) {
      if (c.resumeId !== undefined) throw new UsageError('--estimate is for a new job; drop --resume.');
      const params = c.lookUpParams ? await c.lookUpParams(host) : c.params;
      const estimate = (await host.api.dispatch('jobs.estimate', { kind: c.kind, params } as never)) as CostEstimate;
      // settings the job would be refused with are a usage error, as they are for a start
      if (estimate.refusal !== null) throw new UsageError(estimate.refusal);
      if (json) printJson(estimate);
      else for (const line of estimateLines(estimate)) say(line);
      return EXIT_OK;
    }
    let job: JobSummary;
    if (c.resumeId !== undefined) {
      const id = c.resumeId;
      const where = c.resuming ? await c.resuming(host, id) : null;
      if (where && !json) say(where);
      job = await watchJob(
        host,
        () => host.api.dispatch('jobs.resume', { id }) as Promise<JobSummary>,
        json,
        eventLine,
      );
    } else {
      const params = c.lookUpParams ? await c.lookUpParams(host) : c.params;
      job = await watchJob(
        host,
        () => host.api.dispatch('jobs.start', { kind: c.kind, params } as never) as Promise<JobSummary>,
        json,
        eventLine,
      );
    }
    return c.report(host, job, json);
  });
}

/**
 * What search, evaluation and compression share: after the job, its detail is read back from the API (`get`) for
 * the report; a stopped job's --json document says how far it got.
 */
export interface Study<D, R> {
  get: 'searches.get' | 'evaluations.get' | 'compressions.get';
  /** How far the job got (`{ epochsDone, epochs }`). */
  progress(d: D): Record<string, number>;
  /** Said before a resume: where the job stands. */
  resumingLine(id: number, d: D): string;
  /** Prints a finished job's report. */
  printDone(job: JobSummary, d: D, result: R): void;
  stoppedLine(job: JobSummary, d: D): string;
}

/** How far an epoch-counting job (a search, an evaluation) got. */
export const epochProgress = (d: { summary: { epochsDone: number }; params: { epochs: number } }) => ({
  epochsDone: d.summary.epochsDone,
  epochs: d.params.epochs,
});

/** Runs a study's job; the --json document or the lines, exit code 0 only for a finished job. */
export function runStudyCommand<D extends { params: { datasetId: number } }, R extends object>(
  c: Omit<JobCommand, 'resuming' | 'report'>,
  s: Study<D, R>,
): Promise<number> {
  const detail = async (host: WinnowHost, id: number) => (await host.api.dispatch(s.get, { id })) as D;
  return runJobCommand({
    ...c,
    resuming: async (host, id) => s.resumingLine(id, await detail(host, id)),
    report: async (host, job, json) => {
      const d = await detail(host, job.id);
      const result = job.state === 'done' ? (job.result as R | null) : null;
      // what the result does not mean (shared/meaning.ts): said after the report, and in the --json document
      const meaning = result ? jobMeaningNotes(job.kind, result) : [];
      if (json) {
        printJson(
          result
            ? { jobId: job.id, state: job.state, datasetId: d.params.datasetId, ...result, meaning }
            : { jobId: job.id, state: job.state, error: job.message, ...s.progress(d) },
        );
      } else if (result) {
        s.printDone(job, d, result);
        for (const line of meaningLines(meaning)) say(line);
      } else say(s.stoppedLine(job, d));
      return result ? EXIT_OK : EXIT_FAILURE;
    },
  });
}
