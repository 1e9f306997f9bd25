/**
 * The Experiments page's and `winnow experiment`'s reads: the plan of a grid before Start (its cells, child jobs,
 * what is already done and the time the rest will take), the list, one experiment with its children and report,
 * and the report folder as one zip.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CostEstimate } from '../../shared/cost.js';
import {
  CHILD_KINDS,
  ExperimentParams,
  expandExperiment,
  isNodeRef,
  resolveRefs,
  type ChildKind,
  type ExperimentDetail,
  type ExperimentNodeState,
  type ExperimentPlan,
  type ExperimentPlanView,
  type ExperimentResult,
  type ExperimentSummary,
  type NodeRef,
  type PlanNode,
} from '../../shared/experiment.js';
import type { ModelFile } from '../../shared/evaluate.js';
import { fileSlug } from '../../shared/file-names.js';
import type { JobSummary } from '../../shared/jobs.js';
import { childValues, collectRuns, findIdenticalJob, isEnded, recordedNodes } from '../experiment/orchestrator.js';
import { buildReport, REPORT_DIR } from '../experiment/report.js';
import { describeIssues, jobKind, parseJobParams } from '../jobs/registry.js';
import { jobDirFor } from '../store/paths.js';
import type { Store } from '../store/index.js';
import { zipMembers } from '../zip/write.js';
import { ApiError } from './errors.js';
import { estimateJob, type EstimateHost } from './estimate.js';

/** The cell DARTS published (a typical searched cell): what an evaluation of a search not yet run is timed with. */
const TYPICAL_GENOTYPE = {
  darts:
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])",
  nb201: '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|',
};

function parseExperiment(raw: unknown): ExperimentParams {
  const parsed = parseJobParams(jobKind('experiment'), raw);
  if (!parsed.success)
    throw new ApiError(
      'bad_input',
      `The experiment's settings are not valid: ${describeIssues(parsed.error, { whole: 'settings' })}.`,
      parsed.error.issues,
    );
  return parsed.data as ExperimentParams;
}

/**
 * A node's parameters as its estimate sees them before its dependencies have run: a DDS search is timed as one with
 * an untrained autoencoder, an evaluation of a search is timed with a typical cell of the search's space, a study of an
 * evaluated model with the baseline CNN.
 */
function standInParams(node: PlanNode, space: 'darts' | 'nb201'): Record<string, unknown> {
  const params = { ...node.params };
  // DDS with an autoencoder still to train costs what DDS with an untrained one does (the autoencoder is its own job)
  if (isNodeRef(params.autoencoderId)) {
    params.autoencoderId = null;
    params.strategy = 'dds-untrained';
  }
  const source = params.source as { jobId?: unknown } | undefined;
  if (source && isNodeRef(source.jobId)) params.source = { kind: 'genotype', text: TYPICAL_GENOTYPE[space] };
  const model = params.model as { modelId?: unknown } | undefined;
  if (model && isNodeRef(model.modelId)) params.model = { kind: 'baseline', name: 'cnn' };
  return params;
}

/** The plan before Start: cells, children by kind, those already done, and the time the others will take. */
export async function planExperiment(host: EstimateHost, raw: unknown): Promise<ExperimentPlanView> {
  const params = parseExperiment(raw);
  const plan = expandExperiment(params);
  const jobs = Object.fromEntries(CHILD_KINDS.map((k) => [k, 0])) as Record<ChildKind, number>;
  for (const n of plan.nodes) jobs[n.kind]++;
  // a node whose dependencies are all done already can be matched with a finished job of identical settings
  const doneValues = new Map<string, Partial<Record<NodeRef['take'], number>>>();
  let reused = 0;
  let seconds: number | null = 0;
  let note: string | null = null;
  const space = (params.search.space ?? 'darts') as 'darts' | 'nb201';
  const estimates = new Map<string, CostEstimate>();
  for (const node of plan.nodes) {
    const spec = jobKind(node.kind);
    if (node.deps.every((d) => doneValues.has(d))) {
      const parsed = parseJobParams(spec, resolveRefs(node.params, doneValues));
      const done = parsed.success ? findIdenticalJob(host.store, node.kind, parsed.data) : null;
      if (done?.state === 'done') {
        reused++;
        doneValues.set(node.key, childValues(done));
        continue;
      }
    }
    const parsed = parseJobParams(spec, standInParams(node, space));
    if (!parsed.success) continue; // the grid's refusal (jobs.start) says why
    const key = JSON.stringify(parsed.data);
    let estimate = estimates.get(key);
    if (!estimate && spec.estimate) {
      estimate = await estimateJob(host, spec, parsed.data);
      estimates.set(key, estimate);
    }
    if (!estimate || estimate.seconds === null) {
      seconds = null;
      note ??= estimate?.refusal ?? estimate?.basis.note ?? `There is no estimate for a ${spec.ui?.noun ?? node.kind}.`;
    } else if (seconds !== null) seconds += estimate.seconds;
  }
  return {
    cells: plan.cells,
    jobs: { ...jobs, total: plan.nodes.length },
    reused,
    seconds,
    estimateNote: note,
    referenceNote: plan.referenceNote,
  };
}

function summaryOf(
  store: Store,
  job: JobSummary,
): { summary: ExperimentSummary; params: ExperimentParams; plan: ExperimentPlan; nodes: ExperimentNodeState[] } {
  const params = ExperimentParams.parse(job.params);
  const plan = expandExperiment(params);
  const nodes = recordedNodes(store, job, plan);
  return {
    params,
    plan,
    nodes,
    summary: {
      jobId: job.id,
      state: job.state,
      name: params.name,
      preset: params.preset,
      scale: params.scale,
      datasetId: params.datasetId,
      datasetName: store.datasets.get(params.datasetId)?.name ?? null,
      cells: plan.cells.length,
      children: {
        total: nodes.length,
        done: nodes.filter((n) => n.state === 'done').length,
        failed: nodes.filter((n) => isEnded(n.state) && n.state !== 'done').length,
      },
      createdAt: job.createdAt,
      seconds: (job.result as ExperimentResult | null)?.seconds ?? null,
    },
  };
}

function experimentJob(store: Store, id: number): JobSummary {
  const job = store.jobs.get(id);
  if (!job || job.kind !== 'experiment') throw new ApiError('not_found', `There is no experiment ${id}.`);
  return job;
}

export function listExperiments(store: Store, datasetId?: number): ExperimentSummary[] {
  return store.jobs
    .list({ limit: 500, kind: 'experiment' })
    .map((job) => summaryOf(store, job).summary)
    .filter((s) => datasetId === undefined || s.datasetId === datasetId);
}

export function getExperiment(store: Store, id: number): ExperimentDetail {
  const job = experimentJob(store, id);
  const { summary, params, plan, nodes } = summaryOf(store, job);
  const runs = collectRuns(store, plan, nodes);
  const report = runs.some((r) => r.testAccuracy !== null) ? buildReport(store, params, plan, nodes, runs) : null;
  return { summary, params, nodes, report };
}

/** The report folder as `<name>.winnow-experiment.zip`; refused before the experiment has written it. */
export function experimentArchive(store: Store, dataDir: string, id: number): ModelFile {
  const job = experimentJob(store, id);
  const dir = path.join(jobDirFor(dataDir, id), REPORT_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => fs.statSync(path.join(dir, n)).isFile());
  } catch {
    throw new ApiError(
      'conflict',
      job.state === 'done'
        ? `Experiment ${id}'s report folder is missing. Resume it with "restart" to write it again.`
        : `Experiment ${id} has no report yet: it is written when the experiment is done (it is ${job.state}).`,
    );
  }
  const name = fileSlug((job.params as { name?: string }).name ?? '') || `experiment-${id}`;
  const data = zipMembers(
    names.sort().map((n) => ({ name: `${name}/${n}`, data: fs.readFileSync(path.join(dir, n)) })),
  );
  return {
    filename: `${name}.winnow-experiment.zip`,
    mime: 'application/zip',
    encoding: 'base64',
    data: data.toString('base64'),
  };
}
