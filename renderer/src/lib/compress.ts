/**
 * Pure helpers for the Compression page (issue #8): the study form and the `CompressParams` it builds (qualities
 * typed as text, which stored models fit the dataset and why the others do not), the words and numbers the page
 * shows, and the list of studies. The study as it arrives is in compress-study.ts, its charts and their SVG export
 * in compress-charts.ts, its table and image viewer in compress-table.ts. No DOM, no store, no client.
 *
 * Constants come from shared/compress-defaults.ts (zod-free: shared/compress.ts would pull zod into the bundle; its
 * types are erased). test/unit/renderer-compress.test.ts checks what the form builds against the schema; the API
 * validates again and its refusal is shown.
 */
import type { ApiInput } from '../../../shared/api.js';
import type {
  CompressModelSource,
  CompressParams,
  CompressProtocol,
  CompressionSummary,
  Subsampling,
} from '../../../shared/compress.js';
import {
  COMPRESS_DEFAULTS,
  COMPRESS_LIMITS,
  PROTOCOLS,
  PROTOCOL_LABELS,
  REFERENCE_QUALITY,
  SUBSAMPLINGS,
  THESIS_QUALITIES,
  expectedRows,
  gridKey,
} from '../../../shared/compress-defaults.js';
import type { DatasetSummary } from '../../../shared/datasets.js';
import {
  BASELINES,
  EVAL_PRESETS,
  NETWORK_NAMES,
  PRESET_INFO,
  type BaselineName,
  type EvalPreset,
} from '../../../shared/evaluate-defaults.js';
import type { ModelSummary } from '../../../shared/evaluate.js';
import type { JobState, JobSummary } from '../../../shared/jobs.js';
import { formatAccuracy, formatSeconds } from './format.js';
import { intIn } from '../../../shared/param-checks.js';

export { BASELINES, EVAL_PRESETS, NETWORK_NAMES, PRESET_INFO };
export {
  COMPRESS_DEFAULTS,
  COMPRESS_LIMITS,
  PROTOCOL_LABELS,
  PROTOCOLS,
  REFERENCE_QUALITY,
  SUBSAMPLINGS,
  THESIS_QUALITIES,
  expectedRows,
  gridKey,
};
export type { BaselineName, EvalPreset };

/** What `jobs.start` takes for a study (options left out take their defaults). */
export type CompressStartInput = Extract<ApiInput<'jobs.start'>, { kind: 'compress' }>['params'];

// ---- words -----------------------------------------------------------------------------------------------------

export const PROTOCOL_SHORT: Record<CompressProtocol, string> = { test: 'Test', retrain: 'Retrain', mixed: 'Mixed' };
/** One line per protocol for the form. */
export const PROTOCOL_EXPLAIN: Record<CompressProtocol, string> = {
  test: 'The model as it is, tested on the compressed test images: how robust it is to JPEG it never saw.',
  retrain:
    'A network trained from scratch for every grid point, on training images half at that point and half at quality 95, then tested there.',
  mixed: 'One network trained on training images each compressed at a random point of the grid, tested at every point.',
};
export const SUBSAMPLING_EXPLAIN: Record<Subsampling, string> = {
  '4:2:0': 'colour at half resolution (JPEG’s default)',
  '4:4:4': 'colour at full resolution',
};
export const GREY_NOTE =
  'The images are grey: a grey JPEG has no colour to subsample, so 4:2:0 and 4:4:4 give the same file and the study runs one point per quality (labelled 4:4:4).';

export function protocolList(protocols: readonly CompressProtocol[]): string {
  return protocols.map((p) => PROTOCOL_SHORT[p]).join(', ');
}

// ---- qualities typed as text -----------------------------------------------------------------------------------

export type QualityParse = { ok: true; values: number[] } | { ok: false; error: string };

/**
 * Qualities typed by hand: whole numbers from 1 to 100 separated by commas, spaces or semicolons ("20, 30 40").
 * Empty text is no qualities. Repeats are merged; the values come back in ascending order.
 */
export function parseQualities(text: string): QualityParse {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const { min, max } = COMPRESS_LIMITS.quality;
  const values = new Set<number>();
  for (const p of parts) {
    if (!/^[+]?\d+$/.test(p)) {
      return {
        ok: false,
        error: `“${p}” is not a JPEG quality: type whole numbers from ${min} to ${max}, separated by commas (e.g. 20, 30).`,
      };
    }
    const n = Number(p);
    if (n < min || n > max)
      return { ok: false, error: `${n} is out of range: a JPEG quality is a whole number from ${min} to ${max}.` };
    values.add(n);
  }
  return { ok: true, values: [...values].sort((a, b) => a - b) };
}

/** The quality chips: the thesis set and any added by hand, ascending. */
export function qualityChips(extra: readonly number[]): number[] {
  return [...new Set<number>([...THESIS_QUALITIES, ...extra])].sort((a, b) => a - b);
}

/** Turns one quality on or off (ascending). */
export function toggleQuality(chosen: readonly number[], q: number): number[] {
  return chosen.includes(q) ? chosen.filter((v) => v !== q) : [...chosen, q].sort((a, b) => a - b);
}

/** Adds the typed qualities as chips, chosen; or says why the text cannot be read. */
export function addTypedQualities(
  form: Pick<CompressForm, 'qualities' | 'extraQualities' | 'qualityText'>,
): { ok: true; qualities: number[]; extraQualities: number[] } | { ok: false; error: string } {
  const parsed = parseQualities(form.qualityText);
  if (!parsed.ok) return parsed;
  if (parsed.values.length === 0)
    return { ok: false, error: 'Type one or more qualities from 1 to 100 first (e.g. 20, 30).' };
  const thesis = new Set<number>(THESIS_QUALITIES);
  return {
    ok: true,
    qualities: [...new Set([...form.qualities, ...parsed.values])].sort((a, b) => a - b),
    extraQualities: [...new Set([...form.extraQualities, ...parsed.values.filter((v) => !thesis.has(v))])].sort(
      (a, b) => a - b,
    ),
  };
}

/** The qualities the study would run: the chips chosen and whatever is typed but not yet added. */
export function chosenQualities(form: Pick<CompressForm, 'qualities' | 'qualityText'>): QualityParse {
  const typed = parseQualities(form.qualityText);
  if (!typed.ok) return typed;
  return { ok: true, values: [...new Set([...form.qualities, ...typed.values])].sort((a, b) => a - b) };
}

// ---- models that fit a dataset ---------------------------------------------------------------------------------

export type Compatibility = { ok: true } | { ok: false; why: 'shape' | 'classes' | 'network'; reason: string };

type ModelFacts = Pick<ModelSummary, 'name' | 'preprocessing' | 'classNames' | 'network'>;
type DatasetFacts = Pick<DatasetSummary, 'name' | 'width' | 'height' | 'channels' | 'classes'>;

const shapeOf = (s: { width: number; height: number; channels: number }) => `${s.width}×${s.height}×${s.channels}`;

/**
 * Whether a stored model can be studied on a dataset: the same input shape (width, height, channels) and the same
 * number of classes; with `protocols` that train (retrain, mixed), a network description too (an imported model
 * without one cannot be retrained). The API checks the class names as well and has the last word.
 */
export function modelCompatibility(
  m: ModelFacts,
  d: DatasetFacts,
  protocols: readonly CompressProtocol[] = [],
): Compatibility {
  const p = m.preprocessing;
  if (p.width !== d.width || p.height !== d.height || p.channels !== d.channels) {
    return { ok: false, why: 'shape', reason: `takes ${shapeOf(p)} images; ${d.name} holds ${shapeOf(d)}` };
  }
  if (m.classNames.length !== d.classes) {
    return { ok: false, why: 'classes', reason: `predicts ${m.classNames.length} classes; ${d.name} has ${d.classes}` };
  }
  if (!m.network && protocols.some((x) => x !== 'test')) {
    return {
      ok: false,
      why: 'network',
      reason:
        'was imported without a network description, so it cannot be retrained: choose Test only, or train a baseline',
    };
  }
  return { ok: true };
}

export interface ModelChoices<M> {
  /** Models that fit, those trained on this dataset first, newest first. */
  compatible: M[];
  unavailable: Array<{ model: M; reason: string }>;
}

/** The stored models split into those the form offers for `dataset` and those it cannot, with the reason. */
export function modelChoices<M extends ModelFacts & Pick<ModelSummary, 'id' | 'datasetId' | 'createdAt'>>(
  list: readonly M[],
  dataset: DatasetFacts & { id: number },
): ModelChoices<M> {
  const compatible: M[] = [];
  const unavailable: Array<{ model: M; reason: string }> = [];
  const sorted = [...list].sort((a, b) => {
    const sa = a.datasetId === dataset.id ? 0 : 1;
    const sb = b.datasetId === dataset.id ? 0 : 1;
    return sa - sb || b.createdAt - a.createdAt || b.id - a.id;
  });
  for (const m of sorted) {
    const c = modelCompatibility(m, dataset);
    if (c.ok) compatible.push(m);
    else unavailable.push({ model: m, reason: c.reason });
  }
  return { compatible, unavailable };
}

/** The model the form should preselect: the one chosen if still offered, else the first offered, else null. */
export function pickModel(compatible: readonly { id: number }[], current: number | null): number | null {
  if (current != null && compatible.some((m) => m.id === current)) return current;
  return compatible[0]?.id ?? null;
}

// ---- the form --------------------------------------------------------------------------------------------------

export type ModelSourceKind = CompressModelSource['kind'];

/** What the form's inputs hold; numbers are null while their field is empty (`limitPerClass` null = all images). */
export interface CompressForm {
  datasetId: number | null;
  modelSource: ModelSourceKind;
  modelId: number | null;
  baseline: BaselineName;
  preset: EvalPreset;
  /** The qualities chosen (chips on). */
  qualities: number[];
  /** Qualities added by hand beyond the thesis set (shown as chips, on or off). */
  extraQualities: number[];
  /** Qualities typed but not added yet (they count when the study starts). */
  qualityText: string;
  subsampling: Subsampling[];
  mozjpeg: boolean;
  protocols: CompressProtocol[];
  epochs: number | null;
  seed: number | null;
  limitPerClass: number | null;
}

export function defaultCompressForm(): CompressForm {
  return {
    datasetId: null,
    modelSource: 'model',
    modelId: null,
    baseline: 'cnn',
    preset: COMPRESS_DEFAULTS.preset,
    qualities: [...COMPRESS_DEFAULTS.qualities],
    extraQualities: [],
    qualityText: '',
    subsampling: [...COMPRESS_DEFAULTS.subsampling],
    mozjpeg: COMPRESS_DEFAULTS.mozjpeg,
    protocols: [...COMPRESS_DEFAULTS.protocols],
    epochs: COMPRESS_DEFAULTS.epochs,
    seed: COMPRESS_DEFAULTS.seed,
    limitPerClass: COMPRESS_DEFAULTS.limitPerClass,
  };
}

/** The subsamplings a study on a dataset with `channels` runs: grey images have one (4:4:4: nothing subsampled). */
export function subsamplingFor(chosen: readonly Subsampling[], channels: number | null): Subsampling[] {
  if (channels === 1) return ['4:4:4'];
  return SUBSAMPLINGS.filter((s) => chosen.includes(s));
}

/** Turns a protocol / subsampling on or off, keeping the canonical order. */
export function toggleIn<T extends string>(all: readonly T[], chosen: readonly T[], v: T): T[] {
  const next = chosen.includes(v) ? chosen.filter((x) => x !== v) : [...chosen, v];
  return all.filter((x) => next.includes(x));
}

export interface TrainingPlan {
  /** Networks trained in all. */
  trainings: number;
  /** Accuracy rows the study produces. */
  rows: number;
  /** Grid points (qualities × subsamplings). */
  points: number;
  /** What gets trained, in words ("the CNN baseline", "12 retrainings", "1 mixed-quality network"). */
  parts: string[];
}

/** What a study will train and measure: the baseline first (if any), one network per grid point for retrain, one for mixed. */
export function trainingPlan(p: {
  qualities: number;
  subsamplings: number;
  protocols: readonly CompressProtocol[];
  baseline: BaselineName | null;
}): TrainingPlan {
  const points = p.qualities * p.subsamplings;
  const parts: string[] = [];
  let trainings = 0;
  if (p.baseline) {
    trainings += 1;
    parts.push(`the ${NETWORK_NAMES[p.baseline]} baseline`);
  }
  if (p.protocols.includes('retrain')) {
    trainings += points;
    parts.push(
      `${points} ${points === 1 ? 'retraining' : 'retrainings'} (${p.qualities} ${p.qualities === 1 ? 'quality' : 'qualities'} × ${p.subsamplings} ${p.subsamplings === 1 ? 'subsampling' : 'subsamplings'})`,
    );
  }
  if (p.protocols.includes('mixed')) {
    trainings += 1;
    parts.push('1 mixed-quality network');
  }
  return { trainings, rows: points * p.protocols.length, points, parts };
}

export type CompressBuildResult =
  { ok: true; params: CompressStartInput } | { ok: false; field: keyof CompressForm | ''; error: string };

/**
 * The `CompressParams` for `jobs.start`, or the first problem with the form in words. `dataset` is the chosen
 * dataset (its channels decide the subsampling), `models` the stored models (a chosen model must fit the dataset).
 */
export function buildCompressParams(
  form: CompressForm,
  dataset: (DatasetFacts & { id: number }) | null,
  models: readonly (ModelFacts & { id: number })[],
): CompressBuildResult {
  const L = COMPRESS_LIMITS;
  if (form.datasetId == null || !dataset || dataset.id !== form.datasetId) {
    return { ok: false, field: 'datasetId', error: 'Choose a dataset to study.' };
  }
  let model: CompressModelSource;
  if (form.modelSource === 'model') {
    if (form.modelId == null) {
      return {
        ok: false,
        field: 'modelId',
        error: `Choose a stored model that fits ${dataset.name}, or train a baseline first.`,
      };
    }
    const m = models.find((x) => x.id === form.modelId);
    if (!m)
      return {
        ok: false,
        field: 'modelId',
        error: `Model #${form.modelId} is no longer stored. Choose another, or train a baseline first.`,
      };
    const fit = modelCompatibility(m, dataset, form.protocols);
    if (!fit.ok) {
      return {
        ok: false,
        field: fit.why === 'network' ? 'protocols' : 'modelId',
        error: `Model “${m.name}” ${fit.reason}.`,
      };
    }
    model = { kind: 'model', modelId: m.id };
  } else {
    model = { kind: 'baseline', name: form.baseline };
  }
  const qualities = chosenQualities(form);
  if (!qualities.ok) return { ok: false, field: 'qualityText', error: qualities.error };
  if (qualities.values.length === 0) return { ok: false, field: 'qualities', error: 'Pick at least one JPEG quality.' };
  if (qualities.values.length > L.qualities.max) {
    return {
      ok: false,
      field: 'qualities',
      error: `At most ${L.qualities.max} qualities in one study; ${qualities.values.length} are chosen.`,
    };
  }
  const subsampling = subsamplingFor(form.subsampling, dataset.channels);
  if (subsampling.length === 0) return { ok: false, field: 'subsampling', error: 'Pick 4:2:0, 4:4:4 or both.' };
  const protocols = PROTOCOLS.filter((p) => form.protocols.includes(p));
  if (protocols.length === 0)
    return { ok: false, field: 'protocols', error: 'Pick at least one protocol (Test only is the quickest).' };
  if (!intIn(form.epochs, L.epochs))
    return { ok: false, field: 'epochs', error: `Epochs: a whole number from ${L.epochs.min} to ${L.epochs.max}.` };
  if (!intIn(form.seed, L.seed))
    return { ok: false, field: 'seed', error: `Seed: a whole number from 0 to ${L.seed.max}.` };
  if (form.limitPerClass != null && !intIn(form.limitPerClass, L.limitPerClass)) {
    return {
      ok: false,
      field: 'limitPerClass',
      error: 'Per-class limit: a whole number from 1 up, or empty for all images.',
    };
  }
  return {
    ok: true,
    params: {
      datasetId: dataset.id,
      model,
      qualities: [...qualities.values].sort((a, b) => b - a),
      subsampling,
      mozjpeg: form.mozjpeg,
      protocols,
      epochs: form.epochs,
      preset: form.preset,
      seed: form.seed,
      limitPerClass: form.limitPerClass,
    },
  };
}

// ---- the study as it arrives -----------------------------------------------------------------------------------

// ---- chart series ----------------------------------------------------------------------------------------------

// ---- the results table -----------------------------------------------------------------------------------------

// ---- numbers ---------------------------------------------------------------------------------------------------

/** An accuracy difference (0..1) in percentage points with its sign: "+0.4 pp", "−3.2 pp". */
export function formatDelta(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—';
  const pp = v * 100;
  const s = Math.abs(pp).toFixed(1);
  return s === '0.0' ? '±0.0 pp' : `${pp > 0 ? '+' : '−'}${s} pp`;
}

export function formatFixed(v: number | null | undefined, digits: number): string {
  return v == null || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** Mean bytes per image: "812 B", "12,345 B". */
export function formatMeanBytes(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : `${Math.round(v).toLocaleString('en-US')} B`;
}

/** A compression rate (file size relative to quality 95): "0.23×", "1.00×". */
export function formatRate(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—';
  return `${v < 0.1 ? v.toFixed(3) : v.toFixed(2)}×`;
}

/** PSNR in dB; 99 (the cap for identical images) as "≥ 99 dB". */
export function formatPsnr(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—';
  return v >= 99 ? '≥ 99 dB' : `${v.toFixed(1)} dB`;
}

// ---- the list of studies ---------------------------------------------------------------------------------------

export interface StudyListRow {
  jobId: number;
  state: JobState;
  model: string;
  dataset: string;
  /** "6 qualities (5–95) × 4:2:0, 4:4:4". */
  grid: string;
  protocols: string;
  /** "12 / 36". */
  progress: string;
  fraction: number;
  time: string;
  createdAt: number;
}

export function qualityRange(qualities: readonly number[]): string {
  if (qualities.length === 0) return 'no qualities';
  const lo = Math.min(...qualities);
  const hi = Math.max(...qualities);
  const n = qualities.length;
  return `${n} ${n === 1 ? 'quality' : 'qualities'} (${lo === hi ? lo : `${lo}–${hi}`})`;
}

export function studyListRow(s: CompressionSummary): StudyListRow {
  return {
    jobId: s.jobId,
    state: s.state,
    model: s.model,
    dataset: s.datasetName ?? `dataset #${s.datasetId}`,
    grid: `${qualityRange(s.qualities)} × ${s.subsampling.join(', ')}`,
    protocols: protocolList(s.protocols),
    progress: `${s.rowsDone} / ${s.rowsTotal}`,
    fraction: s.rowsTotal > 0 ? Math.min(1, s.rowsDone / s.rowsTotal) : 0,
    time: formatSeconds(s.seconds),
    createdAt: s.createdAt,
  };
}

/** The studies, newest first. */
export function studyListRows(list: readonly CompressionSummary[]): StudyListRow[] {
  return [...list].sort((a, b) => b.createdAt - a.createdAt || b.jobId - a.jobId).map(studyListRow);
}

/** The parts of a study job's params the page shows before its own record loads. */
export function compressParamsOfJob(job: Pick<JobSummary, 'params'> | null | undefined): { datasetId: number | null } {
  const p = job?.params ?? {};
  return { datasetId: typeof p.datasetId === 'number' ? p.datasetId : null };
}

/** "CNN baseline (trained first)", "model #4". */
export function modelSourceLabel(m: CompressModelSource): string {
  return m.kind === 'baseline' ? `${NETWORK_NAMES[m.name]} baseline, trained first` : `stored model #${m.modelId}`;
}

/** The settings of a study in one line. */
export function settingsLine(p: CompressParams): string {
  const parts = [
    `qualities ${[...p.qualities].sort((a, b) => b - a).join(', ')}`,
    p.subsampling.join(' and '),
    `mozjpeg ${p.mozjpeg ? 'on' : 'off'}`,
    `protocols: ${protocolList(p.protocols)}`,
  ];
  const trains = p.model.kind === 'baseline' || p.protocols.some((x) => x !== 'test');
  if (trains) {
    parts.push(`${p.epochs} ${p.epochs === 1 ? 'epoch' : 'epochs'}, batch ${p.batch}, lr ${p.lr}`);
    if (p.model.kind === 'baseline')
      parts.push(
        `preset ${(PRESET_INFO as Record<string, { label: string } | undefined>)[p.preset]?.label ?? p.preset}`,
      );
    parts.push(p.limitPerClass == null ? 'all training images' : `≤ ${p.limitPerClass} training images per class`);
  }
  parts.push(`seed ${p.seed}`, `file sizes from ${p.sizeSample.toLocaleString('en-US')} test images`);
  return parts.join(' · ');
}

// ---- the image viewer ------------------------------------------------------------------------------------------

// ---- export ----------------------------------------------------------------------------------------------------

/**
 * A stored model in the model picker: its test accuracy right after its number, then its name and dataset, so a
 * narrow picker cuts off the name rather than the accuracy ("#7 · test 91.2 % · darts-c8 · MNIST sample").
 */
export function storedModelLabel(
  m: Pick<ModelSummary, 'id' | 'name' | 'datasetName' | 'origin' | 'testAccuracy'>,
): string {
  const dataset = m.datasetName ?? (m.origin === 'import' ? 'imported' : 'dataset ?');
  return `#${m.id} · test ${formatAccuracy(m.testAccuracy)} · ${m.name} · ${dataset}`;
}
