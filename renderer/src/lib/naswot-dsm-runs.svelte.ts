/**
 * The Search page's other methods: the NASWOT rankings (`naswot`) and DSM-NAS searches (`dsm-search`), listed
 * from `jobs.list` (their summaries carry params and result), loaded again when a job of either kind changes
 * state and after a reconnect; the method the form shows, and the two forms' values, kept while the user visits
 * other pages.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { DsmParams } from '../../../shared/dsm.js';
import type { JobKind, JobSummary } from '../../../shared/jobs.js';
import type { NaswotParams } from '../../../shared/naswot.js';
import { client } from './api.js';
import { defaultDsmForm, type DsmForm } from './dsm.js';
import { EngineList, newestFirst } from './engine-list.svelte.js';
import { isFinishedState } from './jobs.js';
import { jobs } from './jobs.svelte.js';
import { Debounced } from './job-run-list.svelte.js';
import { defaultNaswotForm, type NaswotForm } from './naswot.js';

/** The search methods of the Search page, in the picker's order. */
export const METHODS = ['darts', 'dsm', 'naswot'] as const;
export type SearchMethod = (typeof METHODS)[number];

export const METHOD_INFO: Record<SearchMethod, { label: string; short: string; about: string; kind: JobKind }> = {
  darts: {
    short: 'DARTS',
    label: 'Differentiable search (DARTS family)',
    about:
      'Trains a supernet that mixes every operation and learns which one each edge prefers; DARTS or NAS-Bench-201 cells, any data selection.',
    kind: 'search',
  },
  dsm: {
    short: 'DSM-NAS',
    label: 'DSM-NAS — subspace mining over NAS-Bench-201',
    about:
      'Keeps K subspaces around centre cells; a learned policy picks one and proposes a change, scored with a supernet’s inherited weights.',
    kind: 'dsm-search',
  },
  naswot: {
    short: 'NASWOT',
    label: 'Rank without training (NASWOT)',
    about:
      'Scores NAS-Bench-201 cells at initialisation from their ReLU codes on a few mini-batches: seconds, no training.',
    kind: 'naswot',
  },
};

/** The method of a job kind (null: not a search of this page). */
export function methodOfKind(kind: string): SearchMethod | null {
  return METHODS.find((m) => METHOD_INFO[m].kind === kind) ?? null;
}

const KINDS: readonly JobKind[] = ['naswot', 'dsm-search'];

class MethodRuns extends EngineList<JobSummary> {
  /** The method the new-search form shows. */
  method = $state<SearchMethod>('darts');
  naswotForm = $state<NaswotForm>(defaultNaswotForm());
  dsmForm = $state<DsmForm>(defaultDsmForm());
  private readonly later = new Debounced(() => void this.refresh());

  constructor() {
    super({
      load: async () =>
        (await Promise.all(KINDS.map((kind) => client.call('jobs.list', { kind, limit: 1000 })))).flat(),
      order: newestFirst,
      what: 'the list of rankings and DSM searches',
    });
  }

  start(): void {
    this.listenOnce((m) => {
      if (m.channel === 'job.updated') {
        if (KINDS.includes(m.job.kind)) this.later.soon(0);
      } else if (m.event.type === 'state' && KINDS.includes(jobs.byId(m.jobId)?.kind as JobKind)) this.later.soon(0);
    });
  }

  /** The list's job as the shared job store has it now (progress, state), else as listed. */
  current(job: JobSummary): JobSummary {
    return jobs.byId(job.id) ?? job;
  }

  /** Every job known here: the list's, updated by the shared job store's (newer; a job just started is only there). */
  get known(): JobSummary[] {
    const byId = new Map(this.list.map((j) => [j.id, j]));
    for (const j of jobs.list) byId.set(j.id, j);
    return [...byId.values()];
  }

  /**
   * Starts what a form built: returns the form's problem (its own, or the API's refusal), or null once started
   * (then `onstarted` has the job).
   */
  async submit<P>(
    built: { ok: true; params: P } | { ok: false; field: string; error: string },
    start: (params: P) => Promise<JobSummary | null>,
    onstarted: (job: JobSummary) => void,
    fallback: string,
  ): Promise<{ field: string; error: string } | null> {
    if (!built.ok) return { field: built.field, error: built.error };
    const job = await start(built.params);
    if (!job) return { field: '', error: this.startError ?? fallback };
    onstarted(job);
    return null;
  }

  /** Jobs of `kind` waiting or running. */
  activeCount(kind: JobKind): number {
    return jobs.list.reduce((n, j) => n + (j.kind === kind && !isFinishedState(j.state) ? 1 : 0), 0);
  }

  startNaswot(params: NaswotParams): Promise<JobSummary | null> {
    return this.startKind({ kind: 'naswot', params }, 'the ranking');
  }

  startDsm(params: DsmParams): Promise<JobSummary | null> {
    return this.startKind({ kind: 'dsm-search', params }, 'the DSM-NAS search');
  }

  private startKind(input: ApiInput<'jobs.start'>, what: string): Promise<JobSummary | null> {
    return this.startJobWith(input, what, () => this.later.soon(0));
  }
}

export const methodRuns = new MethodRuns();
