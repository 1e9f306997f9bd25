/**
 * Runs an experiment's plan (shared/experiment.ts) in the host: starts each child job once its dependencies are done,
 * with their results filled into its parameters, and watches them to the end. Children are content-addressed: a
 * job of the same kind and identical parameters (this experiment's from an earlier attempt, another experiment's, or
 * one the user started) is reused when done, waited for when under way, and resumed once when it stopped. A failed
 * child is reported and only its dependents are skipped. The engine runs one job at a time, so the children queue.
 */
import {
  canonicalJson,
  expandExperiment,
  resolveRefs,
  type ExperimentNodeState,
  type ExperimentParams,
  type ExperimentPlan,
  type ExperimentResult,
  type ExperimentRun,
  type NodeRef,
  type PlanNode,
} from '../../shared/experiment.js';
import { isFinished, isResumable, type JobSummary } from '../../shared/jobs.js';
import type { CompressResult } from '../../shared/compress.js';
import type { EvaluateResult } from '../../shared/evaluate.js';
import type { SearchEpochData, SearchResult } from '../../shared/search.js';
import { appendEpoch } from '../../shared/search-defaults.js';
import type { HostJobContext } from '../jobs/kind.js';
import { findJobKind, parseJobParams } from '../jobs/registry.js';
import type { Store } from '../store/index.js';

/** How often the experiment's progress follows its running child between state changes. */
const PROGRESS_EVERY_MS = 2000;

/** A node while the experiment runs. */
interface NodeRun {
  node: PlanNode;
  state: ExperimentNodeState;
  /** Resumed once in this attempt already: a second stop is reported, not retried. */
  resumed: boolean;
}

/** The parsed parameters of a child as its kind stores them, or null when they do not parse. */
function parsedChildParams(kind: string, raw: unknown): unknown {
  const spec = findJobKind(kind);
  if (!spec) return null;
  const parsed = parseJobParams(spec, raw);
  return parsed.success ? parsed.data : null;
}

/**
 * The job of `kind` whose parameters are `params` (compared after parsing, keys sorted): the done one if any, else
 * one under way, else the newest that stopped; null when none.
 */
export function findIdenticalJob(store: Store, kind: string, params: unknown): JobSummary | null {
  const want = canonicalJson(params);
  const same = store.jobs
    .list({ limit: 100_000, kind })
    .filter((j) => canonicalJson(parsedChildParams(kind, j.params)) === want);
  return (
    same.find((j) => j.state === 'done') ??
    same.find((j) => !isFinished(j.state)) ??
    same.find((j) => isResumable(j.state)) ??
    null
  );
}

/** What a done child gives its dependents: the stored autoencoder, the search's job id, the evaluation's model. */
export function childValues(job: JobSummary): Partial<Record<NodeRef['take'], number>> {
  const r = (job.result ?? {}) as { autoencoderId?: number; modelId?: number | null };
  return {
    jobId: job.id,
    ...(typeof r.autoencoderId === 'number' ? { autoencoderId: r.autoencoderId } : {}),
    ...(typeof r.modelId === 'number' ? { modelId: r.modelId } : {}),
  };
}

const NOUN: Record<PlanNode['kind'], string> = {
  autoencoder: 'autoencoder',
  search: 'search',
  evaluate: 'evaluation',
  compress: 'compression study',
};

export class ExperimentRunner {
  readonly plan: ExperimentPlan;
  private readonly runs: NodeRun[];
  private readonly byKey: Map<string, NodeRun>;
  private lastProgress = -1;
  private lastNodes = '';

  constructor(
    private readonly ctx: HostJobContext<ExperimentParams>,
    private readonly store: Store,
  ) {
    this.plan = expandExperiment(ctx.params);
    this.runs = this.plan.nodes.map((node) => ({ node, resumed: false, state: waitingNode(node) }));
    this.byKey = new Map(this.runs.map((r) => [r.node.key, r]));
  }

  /** Runs the plan to the end (every node done, failed or skipped), or until the job is cancelled. */
  async run(): Promise<void> {
    this.ctx.emit({
      type: 'log',
      level: 'info',
      message: `${this.plan.cells.length} cells, ${this.runs.length} child jobs${this.ctx.attempts > 0 ? ' (resumed: finished children are kept)' : ''}.`,
    });
    for (;;) {
      if (this.ctx.signal.aborted) return this.cancelChildren();
      await this.step();
      this.reportNodes();
      this.reportProgress();
      if (this.runs.every((r) => isEnded(r.state.state))) return;
      if (this.ctx.signal.aborted) return this.cancelChildren();
      // a state change moves the plan on; between changes the figure follows the running child's own progress
      await Promise.race([this.ctx.nextChange(), new Promise((r) => setTimeout(r, PROGRESS_EVERY_MS).unref())]);
    }
  }

  /** One pass: refresh the children's states, then start every node whose dependencies are done. */
  private async step(): Promise<void> {
    for (const r of this.runs) {
      if (this.ctx.signal.aborted) return;
      if (r.state.jobId !== null) this.refresh(r);
      if (r.state.state !== 'waiting') continue;
      const deps = r.node.deps.map((k) => this.byKey.get(k)!);
      // a dependency that ended without a result stops its dependents
      const stopped = deps.find((d) => isEnded(d.state.state) && d.state.state !== 'done');
      if (stopped) {
        r.state.state = 'skipped';
        r.state.message = `Not run: the ${NOUN[stopped.node.kind]} it needs did not finish.`;
        continue;
      }
      if (!deps.every((d) => d.state.state === 'done')) continue;
      await this.attach(r, deps);
    }
  }

  /** Finds or starts the node's job once its dependencies are done. */
  private async attach(r: NodeRun, deps: NodeRun[]): Promise<void> {
    const values = new Map(deps.map((d) => [d.node.key, childValues(this.store.jobs.get(d.state.jobId!)!)]));
    let raw: Record<string, unknown>;
    try {
      raw = resolveRefs(r.node.params, values);
    } catch (e) {
      return this.fail(r, e instanceof Error ? e.message : String(e));
    }
    const parsed = parsedChildParams(r.node.kind, raw);
    const existing = parsed === null ? null : findIdenticalJob(this.store, r.node.kind, parsed);
    if (existing) {
      r.state.jobId = existing.id;
      r.state.reused = existing.state === 'done';
      if (isResumable(existing.state)) this.resume(r, existing);
      else this.refresh(r);
      if (r.state.reused)
        this.ctx.emit({
          type: 'log',
          level: 'info',
          message: `Reused job ${existing.id} (${NOUN[r.node.kind]}, seed ${r.node.seed}): it ran with identical settings.`,
        });
      return;
    }
    try {
      const job = await this.ctx.startJob(r.node.kind, raw);
      r.state.jobId = job.id;
      r.state.state = 'queued';
    } catch (e) {
      this.fail(r, e instanceof Error ? e.message : String(e));
    }
  }

  /** Resumes a stopped child once per attempt of the experiment. */
  private resume(r: NodeRun, job: JobSummary): void {
    if (r.resumed) return this.settleStopped(r, job);
    r.resumed = true;
    try {
      this.ctx.resumeJob(job.id);
      r.state.state = 'queued';
      this.ctx.emit({
        type: 'log',
        level: 'info',
        message: `Resumed job ${job.id} (${NOUN[r.node.kind]}, seed ${r.node.seed}), which had stopped (${job.state}).`,
      });
    } catch (e) {
      this.fail(r, e instanceof Error ? e.message : String(e));
    }
  }

  /** Reads the child's state; a child that stopped after this attempt resumed it is reported as it ended. */
  private refresh(r: NodeRun): void {
    const job = this.store.jobs.get(r.state.jobId!);
    if (!job) return this.fail(r, `Job ${r.state.jobId} was deleted.`);
    if (job.state === 'done') {
      r.state.state = 'done';
      r.state.message = null;
    } else if (!isFinished(job.state)) r.state.state = job.state;
    else if (job.state === 'failed') this.fail(r, job.message ?? 'It failed.');
    else this.settleStopped(r, job);
  }

  /**
   * A child that stopped while this attempt watched it: interrupted (the engine died) is resumed once; cancelled by
   * the user is reported, not undone (resuming the experiment resumes it).
   */
  private settleStopped(r: NodeRun, job: JobSummary): void {
    if (job.state === 'interrupted' && !r.resumed && !this.ctx.signal.aborted) return this.resume(r, job);
    r.state.state = job.state === 'cancelled' ? 'cancelled' : 'interrupted';
    r.state.message = job.message;
  }

  private fail(r: NodeRun, message: string): void {
    if (r.state.state !== 'failed')
      this.ctx.emit({
        type: 'log',
        level: 'warn',
        message: `The ${NOUN[r.node.kind]} of ${r.node.cells.join(', ') || 'the grid'} (seed ${r.node.seed}) failed: ${message}`,
      });
    r.state.state = 'failed';
    r.state.message = message;
  }

  /** Cancels the children this experiment waits on (queued or running); finished ones stay. */
  private cancelChildren(): void {
    for (const r of this.runs) {
      if (r.state.jobId === null) continue;
      const job = this.store.jobs.get(r.state.jobId);
      if (job && !isFinished(job.state)) {
        try {
          this.ctx.cancelJob(job.id);
        } catch {
          // it ended meanwhile
        }
      }
    }
  }

  /** The children's states as an event, when one has changed (the Experiments page draws its table from it). */
  private reportNodes(): void {
    const nodes = this.nodeStates();
    const text = JSON.stringify(nodes);
    if (text === this.lastNodes) return;
    this.lastNodes = text;
    this.ctx.emit({ type: 'experiment-nodes', nodes });
  }

  private reportProgress(): void {
    const total = this.runs.length;
    const ended = this.runs.filter((r) => isEnded(r.state.state)).length;
    // the child under way counts with its own fraction, so the figure moves while a long child runs
    const current = this.runs.find((r) => r.state.state === 'running');
    const partial = current ? (this.store.jobs.get(current.state.jobId!)?.progress?.fraction ?? 0) : 0;
    const fraction = Math.min(1, (ended + partial) / total);
    if (fraction <= this.lastProgress) return;
    this.lastProgress = fraction;
    this.ctx.emit({
      type: 'progress',
      fraction,
      step: ended,
      total,
      phase: 'children',
      message: `${ended} of ${total} child jobs finished`,
    });
  }

  /** Each node's state, for the result and the Experiments page. */
  nodeStates(): ExperimentNodeState[] {
    return this.runs.map((r) => ({ ...r.state }));
  }

  /** One run per (cell, seed) with whatever its finished children measured. */
  collectRuns(): ExperimentRun[] {
    return collectRuns(this.store, this.plan, this.nodeStates());
  }
}

/** Whether a child has ended, with a result or without one. */
export const isEnded = (s: ExperimentNodeState['state']): boolean =>
  s === 'done' || s === 'failed' || s === 'skipped' || s === 'cancelled' || s === 'interrupted';

/** A node before anything has run for it. */
const waitingNode = (n: PlanNode): ExperimentNodeState => ({
  key: n.key,
  kind: n.kind,
  cells: n.cells,
  seed: n.seed,
  jobId: null,
  state: 'waiting',
  reused: false,
  message: null,
});

/**
 * An experiment job's children as it last reported them: its result once it has ended, else its latest
 * `experiment-nodes` event, else the plan's nodes, all waiting.
 */
export function recordedNodes(store: Store, job: JobSummary, plan: ExperimentPlan): ExperimentNodeState[] {
  const result = job.result as ExperimentResult | null;
  if (result?.nodes) return result.nodes;
  const last = store.jobs.lastEvent(job.id, 'experiment-nodes');
  if (last?.event.type === 'experiment-nodes') return last.event.nodes;
  return plan.nodes.map(waitingNode);
}

/**
 * The images a DDS search replaced, summed over its epochs (a resumed search repeats the epochs after its checkpoint:
 * the last attempt's count each, as the Search page reads them); null without epochs on record.
 */
export function ddsReplaced(store: Store, jobId: number): number | null {
  let epochs: SearchEpochData[] = [];
  for (const e of store.jobs.events(jobId, 0, 100_000, ['search-epoch']))
    if (e.event.type === 'search-epoch') epochs = appendEpoch(epochs, e.event.data);
  const counts = epochs.flatMap((d) => (d.selection?.dds ? [d.selection.dds.replaced] : []));
  return counts.length ? counts.reduce((a, b) => a + b, 0) : null;
}

/** The measurements of each (cell, seed), read from the children's results (missing where a child has not finished). */
export function collectRuns(
  store: Store,
  plan: ExperimentPlan,
  nodes: readonly ExperimentNodeState[],
): ExperimentRun[] {
  const seeds = [...new Set(nodes.map((n) => n.seed))];
  const runs: ExperimentRun[] = [];
  for (const cell of plan.cells)
    for (const seed of seeds) {
      const of = (kind: PlanNode['kind']) =>
        nodes.find((n) => n.kind === kind && n.seed === seed && n.cells.includes(cell.key));
      const done = (kind: PlanNode['kind']) => {
        const n = of(kind);
        const job = n?.jobId != null ? store.jobs.get(n.jobId) : undefined;
        return job?.state === 'done' ? job : undefined;
      };
      const search = done('search')?.result as SearchResult | undefined;
      const evaluate = done('evaluate')?.result as EvaluateResult | undefined;
      const study = done('compress')?.result as CompressResult | undefined;
      const jobs: ExperimentRun['jobs'] = {};
      for (const kind of ['search', 'evaluate', 'compress'] as const) {
        const id = of(kind)?.jobId;
        if (id != null) jobs[kind] = id;
      }
      if (!of('evaluate')) continue;
      runs.push({
        cell: cell.key,
        seed,
        testAccuracy: evaluate?.test.accuracy ?? null,
        supernetAccuracy: search?.supernetTest?.accuracy ?? null,
        searchSeconds: search?.seconds ?? null,
        imagesProcessed: search?.imagesProcessed ?? null,
        // only a DDS search has replacements to count: the others' epochs are not read
        ddsReplaced:
          (search?.strategy === 'dds' || search?.strategy === 'dds-untrained') && jobs.search !== undefined
            ? ddsReplaced(store, jobs.search)
            : null,
        parameters: evaluate?.parameters ?? null,
        multiplyAdds: evaluate?.multiplyAdds ?? null,
        genotypeText: evaluate?.genotypeText ?? search?.genotypeText ?? null,
        study: study
          ? study.rows.map((row) => ({
              quality: row.quality,
              subsampling: row.subsampling,
              protocol: row.protocol,
              accuracy: row.accuracy,
              groupStd: row.groupStd,
            }))
          : null,
        jobs,
      });
    }
  return runs;
}
