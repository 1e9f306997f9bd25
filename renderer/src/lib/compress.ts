/**
 * Pure helpers for the Compression page (issue #8): the study form and the `CompressParams` it builds (qualities
 * typed as text, which stored models fit the dataset and why the others do not), the progress grid (quality ×
 * subsampling, one state per protocol), merging `compress-point` pushes into what `compressions.get` returned, the
 * chart series (accuracy vs quality, vs compression rate, per group, bias), the results table, the image viewer's
 * rows and zoom, and the charts as SVG documents for export. No DOM, no store, no client.
 *
 * Constants come from shared/compress-defaults.ts (zod-free: shared/compress.ts would pull zod into the bundle; its
 * types are erased). test/unit/renderer-compress.test.ts checks what the form builds against the schema; the API
 * validates again and its refusal is shown.
 */
import type { ApiInput } from '../../../shared/api.js';
import type {
  CodecPoint,
  CompressModelSource,
  CompressParams,
  CompressPointData,
  CompressProtocol,
  CompressReference,
  CompressRow,
  CompressionDetail,
  CompressionImages,
  CompressionSummary,
  Subsampling,
} from '../../../shared/compress.js';
import {
  COMPRESS_DEFAULTS,
  COMPRESS_LIMITS,
  PROTOCOL_LABELS,
  PROTOCOLS,
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
import type { JobState, JobSummary, PushMessage } from '../../../shared/jobs.js';
import { formatDuration } from './format.js';
import { intIn } from '../../../shared/param-checks.js';

export { BASELINES, EVAL_PRESETS, NETWORK_NAMES, PRESET_INFO };
export { COMPRESS_DEFAULTS, COMPRESS_LIMITS, PROTOCOL_LABELS, PROTOCOLS, REFERENCE_QUALITY, SUBSAMPLINGS, THESIS_QUALITIES, expectedRows, gridKey };
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
      return { ok: false, error: `“${p}” is not a JPEG quality: type whole numbers from ${min} to ${max}, separated by commas (e.g. 20, 30).` };
    }
    const n = Number(p);
    if (n < min || n > max) return { ok: false, error: `${n} is out of range: a JPEG quality is a whole number from ${min} to ${max}.` };
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
  if (parsed.values.length === 0) return { ok: false, error: 'Type one or more qualities from 1 to 100 first (e.g. 20, 30).' };
  const thesis = new Set<number>(THESIS_QUALITIES);
  return {
    ok: true,
    qualities: [...new Set([...form.qualities, ...parsed.values])].sort((a, b) => a - b),
    extraQualities: [...new Set([...form.extraQualities, ...parsed.values.filter((v) => !thesis.has(v))])].sort((a, b) => a - b),
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
export function modelCompatibility(m: ModelFacts, d: DatasetFacts, protocols: readonly CompressProtocol[] = []): Compatibility {
  const p = m.preprocessing;
  if (p.width !== d.width || p.height !== d.height || p.channels !== d.channels) {
    return { ok: false, why: 'shape', reason: `takes ${shapeOf(p)} images; ${d.name} holds ${shapeOf(d)}` };
  }
  if (m.classNames.length !== d.classes) {
    return { ok: false, why: 'classes', reason: `predicts ${m.classNames.length} classes; ${d.name} has ${d.classes}` };
  }
  if (!m.network && protocols.some((x) => x !== 'test')) {
    return { ok: false, why: 'network', reason: 'was imported without a network description, so it cannot be retrained: choose Test only, or train a baseline' };
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
    parts.push(`${points} ${points === 1 ? 'retraining' : 'retrainings'} (${p.qualities} ${p.qualities === 1 ? 'quality' : 'qualities'} × ${p.subsamplings} ${p.subsamplings === 1 ? 'subsampling' : 'subsamplings'})`);
  }
  if (p.protocols.includes('mixed')) {
    trainings += 1;
    parts.push('1 mixed-quality network');
  }
  return { trainings, rows: points * p.protocols.length, points, parts };
}

export type CompressBuildResult =
  | { ok: true; params: CompressStartInput }
  | { ok: false; field: keyof CompressForm | ''; error: string };

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
      return { ok: false, field: 'modelId', error: `Choose a stored model that fits ${dataset.name}, or train a baseline first.` };
    }
    const m = models.find((x) => x.id === form.modelId);
    if (!m) return { ok: false, field: 'modelId', error: `Model #${form.modelId} is no longer stored. Choose another, or train a baseline first.` };
    const fit = modelCompatibility(m, dataset, form.protocols);
    if (!fit.ok) {
      return { ok: false, field: fit.why === 'network' ? 'protocols' : 'modelId', error: `Model “${m.name}” ${fit.reason}.` };
    }
    model = { kind: 'model', modelId: m.id };
  } else {
    model = { kind: 'baseline', name: form.baseline };
  }
  const qualities = chosenQualities(form);
  if (!qualities.ok) return { ok: false, field: 'qualityText', error: qualities.error };
  if (qualities.values.length === 0) return { ok: false, field: 'qualities', error: 'Pick at least one JPEG quality.' };
  if (qualities.values.length > L.qualities.max) {
    return { ok: false, field: 'qualities', error: `At most ${L.qualities.max} qualities in one study; ${qualities.values.length} are chosen.` };
  }
  const subsampling = subsamplingFor(form.subsampling, dataset.channels);
  if (subsampling.length === 0) return { ok: false, field: 'subsampling', error: 'Pick 4:2:0, 4:4:4 or both.' };
  const protocols = PROTOCOLS.filter((p) => form.protocols.includes(p));
  if (protocols.length === 0) return { ok: false, field: 'protocols', error: 'Pick at least one protocol (Test only is the quickest).' };
  if (!intIn(form.epochs, L.epochs)) return { ok: false, field: 'epochs', error: `Epochs: a whole number from ${L.epochs.min} to ${L.epochs.max}.` };
  if (!intIn(form.seed, L.seed)) return { ok: false, field: 'seed', error: `Seed: a whole number from 0 to ${L.seed.max}.` };
  if (form.limitPerClass != null && !intIn(form.limitPerClass, L.limitPerClass)) {
    return { ok: false, field: 'limitPerClass', error: 'Per-class limit: a whole number from 1 up, or empty for all images.' };
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

export interface StudyData {
  reference: CompressReference | null;
  /** The model's label once the reference is measured. */
  model: string | null;
  codec: CodecPoint[];
  rows: CompressRow[];
}

export const emptyStudy = (): StudyData => ({ reference: null, model: null, codec: [], rows: [] });

export function studyOfDetail(d: Pick<CompressionDetail, 'reference' | 'codec' | 'rows'> & { summary: Pick<CompressionSummary, 'model'> }): StudyData {
  return { reference: d.reference, model: d.summary.model, codec: d.codec, rows: d.rows };
}

/** A pushed piece of study `jobId`, else null. */
export function compressPointFromPush(message: PushMessage, jobId: number): CompressPointData | null {
  if (message.channel !== 'job.event' || message.jobId !== jobId) return null;
  return message.event.type === 'compress-point' ? message.event.data : null;
}

const rowKey = (r: Pick<CompressRow, 'protocol' | 'quality' | 'subsampling'>) => `${r.protocol}-${gridKey(r.quality, r.subsampling)}`;

/** Adds pieces to a study: a later piece of the same point (or row) replaces the earlier one. */
export function applyPoints(study: StudyData, points: readonly CompressPointData[]): StudyData {
  if (points.length === 0) return study;
  let { reference, model } = study;
  const codec = new Map(study.codec.map((c) => [gridKey(c.quality, c.subsampling), c]));
  const rows = new Map(study.rows.map((r) => [rowKey(r), r]));
  for (const p of points) {
    if (p.kind === 'reference') {
      reference = p.reference;
      model = p.model;
    } else if (p.kind === 'codec') codec.set(gridKey(p.point.quality, p.point.subsampling), p.point);
    else rows.set(rowKey(p.row), p.row);
  }
  return { reference, model, codec: [...codec.values()], rows: [...rows.values()] };
}

/**
 * The subsamplings a study runs: its params' (4:2:0 first), or one when the dataset is grey — known from the
 * dataset's channels or, without them, from the summary's row count (protocols × qualities × subsamplings).
 */
export function usedSubsamplings(
  params: Pick<CompressParams, 'qualities' | 'subsampling' | 'protocols'>,
  facts: { channels?: number | null; rowsTotal?: number | null } = {},
): Subsampling[] {
  const chosen = SUBSAMPLINGS.filter((s) => params.subsampling.includes(s));
  const grey =
    facts.channels === 1 ||
    (facts.channels == null &&
      facts.rowsTotal != null &&
      chosen.length > 1 &&
      facts.rowsTotal === params.protocols.length * params.qualities.length);
  if (grey && chosen.length > 1) return [chosen.includes('4:4:4') ? '4:4:4' : chosen[0]!];
  return chosen;
}

export type PieceState = 'pending' | 'done';

export interface GridCellProtocol {
  protocol: CompressProtocol;
  state: PieceState;
  accuracy: number | null;
}

export interface GridCell {
  key: string;
  quality: number;
  subsampling: Subsampling;
  codec: CodecPoint | null;
  protocols: GridCellProtocol[];
  /** pending: nothing yet; partial: encoded or some protocols done; done: every protocol measured. */
  state: 'pending' | 'partial' | 'done';
}

export interface ProgressGrid {
  /** Columns, highest quality first (the order the study runs). */
  qualities: number[];
  rows: Array<{ subsampling: Subsampling; cells: GridCell[] }>;
  rowsDone: number;
  rowsTotal: number;
}

/** The progress grid: quality columns × subsampling rows, each cell with its codec numbers and a state per protocol. */
export function progressGrid(
  plan: { qualities: readonly number[]; subsamplings: readonly Subsampling[]; protocols: readonly CompressProtocol[] },
  study: Pick<StudyData, 'codec' | 'rows'>,
): ProgressGrid {
  const qualities = [...new Set([...plan.qualities, ...study.codec.map((c) => c.quality), ...study.rows.map((r) => r.quality)])].sort((a, b) => b - a);
  const seen = new Set<Subsampling>([...plan.subsamplings, ...study.codec.map((c) => c.subsampling), ...study.rows.map((r) => r.subsampling)]);
  const subsamplings = SUBSAMPLINGS.filter((s) => seen.has(s));
  const protocols = PROTOCOLS.filter((p) => plan.protocols.includes(p) || study.rows.some((r) => r.protocol === p));
  const codec = new Map(study.codec.map((c) => [gridKey(c.quality, c.subsampling), c]));
  const rows = new Map(study.rows.map((r) => [rowKey(r), r]));
  let rowsDone = 0;
  const out = subsamplings.map((subsampling) => ({
    subsampling,
    cells: qualities.map((quality): GridCell => {
      const key = gridKey(quality, subsampling);
      const ps = protocols.map((protocol): GridCellProtocol => {
        const r = rows.get(`${protocol}-${key}`);
        if (r) rowsDone += 1;
        return { protocol, state: r ? 'done' : 'pending', accuracy: r ? r.accuracy : null };
      });
      const c = codec.get(key) ?? null;
      const done = ps.filter((p) => p.state === 'done').length;
      const state = done === ps.length && ps.length > 0 ? 'done' : done > 0 || c ? 'partial' : 'pending';
      return { key, quality, subsampling, codec: c, protocols: ps, state };
    }),
  }));
  return { qualities, rows: out, rowsDone, rowsTotal: qualities.length * subsamplings.length * protocols.length };
}

// ---- chart series ----------------------------------------------------------------------------------------------

export interface ChartPoint {
  x: number;
  y: number;
}

export type LineStyle = 'solid' | 'dotted' | 'dashed';

export interface ChartSeries {
  key: string;
  label: string;
  points: ChartPoint[];
  /** Index into CHART_PALETTE; null: the neutral colour of reference lines. */
  color: number | null;
  line: LineStyle;
  marker: 'circle' | 'square' | 'none';
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** After y values in tooltips and the SVG's axis title ("%", "pp"). */
  yUnit: string;
  xScale: 'linear' | 'log';
  /** Ticks to put on x (e.g. the qualities); nice ticks when absent. */
  xTicks?: number[];
}

/** Series colours that read on light and dark backgrounds; the SVG and the canvas use the same. */
export const CHART_PALETTE = ['#1f5bd8', '#d97706', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#db2777', '#4b5563'];
export const REFERENCE_COLOR = '#6b7280';
/** Dash patterns (canvas and SVG). */
export const LINE_DASH: Record<LineStyle, number[]> = { solid: [], dotted: [2, 3], dashed: [7, 4] };

const protocolColor = (p: CompressProtocol): number => PROTOCOLS.indexOf(p);
const subsamplingLine = (s: Subsampling): LineStyle => (s === '4:4:4' ? 'dotted' : 'solid');
const subsamplingMarker = (s: Subsampling): 'circle' | 'square' => (s === '4:4:4' ? 'square' : 'circle');
const finitePoint = (p: ChartPoint): boolean => Number.isFinite(p.x) && Number.isFinite(p.y);

/** The protocol × subsampling pairs present in `rows`, protocols in their order, 4:2:0 first. */
function linesOf(rows: readonly CompressRow[]): Array<{ protocol: CompressProtocol; subsampling: Subsampling }> {
  const out: Array<{ protocol: CompressProtocol; subsampling: Subsampling }> = [];
  for (const protocol of PROTOCOLS) {
    for (const subsampling of SUBSAMPLINGS) {
      if (rows.some((r) => r.protocol === protocol && r.subsampling === subsampling)) out.push({ protocol, subsampling });
    }
  }
  return out;
}

const lineLabel = (protocol: CompressProtocol, subsampling: Subsampling, single: boolean): string =>
  single ? PROTOCOL_SHORT[protocol] : `${PROTOCOL_SHORT[protocol]}, ${subsampling}`;

function referenceSeries(label: string, y: number | null | undefined, xs: readonly number[]): ChartSeries[] {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (y == null || !Number.isFinite(y) || finite.length === 0) return [];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return [{ key: 'reference', label, points: [{ x: lo, y }, { x: hi, y }], color: null, line: 'dashed', marker: 'none' }];
}

const byX = (a: ChartPoint, b: ChartPoint) => a.x - b.x;

/**
 * Accuracy (%) vs JPEG quality: one line per protocol × subsampling (colour = protocol; 4:4:4 dotted with square
 * marks), and the model on the original images as a dashed line across the qualities.
 */
export function accuracyByQuality(rows: readonly CompressRow[], reference: CompressReference | null): ChartSeries[] {
  const lines = linesOf(rows);
  const single = new Set(lines.map((l) => l.subsampling)).size <= 1;
  const series: ChartSeries[] = lines.map(({ protocol, subsampling }) => ({
    key: `${protocol}-${subsampling}`,
    label: lineLabel(protocol, subsampling, single),
    points: rows
      .filter((r) => r.protocol === protocol && r.subsampling === subsampling)
      .map((r) => ({ x: r.quality, y: r.accuracy * 100 }))
      .filter(finitePoint)
      .sort(byX),
    color: protocolColor(protocol),
    line: subsamplingLine(subsampling),
    marker: subsamplingMarker(subsampling),
  }));
  return [...series, ...referenceSeries('original images', reference ? reference.accuracy * 100 : null, rows.map((r) => r.quality))];
}

/** Accuracy (%) vs compression rate (file size relative to quality 95, 4:2:0): the rows joined with their codec point. */
export function accuracyByRate(rows: readonly CompressRow[], codec: readonly CodecPoint[], reference: CompressReference | null): ChartSeries[] {
  const rate = new Map(codec.map((c) => [gridKey(c.quality, c.subsampling), c.compressionRate]));
  const lines = linesOf(rows);
  const single = new Set(lines.map((l) => l.subsampling)).size <= 1;
  const series: ChartSeries[] = lines.map(({ protocol, subsampling }) => ({
    key: `${protocol}-${subsampling}`,
    label: lineLabel(protocol, subsampling, single),
    points: rows
      .filter((r) => r.protocol === protocol && r.subsampling === subsampling)
      .flatMap((r) => {
        const x = rate.get(gridKey(r.quality, r.subsampling));
        return x == null ? [] : [{ x, y: r.accuracy * 100 }];
      })
      .filter((p) => finitePoint(p) && p.x > 0)
      .sort(byX),
    color: protocolColor(protocol),
    line: subsamplingLine(subsampling),
    marker: subsamplingMarker(subsampling),
  }));
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  return [...series.filter((s) => s.points.length > 0), ...referenceSeries('original images', reference ? reference.accuracy * 100 : null, xs)];
}

/** Whether any row (or the reference) carries per-group accuracy. */
export function hasGroups(rows: readonly CompressRow[], reference: CompressReference | null): boolean {
  return rows.some((r) => (r.perGroup?.length ?? 0) > 0) || (reference?.perGroup?.length ?? 0) > 0;
}

/** The groups of a study, sorted by name. */
export function groupNames(rows: readonly CompressRow[], reference: CompressReference | null): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const g of r.perGroup ?? []) names.add(g.group);
  for (const g of reference?.perGroup ?? []) names.add(g.group);
  return [...names].sort((a, b) => a.localeCompare(b));
}

/** Per-group accuracy (%) vs quality for one protocol at one subsampling: one line per group. */
export function groupAccuracyByQuality(
  rows: readonly CompressRow[],
  protocol: CompressProtocol,
  subsampling: Subsampling,
  reference: CompressReference | null = null,
): ChartSeries[] {
  const chosen = rows.filter((r) => r.protocol === protocol && r.subsampling === subsampling);
  return groupNames(chosen, reference).map((group, i) => ({
    key: `group-${group}`,
    label: group,
    points: chosen
      .flatMap((r) => {
        const g = r.perGroup?.find((x) => x.group === group);
        return g ? [{ x: r.quality, y: g.accuracy * 100 }] : [];
      })
      .filter(finitePoint)
      .sort(byX),
    color: i,
    line: 'solid',
    marker: 'circle',
  }));
}

/** Bias — the std of the per-group accuracies, in percentage points — vs quality, per protocol × subsampling. */
export function biasByQuality(rows: readonly CompressRow[], reference: CompressReference | null): ChartSeries[] {
  const lines = linesOf(rows.filter((r) => r.groupStd != null));
  const single = new Set(lines.map((l) => l.subsampling)).size <= 1;
  const series: ChartSeries[] = lines.map(({ protocol, subsampling }) => ({
    key: `${protocol}-${subsampling}`,
    label: lineLabel(protocol, subsampling, single),
    points: rows
      .filter((r) => r.protocol === protocol && r.subsampling === subsampling && r.groupStd != null)
      .map((r) => ({ x: r.quality, y: (r.groupStd ?? NaN) * 100 }))
      .filter(finitePoint)
      .sort(byX),
    color: protocolColor(protocol),
    line: subsamplingLine(subsampling),
    marker: subsamplingMarker(subsampling),
  }));
  return [...series, ...referenceSeries('original images', reference?.groupStd != null ? reference.groupStd * 100 : null, rows.map((r) => r.quality))];
}

/** The x ticks of the quality charts: the qualities measured. */
export function qualityTicks(rows: readonly CompressRow[]): number[] {
  return [...new Set(rows.map((r) => r.quality))].sort((a, b) => a - b);
}

// ---- the results table -----------------------------------------------------------------------------------------

export interface TableRow {
  key: string;
  protocol: CompressProtocol;
  quality: number;
  subsampling: Subsampling;
  bytes: string;
  bpp: string;
  rate: string;
  psnr: string;
  ssim: string;
  accuracy: string;
  /** Accuracy minus the reference's, in percentage points ("−3.2 pp"). */
  delta: string;
  /** Below the original by more than a point. */
  worse: boolean;
  groupStd: string;
}

/** One line per protocol × grid point: protocols in their order, 4:2:0 first, highest quality first. */
export function tableRows(rows: readonly CompressRow[], codec: readonly CodecPoint[], reference: CompressReference | null): TableRow[] {
  const byKey = new Map(codec.map((c) => [gridKey(c.quality, c.subsampling), c]));
  return [...rows]
    .sort(
      (a, b) =>
        PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) ||
        SUBSAMPLINGS.indexOf(a.subsampling) - SUBSAMPLINGS.indexOf(b.subsampling) ||
        b.quality - a.quality,
    )
    .map((r) => {
      const c = byKey.get(gridKey(r.quality, r.subsampling)) ?? null;
      const d = reference ? r.accuracy - reference.accuracy : null;
      return {
        key: rowKey(r),
        protocol: r.protocol,
        quality: r.quality,
        subsampling: r.subsampling,
        bytes: formatMeanBytes(c?.meanBytes),
        bpp: formatFixed(c?.bitsPerPixel, 2),
        rate: formatRate(c?.compressionRate),
        psnr: formatPsnr(c?.psnr),
        ssim: formatFixed(c?.ssim, 4),
        accuracy: formatAccuracy(r.accuracy),
        delta: formatDelta(d),
        worse: d != null && d < -0.01,
        groupStd: formatPoints(r.groupStd),
      };
    });
}

// ---- numbers ---------------------------------------------------------------------------------------------------

export function formatAccuracy(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} %`;
}

/** A standard deviation of accuracies (0..1) in percentage points: "4.2 pp". */
export function formatPoints(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} pp`;
}

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

export function formatSeconds(s: number | null | undefined): string {
  return s == null || !Number.isFinite(s) ? '—' : formatDuration(s * 1000);
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
    if (p.model.kind === 'baseline') parts.push(`preset ${(PRESET_INFO as Record<string, { label: string } | undefined>)[p.preset]?.label ?? p.preset}`);
    parts.push(p.limitPerClass == null ? 'all training images' : `≤ ${p.limitPerClass} training images per class`);
  }
  parts.push(`seed ${p.seed}`, `file sizes from ${p.sizeSample.toLocaleString('en-US')} test images`);
  return parts.join(' · ');
}

// ---- the image viewer ------------------------------------------------------------------------------------------

export const ZOOMS = [1, 2, 3, 4, 6, 8] as const;
export type Zoom = (typeof ZOOMS)[number];

/** The largest zoom at which an image of `width` pixels stays within `target` pixels (at least 1×). */
export function defaultZoom(width: number, target = 112): Zoom {
  let best: Zoom = 1;
  for (const z of ZOOMS) if (width * z <= target) best = z;
  return best;
}

export type ViewerPoint = CompressionImages['images'][number]['points'][number];

export interface ViewerRow {
  subsampling: Subsampling;
  /** Highest quality first, beside the original. */
  points: ViewerPoint[];
}

/** One image's points as rows: 4:2:0 above 4:4:4, qualities high to low (the same columns in both rows). */
export function viewerRows(points: readonly ViewerPoint[]): ViewerRow[] {
  return SUBSAMPLINGS.flatMap((subsampling) => {
    const row = points.filter((p) => p.subsampling === subsampling).sort((a, b) => b.quality - a.quality);
    return row.length > 0 ? [{ subsampling, points: row }] : [];
  });
}

/** The qualities shown in the viewer (columns), highest first. */
export function viewerQualities(images: CompressionImages): number[] {
  return [...new Set(images.images.flatMap((i) => i.points.map((p) => p.quality)))].sort((a, b) => b - a);
}

// ---- export ----------------------------------------------------------------------------------------------------

/** `compression-study-12-accuracy-quality.svg`. */
export function chartFilename(jobId: number, name: string, ext: 'svg' | 'png'): string {
  return `compression-study-${jobId}-${name}.${ext}`;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** A tick label: up to 3 significant digits, no trailing zeros. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

/** Round tick values covering [min, max]: steps of 1, 2, 2.5 or 5 × 10^k, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.05 : 1;
    min -= pad;
    max += pad;
  }
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Ticks of a log axis over [min, max] (both > 0): 1, 2 and 5 × 10^k, and the ends when fewer than two fall inside. */
export function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  }
  if (out.length < 2) return [Number(min.toPrecision(3)), Number(max.toPrecision(3))];
  return out;
}

export interface SvgOptions {
  width?: number;
  /** Height of the plot area (the legend adds its rows below). */
  plotHeight?: number;
  background?: string;
}

/**
 * A chart as a standalone SVG document (the export; the page draws the same series with chart.js): a white
 * background, the title, axes with ticks and titles, a grid, one polyline per series (with its marks), dashed
 * reference lines, and a legend below. Black on white, fixed colours: it reads the same in any theme and document.
 */
export function chartSvg(spec: ChartSpec, series: readonly ChartSeries[], opts: SvgOptions = {}): string {
  const W = opts.width ?? 640;
  const plotH = opts.plotHeight ?? 300;
  const m = { left: 64, right: 20, top: 40, bottom: 52 };
  const plotW = W - m.left - m.right;
  const shown = series.map((s) => ({ ...s, points: s.points.filter((p) => finitePoint(p) && (spec.xScale !== 'log' || p.x > 0)) }));
  const xs = shown.flatMap((s) => s.points.map((p) => p.x));
  const ys = shown.flatMap((s) => s.points.map((p) => p.y));

  // x domain
  let xTicks: number[];
  let xLo: number;
  let xHi: number;
  if (spec.xScale === 'log') {
    const lo = xs.length ? Math.min(...xs) : 0.1;
    const hi = xs.length ? Math.max(...xs) : 1;
    xLo = lo === hi ? lo / 1.5 : lo / 1.1;
    xHi = lo === hi ? hi * 1.5 : hi * 1.1;
    xTicks = logTicks(xLo, xHi);
  } else if (spec.xTicks && spec.xTicks.length > 0) {
    xTicks = [...spec.xTicks].sort((a, b) => a - b);
    const lo = Math.min(...xTicks, ...xs);
    const hi = Math.max(...xTicks, ...xs);
    const pad = lo === hi ? 1 : (hi - lo) * 0.03;
    xLo = lo - pad;
    xHi = hi + pad;
  } else {
    xTicks = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6);
    xLo = xTicks[0]!;
    xHi = xTicks[xTicks.length - 1]!;
  }
  // y domain
  const yTicks = niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 5);
  const yLo = yTicks[0]!;
  const yHi = yTicks[yTicks.length - 1]!;

  const fx = (x: number): number => {
    const t = spec.xScale === 'log' ? (Math.log(x) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo)) : (x - xLo) / (xHi - xLo || 1);
    return m.left + t * plotW;
  };
  const fy = (y: number): number => m.top + plotH - ((y - yLo) / (yHi - yLo || 1)) * plotH;
  const n = (v: number) => v.toFixed(1);

  // legend layout: items in rows of what fits
  const legendItems = shown.map((s) => ({ s, w: 34 + Math.min(30, s.label.length) * 6.6 + 18 }));
  const legendRows: (typeof legendItems)[] = [];
  let row: typeof legendItems = [];
  let used = 0;
  for (const item of legendItems) {
    if (row.length > 0 && used + item.w > plotW) {
      legendRows.push(row);
      row = [];
      used = 0;
    }
    row.push(item);
    used += item.w;
  }
  if (row.length > 0) legendRows.push(row);
  const legendTop = m.top + plotH + m.bottom;
  const H = legendTop + legendRows.length * 20 + (legendRows.length ? 8 : 0);

  const colorOf = (s: ChartSeries) => (s.color == null ? REFERENCE_COLOR : CHART_PALETTE[s.color % CHART_PALETTE.length]!);
  const dashOf = (s: ChartSeries) => (LINE_DASH[s.line].length ? ` stroke-dasharray="${LINE_DASH[s.line].join(' ')}"` : '');
  const mark = (s: ChartSeries, x: number, y: number) => {
    const c = colorOf(s);
    if (s.marker === 'circle') return `<circle cx="${n(x)}" cy="${n(y)}" r="3" fill="${c}"/>`;
    if (s.marker === 'square') return `<rect x="${n(x - 3)}" y="${n(y - 3)}" width="6" height="6" fill="${c}"/>`;
    return '';
  };

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="${opts.background ?? '#ffffff'}"/>`,
    `<text x="${m.left}" y="24" font-size="14" font-weight="600" fill="#1b1f24">${escapeXml(spec.title)}</text>`,
  );
  // grid and ticks
  out.push('<g class="grid" stroke="#e5e7eb" stroke-width="1">');
  for (const t of yTicks) out.push(`<line x1="${m.left}" y1="${n(fy(t))}" x2="${m.left + plotW}" y2="${n(fy(t))}"/>`);
  for (const t of xTicks) out.push(`<line x1="${n(fx(t))}" y1="${m.top}" x2="${n(fx(t))}" y2="${m.top + plotH}"/>`);
  out.push('</g>');
  out.push('<g class="axes" stroke="#6b7280" stroke-width="1">');
  out.push(`<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}"/>`);
  out.push('</g>');
  out.push('<g class="x-ticks" fill="#4b5563" text-anchor="middle">');
  for (const t of xTicks) out.push(`<text x="${n(fx(t))}" y="${m.top + plotH + 16}">${escapeXml(formatTick(t))}</text>`);
  out.push('</g>');
  out.push('<g class="y-ticks" fill="#4b5563" text-anchor="end">');
  for (const t of yTicks) out.push(`<text x="${m.left - 6}" y="${n(fy(t) + 4)}">${escapeXml(formatTick(t))}</text>`);
  out.push('</g>');
  const xTitle = spec.xScale === 'log' ? `${spec.xLabel} (log scale)` : spec.xLabel;
  out.push(`<text class="x-label" x="${n(m.left + plotW / 2)}" y="${m.top + plotH + 38}" text-anchor="middle" fill="#1b1f24">${escapeXml(xTitle)}</text>`);
  const yTitle = spec.yUnit ? `${spec.yLabel} (${spec.yUnit})` : spec.yLabel;
  out.push(
    `<text class="y-label" x="16" y="${n(m.top + plotH / 2)}" text-anchor="middle" fill="#1b1f24" transform="rotate(-90 16 ${n(m.top + plotH / 2)})">${escapeXml(yTitle)}</text>`,
  );
  // series
  for (const s of shown) {
    if (s.points.length === 0) continue;
    const pts = s.points.map((p) => `${n(fx(p.x))},${n(fy(p.y))}`).join(' ');
    out.push(`<g class="series" data-key="${escapeXml(s.key)}">`);
    out.push(`<polyline fill="none" stroke="${colorOf(s)}" stroke-width="2"${dashOf(s)} points="${pts}"><title>${escapeXml(s.label)}</title></polyline>`);
    for (const p of s.points) out.push(mark(s, fx(p.x), fy(p.y)));
    out.push('</g>');
  }
  // legend
  out.push('<g class="legend" fill="#1b1f24">');
  legendRows.forEach((items, r) => {
    let x = m.left;
    const y = legendTop + r * 20 + 10;
    for (const { s, w } of items) {
      out.push(`<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${colorOf(s)}" stroke-width="2"${dashOf(s)}/>`);
      out.push(mark(s, x + 12, y));
      out.push(`<text x="${x + 30}" y="${y + 4}">${escapeXml(s.label)}</text>`);
      x += w;
    }
  });
  out.push('</g>');
  out.push('</svg>');
  return out.filter((l) => l.length > 0).join('\n');
}
