/**
 * The Experiments page's pure helpers: the form (a preset or a custom grid), the parameters Start sends, the plan
 * in words, the children's table and the report's table. No DOM, no API: the components call these.
 */
import type {
  ChildKind,
  CompressionArm,
  ExperimentCell,
  ExperimentNodeState,
  ExperimentParamsInput,
  ExperimentPlanView,
  ExperimentReport,
  ExperimentScale,
  ExperimentStage,
  ExperimentStrategy,
  ExperimentSummary,
  CellReport,
  MetricSummary,
} from '../../../shared/experiment.js';
import {
  EXPERIMENT_STAGES,
  EXPERIMENT_STRATEGIES,
  STRATEGY_LABELS,
  armLabel,
} from '../../../shared/experiment-defaults.js';
import { EXPERIMENT_PRESETS, presetParams, type ExperimentPresetId } from '../../../shared/experiment-presets.js';
import { BASELINES, NETWORK_NAMES } from '../../../shared/evaluate-defaults.js';
import { accuracyText, countText, groupSpreadText, ratioText } from '../../../shared/experiment-report.js';
import { SEARCH_ALGORITHM_INFO } from '../../../shared/generated/params.js';
import type { SearchAlgorithm } from '../../../shared/search-algorithms.js';
import { formatCount } from './datasets.js';
import type { BuiltParams } from './form-fields.js';
import { formatEta, formatNumber, formatSeconds } from './format.js';
import type { FormWords, JobViewAbout, RunListAbout } from './job-views.js';
import { jobViewOf } from './run-details.js';
import { hrefFor } from './routes.js';

export { EXPERIMENT_PRESETS, EXPERIMENT_STRATEGIES, STRATEGY_LABELS, BASELINES, NETWORK_NAMES };

export type Baseline = (typeof BASELINES)[number];
/** The search algorithms, in the order their table lists them. */
export const SEARCH_ALGORITHMS = Object.keys(SEARCH_ALGORITHM_INFO) as SearchAlgorithm[];
export type PresetChoice = ExperimentPresetId | 'custom';
export const PRESET_CHOICES: readonly PresetChoice[] = [...EXPERIMENT_PRESETS, 'custom'];

/** Where JPEG compression is applied, as the form offers it: the thesis' three stage sets [Poyser-thesis §6]. */
export const STAGE_SETS = ['evaluation', 'search+evaluation', 'all'] as const;
export type StageSet = (typeof STAGE_SETS)[number];
export const STAGE_SET_STAGES: Record<StageSet, ExperimentStage[]> = {
  evaluation: ['evaluation'],
  'search+evaluation': ['search', 'evaluation'],
  all: [...EXPERIMENT_STAGES],
};
export const STAGE_SET_LABELS: Record<StageSet, string> = {
  evaluation: 'Evaluation only',
  'search+evaluation': 'Search and evaluation',
  all: 'Every stage (autoencoder, search, evaluation)',
};

export const MAX_SEEDS = 10;

/** The form's values: the preset it came from and the axes (which the user may edit after picking a preset). */
export interface ExperimentForm {
  datasetId: number | null;
  preset: PresetChoice;
  scale: ExperimentScale;
  strategies: ExperimentStrategy[];
  algorithms: SearchAlgorithm[];
  /** Each cell runs with seeds 0 … seeds − 1. */
  seeds: number | null;
  /** Compare with the original images (an arm without compression). */
  originals: boolean;
  /** JPEG qualities, typed: "5, 50". */
  qualities: string;
  stageSets: StageSet[];
  baselines: Baseline[];
  /** Overrides of the scale's epochs (null: the scale's), to make a grid smaller still. */
  searchEpochs: number | null;
  evaluateEpochs: number | null;
}

const DEFAULT_PRESET: ExperimentPresetId = 'dds-ablation';

export function defaultExperimentForm(): ExperimentForm {
  return applyPreset(
    {
      datasetId: null,
      preset: 'custom',
      scale: 'quick',
      strategies: [],
      algorithms: [],
      seeds: 1,
      originals: true,
      qualities: '',
      stageSets: [],
      baselines: [],
      searchEpochs: null,
      evaluateEpochs: null,
    },
    DEFAULT_PRESET,
  );
}

/**
 * The search, evaluation and autoencoder settings of a scale: every preset's base (the DDS ablation changes none of
 * them, so its grid holds the scale's own).
 */
export function scaleSettings(
  scale: ExperimentScale,
): Pick<ExperimentParamsInput, 'search' | 'evaluate' | 'autoencoder'> {
  const p = presetParams('dds-ablation', scale, 1);
  return { search: p.search ?? {}, evaluate: p.evaluate ?? {}, autoencoder: p.autoencoder ?? {} };
}

/** The form's compression fields for a list of arms (the presets' arms are qualities × the thesis' stage sets). */
export function armsToForm(
  arms: readonly { quality: number | null; stages?: ExperimentStage[] }[],
): Pick<ExperimentForm, 'originals' | 'qualities' | 'stageSets'> {
  const compressed = arms
    .map((a) => ({ quality: a.quality, stages: a.stages ?? [] }))
    .filter((a) => a.quality !== null && a.stages.length > 0);
  const qualities = [...new Set(compressed.map((a) => a.quality!))];
  const stageSets = STAGE_SETS.filter((s) => compressed.some((a) => sameStages(a.stages, STAGE_SET_STAGES[s])));
  return {
    originals: arms.length === 0 || arms.some((a) => a.quality === null || (a.stages ?? []).length === 0),
    qualities: qualities.join(', '),
    stageSets,
  };
}

const sameStages = (a: readonly ExperimentStage[], b: readonly ExperimentStage[]): boolean =>
  a.length === b.length && a.every((s) => b.includes(s));

/** A preset's grid at the form's scale: the axes the form shows; the epochs go back to the scale's. */
export function applyPreset(form: ExperimentForm, preset: PresetChoice, scale = form.scale): ExperimentForm {
  if (preset === 'custom') return { ...form, preset, scale };
  const p = presetParams(preset, scale, form.datasetId ?? 1);
  return {
    ...form,
    preset,
    scale,
    strategies: [...(p.strategies ?? ['full', 'dds'])],
    algorithms: [...(p.algorithms ?? ['darts'])],
    seeds: p.seeds?.length ?? 1,
    ...armsToForm(p.compression ?? []),
    baselines: [...(p.baselines ?? [])] as Baseline[],
    searchEpochs: null,
    evaluateEpochs: null,
  };
}

/** The qualities typed ("5, 50"): each 1..100, at most 8; an error in words otherwise. */
export function parseQualityList(text: string): { ok: true; values: number[] } | { ok: false; error: string } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const values: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 100)
      return { ok: false, error: `“${p}” is not a JPEG quality: use whole numbers from 1 to 100.` };
    if (!values.includes(Number(p))) values.push(Number(p));
  }
  if (values.length > 8) return { ok: false, error: 'At most 8 qualities.' };
  return { ok: true, values };
}

/** The compression arms of the form: the originals (when ticked), then each quality at each stage set. */
export function formArms(form: ExperimentForm): BuiltParams<CompressionArm[]> {
  const q = parseQualityList(form.qualities);
  if (!q.ok) return { ok: false, field: 'qualities', error: q.error };
  const arms: CompressionArm[] = form.originals ? [{ quality: null, stages: [] }] : [];
  if (q.values.length > 0 && form.stageSets.length === 0)
    return {
      ok: false,
      field: 'stageSets',
      error: 'Pick where the JPEG qualities are applied, or clear the qualities.',
    };
  for (const quality of q.values)
    for (const set of STAGE_SETS)
      if (form.stageSets.includes(set)) arms.push({ quality, stages: [...STAGE_SET_STAGES[set]] });
  if (arms.length === 0)
    return {
      ok: false,
      field: 'originals',
      error: 'Compare at least one kind of images: the originals or a JPEG quality.',
    };
  if (arms.length > 16) return { ok: false, field: 'qualities', error: `${arms.length} compression arms; at most 16.` };
  return { ok: true, params: arms };
}

/** Seeds 0 … n − 1. */
export const seedList = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * What Start sends (`jobs.start` kind `experiment`) and the plan asks about: the preset's grid (its study and
 * BDP's pruning included) with the axes as the form has them, or for Custom the scale's settings.
 */
export function buildExperimentParams(form: ExperimentForm): BuiltParams<ExperimentParamsInput> {
  if (form.datasetId == null) return { ok: false, field: 'datasetId', error: 'Choose a dataset.' };
  if (form.strategies.length === 0)
    return { ok: false, field: 'strategies', error: 'Pick at least one data selection strategy.' };
  if (form.algorithms.length === 0)
    return { ok: false, field: 'algorithms', error: 'Pick at least one search algorithm.' };
  if (form.seeds == null || !Number.isInteger(form.seeds) || form.seeds < 1 || form.seeds > MAX_SEEDS)
    return { ok: false, field: 'seeds', error: `Seeds: a whole number from 1 to ${MAX_SEEDS}.` };
  for (const [field, v] of [
    ['searchEpochs', form.searchEpochs],
    ['evaluateEpochs', form.evaluateEpochs],
  ] as const)
    if (v != null && (!Number.isInteger(v) || v < 1 || v > 1000))
      return { ok: false, field, error: 'Epochs: a whole number from 1 to 1000.' };
  const arms = formArms(form);
  if (!arms.ok) return arms;
  const base: ExperimentParamsInput =
    form.preset === 'custom'
      ? {
          datasetId: form.datasetId,
          preset: null,
          scale: form.scale,
          name: customName(form),
          ...scaleSettings(form.scale),
        }
      : presetParams(form.preset, form.scale, form.datasetId);
  if (presetEdited(form)) base.name = `${base.name ?? ''}, edited`;
  const search = { ...base.search };
  if (form.searchEpochs != null) {
    search.epochs = form.searchEpochs;
    // a warm-up longer than the search would be refused
    if (typeof search.warmupEpochs === 'number')
      search.warmupEpochs = Math.min(search.warmupEpochs, form.searchEpochs - 1);
  }
  const evaluate = { ...base.evaluate, ...(form.evaluateEpochs != null ? { epochs: form.evaluateEpochs } : {}) };
  return {
    ok: true,
    params: {
      ...base,
      strategies: [...form.strategies],
      algorithms: [...form.algorithms],
      seeds: seedList(form.seeds),
      compression: arms.params,
      baselines: [...form.baselines],
      search,
      evaluate,
    },
  };
}

/** A custom grid's name: its strategies and scale, "Full data vs Random subset (quick)". */
function customName(form: ExperimentForm): string {
  const name = `${form.strategies.map((s) => STRATEGY_LABELS[s]).join(' vs ')} (${form.scale})`;
  return name.length <= 120 ? name : `${name.slice(0, 117)}…`;
}

const AXES = [
  'strategies',
  'algorithms',
  'seeds',
  'originals',
  'qualities',
  'stageSets',
  'baselines',
  'searchEpochs',
  'evaluateEpochs',
] as const satisfies readonly (keyof ExperimentForm)[];

/** Whether the form's axes differ from its preset's (never for Custom). */
export function presetEdited(form: ExperimentForm): boolean {
  if (form.preset === 'custom') return false;
  const preset = applyPreset(form, form.preset);
  return AXES.some((k) => JSON.stringify(form[k]) !== JSON.stringify(preset[k]));
}

/** Adds or removes `v`, keeping the order of `all`. */
export function toggleIn<V>(all: readonly V[], chosen: readonly V[], v: V): V[] {
  const on = chosen.includes(v);
  return all.filter((x) => (x === v ? !on : chosen.includes(x)));
}

// ---- the plan --------------------------------------------------------------------------------------

const KIND_NOUNS: Record<ChildKind, [string, string]> = {
  autoencoder: ['autoencoder', 'autoencoders'],
  search: ['search', 'searches'],
  evaluate: ['evaluation', 'evaluations'],
  compress: ['compression study', 'compression studies'],
};
export const CHILD_KINDS: readonly ChildKind[] = ['autoencoder', 'search', 'evaluate', 'compress'];

const count = (n: number, [one, many]: readonly [string, string]): string =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

/** "9 jobs: 2 autoencoders, 4 searches, 4 evaluations; 1 already done (reused)". */
export function planSummary(plan: ExperimentPlanView): string {
  const parts = CHILD_KINDS.filter((k) => plan.jobs[k] > 0).map((k) => count(plan.jobs[k], KIND_NOUNS[k]));
  const head = `${count(plan.jobs.total, ['job', 'jobs'])}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  return plan.reused > 0 ? `${head}; ${formatCount(plan.reused)} already done (reused)` : head;
}

/** "About 12 min here", or why there is no estimate. */
export function planEstimate(plan: ExperimentPlanView): string {
  if (plan.seconds == null) return plan.estimateNote ?? 'No time estimate could be made for this grid.';
  if (plan.seconds === 0) return 'Nothing to run: every job is already done.';
  return `About ${formatEta(plan.seconds)} on this computer${plan.estimateNote ? ` (${plan.estimateNote})` : ''}.`;
}

// ---- the children ------------------------------------------------------------------------------------

export const CHILD_KIND_LABELS: Record<ChildKind, string> = {
  autoencoder: 'Autoencoder',
  search: 'Search',
  evaluate: 'Evaluation',
  compress: 'Compression study',
};

export const NODE_STATE_LABELS: Record<ExperimentNodeState['state'], string> = {
  waiting: 'waiting',
  queued: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
  skipped: 'skipped',
};

/** Where a child job is shown: its own page (searches, evaluations, studies) or Runs (autoencoders). */
export function childHref(kind: string, jobId: number): string {
  const view = jobViewOf(kind);
  return view ? hrefFor(view.page, jobId) : hrefFor('runs', jobId);
}

export interface ChildRow {
  key: string;
  kind: string;
  cells: string;
  seed: number;
  state: ExperimentNodeState['state'];
  reused: boolean;
  jobId: number | null;
  href: string | null;
  message: string | null;
}

/** The children table: one row per child job, in the plan's order, its cells by their labels. */
export function childRows(nodes: readonly ExperimentNodeState[], cells: readonly ExperimentCell[]): ChildRow[] {
  const labels = new Map(cells.map((c) => [c.key, c.label]));
  return nodes.map((n) => ({
    key: n.key,
    kind: CHILD_KIND_LABELS[n.kind],
    cells:
      n.cells.length === 0
        ? n.kind === 'autoencoder'
          ? 'DDS cells (shared)'
          : '—'
        : n.cells.map((c) => labels.get(c) ?? cellKeyLabel(c)).join('; '),
    seed: n.seed,
    state: n.state,
    reused: n.reused,
    jobId: n.jobId,
    href: n.jobId != null ? childHref(n.kind, n.jobId) : null,
    message: n.message,
  }));
}

/**
 * A cell's key in words, for the children table before the report names the cells: `dds/darts/q15@search+evaluation`
 * → "DDS, darts, JPEG 15 at search, evaluation"; `baseline:cnn/original` → "Baseline cnn".
 */
export function cellKeyLabel(key: string): string {
  const [head = '', second, third] = key.split('/');
  const arm = head.startsWith('baseline:') ? second : third;
  const parts = head.startsWith('baseline:')
    ? [`Baseline ${head.slice('baseline:'.length)}`]
    : [STRATEGY_LABELS[head as ExperimentStrategy] ?? head, ...(second ? [second] : [])];
  const m = /^q(\d+)@(.+)$/.exec(arm ?? '');
  if (m) parts.push(armLabel({ quality: Number(m[1]), stages: m[2]!.split('+') as ExperimentStage[] }));
  return parts.join(', ');
}

/** "7 of 12 done, 1 failed". */
export function childrenProgress(c: { total: number; done: number; failed: number }): string {
  return `${c.done} of ${c.total} done${c.failed > 0 ? `, ${c.failed} failed` : ''}`;
}

// ---- the report ----------------------------------------------------------------------------------------

function plainText(m: MetricSummary | null, format: (v: number) => string): string {
  if (!m) return '—';
  return m.std == null ? format(m.mean) : `${format(m.mean)} ± ${format(m.std)}`;
}

/** The p-value, or "—" and why there is none. */
export function significanceText(c: CellReport, reference: string): { text: string; why: string | null } {
  if (c.cell.key === reference) return { text: 'p —', why: 'the reference itself' };
  if (c.significance) {
    const p = c.significance.p < 0.001 ? '< 0.001' : formatNumber(c.significance.p, 2);
    return { text: `p = ${p}${c.significance.significant ? ' (significant)' : ''}`, why: null };
  }
  return { text: 'p —', why: c.runs < 3 ? 'needs 3 or more seeds in both cells' : 'no test could be made' };
}

export interface ReportRow {
  key: string;
  label: string;
  reference: boolean;
  runs: number;
  test: string;
  supernet: string;
  searchTime: string;
  images: string;
  parameters: string;
  multiplyAdds: string;
  accuracyRatio: string;
  timeRatio: string;
  imagesRatio: string;
  p: string;
  pWhy: string | null;
}

/** The report's cells table: each metric as mean ± std over the seeds, the ratios to the reference, the test. */
export function reportRows(report: ExperimentReport): ReportRow[] {
  return report.cells.map((c) => {
    const m = c.metrics;
    const sig = significanceText(c, report.reference);
    return {
      key: c.cell.key,
      label: c.cell.label,
      reference: c.cell.key === report.reference,
      runs: c.runs,
      test: accuracyText(m.testAccuracy),
      supernet: c.cell.baseline ? '— (no search)' : accuracyText(m.supernetAccuracy),
      searchTime: c.cell.baseline ? '—' : plainText(m.searchSeconds, (s) => formatSeconds(s)),
      images: c.cell.baseline ? '—' : plainText(m.imagesProcessed, (v) => formatCount(Math.round(v))),
      // "22.5 ± 3.4 k", as report.md says it (the mean and its spread in one unit)
      parameters: countText(m.parameters),
      multiplyAdds: countText(m.multiplyAdds),
      accuracyRatio: ratioText(c.ratios.testAccuracy),
      timeRatio: ratioText(c.ratios.searchSeconds),
      imagesRatio: ratioText(c.ratios.imagesProcessed),
      p: sig.text,
      pWhy: sig.why,
    };
  });
}

export interface StudyRow {
  key: string;
  cell: string;
  protocol: string;
  quality: number;
  subsampling: string;
  top1: string;
  /** The spread of accuracy across the dataset's groups (its bias); "—" where it has no groups. */
  groupSpread: string;
}

/** The compression study's rows of every cell that ran one, for its table; none when no cell did. */
export function studyRows(report: ExperimentReport): StudyRow[] {
  return report.cells.flatMap((c) =>
    (c.study ?? []).map((s) => ({
      key: `${c.cell.key}|${s.protocol}|${s.subsampling}|${s.quality}`,
      cell: c.cell.label,
      protocol: s.protocol,
      quality: s.quality,
      subsampling: s.subsampling,
      top1: accuracyText(s.accuracy),
      groupSpread: groupSpreadText(s.groupStd),
    })),
  );
}

/** Whether a note is the quick scale's "not evidence" warning (shown first and prominent). */
export const isEvidenceWarning = (note: string): boolean => /not evidence/i.test(note);

/** The report's notes, the "not evidence" ones first. */
export function orderedNotes(notes: readonly string[]): { warnings: string[]; others: string[] } {
  return { warnings: notes.filter(isEvidenceWarning), others: notes.filter((n) => !isEvidenceWarning(n)) };
}

// ---- the grid in words ----------------------------------------------------------------------------------

/** The compression arms in words: "originals; JPEG 5 at evaluation; …". */
export const armsText = (arms: readonly CompressionArm[]): string => arms.map(armLabel).join('; ');

/** A scale's settings as rows for the "settings each child uses" disclosure. */
export function settingsRows(
  params: Pick<ExperimentParamsInput, 'search' | 'evaluate' | 'autoencoder' | 'study' | 'strategies'>,
): { stage: string; text: string }[] {
  // BDP's pruning settings matter only where the grid has BDP
  const bdp = (params.strategies ?? []).some((s) => s.startsWith('bdp'));
  // the settings a scale sets, in words; the job's other parameters are in its row in Runs
  const shown = (k: string) => k in SETTING_WORDS && (bdp || !BDP_KEYS.has(k));
  const line = (o: Record<string, unknown> | undefined | null) =>
    Object.entries(o ?? {})
      .filter(([k, v]) => v !== undefined && shown(k))
      .map(([k, v]) => `${SETTING_WORDS[k]} ${v === null ? 'all' : Array.isArray(v) ? v.join(', ') : String(v)}`)
      .join(' · ');
  const rows = [
    { stage: 'Search', text: line(params.search) },
    { stage: 'Evaluation', text: line(params.evaluate) },
  ];
  // DDS's autoencoders are the only ones the grid trains
  if ((params.strategies ?? []).includes('dds'))
    rows.push({ stage: 'Autoencoder (DDS)', text: line(params.autoencoder) });
  if (params.study) rows.push({ stage: 'Compression study', text: line(params.study) });
  return rows.map((r) => ({ ...r, text: r.text === '' ? 'the job’s own defaults' : r.text }));
}

const BDP_KEYS = new Set(['pruneEvery', 'pruneTrain', 'pruneVal']);
const SETTING_WORDS: Record<string, string> = {
  epochs: 'epochs',
  batch: 'batch size',
  channels: 'channels',
  cells: 'cells',
  limitPerClass: 'images per class',
  subset: 'images per epoch',
  warmupEpochs: 'warm-up epochs',
  preset: 'network size',
  pruneEvery: 'prune every (epochs)',
  pruneTrain: 'share pruned',
  pruneVal: 'share of validation pruned',
  qualities: 'qualities',
  subsampling: 'subsampling',
  protocols: 'protocols',
};

// ---- the list, the view and the form's words --------------------------------------------------------------

export interface ExperimentListRow {
  jobId: number;
  state: ExperimentSummary['state'];
  createdAt: number;
  dataset: string;
  name: string;
  scale: ExperimentScale;
  cells: string;
  progress: string;
  fraction: number;
  time: string;
}

export function experimentListRows(list: readonly ExperimentSummary[]): ExperimentListRow[] {
  return list.map((e) => ({
    jobId: e.jobId,
    state: e.state,
    createdAt: e.createdAt,
    dataset: e.datasetName ?? `dataset #${e.datasetId}`,
    name: e.name || 'Custom grid',
    scale: e.scale,
    cells: `${e.cells} ${e.cells === 1 ? 'cell' : 'cells'}, ${e.scale} scale`,
    progress: `${e.children.done} / ${e.children.total}`,
    fraction: e.children.total > 0 ? e.children.done / e.children.total : 0,
    time: formatSeconds(e.seconds),
  }));
}

export const EXPERIMENT_VIEW: JobViewAbout = {
  prefix: 'experiment',
  noun: 'experiment',
  title: 'Experiment',
  list: 'experiments',
  backLabel: '← All experiments',
  missing: 'This experiment could not be loaded. Its job may have been removed.',
  resumeNote: 'Continues where it stopped: finished child jobs are kept, the others run again.',
  showSteps: false,
};

export const EXPERIMENT_LIST: RunListAbout = {
  kind: 'experiment',
  heading: 'Experiments',
  tableTestid: 'experiment-list-table',
  route: 'experiments',
  noun: 'experiment',
};

export const EXPERIMENT_FORM: FormWords = {
  prefix: 'experiment',
  label: 'Start experiment',
  nouns: ['experiment', 'experiments'],
};
