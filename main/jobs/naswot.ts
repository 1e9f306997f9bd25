/**
 * NASWOT ranking: NAS-Bench-201 cells scored without training [NASWOT] on random or DDS-mined mini-batches
 * ([Poyser-thesis] §4.5), optionally checked against a weight-sharing supernet (Kendall's τ). Ends with the best
 * cell as an NB201 genotype (genotype.json with provenance, like a search's).
 */
import type { JobSummary } from '../../shared/jobs.js';
import type { NaswotParams, NaswotResult } from '../../shared/naswot.js';
import {
  epochTimeline,
  missingDataset,
  searchDatasetContext,
  searchDatasetFacts,
  type SearchDatasetFacts,
} from '../api/searches.js';
import { ApiError } from '../api/errors.js';
import { naswotRefusal, type NaswotJobContext } from '../engine/naswot/context.js';
import { naswotHandler } from '../engine/naswot/job.js';
import type { Store } from '../store/index.js';
import { defineJobKind } from './kind.js';
import { naswotEstimatePlan } from './nb201-estimate.js';
import { cliHint } from '../../shared/cli-hint.js';

/** The DDS search's last subset, or a message saying why it cannot serve. */
function minedSubset(store: Store, params: NaswotParams): { mined: NaswotJobContext['mined']; refusal: string | null } {
  if (params.minedFrom === null) return { mined: null, refusal: null };
  const id = params.minedFrom;
  const job = store.jobs.get(id);
  if (!job || job.kind !== 'search')
    return {
      mined: null,
      refusal: `There is no search ${id} to take mined images from: choose another, or random images. ${cliHint('List searches with `winnow search list`, or leave out --mined-from.')}`,
    };
  const datasetId = (job.params as { datasetId?: unknown }).datasetId;
  if (datasetId !== params.datasetId)
    return {
      mined: null,
      refusal: `Search ${id} ran on dataset ${String(datasetId)}, not ${params.datasetId}: its mined images belong to that dataset. Rank on dataset ${String(datasetId)}, or choose a search of dataset ${params.datasetId}.`,
    };
  const epochs = epochTimeline(store.jobs.events(id, 0, 1_000_000, ['search-epoch']));
  const last = epochs.findLast((e) => e.selection?.dds !== undefined);
  if (!last)
    return {
      mined: null,
      refusal: `Search ${id} has no DDS subset${epochs.length ? ' (it did not use the dds or dds-untrained strategy)' : ' yet (no epoch has finished)'}. Choose a finished DDS search, or draw random images.`,
    };
  return {
    mined: { searchId: id, epoch: last.epoch, rows: [...last.selection!.dds!.subset].sort((a, b) => a - b) },
    refusal: null,
  };
}

function refusalFor(facts: SearchDatasetFacts, params: NaswotParams, mined: NaswotJobContext['mined']): string | null {
  const d = facts.detail;
  const trainW = facts.perClassHalves.reduce((a, h) => a + h.w, 0);
  const trainA = facts.perClassHalves.reduce((a, h) => a + h.a, 0);
  return naswotRefusal(params, {
    name: d.name,
    classes: d.classNames.length,
    width: d.width,
    height: d.height,
    channels: d.channels,
    pool: mined ? mined.rows.length : trainW + trainA,
    trainW,
    trainA,
  });
}

/**
 * The dataset facts and the mined subset a ranking runs on, or an ApiError saying why it cannot run: `refuse` and
 * `prepare` in one (the supervisor shows a failed prepare's message as the job's).
 */
function naswotJobContext(store: Store, params: NaswotParams): NaswotJobContext {
  const facts = searchDatasetFacts(store, params.datasetId);
  if (!facts) throw new ApiError('not_found', missingDataset(params.datasetId));
  const { mined, refusal } = minedSubset(store, params);
  const why = refusal ?? refusalFor(facts, params, mined);
  if (why) throw new ApiError('bad_input', why);
  return { ...searchDatasetContext(store, facts), mined };
}

function doneLines(_job: JobSummary, r: NaswotResult): string[] {
  const score = (m: number | null, s: number | null) =>
    m === null ? '−∞' : `${m.toFixed(2)} ± ${(s ?? 0).toFixed(2)}`;
  return [
    `scored ${r.scored} cells in ${r.seconds.toFixed(1)} s (${r.cellsPerSecond.toFixed(1)} cells/s), ${r.repeats} x batch ${r.batch} of ${r.images.source} images`,
    ...r.top
      .slice(0, 5)
      .map(
        (t, i) =>
          `${i + 1}. ${score(t.mean, t.std)}  ${t.text}${t.accuracy !== undefined ? `  ${(t.accuracy * 100).toFixed(1)}%` : ''}`,
      ),
    ...(r.kendall
      ? [`Kendall τ (score vs inherited-weight accuracy, ${r.kendall.cells} cells): ${r.kendall.tau.toFixed(3)}`]
      : []),
    `chosen: ${r.chosen.text}`,
  ];
}

export const naswotKind = defineJobKind({
  engine: naswotHandler,
  events: ['naswot-chunk'],
  refuse: (host, params) => void naswotJobContext(host.store, params),
  prepare: (host, job) => naswotJobContext(host.store, job.params),
  estimate: (host, params) => naswotEstimatePlan(host.store, params),
  // everything stays in the job folder (scores CSV, genotype.json, the supernet): nothing to commit or clean
  cli: {
    command: 'naswot',
    summary: 'rank NAS-Bench-201 cells without training (NASWOT), on random or DDS-mined images',
    doneLines,
  },
  ui: { label: 'NASWOT ranking', noun: 'ranking', page: 'search' },
});
