/**
 * Pure helpers of the NASWOT panel ("rank without training", [NASWOT] on NAS-Bench-201): the form and the
 * `NaswotParams` it builds, the live score histogram from `naswot-chunk` events, and the mined-vs-random
 * comparison of two rankings ([Poyser-thesis] §4.5). No DOM, no store, no client. Limits and defaults come from
 * the zod schema in shared/naswot.ts through its zod-free description (shared/generated/params.ts).
 */
import type { BackendChoice } from '../../../shared/backend.js';
import { NASWOT_PARAMS } from '../../../shared/generated/params.js';
import type { JobSummary } from '../../../shared/jobs.js';
import type { NaswotChunkData, NaswotParams, NaswotResult } from '../../../shared/naswot.js';
import type { SearchSummary } from '../../../shared/search.js';
import type { JobViewAbout } from './job-views.js';
import { formatAccuracy } from './format.js';
import { SHARED_HELP, firstProblem, ruleOf, sharedRules, type NumberRule } from './naswot-dsm-fields.js';
import { choiceCards } from './form-fields.js';

const P = NASWOT_PARAMS;

/** All cells of NAS-Bench-201 (the schema's largest sample). */
export const NB201_SPACE_SIZE = P.sample.max;

/** The NASWOT form's groups of radio cards: which cells are scored, where the mini-batches come from. */
export const NASWOT_SCOPE_CARDS = choiceCards(
  { label: 'Cells to score', name: 'naswot-scope', help: P.sample.description },
  {
    sample: { title: 'A random sample', sub: 'N cells, no repeats' },
    all: { title: 'The whole space', sub: `all ${NB201_SPACE_SIZE.toLocaleString('en')} cells` },
  },
);
export const NASWOT_IMAGE_CARDS = choiceCards(
  { label: 'Images', name: 'naswot-images', help: P.minedFrom.description },
  {
    random: { title: 'Random', sub: 'from the training split' },
    mined: { title: 'Mined by a DDS search', sub: 'its last subset' },
  },
);

export type ImageSource = 'random' | 'mined';

/** What the form's inputs hold; numbers are null while their field is empty. */
export interface NaswotForm {
  datasetId: number | null;
  /** Score all 15,625 cells instead of `sample` random ones. */
  wholeSpace: boolean;
  sample: number | null;
  channels: number | null;
  cells: number | null;
  /** null: the dataset's own size. */
  inputSize: number | null;
  batch: number | null;
  repeats: number | null;
  top: number | null;
  images: ImageSource;
  /** The DDS search whose last subset gives the images (images `mined`). */
  minedFrom: number | null;
  kendall: boolean;
  kendallSample: number | null;
  supernetEpochs: number | null;
  supernetBatch: number | null;
  supernetLr: number | null;
  calibrationBatches: number | null;
  /** null: all training images (supernet and its validation). */
  limitPerClass: number | null;
  seed: number | null;
  backend: BackendChoice;
}

export type NaswotNumberKey = Exclude<
  keyof NaswotForm,
  'datasetId' | 'wholeSpace' | 'images' | 'minedFrom' | 'kendall' | 'backend' | 'sample'
>;

export function defaultNaswotForm(): NaswotForm {
  return {
    datasetId: null,
    wholeSpace: false,
    sample: P.sample.default,
    channels: P.channels.default,
    cells: P.cells.default,
    inputSize: P.inputSize.default,
    batch: P.batch.default,
    repeats: P.repeats.default,
    top: P.top.default,
    images: 'random',
    minedFrom: null,
    kendall: P.kendall.default,
    kendallSample: P.kendallSample.default,
    supernetEpochs: P.supernetEpochs.default,
    supernetBatch: P.supernetBatch.default,
    supernetLr: P.supernetLr.default,
    calibrationBatches: P.calibrationBatches.default,
    limitPerClass: P.limitPerClass.default,
    seed: P.seed.default,
    backend: P.backend.default,
  };
}

/** Each field's help: the form shows it as the field's tooltip, and the line under the field where it matters. */
export const NASWOT_HELP = {
  ...SHARED_HELP,
  sample: `How many cells to score, drawn at random without repeats. The whole space is ${NB201_SPACE_SIZE.toLocaleString('en')} cells.`,
  batch: 'Images per mini-batch. The score is log|det K_H| of the batch × batch kernel of the ReLU codes.',
  repeats:
    'Mini-batches (each with a fresh initialisation) per cell. The score is their mean, the spread their standard deviation: 1 gives no spread.',
  top: 'How many of the best cells the result lists.',
  kendallSample:
    'Cells evaluated with inherited weights for τ: the best, the worst and the rest evenly spaced by score.',
  seed: 'Chooses the sample, the mini-batches and the initialisations: the same seed gives the same scores.',
} as const satisfies Partial<Record<keyof NaswotForm, string>>;

const S = sharedRules(P);

/** The number fields of the form (besides the sample size), in the order shown. */
export const NASWOT_RULES: readonly NumberRule<NaswotNumberKey>[] = [
  S.channels,
  S.cells,
  S.inputSize,
  ruleOf('batch', 'Batch size', P.batch),
  ruleOf('repeats', 'Repeats', P.repeats),
  ruleOf('top', 'Top cells listed', P.top),
  ruleOf('seed', 'Seed', P.seed),
];

/** The supernet's fields, shown and checked with Kendall τ on. */
export const NASWOT_KENDALL_RULES: readonly NumberRule<NaswotNumberKey>[] = [
  ruleOf('kendallSample', 'Cells for τ', P.kendallSample),
  S.supernetEpochs,
  S.supernetBatch,
  S.supernetLr,
  S.calibrationBatches,
  S.limitPerClass,
];

export const SAMPLE_RULE = ruleOf('sample', 'Sample size', P.sample);

export type NaswotBuildResult =
  { ok: true; params: NaswotParams } | { ok: false; field: keyof NaswotForm | ''; error: string };

/** The `NaswotParams` for `jobs.start`, or the first problem with the form in words. */
export function buildNaswotParams(form: NaswotForm): NaswotBuildResult {
  if (form.datasetId == null) return { ok: false, field: 'datasetId', error: 'Choose a dataset to rank on.' };
  if (!form.wholeSpace) {
    const bad = firstProblem({ sample: form.sample }, [SAMPLE_RULE]);
    if (bad) return { ok: false, ...bad };
  }
  const bad = firstProblem(form, form.kendall ? [...NASWOT_RULES, ...NASWOT_KENDALL_RULES] : NASWOT_RULES);
  if (bad) return { ok: false, ...bad };
  if (form.images === 'mined' && form.minedFrom == null)
    return {
      ok: false,
      field: 'minedFrom',
      error: 'Choose the DDS search whose mined images to use, or draw random images.',
    };
  const kendallSample = form.kendallSample!;
  const sample = form.wholeSpace ? NB201_SPACE_SIZE : form.sample!;
  if (form.kendall && kendallSample > sample)
    return {
      ok: false,
      field: 'kendallSample',
      error: `Cells for τ: at most the ${sample.toLocaleString('en')} cells scored.`,
    };
  return {
    ok: true,
    params: {
      datasetId: form.datasetId,
      sample,
      channels: form.channels!,
      cells: form.cells!,
      inputSize: form.inputSize,
      batch: form.batch!,
      repeats: form.repeats!,
      minedFrom: form.images === 'mined' ? form.minedFrom : null,
      top: form.top!,
      kendall: form.kendall,
      // τ's settings keep their defaults when τ is off (the engine ignores them)
      kendallSample: form.kendall ? kendallSample : P.kendallSample.default,
      supernetEpochs: form.kendall ? form.supernetEpochs! : P.supernetEpochs.default,
      supernetBatch: form.kendall ? form.supernetBatch! : P.supernetBatch.default,
      supernetLr: form.kendall ? form.supernetLr! : P.supernetLr.default,
      calibrationBatches: form.kendall ? form.calibrationBatches! : P.calibrationBatches.default,
      limitPerClass: form.kendall ? form.limitPerClass : P.limitPerClass.default,
      seed: form.seed!,
      backend: form.backend,
    },
  };
}

/** The finished DDS searches of a dataset (the ones whose last subset can give mined images), newest first. */
export function minedSources(list: readonly SearchSummary[], datasetId: number | null): SearchSummary[] {
  return list
    .filter(
      (s) =>
        s.datasetId === datasetId &&
        s.state === 'done' &&
        (s.strategy === 'dds' || s.strategy === 'dds-untrained') &&
        s.epochsDone > 0,
    )
    .sort((a, b) => b.createdAt - a.createdAt || b.jobId - a.jobId);
}

// ---- a ranking's scores -----------------------------------------------------------------------------------------

/** The scores so far: cell index -> mean score (null: −∞, a singular kernel), and how far the ranking is. */
export interface NaswotScores {
  scores: ReadonlyMap<number, number | null>;
  done: number;
  total: number;
}

export const NO_SCORES: NaswotScores = { scores: new Map(), done: 0, total: 0 };

/** Folds chunks into the scores (a later chunk's score of a cell replaces an earlier one). */
export function mergeChunks(into: NaswotScores, chunks: readonly NaswotChunkData[]): NaswotScores {
  if (chunks.length === 0) return into;
  const scores = new Map(into.scores);
  let { done, total } = into;
  for (const c of chunks) {
    c.indices.forEach((index, i) => scores.set(index, c.scores[i] ?? null));
    done = Math.max(done, c.done);
    total = Math.max(total, c.total);
  }
  return { scores, done: Math.max(done, scores.size), total };
}

export interface Histogram {
  /** One label per bin: its lower edge. */
  labels: string[];
  counts: number[];
  /** The bins' lower edge and width (width 0: every finite score was the same). */
  lo: number;
  width: number;
  /** Scores of −∞ (a singular kernel): not in any bin. */
  negInf: number;
  /** Finite scores binned. */
  finite: number;
}

/** Digits after the point that tell bin edges `width` apart. */
function digitsFor(width: number): number {
  if (!(width > 0)) return 2;
  return Math.min(4, Math.max(0, Math.ceil(-Math.log10(width)) + 1));
}

/** The scores in `bins` equal-width bins from the smallest finite one to the largest (that one in the last bin). */
export function histogram(scores: Iterable<number | null>, bins = 30): Histogram {
  const finite: number[] = [];
  let negInf = 0;
  for (const s of scores) {
    if (s == null || !Number.isFinite(s)) negInf++;
    else finite.push(s);
  }
  if (finite.length === 0) return { labels: [], counts: [], lo: 0, width: 0, negInf, finite: 0 };
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of finite) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  if (hi === lo)
    return { labels: [lo.toFixed(2)], counts: [finite.length], lo, width: 0, negInf, finite: finite.length };
  const n = Math.max(1, Math.min(bins, finite.length));
  const width = (hi - lo) / n;
  const counts = new Array<number>(n).fill(0);
  for (const s of finite) counts[binIndex(lo, width, n, s)]!++;
  const digits = digitsFor(width);
  const labels = counts.map((_, i) => (lo + i * width).toFixed(digits));
  return { labels, counts, lo, width, negInf, finite: finite.length };
}

function binIndex(lo: number, width: number, n: number, s: number): number {
  return Math.min(n - 1, Math.max(0, Math.floor((s - lo) / width)));
}

/** The bin a score falls in, or null (−∞, or no bins). */
export function binOf(h: Histogram, score: number | null): number | null {
  if (score == null || !Number.isFinite(score) || h.counts.length === 0) return null;
  if (h.width === 0) return 0;
  return binIndex(h.lo, h.width, h.counts.length, score);
}

// ---- a job's params and result ----------------------------------------------------------------------------------

/** The result of a finished naswot job, or null. */
export function naswotResultOf(job: Pick<JobSummary, 'state' | 'result'> | null | undefined): NaswotResult | null {
  if (!job || job.state !== 'done') return null;
  const r = job.result as Partial<NaswotResult> | null;
  return r && typeof r === 'object' && r.space === 'nb201' && Array.isArray(r.top) && r.chosen
    ? (r as NaswotResult)
    : null;
}

/** A naswot job's parameters (as `jobs.start` stored them, defaults filled in). */
export function naswotParamsOf(job: Pick<JobSummary, 'params'>): NaswotParams {
  return job.params as unknown as NaswotParams;
}

/**
 * A score as "mean ± std" ("−∞" for a singular kernel); without the ± over one repeat, whose standard deviation is
 * no spread but the absence of one.
 */
export function formatScore(mean: number | null, std: number | null, repeats = 2, digits = 2): string {
  if (mean == null) return '−∞';
  return std == null || repeats < 2 ? mean.toFixed(digits) : `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}

/** One line of what a ranking did: "1,000 cells, 3 × batch 32 of random images, C = 16, 1 cell per stage". */
export function settingsLine(p: NaswotParams): string {
  const cells = p.sample >= NB201_SPACE_SIZE ? 'the whole space' : `${p.sample.toLocaleString('en')} random cells`;
  const images = p.minedFrom == null ? 'random images' : `images mined by search #${p.minedFrom}`;
  const size = p.inputSize == null ? 'own size' : `${p.inputSize}×${p.inputSize}`;
  const tau = p.kendall
    ? `; Kendall τ over ${p.kendallSample} cells with a supernet of ${p.supernetEpochs} epoch${p.supernetEpochs === 1 ? '' : 's'} (batch ${p.supernetBatch}, lr ${p.supernetLr})`
    : '';
  return `${cells}, ${p.repeats} × batch ${p.batch} of ${images} (${size}), C = ${p.channels}, ${p.cells} cell${p.cells === 1 ? '' : 's'} per stage, seed ${p.seed}, backend ${p.backend}${tau}`;
}

// ---- mined vs random ------------------------------------------------------------------------------------------------

/** The parameters of the same ranking on random images: the twin of a mined one. */
export function twinParams(p: NaswotParams): NaswotParams {
  return { ...p, minedFrom: null };
}

function sameExceptMined(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('minedFrom');
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}

/**
 * The other half of a mined-vs-random pair: for a ranking on mined images, the newest ranking with the same
 * parameters on random images; for one on random images, the newest mined ranking it is the twin of. Null when
 * there is none (or `job` is not a naswot job).
 */
export function twinOf(job: Pick<JobSummary, 'id' | 'kind' | 'params'>, all: readonly JobSummary[]): JobSummary | null {
  if (job.kind !== 'naswot') return null;
  const mined = job.params.minedFrom != null;
  let best: JobSummary | null = null;
  for (const j of all) {
    if (j.id === job.id || j.kind !== 'naswot') continue;
    if ((j.params.minedFrom != null) === mined) continue;
    if (!sameExceptMined(job.params, j.params)) continue;
    if (!best || j.id > best.id) best = j;
  }
  return best;
}

/** One side of the comparison. */
export interface RankingSide {
  jobId: number;
  source: ImageSource;
  /** The top-1 cell: its text and score. */
  chosen: string;
  mean: number | null;
  std: number | null;
  /** The mean standard deviation over the listed top cells (null: none finite, or one repeat). */
  spread: number | null;
  /** Inherited-weight accuracy of the chosen cell, with τ. */
  accuracy: number | null;
  tau: number | null;
}

export interface RankingComparison {
  mined: RankingSide;
  random: RankingSide;
  sameCell: boolean;
  /** What the numbers say, in plain sentences, the caveats first. */
  notes: string[];
}

function sideOf(jobId: number, source: ImageSource, r: NaswotResult): RankingSide {
  const stds = r.top.map((t) => t.std).filter((s): s is number => s != null && Number.isFinite(s));
  return {
    jobId,
    source,
    chosen: r.chosen.text,
    mean: r.chosen.mean,
    std: r.chosen.std,
    spread: r.repeats > 1 && stds.length > 0 ? stds.reduce((a, b) => a + b, 0) / stds.length : null,
    accuracy: r.kendall ? r.kendall.chosenAccuracy : null,
    tau: r.kendall ? r.kendall.tau : null,
  };
}

/**
 * Mined against random images: per side the top-1 score (mean ± std), the spread over repeats and, where both
 * trained a supernet, the chosen cell's inherited-weight accuracy and τ. The notes say when a difference means
 * nothing: scores on different images are not on one scale, a gap within one std is noise, one repeat has no
 * spread, and one accuracy per side is one sample.
 */
export function compareRankings(
  mined: { jobId: number; result: NaswotResult },
  random: { jobId: number; result: NaswotResult },
): RankingComparison {
  const m = sideOf(mined.jobId, 'mined', mined.result);
  const r = sideOf(random.jobId, 'random', random.result);
  const sameCell = m.chosen === r.chosen;
  const notes: string[] = [];
  if (sameCell)
    notes.push('Both rankings choose the same cell: on this sample the images made no difference to the choice.');
  notes.push(
    'The scores are log-determinants over different images, so their size is not comparable between the two; what counts is the cell each one chooses, its accuracy, and how steady the scores are over repeats.',
  );
  if (m.mean != null && r.mean != null) {
    const gap = Math.abs(m.mean - r.mean);
    const std = Math.max(m.std ?? 0, r.std ?? 0);
    if (std > 0 && gap <= std)
      notes.push(
        `The top-1 scores differ by ${gap.toFixed(2)}, within one standard deviation (${std.toFixed(2)}): that difference means nothing.`,
      );
  }
  if (m.spread == null || r.spread == null)
    notes.push('With one repeat there is no spread to compare: rank with 2 or more repeats.');
  else {
    const ratio = m.spread / r.spread;
    if (ratio < 0.9)
      notes.push(
        `Mined images give a tighter spread over repeats (${m.spread.toFixed(2)} against ${r.spread.toFixed(2)}).`,
      );
    else if (ratio > 1.1)
      notes.push(
        `Random images give a tighter spread over repeats (${r.spread.toFixed(2)} against ${m.spread.toFixed(2)}).`,
      );
    else notes.push('The spreads over repeats are within 10% of each other: no difference in steadiness.');
  }
  if (m.accuracy != null && r.accuracy != null) {
    const d = m.accuracy - r.accuracy;
    if (sameCell) {
      // one cell, one accuracy: nothing to compare
    } else if (Math.abs(d) < 0.01)
      notes.push(
        `The chosen cells’ inherited-weight accuracies differ by less than one point (${formatAccuracy(m.accuracy)} against ${formatAccuracy(r.accuracy)}): one evaluation per side cannot tell them apart.`,
      );
    else
      notes.push(
        `The cell chosen on ${d > 0 ? 'mined' : 'random'} images does better with inherited weights (${formatAccuracy(Math.max(m.accuracy, r.accuracy))} against ${formatAccuracy(Math.min(m.accuracy, r.accuracy))}) — one evaluation per side; repeat with other seeds before drawing a conclusion.`,
      );
  } else notes.push('Accuracy is compared only when both rankings trained a supernet (Kendall τ on).');
  return { mined: m, random: r, sameCell, notes };
}

/** The NASWOT view's words and ids (JobView.svelte). */
export const NASWOT_VIEW: JobViewAbout = {
  prefix: 'naswot',
  noun: 'ranking',
  title: 'NASWOT ranking',
  list: 'search',
  backLabel: '← All searches',
  missing: 'This ranking could not be loaded. Its job may have been removed.',
  resumeNote: 'Runs the ranking again from the start (it keeps no checkpoint; a whole-space ranking takes minutes).',
  showSteps: false,
};
