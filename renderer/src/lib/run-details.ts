/**
 * A job's details in Runs as a person reads them: its parameters as a table of the ones that apply to its kind
 * (a DDS search shows no BDP settings), with the forms' labels, units and one-line help; its result's figures with
 * accuracies in % and epochs as whole numbers; and the page that shows the job itself. What applies comes from the
 * parameter source (shared/generated/params.ts): a field whose help starts with choices ("dds: …",
 * "random / dds: …", "darts: …; nb201: …") applies only when the job chose one of them. Pure; no DOM, no store.
 */
import {
  AUTOENCODER_PARAMS,
  COMPRESS_PARAMS,
  DSM_PARAMS,
  EVALUATE_PARAMS,
  IMPORT_PARAMS,
  NASWOT_PARAMS,
  SEARCH_PARAMS,
  SELFTEST_PARAMS,
} from '../../../shared/generated/params.js';
import type { ParamDescription } from '../../../shared/param-description.js';
import { formatDuration, humanize, percentText as percent } from './format.js';

export { humanize };
import type { PageId } from './routes.js';
import { SPACE_INFO, STRATEGY_INFO } from './search.js';
import { BDP_FIELDS, DDS_FIELDS, TRAINING_FIELDS } from './search-fields.js';

/** The forms' words for a choice, where they differ from the stored value. */
const CHOICE_LABELS: Record<string, Record<string, string>> = {
  space: Object.fromEntries(Object.entries(SPACE_INFO).map(([k, v]) => [k, v.label])),
  strategy: Object.fromEntries(Object.entries(STRATEGY_INFO).map(([k, v]) => [k, v.label])),
};

/** Each job kind's parameter descriptions (the kinds a plug-in adds have none: their parameters show as given). */
const PARAMS_OF: Record<string, Readonly<Record<string, ParamDescription>>> = {
  search: SEARCH_PARAMS,
  evaluate: EVALUATE_PARAMS,
  compress: COMPRESS_PARAMS,
  autoencoder: AUTOENCODER_PARAMS,
  import: IMPORT_PARAMS,
  selftest: SELFTEST_PARAMS,
  'dsm-search': DSM_PARAMS,
  naswot: NASWOT_PARAMS,
};

/** The forms' labels of the parameters (the search form's number fields give their own). */
const LABELS: Record<string, string> = {
  datasetId: 'Dataset',
  space: 'Search space',
  strategy: 'Data selection',
  algorithm: 'Search algorithm',
  epochs: 'Epochs',
  batch: 'Batch size',
  channels: 'Channels C',
  cells: 'Cells',
  lr: 'Learning rate',
  lrMin: 'Final learning rate',
  momentum: 'Momentum',
  weightDecay: 'Weight decay',
  gradClip: 'Gradient clipping',
  alphaLr: 'α learning rate',
  alphaWeightDecay: 'α weight decay',
  seed: 'Seed',
  limitPerClass: 'Images per class',
  testLimitPerClass: 'Test images per class',
  backend: 'Backend',
  augment: 'Augmentation',
  partialChannels: 'Partial channels K',
  alphaWarmupEpochs: 'Weights-only epochs',
  betaDecayLambda: 'Beta-Decay λ',
  betaDecayOn: 'Beta-Decay added to',
  tauMax: 'Temperature at start',
  tauMin: 'Temperature at end',
  subset: 'Subset size S',
  masteryBy: 'Mastery by',
  replacePool: 'Replace from',
  valMode: 'Validation subset',
  lrReset: 'Lr reset',
  autoencoderId: 'Autoencoder',
  trainAutoencoderEpochs: 'Autoencoder epochs',
  balance: 'Class balance',
  source: 'Network from',
  preset: 'Preset',
  layers: 'Layers',
  auxiliary: 'Auxiliary head',
  auxWeight: 'Auxiliary weight',
  dropPath: 'Drop-path',
  model: 'Model',
  qualities: 'JPEG qualities',
  subsampling: 'Chroma subsampling',
  mozjpeg: 'MozJPEG',
  protocols: 'Protocols',
  sizeSample: 'Images measured for file size',
  losses: 'Losses',
  kendall: 'Check against trained weights',
  dim: 'Latent size N',
  lrSchedule: 'Lr schedule',
  untrained: 'Untrained',
  mapPoints: 'Points on the map',
  steps: 'Steps',
  iterations: 'Iterations',
  subspaces: 'Subspaces K',
  distance: 'Distance M',
  sample: 'Sample size',
  inputSize: 'Input size',
  supernetEpochs: 'Supernet epochs',
  supernetBatch: 'Supernet batch size',
  supernetLr: 'Supernet learning rate',
  calibrationBatches: 'Calibration batches',
  testFraction: 'Test images',
  searchWeightFraction: 'Search weight images',
  jpegQuality: 'Compress images first (JPEG quality)',
  jpegSubsampling: 'JPEG colour subsampling',
  ...Object.fromEntries([...DDS_FIELDS, ...BDP_FIELDS, ...TRAINING_FIELDS].map((f) => [f.key, f.label])),
};

/** The search form's one-line explanations where it has its own (else the parameter's help text). */
const HELP: Record<string, string> = Object.fromEntries(
  [...DDS_FIELDS, ...BDP_FIELDS, ...TRAINING_FIELDS].flatMap((f) => (f.title ? [[f.key, f.title]] : [])),
);

/**
 * Fields shown only while the named one is set: a JPEG stage is rare, so a job on the original images shows neither
 * its empty quality nor the subsampling that would go with it.
 */
const ONLY_WITH: Record<string, string> = { jpegQuality: 'jpegQuality', jpegSubsampling: 'jpegQuality' };

/** Parameters stored as a fraction that the forms show in %. */
const PERCENT_PARAMS = new Set(['pruneTrain', 'pruneVal', 'testFraction', 'searchWeightFraction']);

const CHOICE_PREFIX = /^\s*([\w-]+(?:\s*\/\s*[\w-]+)*)\s*:/;

/**
 * The choices a field's help text scopes it to: "dds: …" -> ['dds'], "random / dds: …" -> ['random', 'dds'],
 * "darts: …; nb201: …" -> ['darts', 'nb201']; null when it does not start with choices (it always applies). Only
 * words that are choices of the kind's own parameters count ("K: …" is a symbol, not a choice).
 */
export function choicesOf(description: string | undefined, choices: ReadonlySet<string>): string[] | null {
  if (!description) return null;
  const out: string[] = [];
  for (const [i, part] of description.split(';').entries()) {
    const m = CHOICE_PREFIX.exec(part);
    const words = m ? m[1]!.split('/').map((w) => w.trim()) : [];
    if (words.length === 0 || !words.every((w) => choices.has(w))) {
      if (i === 0) return null;
      continue;
    }
    out.push(...words);
  }
  return out;
}

/** A parameter's value: as given, else its default. */
const valueOf = (params: Record<string, unknown>, d: ParamDescription): unknown =>
  params[d.key] !== undefined ? params[d.key] : d.default;

/**
 * Whether field `d` applies to a job with `params`: its choices (if any) include one the job made in a field that
 * itself applies (PC-DARTS' K does not apply because an unused Beta-Decay setting names pc-darts).
 */
export function applies(
  d: ParamDescription,
  params: Record<string, unknown>,
  described: Readonly<Record<string, ParamDescription>>,
  depth = 0,
): boolean {
  const enums = Object.values(described).filter((f) => f.type === 'enum' && f.values && f.key !== d.key);
  const scope = choicesOf(d.description, new Set(enums.flatMap((f) => f.values ?? [])));
  if (scope === null) return true;
  return scope.some((word) =>
    enums.some((f) => {
      if (!f.values?.includes(word)) return false;
      if (depth < 2 && !applies(f, params, described, depth + 1)) return false;
      const v = valueOf(params, f);
      return typeof v === 'string' && (v === word || v.startsWith(`${word}-`));
    }),
  );
}

/** A whole number with thousands separators, else up to 4 significant digits. */
function number(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(4)));
}

/** A value as text: choices and numbers as the forms write them, lists in short, objects as `label value` pairs. */
function text(v: unknown, key = ''): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return PERCENT_PARAMS.has(key) ? percent(v) : number(v);
  if (typeof v === 'string') return CHOICE_LABELS[key]?.[v] ?? v;
  if (Array.isArray(v)) return v.length > 12 ? `${v.length} values` : v.map((x) => text(x)).join(', ');
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${(LABELS[k] ?? humanize(k)).toLowerCase()} ${text(x, k)}`)
      .join(', ');
  return String(v);
}

export interface DetailRow {
  key: string;
  label: string;
  value: string;
  /** One line on what the field does. */
  help?: string;
}

/**
 * The parameters of a job of `kind` that apply to it, in the order of its parameter source, labelled as its form
 * labels them; a kind without a description shows each parameter it was given.
 */
export function paramRows(kind: string, params: Record<string, unknown> | null | undefined): DetailRow[] {
  const given = params ?? {};
  const described = PARAMS_OF[kind];
  if (!described)
    return Object.entries(given).map(([key, v]) => ({ key, label: LABELS[key] ?? humanize(key), value: text(v, key) }));
  const companionSet = (d: ParamDescription) => {
    const other = described[ONLY_WITH[d.key] ?? ''];
    return !other || valueOf(given, other) != null;
  };
  const known = Object.values(described).filter((d) => applies(d, given, described) && companionSet(d));
  const rows: DetailRow[] = known
    .filter((d) => given[d.key] !== undefined || d.default !== undefined)
    .map((d) => {
      const help = HELP[d.key] ?? d.description;
      const v = valueOf(given, d);
      return {
        key: d.key,
        label: LABELS[d.key] ?? humanize(d.key),
        value: d.key.endsWith('Id') && typeof v === 'number' ? `#${v}` : text(v, d.key),
        ...(help ? { help: help.charAt(0).toUpperCase() + help.slice(1) } : {}),
      };
    });
  // anything given that the source does not describe (an older job) still shows
  for (const [key, v] of Object.entries(given))
    if (!(key in described)) rows.push({ key, label: LABELS[key] ?? humanize(key), value: text(v, key) });
  return rows;
}

/** A result figure's kind by its name: an accuracy-like fraction, a count of epochs, seconds. */
function resultValue(key: string, v: number): string {
  if (/accuracy|acc$|fraction$/i.test(key) && v >= 0 && v <= 1) return percent(v);
  if (/epochs?$/i.test(key)) return String(Math.round(v));
  if (/seconds$/i.test(key) && v >= 0) return formatDuration(v * 1000);
  return number(v);
}

/** Strings longer than this (logs, encoded data) stay in the raw view. */
const MAX_TEXT = 400;

/**
 * The figures of a job's result: its numbers, short texts and those of the objects inside it (one level down:
 * "Supernet test accuracy"), accuracies in %, epochs whole; lists (α, histories) stay in the raw view.
 */
export function resultRows(result: unknown): DetailRow[] {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return [];
  const rows: DetailRow[] = [];
  const visit = (obj: Record<string, unknown>, path: string[], depth: number) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = [...path, k].join('.');
      const label = [...path, k].map((p, i) => (i === 0 ? humanize(p) : humanize(p).toLowerCase())).join(' ');
      if (typeof v === 'number' && Number.isFinite(v)) rows.push({ key, label, value: resultValue(k, v) });
      else if (typeof v === 'boolean') rows.push({ key, label, value: v ? 'yes' : 'no' });
      else if (typeof v === 'string' && v.length <= MAX_TEXT) rows.push({ key, label, value: v });
      else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 1)
        visit(v as Record<string, unknown>, [...path, k], depth + 1);
    }
  };
  visit(result as Record<string, unknown>, [], 0);
  return rows;
}

/** The page that shows a job of `kind` itself, with its name there; null for kinds shown only in Runs. */
export function jobViewOf(kind: string): { page: PageId; name: string } | null {
  if (kind === 'search' || kind === 'naswot' || kind === 'dsm-search') return { page: 'search', name: 'Search' };
  if (kind === 'evaluate') return { page: 'evaluate', name: 'Evaluate' };
  if (kind === 'compress') return { page: 'compression', name: 'Compression' };
  if (kind === 'experiment') return { page: 'experiments', name: 'Experiments' };
  return null;
}
