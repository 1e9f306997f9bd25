/**
 * DSM-NAS search over NAS-Bench-201 ([DSM-NAS]): K subspaces around centre cells, a GNN + LSTM global policy and an
 * LSTM local policy trained by REINFORCE on the improvement of inherited-weight accuracy. Ends with the best centre
 * as an NB201 genotype (genotype.json with provenance, like a search's), which the Evaluate page can train.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DsmParams, DsmResult } from '../../shared/dsm.js';
import type { JobEvent, JobSummary } from '../../shared/jobs.js';
import { missingDataset, searchDatasetContext, searchDatasetFacts, type SearchDatasetFacts } from '../api/searches.js';
import { ApiError } from '../api/errors.js';
import { DSM_FILES, dsmRefusal, type DsmJobContext } from '../engine/search/dsm/context.js';
import { dsmHandler } from '../engine/search/dsm/job.js';
import type { Store } from '../store/index.js';
import { jobDirFor } from '../store/paths.js';
import { defineJobKind, type JobHost } from './kind.js';
import { dsmEstimatePlan } from './nb201-estimate.js';
import { cliHint } from '../../shared/cli-hint.js';

/** Kinds whose finished jobs keep a supernet folder (`supernet/` in the job folder) another search may reuse. */
const SUPERNET_KINDS = ['naswot', 'dsm-search'];

/** The supernet folder of job `id` (following a dsm-search that itself reused one), or why it cannot serve. */
export function reusableSupernet(
  host: JobHost,
  id: number,
  datasetId: number,
): { supernet: DsmJobContext['supernet']; refusal: string | null } {
  const no = (refusal: string) => ({ supernet: null, refusal });
  let job = host.store.jobs.get(id);
  for (let hops = 0; job && hops < 20; hops++) {
    if (!SUPERNET_KINDS.includes(job.kind))
      return no(
        `Job ${id} is a ${job.kind} job; a supernet can be reused from a finished naswot (with Kendall's τ) or dsm-search job. Leave out --supernet-from to train one.`,
      );
    if (job.state !== 'done')
      return no(`Job ${id} has not finished (it is ${job.state}); reuse the supernet of a finished job, or train one.`);
    const ds = (job.params as { datasetId?: unknown }).datasetId;
    if (ds !== datasetId)
      return no(
        `Job ${id} ran on dataset ${String(ds)}, not ${datasetId}: its supernet learned that dataset. Choose a job of dataset ${datasetId}, or train one.`,
      );
    const from = (job.params as { supernetFrom?: unknown }).supernetFrom;
    if (job.kind === 'dsm-search' && typeof from === 'number') {
      job = host.store.jobs.get(from);
      continue;
    }
    const dir = path.join(jobDirFor(host.dataDir, job.id), DSM_FILES.supernetDir);
    if (!fs.existsSync(dir))
      return no(
        `Job ${id} kept no supernet${job.kind === 'naswot' ? " (it ran without Kendall's τ)" : ''}. Choose another job, or leave out --supernet-from to train one.`,
      );
    return { supernet: { jobId: job.id, dir }, refusal: null };
  }
  return no(`There is no job ${id} to take a supernet from. ${cliHint('List jobs with `winnow jobs list`.')}`);
}

function refusalFor(facts: SearchDatasetFacts, params: DsmParams): string | null {
  const d = facts.detail;
  return dsmRefusal(params, {
    name: d.name,
    classes: d.classNames.length,
    width: d.width,
    height: d.height,
    channels: d.channels,
    trainW: facts.perClassHalves.reduce((a, h) => a + h.w, 0),
    trainA: facts.perClassHalves.reduce((a, h) => a + h.a, 0),
  });
}

function prepare(host: JobHost, params: DsmParams): DsmJobContext {
  const store: Store = host.store;
  const facts = searchDatasetFacts(store, params.datasetId);
  if (!facts) throw new Error(missingDataset(params.datasetId));
  const reuse = params.supernetFrom === null ? null : reusableSupernet(host, params.supernetFrom, params.datasetId);
  const why = reuse?.refusal ?? refusalFor(facts, params);
  if (why) throw new Error(why);
  return { ...searchDatasetContext(store, facts), supernet: reuse?.supernet ?? null };
}

const pct = (a: number) => `${(a * 100).toFixed(1)}%`;

function eventLine(e: JobEvent): string | null {
  if (e.type !== 'dsm-iteration') return null;
  const d = e.data;
  // one line per replacement, and every 10th iteration, keeps a long search readable
  if (!d.replaced && d.iteration % 10 !== 0 && d.iteration !== d.iterations) return null;
  return `iteration ${d.iteration}/${d.iterations}  subspace ${d.subspace}  R ${d.reward >= 0 ? '+' : ''}${(d.reward * 100).toFixed(1)}  ${d.replaced ? `replaced by ${d.proposal.text} (${pct(d.proposal.accuracy)})` : `best ${pct(d.best.accuracy)}`}`;
}

function doneLines(_job: JobSummary, r: DsmResult): string[] {
  return [
    `${r.iterations} iterations over ${r.subspaces} subspaces (M=${r.distance}) in ${r.seconds.toFixed(1)} s: ${r.evaluated} cells evaluated (${r.archsPerSecond.toFixed(1)}/s), controller step ${r.controllerStepMs.toFixed(1)} ms, ${r.replacements.length} replacement(s)`,
    ...r.centres.map((c, k) => `${k === r.best.subspace ? '*' : ' '} ${k}. ${pct(c.accuracy)}  ${c.text}`),
    `best: ${r.best.text}  (${pct(r.best.accuracy)} with inherited weights)`,
  ];
}

export const dsmSearchKind = defineJobKind({
  engine: dsmHandler,
  events: ['dsm-iteration'],
  refuse: (host, params) => {
    const facts = searchDatasetFacts(host.store, params.datasetId);
    if (!facts) throw new ApiError('not_found', missingDataset(params.datasetId));
    const reuse = params.supernetFrom === null ? null : reusableSupernet(host, params.supernetFrom, params.datasetId);
    const why = reuse?.refusal ?? refusalFor(facts, params);
    if (why) throw new ApiError('bad_input', why);
  },
  prepare: (host, job) => prepare(host, job.params),
  estimate: (host, params) => dsmEstimatePlan(host.store, params),
  // everything stays in the job folder (checkpoint, supernet, history, genotype.json): nothing to commit or clean
  cli: {
    command: 'dsm-search',
    summary: 'search NAS-Bench-201 by dominative subspace mining (DSM-NAS) with supernet-inherited weights',
    eventLine,
    doneLines,
  },
  ui: { label: 'DSM-NAS search', noun: 'search', page: 'search' },
});
