/**
 * What `winnow experiment` prints: a line per child that changes state, the report's table once done, the list of
 * experiments. Pure formatting; the command itself is in commands/.
 */
import type { ExperimentDetail, ExperimentSummary } from '../../shared/experiment.js';
import type { JobEvent, JobSummary } from '../../shared/jobs.js';
import type { ListSpec } from './args.js';
import { formatDuration, resumeHint, stopReason, table } from './output.js';
import { percent } from './search.js';

/** The experiment's own log lines (a child reused, resumed or failed); the progress bar counts the children. */
export function experimentEventLine(e: JobEvent): string | null {
  return e.type === 'log' ? e.message : null;
}

const meanStd = (m: { mean: number; std: number | null } | null, f: (v: number) => string): string =>
  m === null ? '—' : m.std === null ? f(m.mean) : `${f(m.mean)} ± ${f(m.std)}`;

/** The report's cells as a table, its notes, and where its files are (or how far a stopped experiment got). */
export function experimentDoneLines(job: JobSummary, d: ExperimentDetail): string[] {
  const c = d.summary.children;
  const lines = [
    `Experiment ${job.id} "${d.summary.name}": ${job.state}; ${c.done} of ${c.total} child jobs done${c.failed ? `, ${c.failed} did not finish` : ''}.`,
  ];
  if (job.state !== 'done' && job.state !== 'running' && job.state !== 'queued')
    lines.push(`${stopReason(job)} ${resumeHint(job, 'experiment resume')}`);
  const failed = d.nodes.filter((n) => n.state === 'failed' || n.state === 'skipped');
  for (const n of failed) lines.push(`  ${n.kind} (seed ${n.seed}) ${n.state}: ${n.message ?? ''}`);
  const r = d.report;
  if (!r) return lines;
  lines.push(
    table(
      r.cells.map((cell) => ({
        cell: cell.cell.label,
        seeds: cell.runs,
        'test top-1': meanStd(cell.metrics.testAccuracy, percent),
        supernet: meanStd(cell.metrics.supernetAccuracy, percent),
        'search time': meanStd(cell.metrics.searchSeconds, (s) => formatDuration(s)),
        images: meanStd(cell.metrics.imagesProcessed, (v) => Math.round(v).toLocaleString('en')),
        'vs reference': cell.ratios.testAccuracy === null ? '—' : `${cell.ratios.testAccuracy.toFixed(3)}x`,
        p: cell.significance === null ? '—' : cell.significance.p.toPrecision(2),
      })),
      ['cell', 'seeds', 'test top-1', 'supernet', 'search time', 'images', 'vs reference', 'p'],
    ),
  );
  for (const note of r.notes) lines.push(`Note: ${note}`);
  if (job.state === 'done') lines.push(`Write the report folder with: winnow experiment report ${job.id} --out DIR`);
  return lines;
}

export const EXPERIMENT_LIST: ListSpec<ExperimentSummary> = {
  method: 'experiments.list',
  rows: (list) =>
    list.map((e) => ({
      id: e.jobId,
      name: e.name,
      state: e.state,
      dataset: e.datasetName ?? e.datasetId,
      scale: e.scale,
      cells: e.cells,
      children: `${e.children.done}/${e.children.total}${e.children.failed ? ` (${e.children.failed} failed)` : ''}`,
      time: e.seconds === null ? '' : formatDuration(e.seconds),
    })),
  columns: ['id', 'name', 'state', 'dataset', 'scale', 'cells', 'children', 'time'],
  empty: 'No experiments yet. Try `winnow experiment run --preset dds-ablation --dataset <id>`.',
};
