/**
 * Experiments: a grid of child jobs (autoencoder → search → evaluation → compression study) run by the host
 * (main/experiment/orchestrator.ts), then one report comparing the grid's cells. The kind takes no engine slot: its
 * children queue for the engine like any job.
 */
import { ExperimentParams, expandExperiment, resolveRefs, type ExperimentResult } from '../../shared/experiment.js';
import { ExperimentRunner } from '../experiment/orchestrator.js';
import { REPORT_DIR, writeExperimentReport } from '../experiment/report.js';
import type { JobHandler } from '../engine/jobs/handler.js';
import { defineJobKind, type JobCheckHost } from './kind.js';
import { describeIssues, jobKind, parseJobParams } from './registry.js';
import type { Store } from '../store/index.js';

const engine: JobHandler<ExperimentParams, ExperimentResult, undefined> = {
  kind: 'experiment',
  params: ExperimentParams,
  // a resumed experiment keeps its finished children and resumes the stopped ones
  resumable: true,
  run: () => Promise.reject(new Error('An experiment runs in the host process, not in the engine.')),
};

/** A stand-in for what a finished dependency gives, so every child's settings can be checked before Start. */
const PLACEHOLDER = { jobId: 1, autoencoderId: 1, modelId: 1 };

/**
 * Refuses a grid whose children could not run: an unknown dataset, or settings a child's schema refuses (checked
 * with stand-ins for what earlier children will give), or a child that refuses itself before any has run.
 */
async function refuseExperiment(host: JobCheckHost, params: ExperimentParams): Promise<void> {
  if (!host.store.datasets.get(params.datasetId))
    throw new Error(`There is no dataset ${params.datasetId}: it may have been deleted. Choose another dataset.`);
  const plan = expandExperiment(params);
  const values = new Map(plan.nodes.map((n) => [n.key, PLACEHOLDER]));
  for (const node of plan.nodes) {
    const spec = jobKind(node.kind);
    const parsed = parseJobParams(spec, resolveRefs(node.params, values));
    if (!parsed.success)
      throw new Error(
        `The grid's ${spec.ui?.noun ?? node.kind} settings are not valid: ${describeIssues(parsed.error, { whole: 'settings' })}.`,
      );
    if (node.deps.length === 0) await spec.refuse?.(host, parsed.data);
  }
}

/**
 * How long the experiment has run, over all its attempts: from each `running` to the state that ended it (the
 * current attempt: to now). The time it spent interrupted, waiting for a resume, is not counted.
 */
export function runningSeconds(store: Store, jobId: number, now = Date.now()): number {
  let total = 0;
  let since: number | null = null;
  for (const e of store.jobs.events(jobId, 0, 100_000, ['state'])) {
    if (e.event.type !== 'state') continue;
    if (e.event.state === 'running') since ??= e.ts;
    else if (since !== null) {
      total += e.ts - since;
      since = null;
    }
  }
  if (since !== null) total += now - since;
  return total / 1000;
}

export const experimentKind = defineJobKind({
  engine,
  refuse: refuseExperiment,
  hostRun: {
    async run(ctx): Promise<ExperimentResult> {
      const runner = new ExperimentRunner(ctx, ctx.host.store);
      await runner.run();
      const nodes = runner.nodeStates();
      const runs = runner.collectRuns();
      const result: ExperimentResult = {
        cells: runner.plan.cells,
        reference: runner.plan.reference,
        referenceNote: runner.plan.referenceNote,
        nodes,
        runs,
        seconds: runningSeconds(ctx.host.store, ctx.jobId),
        reportDir: REPORT_DIR,
      };
      if (!ctx.signal.aborted) await writeExperimentReport(ctx.host.store, ctx.jobDir, ctx.params, result);
      return result;
    },
  },
  cli: { command: 'experiment', summary: 'run a grid of searches and evaluations and compare them in one report' },
  ui: { label: 'Experiment', noun: 'experiment', page: 'experiments' },
});
