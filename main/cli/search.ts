/**
 * What `winnow search` prints: the per-epoch line, the final report, the table of searches. Pure formatting;
 * the command itself is in commands/.
 */
import type { ListSpec } from './args.js';
import { SPACE_NAMES } from '../../shared/search-defaults.js';
import { formatGenotype } from '../../shared/genotype/text.js';
import type { SearchDetail, SearchEpochData, SearchResult, SearchSummary } from '../../shared/search.js';
import type { JobEvent, JobSummary } from '../../shared/jobs.js';
import { resumeHint, stopReason } from './output.js';

export const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;
const loss = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));

/** `epoch 3/10  train 1.234 / 56.7%  val 1.345 / 52.1%  12.3 s  genotype <text>` */
export function epochLine(d: SearchEpochData, genotypeText: string): string {
  return (
    `epoch ${d.epoch}/${d.epochs}  train ${loss(d.trainLoss)} / ${percent(d.trainAccuracy)}  ` +
    `val ${loss(d.valLoss)} / ${percent(d.valAccuracy)}  ${d.seconds.toFixed(1)} s  genotype ${genotypeText}`
  );
}

/** Prints each finished epoch of the search being waited on. */
export function searchEventLine(e: JobEvent): string | null {
  return e.type === 'search-epoch' ? epochLine(e.data, formatGenotype(e.data.genotype)) : null;
}

/** The report after a search that finished (stderr lines; the genotype itself goes to stdout). */
export function doneLines(job: JobSummary, detail: SearchDetail, r: SearchResult): string[] {
  const s = detail.summary;
  const dataset =
    s.datasetName === null ? `dataset ${s.datasetId} (since deleted)` : `dataset ${s.datasetId} "${s.datasetName}"`;
  return [
    `Search ${job.id} done: ${SPACE_NAMES[r.space]} space, ${r.epochs} epochs, strategy ${r.strategy}, seed ${detail.params.seed}, on ${dataset}.`,
    `Final: val loss ${loss(r.final.valLoss)}, accuracy ${percent(r.final.valAccuracy)}; train loss ${loss(r.final.trainLoss)}, accuracy ${percent(r.final.trainAccuracy)}.`,
    `Time: ${r.seconds.toFixed(1)} s, ${r.imagesPerSecond < 10 ? r.imagesPerSecond.toFixed(1) : Math.round(r.imagesPerSecond)} images/s on ${r.backend}${r.imagesProcessed !== undefined ? `, ${r.imagesProcessed} training images processed` : ''}.`,
    ...(r.supernetTest
      ? [
          `Supernet test accuracy ${percent(r.supernetTest.accuracy)} on ${r.supernetTest.images} test images (the supernet as trained, not a network built from the genotype).`,
        ]
      : []),
    `Genotype (saved with its provenance in ${r.files.genotypeJson}; \`winnow export genotype ${job.id} --format ${r.space}|json|svg\` writes it out):`,
  ];
}

/** Why a search stopped and how to continue it. */
export function stoppedLine(job: JobSummary, summary: SearchSummary | null): string {
  const progress = summary ? ` after ${summary.epochsDone} of ${summary.epochs} epochs` : '';
  return `Search ${job.id} ${job.state}${progress}${stopReason(job)}${resumeHint(job, 'search')}`;
}

const clip = (s: string, n: number): string => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function searchRows(list: SearchSummary[]): Array<Record<string, string | number | null>> {
  return list.map((s) => ({
    id: s.jobId,
    state: s.state,
    dataset: s.datasetName === null ? `${s.datasetId} (deleted)` : `${s.datasetId} ${s.datasetName}`,
    space: s.space,
    strategy: s.strategy,
    epochs: `${s.epochsDone}/${s.epochs}`,
    'val acc': s.valAccuracy === null ? '' : percent(s.valAccuracy),
    created: new Date(s.createdAt).toISOString().replace('T', ' ').slice(0, 16),
    genotype: s.genotypeText === null ? '' : clip(s.genotypeText, 96),
  }));
}

/** `winnow search list`: the API's list as a table, or a hint when there is none yet. */
export const SEARCH_LIST: ListSpec<SearchSummary> = {
  method: 'searches.list',
  rows: searchRows,
  columns: ['id', 'state', 'dataset', 'space', 'strategy', 'epochs', 'val acc', 'created', 'genotype'],
  empty: 'No searches yet. Start one with `winnow search --dataset <id>`.',
};
