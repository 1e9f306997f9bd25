/**
 * The experiments (`experiments.list`) and the experiment form, kept while the user visits other pages; and one
 * experiment's detail (`experiments.get`), loaded again as its children change. The list loads again when an
 * experiment changes state and (at most once a second) while one runs; the detail when any job changes while the
 * experiment runs (its children are jobs of other kinds), after a reconnect and once it has stopped.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { ExperimentDetail, ExperimentParamsInput, ExperimentSummary } from '../../../shared/experiment.js';
import type { JobSummary } from '../../../shared/jobs.js';
import { client } from './api.js';
import { EngineList } from './engine-list.svelte.js';
import { defaultExperimentForm, type ExperimentForm } from './experiments.js';
import { Debounced } from './job-run-list.svelte.js';
import { createJobStream } from './job-stream.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';

export const EXPERIMENT_KIND = 'experiment';
const REFRESH_MS = 1000;

const isExperiment = (kind: string | undefined): boolean => kind === EXPERIMENT_KIND;

class ExperimentList extends EngineList<ExperimentSummary> {
  form = $state<ExperimentForm>(defaultExperimentForm());
  private readonly later = new Debounced(() => void this.refresh());

  constructor() {
    super({
      load: () => client.call('experiments.list', {}),
      order: (a, b) => b.createdAt - a.createdAt || b.jobId - a.jobId,
      what: 'the list of experiments',
    });
  }

  start(): void {
    this.listenOnce((m) => {
      if (m.channel === 'job.updated') {
        if (isExperiment(m.job.kind)) this.later.soon(0);
        // a child finished: the experiment's count of done children moved
        else if (this.activeCount() > 0) this.later.soon(REFRESH_MS);
        return;
      }
      if (isExperiment(jobs.byId(m.jobId)?.kind) && m.event.type === 'progress') this.later.soon(REFRESH_MS);
    });
  }

  byJobId(id: number): ExperimentSummary | undefined {
    return this.list.find((e) => e.jobId === id);
  }

  /** Experiments waiting or running. */
  activeCount(): number {
    return jobs.list.reduce((n, j) => n + (isExperiment(j.kind) && !isFinishedState(j.state) ? 1 : 0), 0);
  }

  /** Starts an experiment; null when `jobs.start` refused it (`startError` says why, for the form). */
  startJob(params: ExperimentParamsInput): Promise<JobSummary | null> {
    const input = { kind: EXPERIMENT_KIND, params } as unknown as ApiInput<'jobs.start'>;
    return this.startJobWith(input, 'the experiment', () => this.later.soon(0));
  }
}

export const experiments = new ExperimentList();

/**
 * One experiment: its job summary and its detail (the job stream's "stored" load, which the experiment's pushes do
 * not add to), loaded again — at most once a second — on any job change while it is queued or running (its children
 * are jobs of other kinds), on its own events, after a reconnect and once it has stopped. Call while a component
 * initialises.
 */
export function createExperimentDetail(jobId: () => number) {
  // bumping the tick makes the stream load the detail again (it reloads whenever the id it reads changes)
  let tick = $state(0);
  const stream = createJobStream<ExperimentDetail, never, ExperimentDetail | null>(
    () => {
      void tick;
      return jobId();
    },
    {
      noun: 'experiment',
      load: (id) => client.call('experiments.get', { id }),
      fromPush: () => null,
      empty: () => null,
      fromDetail: (d) => d,
      merge: (d) => d,
    },
  );
  $effect(() => {
    const id = jobId();
    const later = new Debounced(() => tick++);
    return client.subscribe((m) => {
      if (m.channel === 'job.updated' ? m.job.id === id || stream.active : m.jobId === id) later.soon(REFRESH_MS);
    });
  });
  return stream;
}
