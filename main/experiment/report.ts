/** The experiment's report: built from its finished children, written as a folder in its job folder. */
import path from 'node:path';
import type {
  ExperimentNodeState,
  ExperimentParams,
  ExperimentPlan,
  ExperimentReport,
  ExperimentResult,
  ExperimentRun,
} from '../../shared/experiment.js';
import type { Store } from '../store/index.js';

export const REPORT_DIR = 'report';

/** PLACEHOLDER until the report module lands (lead, merge). */
export function buildReport(
  store: Store,
  params: ExperimentParams,
  plan: ExperimentPlan,
  nodes: readonly ExperimentNodeState[],
  runs: readonly ExperimentRun[],
): ExperimentReport | null {
  void [store, params, plan, nodes, runs];
  return null;
}

export function writeExperimentReport(
  store: Store,
  jobDir: string,
  params: ExperimentParams,
  result: ExperimentResult,
): string {
  void [store, params, result];
  return path.join(jobDir, REPORT_DIR);
}

/** Writes experiment `id`'s report folder to `out` (from its children as they stand); returns the file names. */
export function writeReportTo(store: Store, dataDir: string, id: number, out: string): string[] {
  void [store, dataDir, id, out];
  return [];
}
