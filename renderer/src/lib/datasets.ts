/**
 * Pure helpers for the Datasets page: labels, the import form (its defaults, validation and the ImportParams it
 * builds), reading an import job's result, the images/s meter, and chart data. No DOM, no clock, no client.
 *
 * The limits below mirror the zod schema in shared/datasets.ts (kept local so the renderer bundle does not pull
 * in zod); a unit test checks that every params object built here passes that schema.
 */
import type {
  ClassCount,
  DatasetFormat,
  DatasetSummary,
  DetectResult,
  ImportFormat,
  ImportParams,
  ImportResult,
  ImportSource,
  Rejection,
  ResizeFit,
} from '../../../shared/datasets.js';
import type { JobProgress } from '../../../shared/jobs.js';

// ---- labels ------------------------------------------------------------------------------------------

export type StoredFormat = DatasetSummary['format'];

export const FORMAT_LABELS: Record<StoredFormat, string> = {
  folder: 'Class folders',
  idx: 'IDX (MNIST-style)',
  cifar10: 'CIFAR-10 binary',
  cifar100: 'CIFAR-100 binary',
  csv: 'CSV manifest',
  'mnist-sample': 'MNIST sample',
  'synth-chroma': 'Synthetic chroma',
};

export const IMPORT_FORMATS: readonly ImportFormat[] = ['auto', 'folder', 'idx', 'cifar10', 'cifar100', 'csv'];
export const IMPORT_FORMAT_LABELS: Record<ImportFormat, string> = {
  auto: 'Detect automatically',
  folder: 'Class folders (one folder per class)',
  idx: 'IDX files (MNIST-style)',
  cifar10: 'CIFAR-10 binary batches',
  cifar100: 'CIFAR-100 binary',
  csv: 'CSV manifest (path, label[, group][, split])',
};

export const FITS: readonly ResizeFit[] = ['cover', 'contain', 'fill'];
export const FIT_LABELS: Record<ResizeFit, string> = {
  cover: 'Cover (crop)',
  contain: 'Contain (pad)',
  fill: 'Fill (stretch)',
};

export const FIT_HINTS: Record<ResizeFit, string> = {
  cover: 'fills the square, crops what overflows',
  contain: 'whole image, padding fills the rest',
  fill: 'stretched: the aspect ratio changes',
};

export function formatLabel(format: string): string {
  return (FORMAT_LABELS as Record<string, string>)[format] ?? format;
}

/** `builtin:mnist-sample` -> "Built into Winnow"; a path stays a path. */
export function sourceLabel(source: string): string {
  return source.startsWith('builtin:') ? 'Built into Winnow' : source;
}

/** "28×28×1" */
export function imageSizeLabel(d: { width: number; height: number; channels: number }): string {
  return `${d.width}×${d.height}×${d.channels}`;
}

/** "10,000": counts read the same in every locale. */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/** "1 image", "2 images". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A short description of where an import takes its images from. */
export function describeSource(source: ImportSource | undefined | null): string {
  if (!source) return 'unknown source';
  switch (source.kind) {
    case 'path':
      return source.format && source.format !== 'auto' ? `${source.path} (${formatLabel(source.format)})` : source.path;
    case 'mnist-sample':
      return 'MNIST sample (10,000 digits)';
    case 'synth-chroma':
      return `Synthetic chroma (${formatCount(source.n ?? 2000)} images, ${source.size ?? 32} px, seed ${source.seed ?? 0})`;
  }
}

// ---- reading import jobs -----------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function isRejection(v: unknown): v is Rejection {
  return isObject(v) && typeof v.path === 'string' && typeof v.reason === 'string';
}

/** The rejected files an import job's result carries (also present on failed jobs); [] when there are none. */
export function rejectionsOf(result: unknown): Rejection[] {
  if (!isObject(result) || !Array.isArray(result.rejected)) return [];
  return result.rejected.filter(isRejection);
}

/** An `ImportResult` when `result` looks like one, else null. */
export function parseImportResult(result: unknown): ImportResult | null {
  if (!isObject(result)) return null;
  const { id, name, images, classes, splits, duplicates } = result;
  if (typeof id !== 'number' || typeof name !== 'string' || typeof images !== 'number' || typeof classes !== 'number') {
    return null;
  }
  const sp = isObject(splits) ? splits : {};
  const dup = isObject(duplicates) ? duplicates : {};
  return {
    id,
    name,
    images,
    classes,
    splits: { train: typeof sp.train === 'number' ? sp.train : 0, test: typeof sp.test === 'number' ? sp.test : 0 },
    rejected: rejectionsOf(result),
    duplicates: {
      count: typeof dup.count === 'number' ? dup.count : 0,
      dropped: dup.dropped === true,
      examples: Array.isArray(dup.examples)
        ? dup.examples.filter(
            (e): e is { path: string; sameAs: string } =>
              isObject(e) && typeof e.path === 'string' && typeof e.sameAs === 'string',
          )
        : [],
    },
  };
}

/** The source of an import job, read from its params. */
export function importSourceOf(params: Record<string, unknown> | null | undefined): ImportSource | null {
  const source = params?.source;
  if (!isObject(source)) return null;
  if (source.kind === 'mnist-sample') return { kind: 'mnist-sample' };
  if (source.kind === 'synth-chroma') {
    return {
      kind: 'synth-chroma',
      n: typeof source.n === 'number' ? source.n : 2000,
      size: typeof source.size === 'number' ? source.size : 32,
      seed: typeof source.seed === 'number' ? source.seed : 0,
    };
  }
  if (source.kind === 'path' && typeof source.path === 'string') {
    const format = (IMPORT_FORMATS as readonly unknown[]).includes(source.format)
      ? (source.format as ImportFormat)
      : 'auto';
    return { kind: 'path', path: source.path, format };
  }
  return null;
}

// ---- speed and time left -------------------------------------------------------------------------------

/**
 * Images per second over the last few seconds, from the `step` (images done) of successive progress updates.
 * A step that goes backwards (a resumed job, a new phase) starts the window again.
 */
export class RateMeter {
  private samples: Array<{ t: number; step: number }> = [];

  constructor(private readonly windowMs = 8000) {}

  add(t: number, step: number | null | undefined): void {
    if (step == null || !Number.isFinite(step)) return;
    const last = this.samples[this.samples.length - 1];
    if (last && step < last.step) this.samples = [];
    if (last && t <= last.t) {
      if (step !== last.step) last.step = step;
      return;
    }
    this.samples.push({ t, step });
    // keep one sample older than the window so the rate spans the whole window
    while (this.samples.length > 2 && t - this.samples[1]!.t >= this.windowMs) this.samples.shift();
  }

  /** Images per second, or null until two updates at least 0.5 s apart have arrived. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < 500) return null;
    return ((last.step - first.step) * 1000) / (last.t - first.t);
  }

  reset(): void {
    this.samples = [];
  }
}

/** "1234 images/s" or "1,234.5 img/s" inside a progress message, when the engine writes it there. */
export function rateFromMessage(message: string | null | undefined): number | null {
  if (!message) return null;
  const m = /([\d][\d,]*(?:\.\d+)?)\s*(?:images?|img)\s*\/\s*s\b/i.exec(message);
  if (!m) return null;
  const n = Number(m[1]!.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/**
 * The part of a progress message worth showing beside the counts, rate and time left the card already shows:
 * null when the message only restates them ("1,000 of 10,000 images, 850 images/s").
 */
export function extraMessage(message: string | null | undefined): string | null {
  if (!message) return null;
  if (rateFromMessage(message) !== null || /\d[\d,]*\s+of\s+\d[\d,]*\s+images?\b/i.test(message)) return null;
  return message;
}

/** Counts worth showing: the engine reports "0 of 1" while it is still reading the source. */
export function showsCounts(
  progress: JobProgress | null | undefined,
): progress is JobProgress & { step: number; total: number } {
  return progress?.step != null && progress.total != null && progress.total > 1;
}

/** Seconds left: the engine's estimate when it gives one, else what is left at the measured rate. */
export function importEta(progress: JobProgress | null | undefined, rate: number | null): number | null {
  if (!progress) return null;
  if (progress.etaSeconds != null && Number.isFinite(progress.etaSeconds)) return progress.etaSeconds;
  if (rate != null && rate > 0 && progress.step != null && progress.total != null && progress.total >= progress.step) {
    return (progress.total - progress.step) / rate;
  }
  return null;
}

/** "850 images/s", "12.5 images/s". */
export function formatRate(rate: number | null): string {
  if (rate == null || !Number.isFinite(rate) || rate < 0) return '';
  return `${rate >= 100 ? formatCount(rate) : rate.toFixed(1)} images/s`;
}

// ---- the import form ------------------------------------------------------------------------------------

export const LIMITS = {
  size: { min: 8, max: 256 },
  synthN: { min: 20, max: 200_000 },
  synthSize: { min: 16, max: 128 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  testFraction: { min: 0.05, max: 0.5 },
  searchWeightFraction: { min: 0.1, max: 0.9 },
  name: { max: 200 },
  path: { max: 4096 },
} as const;

export type SourceKind = ImportSource['kind'];

/** What the dialog's inputs hold. Numbers are null while their field is empty ("use the default"). */
export interface ImportForm {
  sourceKind: SourceKind;
  path: string;
  format: ImportFormat;
  synthN: number | null;
  synthSize: number | null;
  synthSeed: number | null;
  size: number | null;
  channels: 'auto' | '1' | '3';
  fit: ResizeFit;
  name: string;
  duplicates: 'keep' | 'drop';
  cifar100Labels: 'fine' | 'coarse';
  seed: number | null;
  testFraction: number | null;
  searchWeightFraction: number | null;
  /** The user chose "Import again" for a source imported before. */
  importAgain: boolean;
}

export function defaultImportForm(): ImportForm {
  return {
    sourceKind: 'path',
    path: '',
    format: 'auto',
    synthN: 2000,
    synthSize: 32,
    synthSeed: 0,
    size: null,
    channels: 'auto',
    fit: 'cover',
    name: '',
    duplicates: 'keep',
    cifar100Labels: 'fine',
    seed: 0,
    testFraction: 0.2,
    searchWeightFraction: 0.5,
    importAgain: false,
  };
}

/** The form after a detection: its defaults fill size, channels and name (what the user typed elsewhere stays). */
export function applyDetectDefaults(form: ImportForm, detect: DetectResult): ImportForm {
  return {
    ...form,
    size: detect.defaults.size,
    channels: detect.defaults.channels == null ? 'auto' : detect.defaults.channels === 1 ? '1' : '3',
    name: detect.defaults.name,
    importAgain: false,
  };
}

/**
 * The form after choosing another source. Name, size and channels belong to a source, so they go back to empty
 * ("the import decides"), or to the detection's defaults when going back to a path that is still detected.
 */
export function switchSource(form: ImportForm, kind: SourceKind, detect: DetectResult | null): ImportForm {
  if (kind === form.sourceKind) return form;
  const next: ImportForm = { ...form, sourceKind: kind, name: '', size: null, channels: 'auto', importAgain: false };
  return kind === 'path' && detect ? applyDetectDefaults(next, detect) : next;
}

/** The form that repeats an earlier import (e.g. after it failed), from that job's params. */
export function formFromParams(params: Record<string, unknown> | null | undefined): ImportForm {
  const form = defaultImportForm();
  const source = importSourceOf(params);
  if (!params || !source) return form;
  form.sourceKind = source.kind;
  if (source.kind === 'path') {
    form.path = source.path;
    form.format = source.format;
  } else if (source.kind === 'synth-chroma') {
    form.synthN = source.n;
    form.synthSize = source.size;
    form.synthSeed = source.seed;
  }
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  form.size = num(params.size);
  form.channels = params.channels === 1 ? '1' : params.channels === 3 ? '3' : 'auto';
  if ((FITS as readonly unknown[]).includes(params.fit)) form.fit = params.fit as ResizeFit;
  if (typeof params.name === 'string') form.name = params.name;
  if (params.duplicates === 'drop') form.duplicates = 'drop';
  if (params.cifar100Labels === 'coarse') form.cifar100Labels = 'coarse';
  form.seed = num(params.seed) ?? 0;
  form.testFraction = num(params.testFraction) ?? 0.2;
  form.searchWeightFraction = num(params.searchWeightFraction) ?? 0.5;
  form.importAgain = params.ifExists === 'import-again';
  return form;
}

/** The format the import will read: the override, else what detection found. */
export function effectiveFormat(
  form: ImportForm,
  detect: DetectResult | null,
): DatasetFormat | 'mnist-sample' | 'synth-chroma' | null {
  if (form.sourceKind !== 'path') return form.sourceKind;
  if (form.format !== 'auto') return form.format;
  return detect?.format ?? null;
}

export type BuildResult = { ok: true; params: ImportParams } | { ok: false; field: string; error: string };

function intIn(value: number | null, lim: { min: number; max: number }): boolean {
  return value != null && Number.isInteger(value) && value >= lim.min && value <= lim.max;
}
/** Synthetic chroma is generated in memory: n × size² × 3 bytes must stay under 2 GiB (as the schema says). */
function synthFits(n: number, size: number): boolean {
  return n * size * size * 3 <= 2 ** 31;
}
function numIn(value: number | null, lim: { min: number; max: number }): boolean {
  return value != null && Number.isFinite(value) && value >= lim.min && value <= lim.max;
}

/**
 * The `ImportParams` for `jobs.start`, or the first problem with the form in words. A path must have been
 * detected first (pass the detection only while it still matches the path and format typed), so the user has
 * seen what will be imported.
 */
export function buildImportParams(form: ImportForm, detect: DetectResult | null): BuildResult {
  let source: ImportSource;
  if (form.sourceKind === 'path') {
    const path = form.path.trim();
    if (!path) return { ok: false, field: 'path', error: 'Type the path of a folder or file to import.' };
    if (path.length > LIMITS.path.max) return { ok: false, field: 'path', error: 'That path is too long.' };
    if (!detect) {
      return { ok: false, field: 'path', error: 'Press Detect first to see what will be imported from this path.' };
    }
    source = { kind: 'path', path, format: form.format };
  } else if (form.sourceKind === 'mnist-sample') {
    source = { kind: 'mnist-sample' };
  } else {
    if (!intIn(form.synthN, LIMITS.synthN)) {
      return {
        ok: false,
        field: 'synthN',
        error: `Number of images: a whole number from ${LIMITS.synthN.min} to ${formatCount(LIMITS.synthN.max)}.`,
      };
    }
    if (!intIn(form.synthSize, LIMITS.synthSize)) {
      return {
        ok: false,
        field: 'synthSize',
        error: `Generated size: ${LIMITS.synthSize.min} to ${LIMITS.synthSize.max} px.`,
      };
    }
    if (!intIn(form.synthSeed, LIMITS.seed)) {
      return { ok: false, field: 'synthSeed', error: 'Generator seed: a whole number from 0 to 2147483647.' };
    }
    if (!synthFits(form.synthN!, form.synthSize!)) {
      return {
        ok: false,
        field: 'synthN',
        error: 'Images × size² × 3 must stay under 2 GiB: use fewer or smaller images.',
      };
    }
    source = { kind: 'synth-chroma', n: form.synthN!, size: form.synthSize!, seed: form.synthSeed! };
  }
  if (form.size != null && !intIn(form.size, LIMITS.size)) {
    return {
      ok: false,
      field: 'size',
      error: `Target size: a whole number of pixels from ${LIMITS.size.min} to ${LIMITS.size.max}, or empty for the default.`,
    };
  }
  if (!intIn(form.seed, LIMITS.seed))
    return { ok: false, field: 'seed', error: 'Split seed: a whole number from 0 to 2147483647.' };
  if (!numIn(form.testFraction, LIMITS.testFraction)) {
    return { ok: false, field: 'testFraction', error: 'Test fraction: from 0.05 to 0.5.' };
  }
  if (!numIn(form.searchWeightFraction, LIMITS.searchWeightFraction)) {
    return { ok: false, field: 'searchWeightFraction', error: 'train_w fraction: from 0.1 to 0.9.' };
  }
  const name = form.name.trim();
  if (name.length > LIMITS.name.max)
    return { ok: false, field: 'name', error: `Name: at most ${LIMITS.name.max} characters.` };

  const params: ImportParams = {
    source,
    fit: form.fit,
    duplicates: form.duplicates,
    cifar100Labels: form.cifar100Labels,
    testFraction: form.testFraction!,
    searchWeightFraction: form.searchWeightFraction!,
    seed: form.seed!,
    ifExists: form.importAgain ? 'import-again' : 'refuse',
  };
  if (form.size != null) params.size = form.size;
  if (form.channels !== 'auto') params.channels = form.channels === '1' ? 1 : 3;
  if (name) params.name = name;
  return { ok: true, params };
}

/**
 * The built-in source the form describes, for asking `datasets.existing` whether it was imported before; null
 * for a path (its detection answers that) and while a synthetic chroma field is not a valid value.
 */
export function builtinSource(
  form: Pick<ImportForm, 'sourceKind' | 'synthN' | 'synthSize' | 'synthSeed'>,
): ImportSource | null {
  if (form.sourceKind === 'mnist-sample') return { kind: 'mnist-sample' };
  if (form.sourceKind !== 'synth-chroma') return null;
  if (
    !intIn(form.synthN, LIMITS.synthN) ||
    !intIn(form.synthSize, LIMITS.synthSize) ||
    !intIn(form.synthSeed, LIMITS.seed)
  ) {
    return null;
  }
  if (!synthFits(form.synthN!, form.synthSize!)) return null;
  return { kind: 'synth-chroma', n: form.synthN!, size: form.synthSize!, seed: form.synthSeed! };
}

/** A stable key for a source (same key, same `datasets.existing` answer). */
export function sourceKey(source: ImportSource): string {
  switch (source.kind) {
    case 'path':
      return JSON.stringify(['path', source.path, source.format ?? 'auto']);
    case 'mnist-sample':
      return JSON.stringify(['mnist-sample']);
    case 'synth-chroma':
      return JSON.stringify(['synth-chroma', source.n ?? 2000, source.size ?? 32, source.seed ?? 0]);
  }
}

export type OpenOrImport = { action: 'open'; id: number } | { action: 'started'; jobId: number } | { action: 'failed' };

/**
 * Open a source's dataset when it was imported before, else import it: what "Try the sample dataset" does.
 * `find` is `datasets.existing` (null when the call failed); `start` starts the import (null when refused or
 * failed). An import refused because the source was imported meanwhile (another window, the CLI) opens that one.
 */
export async function openOrImport(
  find: () => Promise<readonly DatasetSummary[] | null>,
  start: () => Promise<{ id: number } | null>,
): Promise<OpenOrImport> {
  const before = await find();
  if (before === null) return { action: 'failed' };
  if (before[0]) return { action: 'open', id: before[0].id };
  const job = await start();
  if (job) return { action: 'started', jobId: job.id };
  const after = await find();
  return after?.[0] ? { action: 'open', id: after[0].id } : { action: 'failed' };
}

// ---- details -------------------------------------------------------------------------------------------

export interface ClassTotals {
  train: number;
  test: number;
  trainW: number;
  trainA: number;
  total: number;
}

export function classTotals(perClass: readonly ClassCount[]): ClassTotals {
  const t: ClassTotals = { train: 0, test: 0, trainW: 0, trainA: 0, total: 0 };
  for (const c of perClass) {
    t.train += c.train;
    t.test += c.test;
    t.trainW += c.trainW;
    t.trainA += c.trainA;
  }
  t.total = t.train + t.test;
  return t;
}

/** Largest class over smallest class (training split): 1 means balanced; null when a class is empty. */
export function imbalanceRatio(perClass: readonly ClassCount[]): number | null {
  if (perClass.length === 0) return null;
  let min = Infinity;
  let max = 0;
  for (const c of perClass) {
    min = Math.min(min, c.train);
    max = Math.max(max, c.train);
  }
  return min > 0 ? max / min : null;
}

/** Labels for a class axis: the class name, or "label: name" when names are long or only numbers. */
export function classAxisLabel(c: { label: number; name: string }): string {
  return c.name === String(c.label) ? c.name : `${c.label}: ${c.name}`;
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(Math.max(0, total) / pageSize));
}

/** "1–48 of 1,000" */
export function rangeLabel(offset: number, shown: number, total: number): string {
  if (total === 0 || shown === 0) return `0 of ${formatCount(total)}`;
  return `${formatCount(offset + 1)}–${formatCount(offset + shown)} of ${formatCount(total)}`;
}
