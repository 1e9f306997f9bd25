/** `winnow jobs`: list, show, cancel and resume jobs of any kind. */
import { isFinished, type JobSummary } from '../../../shared/jobs.js';
import { idOption, intOption, listCommand, parse, withHost, type ListSpec } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, formatDuration, printJson, say } from '../output.js';
import { watchJob } from '../run-job.js';
import { searchEventLine } from '../search.js';

function printJob(job: JobSummary): void {
  say(`Job ${job.id}: ${job.kind}, ${job.state}${job.message ? ` — ${job.message}` : ''}`);
  say(
    `Created ${new Date(job.createdAt).toISOString()}${job.startedAt ? `, started ${new Date(job.startedAt).toISOString()}` : ''}${job.endedAt && job.startedAt ? `, ran ${formatDuration((job.endedAt - job.startedAt) / 1000)}` : ''}`,
  );
  say(`Params: ${JSON.stringify(job.params)}`);
  if (job.progress && !isFinished(job.state))
    say(`Progress: ${Math.round(job.progress.fraction * 100)}% ${job.progress.message ?? ''}`);
  if (job.result !== null && job.result !== undefined) say(`Result: ${JSON.stringify(job.result, null, 2)}`);
}

/** `winnow jobs list [--limit N] [--kind K]`: newest first. */
const JOBS_LIST: ListSpec<JobSummary> = {
  method: 'jobs.list',
  options: { limit: { type: 'string' }, kind: { type: 'string' } },
  input: (values) => ({
    limit: intOption(values.limit, 'limit', 1, 1000) ?? 50,
    ...(values.kind ? { kind: values.kind } : {}),
  }),
  rows: (list) =>
    list.map((j) => ({
      id: j.id,
      kind: j.kind,
      state: j.state,
      created: new Date(j.createdAt).toISOString().replace('T', ' ').slice(0, 19),
      progress: j.progress ? `${Math.round(j.progress.fraction * 100)}%` : '',
      message: j.message ?? '',
    })),
  columns: ['id', 'kind', 'state', 'created', 'progress', 'message'],
  empty: 'No jobs yet. Try `winnow selftest`.',
};

export async function jobsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    return listCommand(rest, JOBS_LIST);
  }
  if (sub === 'show' || sub === 'cancel' || sub === 'resume') {
    const { values, positionals } = parse(
      rest,
      sub === 'resume' ? { restart: { type: 'boolean', default: false } } : {},
      1,
    );
    const id = idOption(positionals[0], 'id');
    if (id === undefined) throw new UsageError(`Usage: winnow jobs ${sub} <id>`);
    if (sub === 'show') {
      const out = await withHost(values, async (h) => ({
        job: (await h.api.dispatch('jobs.get', { id })) as JobSummary,
        events: await h.api.dispatch('jobs.events', { id, limit: 10_000 }),
      }));
      if (values.json) printJson(out);
      else printJob(out.job);
      return EXIT_OK;
    }
    const job = (await withHost(values, async (h) => {
      const restart = (values as { restart?: boolean }).restart === true;
      const j = (await h.api.dispatch(
        sub === 'cancel' ? 'jobs.cancel' : 'jobs.resume',
        sub === 'resume' ? { id, restart } : { id },
      )) as JobSummary;
      if (sub === 'resume') {
        // the job runs in this process's worker: wait for it, as `winnow selftest` does
        return watchJob(h, async () => j, values.json, searchEventLine);
      }
      return j;
    })) as JobSummary;
    if (values.json) printJson(job);
    else printJob(job);
    return job.state === 'failed' || job.state === 'interrupted' ? EXIT_FAILURE : EXIT_OK;
  }
  throw new UsageError('Usage: winnow jobs list|show <id>|cancel <id>|resume <id>');
}
