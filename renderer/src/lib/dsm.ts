/**
 * Pure helpers of the DSM-NAS view and form ([DSM-NAS] over NAS-Bench-201, the `dsm-search` job): the form and the
 * `DsmParams` it builds, the trace of a search from its `dsm-iteration` events (rewards, baseline, best accuracy,
 * centre replacements, the latest subspace graph); the graph's layout and colours are in dsm-graph.ts. No DOM, no
 * store, no client. Limits and defaults come from shared/dsm.ts through shared/generated/params.ts.
 */
import type { BackendChoice } from '../../../shared/backend.js';
import type { DsmIterationData, DsmParams, DsmReplacement, DsmResult } from '../../../shared/dsm.js';
import { DSM_PARAMS } from '../../../shared/generated/params.js';
import { NB201_EDGE_LIST } from '../../../shared/genotype/ops.js';
import { parseNb201 } from '../../../shared/genotype/text.js';
import type { JobSummary } from '../../../shared/jobs.js';
import type { EvaluateSearchChoice } from './evaluate.js';
import type { JobViewAbout } from './job-views.js';
import { SHARED_HELP, firstProblem, ruleOf, sharedRules, type NumberRule } from './naswot-dsm-fields.js';
import { choiceCards } from './form-fields.js';

/** The DSM-NAS form's groups of radio cards: where the centres start, where the scoring supernet comes from. */
export const DSM_INIT_CARDS = choiceCards(
  { label: 'Initial centres', name: 'dsm-init', help: DSM_PARAMS.init.description },
  {
    random: { title: 'Random', sub: 'K distinct cells' },
    genotypes: { title: 'Start from these genotypes', sub: 'DSM-NAS+' },
  },
);
export const DSM_SUPERNET_CARDS = choiceCards(
  { label: 'Supernet', name: 'dsm-supernet', help: DSM_PARAMS.supernetFrom.description },
  {
    train: { title: 'Train a new one', sub: 'uniform single-path' },
    reuse: { title: 'Reuse one', sub: 'from a finished job' },
  },
);

const P = DSM_PARAMS;

// ---- the form ---------------------------------------------------------------------------------------------------

export type DsmInit = 'random' | 'genotypes';
export type DsmSupernet = 'train' | 'reuse';

export interface DsmForm {
  datasetId: number | null;
  iterations: number | null;
  subspaces: number | null;
  distance: number | null;
  seed: number | null;
  controllerLr: number | null;
  entropyWeight: number | null;
  baselineDecay: number | null;
  controllerHidden: number | null;
  init: DsmInit;
  /** DSM-NAS+: NB201 strings, one a line (init `genotypes`). */
  initText: string;
  supernet: DsmSupernet;
  /** The finished naswot / dsm-search job whose supernet to reuse (supernet `reuse`). */
  supernetFrom: number | null;
  channels: number | null;
  cells: number | null;
  inputSize: number | null;
  supernetEpochs: number | null;
  supernetBatch: number | null;
  supernetLr: number | null;
  calibrationBatches: number | null;
  limitPerClass: number | null;
  backend: BackendChoice;
}

export type DsmNumberKey = {
  [K in keyof DsmForm]-?: DsmForm[K] extends number | null
    ? K extends 'datasetId' | 'supernetFrom'
      ? never
      : K
    : never;
}[keyof DsmForm];

export function defaultDsmForm(): DsmForm {
  return {
    datasetId: null,
    iterations: P.iterations.default,
    subspaces: P.subspaces.default,
    distance: P.distance.default,
    seed: P.seed.default,
    controllerLr: P.controllerLr.default,
    entropyWeight: P.entropyWeight.default,
    baselineDecay: P.baselineDecay.default,
    controllerHidden: P.controllerHidden.default,
    init: 'random',
    initText: '',
    supernet: 'train',
    supernetFrom: null,
    channels: P.channels.default,
    cells: P.cells.default,
    inputSize: P.inputSize.default,
    supernetEpochs: P.supernetEpochs.default,
    supernetBatch: P.supernetBatch.default,
    supernetLr: P.supernetLr.default,
    calibrationBatches: P.calibrationBatches.default,
    limitPerClass: P.limitPerClass.default,
    backend: P.backend.default,
  };
}

/** Each field's help (tooltip, or the line under it). */
export const DSM_HELP = {
  ...SHARED_HELP,
  iterations:
    'Search iterations: each picks one subspace, proposes one modification, evaluates it and takes one policy step.',
  subspaces:
    'K: candidate subspaces, each the cells within distance M of its centre (the nodes of the graph). The paper uses 10.',
  distance: 'M: a proposal changes at least one and at most M of the cell’s 6 edges. The paper uses 3.',
  seed: 'Chooses the initial centres, the controller’s initialisation and its samples.',
  controllerLr: 'Adam learning rate of both policies (the paper: 3e-4).',
  entropyWeight:
    'Weight of the entropy bonus in the policy-gradient objective: more keeps the policies exploring (the paper: 1e-3).',
  baselineDecay: 'The reward baseline is a moving average: b ← decay·b + (1 − decay)·R.',
  controllerHidden: 'Width of the controller: node embeddings, the GNN layers and the LSTM states.',
  calibrationBatches:
    'Training batches each evaluated cell recalibrates the BN statistics on before its accuracy is read.',
} as const satisfies Partial<Record<keyof DsmForm, string>>;

const S = sharedRules(P);

export const DSM_SEARCH_RULES: readonly NumberRule<DsmNumberKey>[] = [
  ruleOf('iterations', 'Iterations', P.iterations),
  ruleOf('subspaces', 'Subspaces K', P.subspaces),
  ruleOf('distance', 'Distance M', P.distance),
  ruleOf('seed', 'Seed', P.seed),
  ruleOf('controllerLr', 'Controller lr', P.controllerLr),
  ruleOf('entropyWeight', 'Entropy weight', P.entropyWeight),
  ruleOf('baselineDecay', 'Baseline decay', P.baselineDecay),
  ruleOf('controllerHidden', 'Controller width', P.controllerHidden),
];

export const DSM_TRAIN_RULES: readonly NumberRule<DsmNumberKey>[] = [
  S.channels,
  S.cells,
  S.inputSize,
  S.supernetEpochs,
  S.supernetBatch,
  S.supernetLr,
];

export const DSM_EVAL_RULES: readonly NumberRule<DsmNumberKey>[] = [S.calibrationBatches, S.limitPerClass];

/** The non-empty lines of the "start from these genotypes" box, each read as an NB201 string; the first bad one. */
export function readInit(text: string): { cells: string[]; error: string | null } {
  const cells: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      parseNb201(line);
    } catch (e) {
      return {
        cells,
        error: `line ${i + 1} is not a NAS-Bench-201 string: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    if (cells.includes(line)) return { cells, error: `line ${i + 1} repeats a cell given above; centres are distinct` };
    cells.push(line);
  }
  return { cells, error: null };
}

export type DsmBuildResult = { ok: true; params: DsmParams } | { ok: false; field: keyof DsmForm | ''; error: string };

/** The `DsmParams` for `jobs.start`, or the first problem with the form in words. */
export function buildDsmParams(form: DsmForm): DsmBuildResult {
  if (form.datasetId == null) return { ok: false, field: 'datasetId', error: 'Choose a dataset to search on.' };
  const reuse = form.supernet === 'reuse';
  const bad = firstProblem(
    form,
    reuse ? [...DSM_SEARCH_RULES, ...DSM_EVAL_RULES] : [...DSM_SEARCH_RULES, ...DSM_TRAIN_RULES, ...DSM_EVAL_RULES],
  );
  if (bad) return { ok: false, ...bad };
  let init: string[] = [];
  if (form.init === 'genotypes') {
    const read = readInit(form.initText);
    if (read.error) return { ok: false, field: 'initText', error: `Start from these genotypes: ${read.error}.` };
    if (read.cells.length === 0)
      return {
        ok: false,
        field: 'initText',
        error:
          'Start from these genotypes: give at least one NAS-Bench-201 string, one a line, or start from random centres.',
      };
    if (read.cells.length > form.subspaces!)
      return {
        ok: false,
        field: 'initText',
        error: `Start from these genotypes: ${read.cells.length} cells for K = ${form.subspaces} subspaces; give at most K (the rest are drawn at random).`,
      };
    init = read.cells;
  }
  if (reuse && form.supernetFrom == null)
    return {
      ok: false,
      field: 'supernetFrom',
      error: 'Choose the finished job whose supernet to reuse, or train a new one.',
    };
  return {
    ok: true,
    params: {
      datasetId: form.datasetId,
      iterations: form.iterations!,
      subspaces: form.subspaces!,
      distance: form.distance!,
      init,
      controllerLr: form.controllerLr!,
      entropyWeight: form.entropyWeight!,
      baselineDecay: form.baselineDecay!,
      controllerHidden: form.controllerHidden!,
      supernetFrom: reuse ? form.supernetFrom : null,
      // a reused supernet brings its own size and training; the schema's defaults stand in (unused)
      channels: reuse ? P.channels.default : form.channels!,
      cells: reuse ? P.cells.default : form.cells!,
      inputSize: reuse ? P.inputSize.default : form.inputSize,
      supernetEpochs: reuse ? P.supernetEpochs.default : form.supernetEpochs!,
      supernetBatch: reuse ? P.supernetBatch.default : form.supernetBatch!,
      supernetLr: reuse ? P.supernetLr.default : form.supernetLr!,
      calibrationBatches: form.calibrationBatches!,
      limitPerClass: form.limitPerClass,
      seed: form.seed!,
      backend: form.backend,
    },
  };
}

/**
 * Finished jobs of a dataset whose supernet a DSM search can reuse: naswot rankings that trained one (Kendall τ
 * on) and DSM searches. Newest first.
 */
export function supernetSources(all: readonly JobSummary[], datasetId: number | null): JobSummary[] {
  return all
    .filter((j) => {
      if (j.state !== 'done' || j.params.datasetId !== datasetId) return false;
      if (j.kind === 'dsm-search') return true;
      return j.kind === 'naswot' && j.params.kendall === true;
    })
    .sort((a, b) => b.id - a.id);
}

// ---- a search's trace -------------------------------------------------------------------------------------------

/** One iteration as the charts draw it. */
export interface DsmPoint {
  iteration: number;
  reward: number;
  /** null where only the stored result is known (it keeps the rewards, not the baseline). */
  baseline: number | null;
  /** Best centre accuracy after the iteration; null as for `baseline`. */
  best: number | null;
  replaced: boolean;
}

export interface DsmTrace {
  /** Iterations in order, one per iteration number. */
  points: DsmPoint[];
  replacements: DsmReplacement[];
  /** The latest iteration: the subspace graph now. */
  latest: DsmIterationData | null;
  iterations: number;
}

export const EMPTY_TRACE: DsmTrace = { points: [], replacements: [], latest: null, iterations: 0 };

function pointOf(d: DsmIterationData): DsmPoint {
  return {
    iteration: d.iteration,
    reward: d.reward,
    baseline: d.baseline,
    best: d.best.accuracy,
    replaced: d.replaced,
  };
}

function replacementOf(d: DsmIterationData): DsmReplacement | null {
  if (!d.replaced) return null;
  const { changes: _changes, ...to } = d.proposal;
  return { iteration: d.iteration, subspace: d.subspace, from: d.centre, to };
}

/**
 * Folds iterations into the trace: a later copy of an iteration replaces the earlier one (a resumed search emits
 * the iterations after its checkpoint again), and the latest graph is the highest iteration's.
 */
export function mergeIterations(trace: DsmTrace, its: readonly DsmIterationData[]): DsmTrace {
  if (its.length === 0) return trace;
  const byIt = new Map<number, DsmPoint>(trace.points.map((p) => [p.iteration, p]));
  const reps = new Map<number, DsmReplacement>(trace.replacements.map((r) => [r.iteration, r]));
  let latest = trace.latest;
  let iterations = trace.iterations;
  for (const d of its) {
    byIt.set(d.iteration, pointOf(d));
    const r = replacementOf(d);
    if (r) reps.set(d.iteration, r);
    else reps.delete(d.iteration);
    if (!latest || d.iteration >= latest.iteration) latest = d;
    iterations = Math.max(iterations, d.iterations);
  }
  return {
    points: [...byIt.values()].sort((a, b) => a.iteration - b.iteration),
    replacements: [...reps.values()].sort((a, b) => a.iteration - b.iteration),
    latest,
    iterations,
  };
}

/** Appends one live iteration: in order, it is pushed; otherwise merged. */
export function appendIteration(trace: DsmTrace, d: DsmIterationData): DsmTrace {
  const last = trace.points[trace.points.length - 1];
  if (last && d.iteration <= last.iteration) return mergeIterations(trace, [d]);
  const r = replacementOf(d);
  return {
    points: [...trace.points, pointOf(d)],
    replacements: r ? [...trace.replacements, r] : trace.replacements,
    latest: d,
    iterations: Math.max(trace.iterations, d.iterations),
  };
}

/**
 * The trace a finished search shows: its events where they cover every iteration, else the result's rewards and
 * replacements (a search whose events were trimmed), without baseline and best per iteration.
 */
export function traceWithResult(trace: DsmTrace, result: DsmResult | null): DsmTrace {
  if (!result || trace.points.length >= result.rewards.length) return trace;
  const replacedAt = new Set(result.replacements.map((r) => r.iteration));
  return {
    points: result.rewards.map((reward, i) => ({
      iteration: i + 1,
      reward,
      baseline: null,
      best: null,
      replaced: replacedAt.has(i + 1),
    })),
    replacements: result.replacements,
    latest: trace.latest,
    iterations: result.iterations,
  };
}

/** The result of a finished dsm-search job, or null. */
export function dsmResultOf(job: Pick<JobSummary, 'state' | 'result'> | null | undefined): DsmResult | null {
  if (!job || job.state !== 'done') return null;
  const r = job.result as Partial<DsmResult> | null;
  return r && typeof r === 'object' && r.space === 'nb201' && r.best && Array.isArray(r.centres)
    ? (r as DsmResult)
    : null;
}

// ---- words ---------------------------------------------------------------------------------------------------------

/** A position (0..5) as the edge it is: "1←0" (into node 1 from node 0). */
export function positionLabel(p: number): string {
  const e = NB201_EDGE_LIST[p];
  return e ? `${e.to}←${e.from}` : `#${p}`;
}

/** The positions where two NB201 strings differ (0..5), or null when either cannot be read. */
export function changedPositions(a: string, b: string): number[] | null {
  try {
    const ops = (s: string) =>
      parseNb201(s)
        .nodes.flat()
        .map(([op]) => op);
    const x = ops(a);
    const y = ops(b);
    return x.flatMap((op, i) => (op !== y[i] ? [i] : []));
  } catch {
    return null;
  }
}

/** An accuracy gain in points: "+2.4 pts". */
export function formatGain(from: number, to: number): string {
  const d = (to - from) * 100;
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(1)} pts`;
}

export interface ReplacementRow {
  iteration: number;
  subspace: number;
  from: string;
  to: string;
  fromAccuracy: number;
  toAccuracy: number;
  gain: string;
  /** The edges the replacement changed, as labels ("1←0, 3←2"). */
  changed: string;
}

/** The replacements as the timeline lists them: newest first. */
export function replacementRows(reps: readonly DsmReplacement[]): ReplacementRow[] {
  return [...reps]
    .sort((a, b) => b.iteration - a.iteration)
    .map((r) => ({
      iteration: r.iteration,
      subspace: r.subspace,
      from: r.from.text,
      to: r.to.text,
      fromAccuracy: r.from.accuracy,
      toAccuracy: r.to.accuracy,
      gain: formatGain(r.from.accuracy, r.to.accuracy),
      changed: (changedPositions(r.from.text, r.to.text) ?? []).map(positionLabel).join(', '),
    }));
}

/** One line of what a search does. */
export function dsmSettingsLine(p: DsmParams): string {
  const init =
    p.init.length > 0 ? `DSM-NAS+ from ${p.init.length} given cell${p.init.length === 1 ? '' : 's'}` : 'random centres';
  const supernet =
    p.supernetFrom != null
      ? `the supernet of job #${p.supernetFrom}`
      : `a new supernet (C = ${p.channels}, ${p.cells} cell${p.cells === 1 ? '' : 's'} per stage, ${p.supernetEpochs} epoch${p.supernetEpochs === 1 ? '' : 's'}, batch ${p.supernetBatch}, lr ${p.supernetLr})`;
  return `${p.iterations} iterations, K = ${p.subspaces}, M = ${p.distance}, ${init}; controller lr ${p.controllerLr}, entropy weight ${p.entropyWeight}, baseline decay ${p.baselineDecay}, width ${p.controllerHidden}; ${supernet}; seed ${p.seed}, backend ${p.backend}`;
}

/** The DSM-NAS view's words and ids (JobView.svelte). */
export const DSM_VIEW: JobViewAbout = {
  prefix: 'dsm',
  noun: 'DSM-NAS search',
  title: 'DSM-NAS search',
  list: 'search',
  backLabel: '← All searches',
  missing: 'This DSM-NAS search could not be loaded. Its job may have been removed.',
  resumeNote: 'Continues from the last checkpoint (controller, centres, graph, baseline and random state).',
  showSteps: false,
};

/** The reward curve's points: R(β|α) per iteration, and the baseline where known. */
export function rewardSeries(points: readonly DsmPoint[]): {
  reward: { x: number; y: number }[];
  baseline: { x: number; y: number }[];
  best: { x: number; y: number }[];
} {
  const reward: { x: number; y: number }[] = [];
  const baseline: { x: number; y: number }[] = [];
  const best: { x: number; y: number }[] = [];
  for (const p of points) {
    reward.push({ x: p.iteration, y: p.reward * 100 });
    if (p.baseline != null) baseline.push({ x: p.iteration, y: p.baseline * 100 });
    if (p.best != null) best.push({ x: p.iteration, y: p.best * 100 });
  }
  return { reward, baseline, best };
}

/**
 * Finished DSM-NAS searches as Evaluate sources: the best centre is the searched cell (its genotype.json carries the
 * provenance; `jobs.start` takes `{kind: 'search', jobId}` for either kind).
 */
export function dsmSearchChoices(
  jobs: readonly JobSummary[],
  datasetName: (id: number) => string | null,
): EvaluateSearchChoice[] {
  return jobs.flatMap((j) => {
    const result = j.kind === 'dsm-search' ? dsmResultOf(j) : null;
    if (!result) return [];
    const datasetId = (j.params as Pick<DsmParams, 'datasetId'>).datasetId;
    return [
      {
        jobId: j.id,
        datasetId,
        datasetName: datasetName(datasetId),
        space: 'nb201' as const,
        state: j.state,
        genotypeText: result.best.text,
        createdAt: j.createdAt,
        valAccuracy: result.best.accuracy,
        method: 'DSM-NAS' as const,
      },
    ];
  });
}
