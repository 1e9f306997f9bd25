/**
 * Pure helpers for the Search page: the spaces and strategies, the search form and the `SearchParams` it builds.
 * Labels for results and lists are in search-results.ts, the epochs as curves in search-curves.ts, what data
 * selection did in search-selection.ts, the α heatmap in search-alpha.ts. No DOM, no store, no client.
 *
 * The form's limits and defaults are the zod schema's in shared/search.ts, read from its zod-free description
 * (shared/generated/params.ts), so a field error reads like a sentence instead of a zod issue; the API validates
 * again and its refusal is shown.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { ClassCount, DatasetSummary } from '../../../shared/datasets.js';
// genotype/ and search-defaults.ts, not genotype.ts and search.ts: those define zod schemas at module
// level, which would pull zod into the bundle (types alone are erased, so they may come from anywhere).
import { DARTS_OPS, NB201_OPS } from '../../../shared/genotype/ops.js';
import type { SearchAlgorithm, SearchSpace, SelectionStrategy } from '../../../shared/search.js';
import { SEARCH_PARAMS } from '../../../shared/generated/params.js';
import {
  BDP_PRUNE_EVERY_WHY,
  DEFAULT_CELLS,
  FIDELITY_OPTIONS,
  SPACE_NAMES,
  defaultSubsetSize,
  suggestSearchParams,
  type MasteryBy,
  type ReplacePool,
  type SearchAugment,
  type ValMode,
} from '../../../shared/search-defaults.js';
import { intIn } from '../../../shared/param-checks.js';
import {
  DEFAULT_ALGORITHM,
  algorithmForSpace,
  algorithmInfo,
  algorithmParams,
  defaultAlgorithmValues,
  type AlgorithmValue,
} from './search-algorithms.js';
import { JPEG_STAGE_DEFAULTS, buildJpegStage, type JpegStageForm } from './jpeg-stage.js';

/** Shared with the API (one rule for how a resumed search's epochs line up). */
export { appendEpoch } from '../../../shared/search-defaults.js';

/** What `jobs.start` takes for a search (options left out take their defaults). */
export type SearchStartInput = Extract<ApiInput<'jobs.start'>, { kind: 'search' }>['params'];

export type Cell = 'normal' | 'reduce';

// ---- spaces and strategies ---------------------------------------------------------------------------------

export const SPACES: readonly SearchSpace[] = ['darts', 'nb201'];
export const STRATEGIES: readonly SelectionStrategy[] = ['full', 'random', 'dds', 'dds-untrained', 'bdp'];

export const SPACE_INFO: Record<SearchSpace, { label: string; about: string; cellsLabel: string; cellsHint: string }> =
  {
    darts: {
      label: SPACE_NAMES.darts,
      about:
        'The DARTS cell: 4 nodes, each keeps its 2 strongest inputs out of 8 operations; a normal and a reduction cell.',
      cellsLabel: 'Cells',
      cellsHint: 'Cells in the supernet; reduction cells sit at 1/3 and 2/3 (DARTS searches with 8).',
    },
    nb201: {
      label: SPACE_NAMES.nb201,
      about:
        'The NAS-Bench-201 cell: 4 nodes, one of 5 operations on each of its 6 edges; one cell type, 15,625 cells in all.',
      cellsLabel: 'Cells per stage',
      cellsHint: 'Cells in each of the 3 stages, joined by residual reduction blocks (the benchmark uses 5).',
    },
  };

export const STRATEGY_INFO: Record<SelectionStrategy, { label: string; about: string }> = {
  full: {
    label: 'Full (no selection)',
    about: 'Every epoch trains the weights on all of train_w and α on all of train_α (after the per-class limit).',
  },
  random: {
    label: 'Random subset',
    about:
      'One fixed class-balanced random subset of S training images, the same every epoch, with DDS’s validation policy — the DDS-NAS paper’s ablation.',
  },
  dds: {
    label: 'DDS-NAS',
    about:
      'DDS-NAS: trains on a small class-balanced subset; once it is mastered, swaps each easy image for the most different image of its class (autoencoder kd-trees).',
  },
  'dds-untrained': {
    label: 'DDS, untrained AE',
    about:
      'DDS-NAS with the embeddings of an untrained autoencoder — the paper’s ablation of what the trained one adds.',
  },
  bdp: {
    label: 'BDP',
    about:
      'BDP: every T epochs prunes the training samples whose error varies least and the validation samples whose error varies most, keeping classes balanced.',
  },
};

/** Which parameter groups a strategy uses. */
export function strategyUses(strategy: SelectionStrategy): {
  subset: boolean;
  dds: boolean;
  autoencoder: boolean;
  bdp: boolean;
} {
  const dds = strategy === 'dds' || strategy === 'dds-untrained';
  return { subset: dds || strategy === 'random', dds, autoencoder: strategy === 'dds', bdp: strategy === 'bdp' };
}

export type { MasteryBy, ReplacePool, SearchAugment, ValMode };

/** A choice's label and its one-line explanation (the sentence shared with the CLI's help and the README). */
const sentence = (about: string): string => `${about[0]!.toUpperCase()}${about.slice(1)}.`;
function choiceInfo<K extends string>(
  about: Record<K, string>,
  labels: Record<K, string>,
): Record<K, { label: string; about: string }> {
  return Object.fromEntries(
    Object.keys(labels).map((k) => [k, { label: labels[k as K], about: sentence(about[k as K]) }]),
  ) as Record<K, { label: string; about: string }>;
}

export const VAL_MODES = FIDELITY_OPTIONS.valMode.values;
export const VAL_MODE_INFO = choiceInfo(FIDELITY_OPTIONS.valMode.about, {
  'resample-each-epoch': 'Resample each epoch',
  fixed: 'Fixed',
  'with-subset': 'With the subset',
});
export const MASTERY_BYS = FIDELITY_OPTIONS.masteryBy.values;
export const MASTERY_BY_INFO = choiceInfo(FIDELITY_OPTIONS.masteryBy.about, {
  correct: 'Correctly classified',
  easy: 'Easy',
});
export const REPLACE_POOLS = FIDELITY_OPTIONS.replacePool.values;
export const REPLACE_POOL_INFO = choiceInfo(FIDELITY_OPTIONS.replacePool.about, {
  global: 'Any image not in the subset',
  'unseen-first': 'Unseen images first',
});
export const SEARCH_AUGMENTS = FIDELITY_OPTIONS.augment.values;
export const SEARCH_AUGMENT_INFO = choiceInfo(FIDELITY_OPTIONS.augment.about, { auto: 'Auto', on: 'On', off: 'Off' });

/** The operations in α's column order. */
export function opsOf(space: SearchSpace): readonly string[] {
  return space === 'darts' ? DARTS_OPS : NB201_OPS;
}

/** Short column heads for the heatmap (the full name goes in a tooltip). */
const OP_SHORT: Record<string, string> = {
  none: 'none',
  max_pool_3x3: 'max 3',
  avg_pool_3x3: 'avg 3',
  skip_connect: 'skip',
  sep_conv_3x3: 'sep 3',
  sep_conv_5x5: 'sep 5',
  dil_conv_3x3: 'dil 3',
  dil_conv_5x5: 'dil 5',
  nor_conv_1x1: 'conv 1',
  nor_conv_3x3: 'conv 3',
};

export function opShort(op: string): string {
  return OP_SHORT[op] ?? op;
}

export function cellsOf(space: SearchSpace): readonly Cell[] {
  return space === 'darts' ? ['normal', 'reduce'] : ['normal'];
}

export const CELL_LABELS: Record<Cell, string> = { normal: 'Normal cell', reduce: 'Reduction cell' };

// ---- the form -----------------------------------------------------------------------------------------------

const P = SEARCH_PARAMS;

/** A number field's bounds as the form checks them. */
const bounds = (f: { min: number; max: number }) => ({ min: f.min, max: f.max });

/** SearchParams' limits (shared/generated/params.ts, from the schema). */
export const SEARCH_LIMITS = {
  epochs: bounds(P.epochs),
  batch: bounds(P.batch),
  channels: bounds(P.channels),
  cells: bounds(P.cells),
  lr: bounds(P.lr),
  alphaLr: bounds(P.alphaLr),
  seed: bounds(P.seed),
  limitPerClass: bounds(P.limitPerClass),
} as const;

/** The SearchParams defaults that suggestSearchParams leaves alone (DARTS' optimiser settings). */
export const SEARCH_DEFAULTS = {
  lr: P.lr.default,
  alphaLr: P.alphaLr.default,
  seed: P.seed.default,
  augment: P.augment.default,
} as const;

/** A fraction of the schema as a percentage of the form (pruneTrain / pruneVal), without float noise. */
const percent = (fraction: number): number => Math.round(fraction * 1e6) / 1e4;

/** A data-selection field's limits. `gt0`: above min (exclusive); `ltMax`: below max (exclusive). */
function selectionLimit(
  f: { type: string; min: number; max: number; exclusiveMin?: boolean; exclusiveMax?: boolean },
  scale: (n: number) => number = (n) => n,
) {
  return {
    min: scale(f.min),
    max: scale(f.max),
    ...(f.type === 'integer' ? { int: true } : {}),
    ...(f.exclusiveMin ? { gt0: true } : {}),
    ...(f.exclusiveMax ? { ltMax: true } : {}),
  };
}

/** SearchParams' data-selection limits; pruneTrain / pruneVal are fractions in the schema and percentages in the form. */
export const SELECTION_LIMITS = {
  subset: selectionLimit(P.subset),
  mastery: selectionLimit(P.mastery),
  hardness: selectionLimit(P.hardness),
  hardnessWindow: selectionLimit(P.hardnessWindow),
  warmupEpochs: selectionLimit(P.warmupEpochs),
  cyclicLrBase: selectionLimit(P.cyclicLrBase),
  cyclicLrMax: selectionLimit(P.cyclicLrMax),
  cyclicLrStep: selectionLimit(P.cyclicLrStep),
  pruneEvery: selectionLimit(P.pruneEvery),
  pruneTrain: selectionLimit(P.pruneTrain, percent),
  pruneVal: selectionLimit(P.pruneVal, percent),
  trainAutoencoderEpochs: selectionLimit(P.trainAutoencoderEpochs),
} as const;

/** The schema's defaults for the data-selection parameters (pruneTrain / pruneVal in %). */
export const SELECTION_DEFAULTS = {
  mastery: P.mastery.default,
  masteryBy: P.masteryBy.default,
  replacePool: P.replacePool.default,
  hardness: P.hardness.default,
  hardnessWindow: P.hardnessWindow.default,
  warmupEpochs: P.warmupEpochs.default,
  valMode: P.valMode.default,
  cyclicLrBase: P.cyclicLrBase.default,
  cyclicLrMax: P.cyclicLrMax.default,
  cyclicLrStep: P.cyclicLrStep.default,
  lrReset: P.lrReset.default,
  pruneEvery: P.pruneEvery.default,
  pruneTrain: percent(P.pruneTrain.default),
  pruneVal: percent(P.pruneVal.default),
  balance: P.balance.default,
} as const;

/** S when the subset field is empty: defaultSubsetSize of the dataset (null without one). */
export function subsetPlaceholder(
  dataset: Pick<DatasetSummary, 'classes' | 'width' | 'height' | 'channels'> | null | undefined,
): number | null {
  return dataset ? defaultSubsetSize(dataset) : null;
}

/**
 * What the form's inputs hold. Numbers are null while their field is empty; `limitPerClass` null = all images;
 * `jpegQuality` null = the original images.
 */
export interface SearchForm extends JpegStageForm {
  datasetId: number | null;
  space: SearchSpace;
  strategy: SelectionStrategy;
  channels: number | null;
  cells: number | null;
  epochs: number | null;
  batch: number | null;
  lr: number | null;
  alphaLr: number | null;
  seed: number | null;
  limitPerClass: number | null;
  augment: SearchAugment;
  /** random / dds: subset size S; null = the dataset's default (defaultSubsetSize). */
  subset: number | null;
  mastery: number | null;
  masteryBy: MasteryBy;
  replacePool: ReplacePool;
  hardness: number | null;
  hardnessWindow: number | null;
  warmupEpochs: number | null;
  valMode: ValMode;
  cyclicLrBase: number | null;
  cyclicLrMax: number | null;
  cyclicLrStep: number | null;
  lrReset: boolean;
  /** dds: null = the newest trained autoencoder of the dataset. */
  autoencoderId: number | null;
  /** dds: train an autoencoder for this many epochs as the search's first step (null = use a stored one). */
  trainAutoencoderEpochs: number | null;
  pruneEvery: number | null;
  /** bdp: percent of the remaining training samples pruned each time. */
  pruneTrain: number | null;
  /** bdp: percent of the remaining validation samples pruned each time. */
  pruneVal: number | null;
  balance: boolean;
  /** The search algorithm (search-algorithms.ts), and every algorithm's own fields by key (null: empty). */
  algorithm: SearchAlgorithm;
  algorithmValues: Record<string, AlgorithmValue>;
}

type DatasetSize = Pick<DatasetSummary, 'id' | 'classes' | 'width' | 'splits'>;

/** The defaults for a dataset of this size (suggestSearchParams), or the schema's when there is none yet. */
export function defaultSearchForm(dataset?: DatasetSize | null, space: SearchSpace = 'darts'): SearchForm {
  const base: SearchForm = {
    datasetId: null,
    space,
    strategy: 'full',
    channels: 16,
    cells: DEFAULT_CELLS[space],
    epochs: 10,
    batch: 32,
    lr: SEARCH_DEFAULTS.lr,
    alphaLr: SEARCH_DEFAULTS.alphaLr,
    seed: SEARCH_DEFAULTS.seed,
    limitPerClass: null,
    ...JPEG_STAGE_DEFAULTS,
    augment: SEARCH_DEFAULTS.augment,
    subset: null,
    mastery: SELECTION_DEFAULTS.mastery,
    masteryBy: SELECTION_DEFAULTS.masteryBy,
    replacePool: SELECTION_DEFAULTS.replacePool,
    hardness: SELECTION_DEFAULTS.hardness,
    hardnessWindow: SELECTION_DEFAULTS.hardnessWindow,
    warmupEpochs: SELECTION_DEFAULTS.warmupEpochs,
    valMode: SELECTION_DEFAULTS.valMode,
    cyclicLrBase: SELECTION_DEFAULTS.cyclicLrBase,
    cyclicLrMax: SELECTION_DEFAULTS.cyclicLrMax,
    cyclicLrStep: SELECTION_DEFAULTS.cyclicLrStep,
    lrReset: SELECTION_DEFAULTS.lrReset,
    autoencoderId: null,
    trainAutoencoderEpochs: null,
    pruneEvery: SELECTION_DEFAULTS.pruneEvery,
    pruneTrain: SELECTION_DEFAULTS.pruneTrain,
    pruneVal: SELECTION_DEFAULTS.pruneVal,
    balance: SELECTION_DEFAULTS.balance,
    algorithm: DEFAULT_ALGORITHM,
    algorithmValues: defaultAlgorithmValues(),
  };
  return dataset ? chooseDataset(base, dataset) : base;
}

/** Picks a dataset: epochs, batch, channels and the per-class limit follow its size; the rest stays. */
export function chooseDataset(form: SearchForm, dataset: DatasetSize): SearchForm {
  const s = suggestSearchParams({ trainImages: dataset.splits.train, classes: dataset.classes, width: dataset.width });
  return {
    ...form,
    datasetId: dataset.id,
    epochs: s.epochs,
    // an algorithm with its paper's batch (PC-DARTS) keeps it
    batch: algorithmInfo(form.algorithm).paperSettings?.batch ?? s.batch,
    channels: s.channels,
    limitPerClass: s.limitPerClass,
    cells: form.space === 'darts' ? s.cells : DEFAULT_CELLS[form.space],
    // an autoencoder belongs to one dataset
    autoencoderId: dataset.id === form.datasetId ? form.autoencoderId : null,
  };
}

/**
 * Picks a space: the number of cells means something else in each, so it takes the space's default; an algorithm
 * the space does not offer gives way to the default one.
 */
export function chooseSpace(form: SearchForm, space: SearchSpace): SearchForm {
  if (space === form.space) return form;
  return chooseAlgorithm({ ...form, space, cells: DEFAULT_CELLS[space] }, algorithmForSpace(form.algorithm, space));
}

/**
 * Picks an algorithm. Its paper's batch and learning rates (PC-DARTS': 256, 0.1, 6e-4) replace the previous
 * algorithm's where the user left those as they were (a learning rate at the schema's value; the batch at whatever
 * the dataset suggested), and go back when the user picks an algorithm without its own; a value the user typed
 * stays. `baseBatch`: the batch to go back to (the dataset's suggestion when known).
 */
export function chooseAlgorithm(form: SearchForm, algorithm: SearchAlgorithm, baseBatch = 32): SearchForm {
  const before = algorithmInfo(form.algorithm).paperSettings ?? {};
  const after = algorithmInfo(algorithm).paperSettings ?? {};
  const plain = { batch: baseBatch, lr: SEARCH_DEFAULTS.lr, alphaLr: SEARCH_DEFAULTS.alphaLr };
  const next: SearchForm = { ...form, algorithm };
  for (const key of ['batch', 'lr', 'alphaLr'] as const) {
    const untouched =
      before[key] !== undefined ? form[key] === before[key] : key === 'batch' || form[key] === plain[key];
    if (untouched) next[key] = after[key] ?? (before[key] !== undefined ? plain[key] : form[key]);
  }
  return next;
}

/** `field`: a form key, an algorithm field's key (search-algorithms.ts), or '' for none in particular. */
export type SearchBuildResult =
  { ok: true; params: SearchStartInput } | { ok: false; field: keyof SearchForm | (string & {}); error: string };

function positiveUpTo(value: number | null, max: number): value is number {
  return value != null && Number.isFinite(value) && value > 0 && value <= max;
}

/** The `SearchParams` for `jobs.start`, or the first problem with the form in words. */
export function buildSearchParams(form: SearchForm): SearchBuildResult {
  const L = SEARCH_LIMITS;
  if (form.datasetId == null) return { ok: false, field: 'datasetId', error: 'Choose a dataset to search on.' };
  if (!intIn(form.channels, L.channels)) {
    return {
      ok: false,
      field: 'channels',
      error: `Channels C: a whole number from ${L.channels.min} to ${L.channels.max}.`,
    };
  }
  if (!intIn(form.cells, L.cells)) {
    const what = SPACE_INFO[form.space].cellsLabel;
    return { ok: false, field: 'cells', error: `${what}: a whole number from ${L.cells.min} to ${L.cells.max}.` };
  }
  if (!intIn(form.epochs, L.epochs)) {
    return { ok: false, field: 'epochs', error: `Epochs: a whole number from ${L.epochs.min} to ${L.epochs.max}.` };
  }
  if (!intIn(form.batch, L.batch)) {
    return { ok: false, field: 'batch', error: `Batch size: a whole number from ${L.batch.min} to ${L.batch.max}.` };
  }
  if (!positiveUpTo(form.lr, L.lr.max)) {
    return {
      ok: false,
      field: 'lr',
      error: `Weight learning rate: a number above 0 and at most ${L.lr.max} (DARTS uses 0.025).`,
    };
  }
  if (!positiveUpTo(form.alphaLr, L.alphaLr.max)) {
    return {
      ok: false,
      field: 'alphaLr',
      error: `α learning rate: a number above 0 and at most ${L.alphaLr.max} (DARTS uses 0.0003).`,
    };
  }
  if (!intIn(form.seed, L.seed))
    return { ok: false, field: 'seed', error: 'Seed: a whole number from 0 to 2147483647.' };
  if (form.limitPerClass != null && !intIn(form.limitPerClass, L.limitPerClass)) {
    return {
      ok: false,
      field: 'limitPerClass',
      error: `Per-class limit: a whole number from ${L.limitPerClass.min} up, or empty for all images.`,
    };
  }
  const jpeg = buildJpegStage(form);
  if (!jpeg.ok) return jpeg;
  const algorithm = algorithmParams(form);
  if (!algorithm.ok) return algorithm;
  const selection = selectionParams(form);
  if (!selection.ok) return selection;
  return {
    ok: true,
    params: {
      datasetId: form.datasetId,
      space: form.space,
      strategy: form.strategy,
      channels: form.channels,
      cells: form.cells,
      epochs: form.epochs,
      batch: form.batch,
      lr: form.lr,
      alphaLr: form.alphaLr,
      seed: form.seed,
      limitPerClass: form.limitPerClass,
      ...jpeg.params,
      augment: form.augment,
      ...algorithm.params,
      ...selection.params,
    },
  };
}

type SelectionField = keyof typeof SELECTION_LIMITS;

const SELECTION_NAMES: Record<SelectionField, string> = {
  subset: 'Subset size S',
  mastery: 'Mastery',
  hardness: 'Hardness',
  hardnessWindow: 'Hardness window',
  warmupEpochs: 'Warm-up epochs',
  trainAutoencoderEpochs: 'Autoencoder epochs',
  cyclicLrBase: 'Cyclic lr base',
  cyclicLrMax: 'Cyclic lr max',
  cyclicLrStep: 'Cyclic lr step',
  pruneEvery: 'Prune every T',
  pruneTrain: 'Prune train %',
  pruneVal: 'Prune val %',
};

/** Why a field's limit is what it is, where that is not obvious (appended to its error). */
const SELECTION_WHY: Partial<Record<SelectionField, string>> = {
  pruneEvery: BDP_PRUNE_EVERY_WHY,
};

function checkSelection(
  form: SearchForm,
  field: SelectionField,
): { ok: true; value: number } | { ok: false; field: SelectionField; error: string } {
  const lim: { min: number; max: number; int?: boolean; gt0?: boolean; ltMax?: boolean } = SELECTION_LIMITS[field];
  const v = form[field];
  const ok =
    v != null &&
    Number.isFinite(v) &&
    (!lim.int || Number.isInteger(v)) &&
    (lim.gt0 ? v > lim.min : v >= lim.min) &&
    (lim.ltMax ? v < lim.max : v <= lim.max);
  if (ok) return { ok: true, value: v };
  const what = lim.int ? 'a whole number' : 'a number';
  const from = lim.gt0 ? `above ${lim.min}` : `from ${lim.min}`;
  const to = lim.ltMax ? `below ${lim.max}` : `${lim.gt0 ? 'and at most' : 'to'} ${lim.max}`;
  const why = SELECTION_WHY[field];
  return { ok: false, field, error: `${SELECTION_NAMES[field]}: ${what} ${from} ${to}${why ? ` — ${why}` : ''}.` };
}

/**
 * The data-selection part of the params: only the fields the chosen strategy uses (the others keep the schema's
 * defaults, and a search's recorded params stay free of settings that did nothing). The subset size is left out
 * when empty (the engine takes the dataset's default); pruneTrain / pruneVal go from % to fractions.
 */
export function selectionParams(
  form: SearchForm,
): { ok: true; params: Partial<SearchStartInput> } | { ok: false; field: SelectionField; error: string } {
  const uses = strategyUses(form.strategy);
  const params: Record<string, unknown> = {};
  const take = (
    fields: readonly SelectionField[],
    scale = 1,
  ): { ok: false; field: SelectionField; error: string } | null => {
    for (const f of fields) {
      const c = checkSelection(form, f);
      if (!c.ok) return c;
      params[f] = scale === 1 ? c.value : c.value / scale;
    }
    return null;
  };
  if (uses.subset && form.subset != null) {
    const bad = take(['subset']);
    if (bad) return bad;
  }
  // random, dds and dds-untrained share one validation policy (DDS-NAS' ablation differs only in the training data)
  if (uses.subset) params.valMode = form.valMode;
  if (uses.dds) {
    const bad = take([
      'mastery',
      'hardness',
      'hardnessWindow',
      'warmupEpochs',
      'cyclicLrBase',
      'cyclicLrMax',
      'cyclicLrStep',
    ]);
    if (bad) return bad;
    params.masteryBy = form.masteryBy;
    params.replacePool = form.replacePool;
    params.lrReset = form.lrReset;
  }
  if (uses.autoencoder) {
    if (form.trainAutoencoderEpochs === null) params.autoencoderId = form.autoencoderId;
    else {
      const bad = take(['trainAutoencoderEpochs']);
      if (bad) return bad;
    }
  }
  if (uses.bdp) {
    const bad = take(['pruneEvery']) ?? take(['pruneTrain', 'pruneVal'], 100);
    if (bad) return bad;
    params.balance = form.balance;
  }
  return { ok: true, params: params as Partial<SearchStartInput> };
}

/**
 * How many training images the search can use under a per-class limit: per class, the smaller of the limit and
 * the class's training images (train_w + train_α), summed. Exact with the per-class counts, else from the split's
 * total spread evenly (then `exact` is false).
 */
export function imagesUnderLimit(
  limitPerClass: number | null,
  dataset: Pick<DatasetSummary, 'classes' | 'splits'>,
  perClass: readonly Pick<ClassCount, 'train'>[] | null,
): { used: number; of: number; exact: boolean } {
  const of = dataset.splits.train;
  if (perClass && perClass.length > 0) {
    const used = perClass.reduce((n, c) => n + (limitPerClass == null ? c.train : Math.min(c.train, limitPerClass)), 0);
    return { used, of, exact: true };
  }
  if (limitPerClass == null) return { used: of, of, exact: true };
  return { used: Math.min(of, limitPerClass * dataset.classes), of, exact: false };
}
