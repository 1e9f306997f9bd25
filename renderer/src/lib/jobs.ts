/** Pure helpers over job summaries: merging pushes into a list, states, what the UI may offer. */
import type { JobKindInfo } from '../../../shared/api.js';
import type { JobEvent, JobState, JobSummary, PushMessage } from '../../../shared/jobs.js';

/** Mirrors shared/jobs.ts FINISHED_STATES (kept local so the renderer bundle does not pull in zod). */
export const FINISHED: readonly JobState[] = ['done', 'failed', 'cancelled', 'interrupted'];
export const isFinishedState = (s: JobState): boolean => FINISHED.includes(s);

/** Cancel is offered while a job can still be stopped. */
export const canCancel = (s: JobState): boolean => s === 'queued' || s === 'running';
/** Resume is offered for jobs that stopped before finishing. */
export const canResume = (s: JobState): boolean => s === 'interrupted' || s === 'cancelled' || s === 'failed';

/**
 * The jobs whose Cancel was pressed and that have not stopped yet: a job leaves the set once its state is no
 * longer queued or running (cancelled, or done before the request reached it), or once it is gone from the list.
 */
export function stillCancelling(ids: ReadonlySet<number>, jobs: readonly JobSummary[]): ReadonlySet<number> {
  if (ids.size === 0) return ids;
  const next = new Set<number>();
  for (const id of ids) {
    const job = jobs.find((j) => j.id === id);
    if (job && canCancel(job.state)) next.add(id);
  }
  return next.size === ids.size ? ids : next;
}

/** Newest first. */
export function sortJobs(jobs: JobSummary[]): JobSummary[] {
  return [...jobs].sort((a, b) => b.id - a.id);
}

/** Replaces (or adds) one job, keeping the list newest first. */
export function upsertJob(jobs: readonly JobSummary[], job: JobSummary): JobSummary[] {
  const i = jobs.findIndex((j) => j.id === job.id);
  if (i >= 0) {
    const next = [...jobs];
    next[i] = job;
    return next;
  }
  return sortJobs([...jobs, job]);
}

/**
 * Folds one pushed event into the job it belongs to, so progress and state show even between `job.updated`
 * pushes. `job.updated` stays authoritative: it replaces the whole summary when it arrives.
 */
export function applyJobEvent(jobs: readonly JobSummary[], jobId: number, event: JobEvent, ts: number): JobSummary[] {
  const i = jobs.findIndex((j) => j.id === jobId);
  if (i < 0) return jobs as JobSummary[];
  const job = jobs[i]!;
  let next: JobSummary | null = null;
  switch (event.type) {
    case 'progress': {
      if (isFinishedState(job.state)) return jobs as JobSummary[];
      const { type: _type, ...progress } = event;
      next = { ...job, progress, state: job.state === 'queued' ? 'running' : job.state };
      if (next.startedAt == null) next.startedAt = ts;
      break;
    }
    case 'state': {
      next = { ...job, state: event.state };
      if (event.message !== undefined) next.message = event.message;
      if (event.state === 'running' && job.startedAt == null) next.startedAt = ts;
      if (isFinishedState(event.state) && job.endedAt == null) next.endedAt = ts;
      break;
    }
    case 'result':
      next = { ...job, result: event.result };
      break;
    default:
      return jobs as JobSummary[];
  }
  const out = [...jobs];
  out[i] = next;
  return out;
}

export function applyPush(jobs: readonly JobSummary[], message: PushMessage): JobSummary[] {
  if (message.channel === 'job.updated') return upsertJob(jobs, message.job);
  return applyJobEvent(jobs, message.jobId, message.event, message.ts);
}

/** The job the status bar shows: the running one (the worker runs one at a time), newest first if several. */
export function activeJob(jobs: readonly JobSummary[]): JobSummary | null {
  let best: JobSummary | null = null;
  for (const j of jobs) if (j.state === 'running' && (!best || j.id > best.id)) best = j;
  return best;
}

export const STATE_LABELS: Record<JobState, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

/** A job kind's name from the host's `jobs.kinds` (main/jobs/ declares them); a kind not listed shows as it is. */
export function kindLabel(kind: string, kinds: readonly Pick<JobKindInfo, 'kind' | 'label'>[]): string {
  return kinds.find((k) => k.kind === kind)?.label ?? kind;
}

/**
 * What a job's card, details and row say beside its state: its last message (why it failed, was cancelled or was
 * interrupted) while it is not done; nothing once done, where the message is only the engine's farewell.
 */
export function jobMessage(job: Pick<JobSummary, 'message' | 'state'>): string | null {
  return job.message && job.state !== 'done' ? job.message : null;
}
