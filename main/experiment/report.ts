/** The experiment's report: built from its finished children, written as a folder (report.md, CSV, charts). */
import path from 'node:path';
import {
  ExperimentParams,
  expandExperiment,
  type ExperimentNodeState,
  type ExperimentPlan,
  type ExperimentReport,
  type ExperimentResult,
  type ExperimentRun,
} from '../../shared/experiment.js';
import { buildExperimentReport } from '../../shared/experiment-report.js';
import { ApiError } from '../api/errors.js';
import type { Store } from '../store/index.js';
import { collectRuns, recordedNodes } from './orchestrator.js';
import { writeReportFolder } from './report-folder.js';

/** The report folder inside the experiment's job folder. */
export const REPORT_DIR = 'report';

/** The report of the children's results so far. */
export function buildReport(
  store: Store,
  params: ExperimentParams,
  plan: Pick<ExperimentPlan, 'cells' | 'reference' | 'referenceNote'>,
  nodes: readonly ExperimentNodeState[],
  runs: readonly ExperimentRun[],
): ExperimentReport {
  const dataset = store.datasets.detail(params.datasetId);
  return buildExperimentReport(
    params,
    {
      cells: plan.cells,
      reference: plan.reference,
      referenceNote: plan.referenceNote,
      nodes,
      runs,
      classes: dataset?.classes ?? 2,
    },
    dataset?.name ?? `dataset ${params.datasetId} (deleted)`,
  );
}

/** Writes the finished experiment's report folder into its job folder; returns the file names. */
export function writeExperimentReport(
  store: Store,
  jobDir: string,
  params: ExperimentParams,
  result: ExperimentResult,
): Promise<string[]> {
  const report = buildReport(store, params, result, result.nodes, result.runs);
  return writeReportFolder(path.join(jobDir, REPORT_DIR), {
    params,
    report,
    runs: result.runs,
    cells: result.cells,
    classes: report.classes,
  });
}

/** Writes experiment `id`'s report folder to `out`, from its children as they stand; returns the file names. */
export function writeReportTo(store: Store, id: number, out: string): Promise<string[]> {
  const job = store.jobs.get(id);
  if (!job || job.kind !== 'experiment') throw new ApiError('not_found', `There is no experiment ${id}.`);
  const params = ExperimentParams.parse(job.params);
  const plan = expandExperiment(params);
  const nodes = recordedNodes(store, job, plan);
  const runs = collectRuns(store, plan, nodes);
  if (!runs.some((r) => r.testAccuracy !== null))
    throw new ApiError('conflict', `Experiment ${id} has no finished evaluation yet, so there is nothing to report.`);
  const report = buildReport(store, params, plan, nodes, runs);
  return writeReportFolder(out, { params, report, runs, cells: plan.cells, classes: report.classes });
}
