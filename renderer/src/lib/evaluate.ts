/**
 * Pure helpers for the Evaluate page: the evaluation form and the `EvaluateParams` it builds, reading a pasted
 * genotype (to say what it is and draw it before anything starts), the per-epoch curves and a run's labels. The rows
 * of the runs and models tables are in evaluate-table.ts; the confusion matrix, per-class bars and model files in
 * evaluate-results.ts. No DOM, no store, no client.
 *
 * Values come from shared/evaluate-defaults.ts and shared/genotype/ only (evaluate.ts and genotype.ts
 * define zod schemas at module level, which would pull zod into the bundle; their types are erased, so they may
 * come from anywhere). The limits are the schema's own (EVALUATE_LIMITS), so a field error reads like a sentence
 * instead of a zod issue; the API validates again and its refusal is shown.
 */
import type { ApiInput } from '../../../shared/api.js';
import type {
  EvaluateEpochData,
  EvaluateResult,
  EvaluateSource,
  EvaluationSummary,
  NetworkDescription,
} from '../../../shared/evaluate.js';
import {
  BASELINES,
  EVALUATE_LIMITS,
  EVAL_PRESETS,
  NETWORK_NAMES,
  PRESET_INFO,
  augmentationFor,
  hasLayers,
  networkSize,
  type BaselineName,
  type EvalPreset,
  type NetworkKind,
  type NetworkSize,
} from '../../../shared/evaluate-defaults.js';
import type { Genotype } from '../../../shared/genotype/ops.js';
import {
  GenotypeFormatError,
  parseDartsGenotype,
  parseNb201,
  validateGenotype,
} from '../../../shared/genotype/text.js';
import type { JobSummary, PushMessage } from '../../../shared/jobs.js';
import { formatSeconds } from './format.js';
import { epochCharts, type EpochCharts } from './search-curves.js';
import { JPEG_STAGE_DEFAULTS, buildJpegStage, type JpegStageForm } from './jpeg-stage.js';
import { EVALUATE_PARAMS } from '../../../shared/generated/params.js';
import { intIn } from '../../../shared/param-checks.js';
import { jpegStageLabel, type Subsampling } from '../../../shared/compress-defaults.js';

/** What `jobs.start` takes for an evaluation (options left out take their defaults). */
export type EvaluateStartInput = Extract<ApiInput<'jobs.start'>, { kind: 'evaluate' }>['params'];

export type SourceKind = EvaluateSource['kind'];
export type AugmentChoice = 'auto' | 'on' | 'off';

export const SOURCE_KINDS: readonly SourceKind[] = ['search', 'genotype', 'baseline'];
export const SOURCE_INFO: Record<SourceKind, { label: string; sub: string }> = {
  search: { label: 'Search', sub: 'a finished search’s cell' },
  genotype: { label: 'Genotype', sub: 'paste or load a file' },
  baseline: { label: 'Baseline', sub: 'a hand-made network' },
};

export const BASELINE_INFO: Record<BaselineName, string> = {
  cnn: 'A plain stack of convolutions, batch norm and pooling: the floor a searched cell should beat.',
  resnet20:
    'The CIFAR ResNet-20 of He et al. (2016), three stages of residual blocks: the usual hand-designed reference.',
};

export const AUGMENT_CHOICES: readonly AugmentChoice[] = ['auto', 'on', 'off'];

export { BASELINES, EVAL_PRESETS, EVALUATE_LIMITS, NETWORK_NAMES, PRESET_INFO, hasLayers, networkSize };
export type { BaselineName, EvalPreset, NetworkKind, NetworkSize };

// ---- the form -----------------------------------------------------------------------------------------------

const P = EVALUATE_PARAMS;

/** The EvaluateParams defaults the form shows (shared/generated/params.ts, from the schema). */
export const EVALUATE_DEFAULTS = {
  preset: P.preset.default,
  epochs: P.epochs.default,
  batch: P.batch.default,
  seed: P.seed.default,
  augment: P.augment.default,
  dropPathMax: P.dropPath.max,
} as const;
const SEED_MAX = 2 ** 31 - 1;
const GENOTYPE_MAX = 200_000;

/**
 * What the form's inputs hold. Numbers are null while their field is empty: for the size fields (channels,
 * layers, auxiliary, dropPath) null means "the preset's"; `limitPerClass` null = all images; `jpegQuality` null = the
 * original images.
 */
export interface EvaluateForm extends JpegStageForm {
  datasetId: number | null;
  source: SourceKind;
  /** The finished search whose genotype is evaluated (source `search`). */
  searchJobId: number | null;
  /** The pasted or loaded genotype (source `genotype`). */
  genotypeText: string;
  baseline: BaselineName;
  preset: EvalPreset;
  channels: number | null;
  layers: number | null;
  auxiliary: boolean | null;
  dropPath: number | null;
  epochs: number | null;
  batch: number | null;
  augment: AugmentChoice;
  seed: number | null;
  limitPerClass: number | null;
}

/**
 * Picks a preset: one that reproduces a paper (PRESET_INFO[p].recipe) brings its epochs and batch into the form;
 * its learning rate goes with the preset when the params are built (the form has no lr field).
 */
export function choosePreset(form: EvaluateForm, preset: EvalPreset): EvaluateForm {
  const recipe = PRESET_INFO[preset].recipe;
  return recipe ? { ...form, preset, epochs: recipe.epochs, batch: recipe.batch } : { ...form, preset };
}

export function defaultEvaluateForm(): EvaluateForm {
  return {
    datasetId: null,
    source: 'search',
    searchJobId: null,
    genotypeText: '',
    baseline: 'cnn',
    preset: EVALUATE_DEFAULTS.preset,
    channels: null,
    layers: null,
    auxiliary: null,
    dropPath: null,
    epochs: EVALUATE_DEFAULTS.epochs,
    batch: EVALUATE_DEFAULTS.batch,
    augment: EVALUATE_DEFAULTS.augment,
    seed: EVALUATE_DEFAULTS.seed,
    limitPerClass: null,
    ...JPEG_STAGE_DEFAULTS,
  };
}

/** A search the form can evaluate: finished, with a genotype. */
export interface SearchChoice {
  jobId: number;
  datasetId: number;
  datasetName: string | null;
  space: 'darts' | 'nb201';
  state: string;
  genotypeText: string | null;
  createdAt: number;
}

/** A search the Evaluate form offers: a differentiable search, or a DSM-NAS search's best centre (`method`). */
export interface EvaluateSearchChoice extends SearchChoice {
  /** The supernet's validation accuracy (a DSM-NAS search: its best centre's, with inherited weights). */
  valAccuracy: number | null;
  /** Set for a search of another method than differentiable search. */
  method?: 'DSM-NAS';
}

/** Finished searches with a genotype, those on `datasetId` first, newest first within each group. */
export function searchChoices<T extends SearchChoice>(list: readonly T[], datasetId: number | null): T[] {
  return list
    .filter((s) => s.state === 'done' && s.genotypeText != null)
    .sort((a, b) => {
      const sa = a.datasetId === datasetId ? 0 : 1;
      const sb = b.datasetId === datasetId ? 0 : 1;
      return sa - sb || b.createdAt - a.createdAt || b.jobId - a.jobId;
    });
}

/** The search the form should preselect: the one chosen if still offered, else the first offered, else null. */
export function pickSearch(choices: readonly SearchChoice[], current: number | null): number | null {
  if (current != null && choices.some((s) => s.jobId === current)) return current;
  return choices[0]?.jobId ?? null;
}

// ---- reading a genotype -------------------------------------------------------------------------------------

export type GenotypeReading =
  | { state: 'empty' }
  | { state: 'ok'; genotype: Genotype; kind: 'darts' | 'nb201'; format: 'darts' | 'nb201' | 'json' }
  | { state: 'error'; message: string };

const NOT_A_GENOTYPE =
  'not a genotype: expected DARTS text such as Genotype(normal=[...], normal_concat=range(2, 6), reduce=[...], ' +
  'reduce_concat=range(2, 6)), a NAS-Bench-201 string such as |nor_conv_3x3~0|+|...|...|+|...|...|...|, or a ' +
  'genotype.json file Winnow saved';

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function readText(t: string): Genotype {
  const s = t.trim();
  if (s.startsWith('|')) return parseNb201(t);
  if (/\bGenotype\s*\(/.test(s)) return parseDartsGenotype(t);
  throw new GenotypeFormatError(NOT_A_GENOTYPE);
}

/**
 * What a pasted genotype is, read with the same parsers the engine uses (shared/genotype/text.ts): DARTS text,
 * a NAS-Bench-201 string, or a genotype JSON document (its `text`, else its `genotype`). The JSON check here is
 * looser than the API's (which checks the whole document); the API has the last word.
 */
export function readGenotype(text: string): GenotypeReading {
  const t = text.trim();
  if (t === '') return { state: 'empty' };
  if (text.length > GENOTYPE_MAX) {
    return {
      state: 'error',
      message: `the text is ${text.length.toLocaleString('en-US')} characters long; a genotype is at most ${GENOTYPE_MAX.toLocaleString('en-US')}`,
    };
  }
  try {
    if (t.startsWith('{')) {
      let doc: unknown;
      try {
        doc = JSON.parse(t);
      } catch (e) {
        return { state: 'error', message: `not valid JSON: ${messageOf(e)}` };
      }
      const d = (doc ?? {}) as { text?: unknown; genotype?: unknown };
      let genotype: Genotype;
      if (typeof d.text === 'string') genotype = readText(d.text);
      else if (
        d.genotype &&
        typeof d.genotype === 'object' &&
        ['darts', 'nb201'].includes((d.genotype as { space?: string }).space ?? '')
      ) {
        genotype = d.genotype as Genotype;
        validateGenotype(genotype);
      } else {
        return {
          state: 'error',
          message: 'this JSON holds no genotype: expected a genotype.json file with "genotype" and "text" fields',
        };
      }
      return { state: 'ok', genotype, kind: genotype.space, format: 'json' };
    }
    const genotype = readText(t);
    return { state: 'ok', genotype, kind: genotype.space, format: genotype.space };
  } catch (e) {
    return { state: 'error', message: messageOf(e) };
  }
}

/** "DARTS genotype (normal and reduction cell)" etc., for the line under the text box. */
export function describeReading(r: GenotypeReading): string {
  if (r.state === 'empty')
    return 'Paste DARTS Genotype(...) text, a NAS-Bench-201 string or a genotype.json, or load a file.';
  if (r.state === 'error') return `Cannot read it: ${r.message}.`;
  const what = r.kind === 'darts' ? 'A DARTS genotype (normal and reduction cell)' : 'A NAS-Bench-201 cell';
  return r.format === 'json' ? `${what}, from a genotype JSON document.` : `${what}.`;
}

// ---- the network the form describes -------------------------------------------------------------------------

/**
 * The kind of network the form would build: the baseline's, the chosen search's space, or the pasted genotype's;
 * null while it is not known (no search chosen, a genotype that cannot be read).
 */
export function networkKindOf(
  form: Pick<EvaluateForm, 'source' | 'baseline'>,
  searchSpace: 'darts' | 'nb201' | null,
  reading: GenotypeReading,
): NetworkKind | null {
  if (form.source === 'baseline') return form.baseline;
  if (form.source === 'search') return searchSpace;
  return reading.state === 'ok' ? reading.kind : null;
}

/** The explicit size choices of the form that apply to `kind` (layers: DARTS / NB201; auxiliary, drop-path: DARTS). */
export function sizeOverrides(
  form: Pick<EvaluateForm, 'channels' | 'layers' | 'auxiliary' | 'dropPath'>,
  kind: NetworkKind,
): Partial<NetworkSize> {
  const over: Partial<NetworkSize> = {};
  if (form.channels != null) over.channels = form.channels;
  if (hasLayers(kind) && form.layers != null) over.layers = form.layers;
  if (kind === 'darts' && form.auxiliary != null) over.auxiliary = form.auxiliary;
  if (kind === 'darts' && form.dropPath != null) over.dropPath = form.dropPath;
  return over;
}

/** What the layers field counts for a kind. */
export function layersLabel(kind: NetworkKind | null): string {
  return kind === 'nb201' ? 'Cells per stage' : 'Cells';
}

/** "C = 16, 5 cells, auxiliary head, drop-path 0.2" (the baselines: "width 32"). */
export function sizeLine(kind: NetworkKind, size: NetworkSize): string {
  if (!hasLayers(kind)) return `width ${size.channels}`;
  const parts = [
    `C = ${size.channels}`,
    kind === 'darts'
      ? `${size.layers} ${size.layers === 1 ? 'cell' : 'cells'}`
      : `${size.layers} ${size.layers === 1 ? 'cell' : 'cells'} per stage`,
  ];
  if (kind === 'darts') {
    if (size.auxiliary) parts.push('auxiliary head');
    if (size.dropPath > 0) parts.push(`drop-path ${size.dropPath}`);
  }
  return parts.join(', ');
}

/** What `auto` augmentation means for a dataset with `channels` channels, and what each choice does. */
export function augmentNote(choice: AugmentChoice, channels: number | null): string {
  const rgb = channels === 3;
  const what = 'random crop (padding 1/8 of the size) and horizontal flip';
  if (choice === 'off') return 'No augmentation: every epoch sees the images as they are.';
  if (choice === 'on')
    return `On: ${what}${channels === 1 ? ' — careful: flipping changes what digits and letters mean' : ''}.`;
  if (channels == null) return `Auto: ${what} for RGB datasets, none for greyscale ones.`;
  return augmentationFor('auto', channels)
    ? `Auto: on for this RGB dataset — ${what}.`
    : `Auto: off for this ${rgb ? 'RGB' : 'greyscale'} dataset (a flipped digit is another digit).`;
}

// ---- building the params ------------------------------------------------------------------------------------

export type EvaluateBuildResult =
  { ok: true; params: EvaluateStartInput } | { ok: false; field: keyof EvaluateForm | ''; error: string };

/**
 * The `EvaluateParams` for `jobs.start`, or the first problem with the form in words. Size overrides go in only
 * when set, and only where the kind has them (layers: DARTS and NB201; auxiliary head and drop-path: DARTS);
 * `reading` is readGenotype(form.genotypeText) and `searchSpace` the chosen search's space.
 */
export function buildEvaluateParams(
  form: EvaluateForm,
  reading: GenotypeReading,
  searchSpace: 'darts' | 'nb201' | null,
): EvaluateBuildResult {
  const L = EVALUATE_LIMITS;
  if (form.datasetId == null) return { ok: false, field: 'datasetId', error: 'Choose a dataset to train and test on.' };
  let source: EvaluateSource;
  if (form.source === 'search') {
    if (form.searchJobId == null) {
      return {
        ok: false,
        field: 'searchJobId',
        error: 'Choose a finished search, or paste a genotype, or pick a baseline.',
      };
    }
    source = { kind: 'search', jobId: form.searchJobId };
  } else if (form.source === 'genotype') {
    if (reading.state === 'empty') {
      return { ok: false, field: 'genotypeText', error: 'Paste a genotype or load one from a file.' };
    }
    if (reading.state === 'error')
      return { ok: false, field: 'genotypeText', error: `The genotype cannot be read: ${reading.message}.` };
    source = { kind: 'genotype', text: form.genotypeText.trim() };
  } else {
    source = { kind: 'baseline', name: form.baseline };
  }
  const kind = networkKindOf(form, searchSpace, reading) ?? 'darts';

  if (form.channels != null && !intIn(form.channels, L.channels)) {
    return {
      ok: false,
      field: 'channels',
      error: `Channels C: a whole number from ${L.channels.min} to ${L.channels.max}, or empty for the preset’s.`,
    };
  }
  if (hasLayers(kind) && form.layers != null && !intIn(form.layers, L.layers)) {
    return {
      ok: false,
      field: 'layers',
      error: `${layersLabel(kind)}: a whole number from ${L.layers.min} to ${L.layers.max}, or empty for the preset’s.`,
    };
  }
  if (
    kind === 'darts' &&
    form.dropPath != null &&
    !(Number.isFinite(form.dropPath) && form.dropPath >= 0 && form.dropPath <= EVALUATE_DEFAULTS.dropPathMax)
  ) {
    return {
      ok: false,
      field: 'dropPath',
      error: `Drop-path: a probability from 0 to ${EVALUATE_DEFAULTS.dropPathMax} (DARTS uses 0.2), or empty for the preset’s.`,
    };
  }
  if (!intIn(form.epochs, L.epochs)) {
    return { ok: false, field: 'epochs', error: `Epochs: a whole number from ${L.epochs.min} to ${L.epochs.max}.` };
  }
  if (!intIn(form.batch, L.batch)) {
    return { ok: false, field: 'batch', error: `Batch size: a whole number from ${L.batch.min} to ${L.batch.max}.` };
  }
  if (!intIn(form.seed, { min: 0, max: SEED_MAX }))
    return { ok: false, field: 'seed', error: `Seed: a whole number from 0 to ${SEED_MAX}.` };
  if (form.limitPerClass != null && !intIn(form.limitPerClass, { min: 1, max: 1_000_000 })) {
    return {
      ok: false,
      field: 'limitPerClass',
      error: 'Per-class limit: a whole number from 1 up, or empty for all images.',
    };
  }
  const jpeg = buildJpegStage(form);
  if (!jpeg.ok) return jpeg;

  const params: EvaluateStartInput = {
    datasetId: form.datasetId,
    source,
    preset: form.preset,
    epochs: form.epochs,
    batch: form.batch,
    augment: form.augment,
    seed: form.seed,
    limitPerClass: form.limitPerClass,
    ...jpeg.params,
  };
  const recipe = PRESET_INFO[form.preset].recipe;
  if (recipe) params.lr = recipe.lr;
  const over = sizeOverrides(form, kind);
  if (over.channels !== undefined) params.channels = over.channels;
  if (over.layers !== undefined) params.layers = over.layers;
  if (over.auxiliary !== undefined) params.auxiliary = over.auxiliary;
  if (over.dropPath !== undefined) params.dropPath = over.dropPath;
  return { ok: true, params };
}

// ---- epochs and curves --------------------------------------------------------------------------------------

/** A pushed epoch of evaluation `jobId`, else null. */
export function evaluateEpochFromPush(message: PushMessage, jobId: number): EvaluateEpochData | null {
  if (message.channel !== 'job.event' || message.jobId !== jobId) return null;
  return message.event.type === 'evaluate-epoch' ? message.event.data : null;
}

export type EvaluateCharts = EpochCharts;

/** An evaluation's curves: train against test. */
export function evaluateCharts(epochs: readonly EvaluateEpochData[]): EvaluateCharts {
  return epochCharts(epochs, { label: 'test', loss: (e) => e.testLoss, accuracy: (e) => e.testAccuracy });
}

// ---- results, labels, tables --------------------------------------------------------------------------------

/** `job.result` of a finished evaluation, or null when it does not look like one. */
export function parseEvaluateResult(result: unknown): EvaluateResult | null {
  if (!result || typeof result !== 'object') return null;
  const r = result as Partial<EvaluateResult>;
  if (!r.network || !r.test || typeof r.parameters !== 'number') return null;
  return r as EvaluateResult;
}

/** The parts of an evaluation job's params the page shows before its own record loads. */
export function evaluateParamsOfJob(job: Pick<JobSummary, 'params'> | null | undefined): {
  datasetId: number | null;
  epochs: number | null;
} {
  const p = job?.params ?? {};
  return {
    datasetId: typeof p.datasetId === 'number' ? p.datasetId : null,
    epochs: typeof p.epochs === 'number' ? p.epochs : null,
  };
}

/** Where an evaluation's network came from: "search #12", "pasted genotype", "plain CNN". */
export function sourceLabel(source: EvaluateSource): string {
  if (source.kind === 'search') return `search #${source.jobId}`;
  if (source.kind === 'genotype') return 'pasted genotype';
  return NETWORK_NAMES[source.name];
}

/** The network's label, or, before it is known, what the source says. */
export function networkLabel(network: NetworkDescription | null, source: EvaluateSource): string {
  if (network) return network.label;
  if (source.kind === 'baseline') return NETWORK_NAMES[source.name];
  return source.kind === 'search' ? `cell of search #${source.jobId}` : 'pasted genotype';
}

/** A search's cost for the comparison: "2 min 10 s, 4,000 images · full". */
export function searchCost(search: EvaluationSummary['search']): string | null {
  if (!search) return null;
  const parts: string[] = [];
  if (search.seconds != null) parts.push(formatSeconds(search.seconds));
  if (search.images != null) parts.push(`${search.images.toLocaleString('en-US')} images`);
  return `${parts.length ? parts.join(', ') : 'cost unknown'} · ${search.strategy}`;
}

/** "preset small, 10 epochs, batch 64, augmentation auto, seed 0, ≤ 20 images per class". */
export function settingsLine(p: {
  preset: string;
  epochs: number;
  batch: number;
  augment: string;
  seed: number;
  limitPerClass: number | null;
  lr?: number;
  weightDecay?: number;
  jpegQuality?: number | null;
  jpegSubsampling?: Subsampling | null;
}): string {
  const parts = [
    `preset ${(PRESET_INFO as Record<string, { label: string } | undefined>)[p.preset]?.label ?? p.preset}`,
    `${p.epochs} ${p.epochs === 1 ? 'epoch' : 'epochs'}`,
    `batch ${p.batch}`,
  ];
  if (p.lr != null) parts.push(`lr ${p.lr} (cosine)`);
  if (p.weightDecay != null) parts.push(`weight decay ${p.weightDecay}`);
  parts.push(
    `augmentation ${p.augment}`,
    `seed ${p.seed}`,
    p.limitPerClass == null ? 'all images' : `≤ ${p.limitPerClass} images per class`,
  );
  const jpeg = jpegStageLabel(p);
  if (jpeg) parts.push(jpeg);
  return parts.join(', ');
}
