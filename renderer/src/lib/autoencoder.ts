/**
 * Pure helpers for the Autoencoder page: the train form and its `AeTrainParams`, loss curves from metric events
 * and from a stored history, the metric table and which of two values is better, the latent map's colours, and
 * labels. No DOM, no store, no zod: presets come from shared/autoencoder-defaults.ts and limits from the schema's
 * zod-free description (shared/generated/params.ts), so the renderer bundle does not pull zod in.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { AeDetail, AeLoss, AeMapPoint, AeMetrics, AePreset, AeSummary } from '../../../shared/autoencoder.js';
import { AE_LOSSES, AE_PRESET_IDS, AE_PRESETS } from '../../../shared/autoencoder-defaults.js';
import type { DatasetSummary } from '../../../shared/datasets.js';
import { AUTOENCODER_PARAMS } from '../../../shared/generated/params.js';
import type { StoredJobEvent } from '../../../shared/jobs.js';
import { formatDuration } from './format.js';
import { JPEG_STAGE_DEFAULTS, buildJpegStage, type JpegStageForm } from './jpeg-stage.js';
import { jpegStageLabel } from '../../../shared/compress-defaults.js';
import { intIn } from '../../../shared/param-checks.js';
import { classColor } from '../../../shared/class-colors.js';

/** What `jobs.start` takes for an autoencoder (options left out take their defaults). */
export type AeTrainInput = Extract<ApiInput<'jobs.start'>, { kind: 'autoencoder' }>['params'];

// ---- presets and losses (DDS-NAS Table 1) ---------------------------------------------------------------

export { AE_LOSSES, AE_PRESET_IDS };

/** What each preset sets (shared/autoencoder-defaults.ts). */
export const PRESETS = AE_PRESETS;

export const PRESET_INFO: Record<AePreset, { title: string; about: string }> = {
  'mnist-like': {
    title: 'mnist-like',
    about: 'Contractive loss, latent N = 8: enough for easy grey digits (DDS-NAS, Table 1).',
  },
  rgb: {
    title: 'rgb',
    about:
      'Triplet + MSE under Kendall uncertainty weighting, latent N = 32: colour images need more (DDS-NAS, Table 1).',
  },
};

export const LOSS_INFO: Record<AeLoss, { label: string; about: string }> = {
  mse: { label: 'MSE', about: 'Pixel reconstruction error.' },
  contractive: {
    label: 'Contractive',
    about: 'Penalises the encoder’s Jacobian: small input changes, small code changes.',
  },
  triplet: { label: 'Triplet', about: 'Same-class codes closer than other-class codes, by a margin.' },
  cosine: { label: 'Cosine', about: 'Cosine embedding loss: same class aligned, other classes apart.' },
  circle: { label: 'Circle', about: 'Circle loss: a weighted pair loss with a circular decision boundary.' },
};

/** Which preset suits a dataset: 1 channel -> `mnist-like`, 3 channels -> `rgb` (as the engine defaults). */
export function presetForChannels(channels: number | null | undefined): AePreset {
  return channels === 3 ? 'rgb' : 'mnist-like';
}

// ---- the train form ---------------------------------------------------------------------------------------

const P = AUTOENCODER_PARAMS;

/** AeTrainParams' limits (shared/generated/params.ts, from the schema); lr is above its min. */
export const AE_LIMITS = {
  dim: { min: P.dim.min, max: P.dim.max },
  epochs: { min: P.epochs.min, max: P.epochs.max },
  batch: { min: P.batch.min, max: P.batch.max },
  lr: { min: P.lr.min, max: P.lr.max },
  seed: { min: P.seed.min, max: P.seed.max },
} as const;

/** The paper's training settings (DDS-NAS Sec. 3.2), the schema's defaults: Adam lr 1e-3, 30 epochs, batch 8. */
export const PAPER = { epochs: P.epochs.default, batch: P.batch.default, lr: P.lr.default } as const;

/** What the form's inputs hold. Numbers are null while their field is empty; `jpegQuality` null = the originals. */
export interface AeForm extends JpegStageForm {
  datasetId: number | null;
  mode: 'preset' | 'custom';
  preset: AePreset;
  losses: AeLoss[];
  kendall: boolean;
  dim: number | null;
  epochs: number | null;
  batch: number | null;
  lr: number | null;
  seed: number | null;
  untrained: boolean;
}

export function defaultAeForm(dataset?: Pick<DatasetSummary, 'id' | 'channels'> | null): AeForm {
  const preset = presetForChannels(dataset?.channels);
  return {
    datasetId: dataset?.id ?? null,
    mode: 'preset',
    preset,
    losses: [...PRESETS[preset].losses],
    kendall: PRESETS[preset].kendall,
    dim: PRESETS[preset].dim,
    epochs: PAPER.epochs,
    batch: PAPER.batch,
    lr: PAPER.lr,
    seed: 0,
    untrained: false,
    ...JPEG_STAGE_DEFAULTS,
  };
}

/** Picks a dataset: the preset (and the latent size it implies) follows its channels; the rest stays. */
export function chooseDataset(form: AeForm, dataset: Pick<DatasetSummary, 'id' | 'channels'>): AeForm {
  const next: AeForm = { ...form, datasetId: dataset.id };
  return form.mode === 'preset' ? choosePreset(next, presetForChannels(dataset.channels)) : next;
}

/** Picks a preset: its losses, weighting and latent size fill the form. */
export function choosePreset(form: AeForm, preset: AePreset): AeForm {
  const p = PRESETS[preset];
  return { ...form, mode: 'preset', preset, losses: [...p.losses], kendall: p.kendall, dim: p.dim };
}

/** Switches to custom losses, starting from the preset's. */
export function customize(form: AeForm): AeForm {
  return { ...form, mode: 'custom' };
}

/** Turns one loss on or off, keeping the canonical order. */
export function toggleLoss(form: AeForm, loss: AeLoss, on: boolean): AeForm {
  const set = new Set(form.losses);
  if (on) set.add(loss);
  else set.delete(loss);
  return { ...form, mode: 'custom', losses: AE_LOSSES.filter((l) => set.has(l)) };
}

export type AeBuildResult = { ok: true; params: AeTrainInput } | { ok: false; field: keyof AeForm | ''; error: string };

/** The `AeTrainParams` for `jobs.start`, or the first problem with the form in words. */
export function buildAeParams(form: AeForm): AeBuildResult {
  if (form.datasetId == null) return { ok: false, field: 'datasetId', error: 'Choose a dataset to train on.' };
  if (!intIn(form.dim, AE_LIMITS.dim)) {
    return {
      ok: false,
      field: 'dim',
      error: `Latent size N: a whole number from ${AE_LIMITS.dim.min} to ${AE_LIMITS.dim.max}.`,
    };
  }
  if (!intIn(form.seed, AE_LIMITS.seed))
    return { ok: false, field: 'seed', error: 'Seed: a whole number from 0 to 2147483647.' };
  // an untrained autoencoder still embeds the images, so the stage applies to it too
  const jpeg = buildJpegStage(form);
  if (!jpeg.ok) return jpeg;
  const params: AeTrainInput = {
    datasetId: form.datasetId,
    dim: form.dim,
    seed: form.seed,
    untrained: form.untrained,
    ...jpeg.params,
  };
  if (form.mode === 'preset') {
    params.preset = form.preset;
  } else {
    if (form.losses.length === 0) return { ok: false, field: 'losses', error: 'Tick at least one loss.' };
    params.losses = [...form.losses];
    params.kendall = form.kendall && form.losses.length > 1;
  }
  if (form.untrained) return { ok: true, params };
  if (!intIn(form.epochs, AE_LIMITS.epochs)) {
    return {
      ok: false,
      field: 'epochs',
      error: `Epochs: a whole number from ${AE_LIMITS.epochs.min} to ${AE_LIMITS.epochs.max}.`,
    };
  }
  if (!intIn(form.batch, AE_LIMITS.batch)) {
    return {
      ok: false,
      field: 'batch',
      error: `Batch size: a whole number from ${AE_LIMITS.batch.min} to ${AE_LIMITS.batch.max}.`,
    };
  }
  if (form.lr == null || !Number.isFinite(form.lr) || form.lr <= 0 || form.lr > AE_LIMITS.lr.max) {
    return { ok: false, field: 'lr', error: 'Learning rate: a number above 0 and at most 1 (the paper uses 0.001).' };
  }
  params.epochs = form.epochs;
  params.batch = form.batch;
  params.lr = form.lr;
  return { ok: true, params };
}

// ---- the job's result --------------------------------------------------------------------------------------

export interface AeJobResult {
  autoencoderId: number;
  metrics: AeMetrics;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** `job.result` of a finished autoencoder job, or null when it is not one. */
export function parseAeResult(result: unknown): AeJobResult | null {
  if (!result || typeof result !== 'object') return null;
  const r = result as Record<string, unknown>;
  if (!isNum(r.autoencoderId)) return null;
  const m = (r.metrics ?? {}) as Record<string, unknown>;
  const metrics: AeMetrics = {
    knnAgreement: isNum(m.knnAgreement) ? m.knnAgreement : NaN,
    knnAgreementTest: isNum(m.knnAgreementTest) ? m.knnAgreementTest : NaN,
    silhouette: isNum(m.silhouette) ? m.silhouette : NaN,
    psnr: isNum(m.psnr) ? m.psnr : NaN,
    ssim: isNum(m.ssim) ? m.ssim : NaN,
    trainSeconds: isNum(m.trainSeconds) ? m.trainSeconds : NaN,
  };
  return { autoencoderId: r.autoencoderId, metrics };
}

/** The dataset a job's params name (for a job started elsewhere). */
export function datasetIdOfParams(params: Record<string, unknown> | null | undefined): number | null {
  const id = params?.datasetId;
  return isNum(id) ? id : null;
}

// ---- loss curves ---------------------------------------------------------------------------------------------

export interface CurvePoint {
  x: number;
  y: number;
}

export interface Curve {
  /** The metric name: `loss`, `loss/<term>`, `weight/<term>`. */
  name: string;
  /** What the legend says: "total", the term, "weight: <term>". */
  label: string;
  kind: 'total' | 'term' | 'weight';
  points: CurvePoint[];
}

/** Per-epoch curves, in a stable order: total first, then terms, then weights. */
export interface Curves {
  list: Curve[];
  /** The last epoch seen (0 before the first). */
  epoch: number;
}

export const emptyCurves = (): Curves => ({ list: [], epoch: 0 });

/** Which curve a metric belongs to, or null for metrics that are not loss curves. */
export function curveKind(name: string): Curve['kind'] | null {
  if (name === 'loss') return 'total';
  if (name.startsWith('loss/') && name.length > 5) return 'term';
  if (name.startsWith('weight/') && name.length > 7) return 'weight';
  return null;
}

function curveLabel(name: string, kind: Curve['kind']): string {
  if (kind === 'total') return 'total';
  if (kind === 'term') return name.slice(5);
  return `weight: ${name.slice(7)}`;
}

const KIND_ORDER: Record<Curve['kind'], number> = { total: 0, term: 1, weight: 2 };

/**
 * Adds one per-epoch value; returns a new Curves (the input is not changed). A value for an epoch already
 * present replaces it (a resumed job repeats the epoch in flight).
 */
export function addCurvePoint(curves: Curves, name: string, epoch: number, value: number): Curves {
  const kind = curveKind(name);
  if (!kind || !Number.isFinite(value) || !Number.isFinite(epoch)) return curves;
  const list = [...curves.list];
  let i = list.findIndex((c) => c.name === name);
  if (i < 0) {
    list.push({ name, label: curveLabel(name, kind), kind, points: [] });
    list.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]); // stable: first seen first within a kind
    i = list.findIndex((c) => c.name === name);
  }
  const c = list[i]!;
  const points = c.points.filter((p) => p.x !== epoch);
  points.push({ x: epoch, y: value });
  if (points.length > 1 && points[points.length - 2]!.x > epoch) points.sort((a, b) => a.x - b.x);
  list[i] = { ...c, points };
  return { list, epoch: Math.max(curves.epoch, epoch) };
}

/** Curves from a job's metric events (fetched or pushed). Metrics without an epoch count up from 1. */
export function curvesFromEvents(events: readonly StoredJobEvent[], start: Curves = emptyCurves()): Curves {
  let curves = start;
  const counts = new Map<string, number>();
  for (const e of events) {
    const ev = e.event;
    if (ev.type !== 'metric') continue;
    const n = (counts.get(ev.name) ?? 0) + 1;
    counts.set(ev.name, n);
    curves = addCurvePoint(curves, ev.name, ev.epoch ?? n, ev.value);
  }
  return curves;
}

/** Curves from a stored autoencoder's history. */
export function curvesFromHistory(history: AeDetail['history']): Curves {
  let curves = emptyCurves();
  for (const h of history) {
    curves = addCurvePoint(curves, 'loss', h.epoch, h.loss);
    for (const [term, v] of Object.entries(h.terms)) curves = addCurvePoint(curves, `loss/${term}`, h.epoch, v);
    for (const [term, v] of Object.entries(h.weights ?? {}))
      curves = addCurvePoint(curves, `weight/${term}`, h.epoch, v);
  }
  return curves;
}

/**
 * What the chart draws: with a single loss term and no weights the total is that term, so one line is drawn
 * (labelled "total = <term>") instead of two on top of each other.
 */
export function chartCurves(curves: Curves): Curve[] {
  const terms = curves.list.filter((c) => c.kind === 'term');
  const total = curves.list.find((c) => c.kind === 'total');
  if (!total || terms.length !== 1 || curves.list.some((c) => c.kind === 'weight')) return curves.list;
  const term = terms[0]!;
  const byEpoch = new Map(total.points.map((p) => [p.x, p.y]));
  const same =
    term.points.length === total.points.length &&
    term.points.every((p) => {
      const t = byEpoch.get(p.x);
      return t !== undefined && Math.abs(t - p.y) <= 1e-6 * Math.max(1, Math.abs(t));
    });
  return same ? [{ ...total, label: `total = ${term.label}` }] : curves.list;
}

/** A log scale helps when terms differ by orders of magnitude; it needs every loss value above zero. */
export function canUseLogScale(curves: Curves): boolean {
  const losses = curves.list.filter((c) => c.kind !== 'weight');
  return losses.length > 0 && losses.every((c) => c.points.every((p) => p.y > 0));
}

/** The last value of each curve, for the line under the chart: "total 0.412 · contractive 0.03 · …". */
export function latestValues(curves: Curves): Array<{ label: string; value: number; kind: Curve['kind'] }> {
  return curves.list
    .filter((c) => c.points.length > 0)
    .map((c) => ({ label: c.label, value: c.points[c.points.length - 1]!.y, kind: c.kind }));
}

// ---- metrics ---------------------------------------------------------------------------------------------

export type MetricKey = keyof AeMetrics;

export interface MetricRow {
  key: MetricKey;
  label: string;
  /** For narrow table headers. */
  short: string;
  hint: string;
  better: 'higher' | 'lower';
  format: (v: number) => string;
}

export const METRIC_ROWS: readonly MetricRow[] = [
  {
    key: 'knnAgreement',
    short: 'k-NN',
    label: 'k-NN agreement',
    hint: 'Share of images whose 5 nearest neighbours in latent space (leave-one-out, all images) vote for their own class.',
    better: 'higher',
    format: (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—'),
  },
  {
    key: 'knnAgreementTest',
    short: 'k-NN (test)',
    label: 'k-NN agreement, test split',
    hint: 'The same among the test images only: unseen in training, and sparser, so lower.',
    better: 'higher',
    format: (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—'),
  },
  {
    key: 'silhouette',
    short: 'Silhouette',
    label: 'Silhouette',
    hint: 'How much closer each code is to its own class than to the nearest other class, −1 to 1.',
    better: 'higher',
    format: (v) => (Number.isFinite(v) ? v.toFixed(3) : '—'),
  },
  {
    key: 'psnr',
    short: 'PSNR',
    label: 'PSNR',
    hint: 'Reconstruction peak signal-to-noise ratio on the test split, in dB.',
    better: 'higher',
    format: (v) => (Number.isFinite(v) ? `${v.toFixed(2)} dB` : '—'),
  },
  {
    key: 'ssim',
    short: 'SSIM',
    label: 'SSIM',
    hint: 'Mean structural similarity of reconstructions on the test split, 0 to 1.',
    better: 'higher',
    format: (v) => (Number.isFinite(v) ? v.toFixed(3) : '—'),
  },
  {
    key: 'trainSeconds',
    short: 'Time',
    label: 'Train time',
    hint: 'Wall time of training (no training for an untrained autoencoder).',
    better: 'lower',
    format: (v) => (Number.isFinite(v) ? formatDuration(v * 1000) : '—'),
  },
];

/** Which side has the better value of one metric: 'a', 'b', 'tie', or null when one is missing. */
export function betterOf(row: Pick<MetricRow, 'better'>, a: number, b: number): 'a' | 'b' | 'tie' | null {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  if (Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) return 'tie';
  const aWins = row.better === 'higher' ? a > b : a < b;
  return aWins ? 'a' : 'b';
}

export type MetricSide = Pick<AeSummary, 'metrics' | 'untrained'>;

/**
 * Per metric, which of two autoencoders is better. Train time is not a contest when either was not trained
 * (an untrained autoencoder "trains" in no time).
 */
export function compareMetrics(a: MetricSide, b: MetricSide): Record<MetricKey, 'a' | 'b' | 'tie' | null> {
  const out = {} as Record<MetricKey, 'a' | 'b' | 'tie' | null>;
  for (const row of METRIC_ROWS) out[row.key] = betterOf(row, a.metrics[row.key], b.metrics[row.key]);
  if (a.untrained || b.untrained) out.trainSeconds = null;
  return out;
}

/** A metric's value as the table shows it ("—, not trained" for the train time of an untrained one). */
export function metricText(row: MetricRow, side: MetricSide): string {
  if (row.key === 'trainSeconds' && side.untrained) return 'not trained';
  return row.format(side.metrics[row.key]);
}

// ---- labels ------------------------------------------------------------------------------------------------

export function lossesLabel(losses: readonly AeLoss[], kendall: boolean): string {
  const names = losses.map((l) => LOSS_INFO[l]?.label ?? l);
  if (names.length <= 1) return names.join('');
  return `${names.join(' + ')}${kendall ? ' (Kendall)' : ' (equal weights)'}`;
}

/** "mnist-like", "custom", with "untrained" when it was not trained. */
export function aeKindLabel(a: Pick<AeSummary, 'preset' | 'untrained'>): string {
  return `${a.preset}${a.untrained ? ', untrained' : ''}`;
}

/** "Autoencoder #3 · mnist-like". */
export function aeTitle(a: Pick<AeSummary, 'id' | 'preset' | 'untrained'>): string {
  return `Autoencoder #${a.id} · ${aeKindLabel(a)}`;
}

/**
 * "Contractive · N = 8 · 30 epochs · batch 8 · seed 0" (untrained: no epochs or batch), then the JPEG stage its
 * images went through, if any: "· JPEG quality 15, 4:2:0".
 */
export function settingsLine(
  a: Pick<
    AeSummary,
    'losses' | 'kendall' | 'dim' | 'epochs' | 'batch' | 'seed' | 'untrained' | 'jpegQuality' | 'jpegSubsampling'
  >,
): string {
  const parts = [lossesLabel(a.losses, a.kendall), `N = ${a.dim}`];
  if (a.untrained) parts.push('random weights');
  else parts.push(`${a.epochs} ${a.epochs === 1 ? 'epoch' : 'epochs'}`, `batch ${a.batch}`);
  parts.push(`seed ${a.seed}`);
  const jpeg = jpegStageLabel(a);
  if (jpeg) parts.push(jpeg);
  return parts.join(' · ');
}

/** Autoencoders grouped by dataset (newest dataset group first, newest autoencoder first inside). */
export function groupByDataset(
  list: readonly AeSummary[],
): Array<{ datasetId: number; datasetName: string; items: AeSummary[] }> {
  const groups = new Map<number, { datasetId: number; datasetName: string; items: AeSummary[] }>();
  const sorted = [...list].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  for (const a of sorted) {
    let g = groups.get(a.datasetId);
    if (!g) {
      g = { datasetId: a.datasetId, datasetName: a.datasetName, items: [] };
      groups.set(a.datasetId, g);
    }
    g.items.push(a);
  }
  return [...groups.values()];
}

/** Keeps at most two selected ids: a third pick drops the oldest pick. */
export function toggleCompare(selected: readonly number[], id: number): number[] {
  if (selected.includes(id)) return selected.filter((s) => s !== id);
  return [...selected, id].slice(-2);
}

// ---- the latent map ------------------------------------------------------------------------------------------

export interface MapSeries {
  label: number;
  name: string;
  color: string;
  points: Array<{ x: number; y: number; index: number }>;
}

/** The map's points grouped by class (one scatter series each), in label order. */
export function mapSeries(map: readonly AeMapPoint[], classNames: readonly string[]): MapSeries[] {
  const byLabel = new Map<number, MapSeries>();
  for (const p of map) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    let s = byLabel.get(p.label);
    if (!s) {
      s = { label: p.label, name: classNames[p.label] ?? `class ${p.label}`, color: classColor(p.label), points: [] };
      byLabel.set(p.label, s);
    }
    s.points.push({ x: p.x, y: p.y, index: p.index });
  }
  return [...byLabel.values()].sort((a, b) => a.label - b.label);
}

/** How many classes the map's legend lists before it gets in the way. */
export const MAP_LEGEND_MAX = 20;

// ---- colours of the loss curves ------------------------------------------------------------------------------

const TERM_COLORS: Record<string, string> = {
  mse: '#1f77b4',
  contractive: '#d62728',
  triplet: '#2ca02c',
  cosine: '#9467bd',
  circle: '#ff7f0e',
};

/** The colour of a curve: the total in near-black, each term (and its Kendall weight) in the term's colour. */
export function curveColor(c: Pick<Curve, 'name' | 'kind'>): string {
  if (c.kind === 'total') return '#1b1f24';
  const term = c.kind === 'term' ? c.name.slice(5) : c.name.slice(7);
  return TERM_COLORS[term] ?? classColor(6 + term.length);
}
