/**
 * Pure helpers for the Search page: the search form and the `SearchParams` it builds, the per-epoch snapshots
 * (`search-epoch` events, fetched and pushed, merged by epoch), chart series, the α heatmap's rows and labels,
 * and labels for lists. No DOM, no store, no client.
 *
 * The form's limits mirror the zod schema in shared/search.ts (as lib/autoencoder.ts mirrors its schema), so a
 * field error reads like a sentence instead of a zod issue; the API validates again and its refusal is shown.
 */
import type { ApiInput } from '../../../shared/api.js';
import type { ClassCount, DatasetSummary } from '../../../shared/datasets.js';
// genotype-format.ts and search-defaults.ts, not genotype.ts and search.ts: those define zod schemas at module
// level, which would pull zod into the bundle (types alone are erased, so they may come from anywhere).
import { DARTS_OPS, NB201_OPS, NB201_EDGE_LIST, dartsEdgeList, formatGenotype, type Genotype } from '../../../shared/genotype-format.js';
import type { JobSummary, PushMessage } from '../../../shared/jobs.js';
import type { AlphaSnapshot, SearchEpochData, SearchResult, SearchSpace, SelectionStrategy } from '../../../shared/search.js';
import { DEFAULT_CELLS, SPACE_NAMES, suggestSearchParams } from '../../../shared/search-defaults.js';

/** Shared with the API (one rule for how a resumed search's epochs line up). */
export { appendEpoch } from '../../../shared/search-defaults.js';

/** What `jobs.start` takes for a search (options left out take their defaults). */
export type SearchStartInput = Extract<ApiInput<'jobs.start'>, { kind: 'search' }>['params'];

export type Cell = 'normal' | 'reduce';

// ---- spaces and strategies ---------------------------------------------------------------------------------

export const SPACES: readonly SearchSpace[] = ['darts', 'nb201'];
export const STRATEGIES: readonly SelectionStrategy[] = ['full'];

export const SPACE_INFO: Record<SearchSpace, { label: string; about: string; cellsLabel: string; cellsHint: string }> = {
  darts: {
    label: SPACE_NAMES.darts,
    about: 'The DARTS cell: 4 nodes, each keeps its 2 strongest inputs out of 8 operations; a normal and a reduction cell.',
    cellsLabel: 'Cells',
    cellsHint: 'Cells in the supernet; reduction cells sit at 1/3 and 2/3 (DARTS searches with 8).',
  },
  nb201: {
    label: SPACE_NAMES.nb201,
    about: 'The NAS-Bench-201 cell: 4 nodes, one of 5 operations on each of its 6 edges; one cell type, 15,625 cells in all.',
    cellsLabel: 'Cells per stage',
    cellsHint: 'Cells in each of the 3 stages, joined by residual reduction blocks (the benchmark uses 5).',
  },
};

export const STRATEGY_INFO: Record<SelectionStrategy, { label: string; about: string }> = {
  full: {
    label: 'Full (no selection)',
    about: 'Every epoch trains the weights on all of train_w and α on all of train_α (after the per-class limit).',
  },
};

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

/** Mirrors shared/search.ts SearchParams. */
export const SEARCH_LIMITS = {
  epochs: { min: 1, max: 500 },
  batch: { min: 2, max: 512 },
  channels: { min: 2, max: 128 },
  cells: { min: 1, max: 30 },
  lr: { min: 0, max: 10 },
  alphaLr: { min: 0, max: 1 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  limitPerClass: { min: 2, max: 1_000_000 },
} as const;

/** Mirrors the SearchParams defaults that suggestSearchParams leaves alone (DARTS' optimiser settings). */
export const SEARCH_DEFAULTS = { lr: 0.025, alphaLr: 3e-4, seed: 0 } as const;

/** What the form's inputs hold. Numbers are null while their field is empty; `limitPerClass` null = all images. */
export interface SearchForm {
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
    batch: s.batch,
    channels: s.channels,
    limitPerClass: s.limitPerClass,
    cells: form.space === 'darts' ? s.cells : DEFAULT_CELLS[form.space],
  };
}

/** Picks a space: the number of cells means something else in each, so it takes the space's default. */
export function chooseSpace(form: SearchForm, space: SearchSpace): SearchForm {
  if (space === form.space) return form;
  return { ...form, space, cells: DEFAULT_CELLS[space] };
}

export type SearchBuildResult =
  | { ok: true; params: SearchStartInput }
  | { ok: false; field: keyof SearchForm | ''; error: string };

function intIn(value: number | null, lim: { min: number; max: number }): value is number {
  return value != null && Number.isInteger(value) && value >= lim.min && value <= lim.max;
}

function positiveUpTo(value: number | null, max: number): value is number {
  return value != null && Number.isFinite(value) && value > 0 && value <= max;
}

/** The `SearchParams` for `jobs.start`, or the first problem with the form in words. */
export function buildSearchParams(form: SearchForm): SearchBuildResult {
  const L = SEARCH_LIMITS;
  if (form.datasetId == null) return { ok: false, field: 'datasetId', error: 'Choose a dataset to search on.' };
  if (!intIn(form.channels, L.channels)) {
    return { ok: false, field: 'channels', error: `Channels C: a whole number from ${L.channels.min} to ${L.channels.max}.` };
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
    return { ok: false, field: 'lr', error: `Weight learning rate: a number above 0 and at most ${L.lr.max} (DARTS uses 0.025).` };
  }
  if (!positiveUpTo(form.alphaLr, L.alphaLr.max)) {
    return { ok: false, field: 'alphaLr', error: `α learning rate: a number above 0 and at most ${L.alphaLr.max} (DARTS uses 0.0003).` };
  }
  if (!intIn(form.seed, L.seed)) return { ok: false, field: 'seed', error: 'Seed: a whole number from 0 to 2147483647.' };
  if (form.limitPerClass != null && !intIn(form.limitPerClass, L.limitPerClass)) {
    return {
      ok: false,
      field: 'limitPerClass',
      error: `Per-class limit: a whole number from ${L.limitPerClass.min} up, or empty for all images.`,
    };
  }
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
    },
  };
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

// ---- epochs -------------------------------------------------------------------------------------------------

/** Union of two lists of epoch snapshots, one per epoch (a later one wins: a resumed job repeats an epoch), in order. */
export function mergeEpochs(existing: readonly SearchEpochData[], incoming: readonly SearchEpochData[]): SearchEpochData[] {
  if (incoming.length === 0) return existing as SearchEpochData[];
  const last = existing[existing.length - 1];
  if (incoming.length === 1 && (!last || incoming[0]!.epoch > last.epoch)) return [...existing, incoming[0]!];
  const byEpoch = new Map<number, SearchEpochData>();
  for (const e of existing) byEpoch.set(e.epoch, e);
  for (const e of incoming) byEpoch.set(e.epoch, e);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}


/** The snapshot a pushed message carries for job `jobId`, else null. */
export function epochFromPush(message: PushMessage, jobId: number): SearchEpochData | null {
  if (message.channel !== 'job.event' || message.jobId !== jobId) return null;
  return message.event.type === 'search-epoch' ? message.event.data : null;
}

// ---- charts -------------------------------------------------------------------------------------------------

export interface SeriesPoint {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  role: 'train' | 'val' | 'other';
  points: SeriesPoint[];
}

export interface SearchCharts {
  loss: Series[];
  accuracy: Series[];
  seconds: Series[];
}

const finite = (v: number): boolean => Number.isFinite(v);

/** Loss and accuracy (train / val, accuracy in %) and seconds per epoch, from the snapshots. */
export function chartsOf(epochs: readonly SearchEpochData[]): SearchCharts {
  const pts = (pick: (e: SearchEpochData) => number, scale = 1): SeriesPoint[] =>
    epochs.filter((e) => finite(pick(e))).map((e) => ({ x: e.epoch, y: pick(e) * scale }));
  return {
    loss: [
      { label: 'train', role: 'train', points: pts((e) => e.trainLoss) },
      { label: 'validation', role: 'val', points: pts((e) => e.valLoss) },
    ],
    accuracy: [
      { label: 'train', role: 'train', points: pts((e) => e.trainAccuracy, 100) },
      { label: 'validation', role: 'val', points: pts((e) => e.valAccuracy, 100) },
    ],
    seconds: [{ label: 'seconds', role: 'other', points: pts((e) => e.seconds) }],
  };
}

// ---- α heatmap ----------------------------------------------------------------------------------------------

/** DARTS node names: inputs 0 and 1 are the cell inputs c_{k-2} and c_{k-1}; 2.. are intermediate nodes 0.. */
export function dartsInputName(input: number): string {
  if (input === 0) return 'c_{k-2}';
  if (input === 1) return 'c_{k-1}';
  return String(input - 2);
}

/**
 * Row labels in α's row order: `c_{k-2} → 0`, `1 → 3` (darts; the arrow points at the intermediate node the edge
 * feeds) or `0 → 1` (nb201, node to node).
 */
export function edgeLabels(space: SearchSpace): string[] {
  if (space === 'darts') return dartsEdgeList().map((e) => `${dartsInputName(e.input)} → ${e.node}`);
  return NB201_EDGE_LIST.map((e) => `${e.from} → ${e.to}`);
}

export type HeatScale = 'absolute' | 'row';

export interface HeatRow {
  label: string;
  values: number[];
  /**
   * Column of the operation the derived cell keeps on this edge, or -1 when the cell drops the edge (a DARTS node
   * keeps its two strongest inputs). Without a genotype: the strongest operation (other than `none` for darts).
   */
  kept: number;
  /** 0..1 per column: the colour's strength. */
  strength: number[];
}

/** Per α row, the column of the operation `genotype` keeps on that edge (-1: edge not kept). */
export function keptColumns(space: SearchSpace, genotype: Genotype | null | undefined, cell: Cell): number[] | null {
  if (!genotype || genotype.space !== space) return null;
  if (genotype.space === 'darts') {
    const edges = dartsEdgeList();
    const out = edges.map(() => -1);
    const genes = cell === 'reduce' ? genotype.reduce : genotype.normal;
    genes.forEach(([op, input], k) => {
      const node = Math.floor(k / 2);
      const row = edges.findIndex((e) => e.node === node && e.input === input);
      if (row >= 0) out[row] = (DARTS_OPS as readonly string[]).indexOf(op);
    });
    return out;
  }
  const out = NB201_EDGE_LIST.map(() => -1);
  genotype.nodes.forEach((into, n) => {
    for (const [op, from] of into) {
      const row = NB201_EDGE_LIST.findIndex((e) => e.to === n + 1 && e.from === from);
      if (row >= 0) out[row] = (NB201_OPS as readonly string[]).indexOf(op);
    }
  });
  return out;
}

/**
 * The heatmap's rows. `absolute` colours by the softmax value itself; `row` stretches each row from its smallest
 * to its largest value, which shows early preferences while α is still close to uniform. `kept` follows the
 * genotype derived from the same snapshot when given.
 */
export function heatRows(
  space: SearchSpace,
  matrix: readonly (readonly number[])[],
  scale: HeatScale,
  kept: readonly number[] | null = null,
): HeatRow[] {
  const labels = edgeLabels(space);
  const none = opsOf(space).indexOf('none');
  return matrix.map((row, i) => {
    const values = [...row];
    let best = -1;
    for (let j = 0; j < values.length; j++) {
      if ((space === 'darts' && j === none) || !finite(values[j]!)) continue;
      if (best < 0 || values[j]! > values[best]!) best = j;
    }
    let strength: number[];
    if (scale === 'row') {
      const lo = Math.min(...values.filter(finite));
      const hi = Math.max(...values.filter(finite));
      strength = values.map((v) => (finite(v) && hi > lo ? (v - lo) / (hi - lo) : 0));
    } else {
      strength = values.map((v) => (finite(v) ? Math.min(1, Math.max(0, v)) : 0));
    }
    return { label: labels[i] ?? `edge ${i}`, values, kept: kept ? (kept[i] ?? -1) : best, strength };
  });
}

/** The α of one cell type in a snapshot (null when the space has no such cell). */
export function alphasOf(alphas: AlphaSnapshot | null | undefined, cell: Cell): number[][] | null {
  if (!alphas) return null;
  return cell === 'normal' ? alphas.normal : (alphas.reduce ?? null);
}

// ---- results and labels -------------------------------------------------------------------------------------

/** The genotype text a search exchanges: DARTS `Genotype(...)` or the NAS-Bench-201 string. */
export function genotypeText(genotype: Genotype): string {
  return formatGenotype(genotype);
}

/** 0..1 -> "87.5 %"; "—" when unknown. */
export function formatAccuracy(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} %`;
}

export function spaceLabel(space: string): string {
  return (SPACE_INFO as Record<string, { label: string } | undefined>)[space]?.label ?? space;
}

export function strategyLabel(strategy: string): string {
  return strategy === 'full' ? 'full' : strategy;
}

/** `job.result` of a finished search, or null when it does not look like one. */
export function parseSearchResult(result: unknown): SearchResult | null {
  if (!result || typeof result !== 'object') return null;
  const r = result as Partial<SearchResult>;
  if (typeof r.genotypeText !== 'string' || !r.genotype || !r.alphas) return null;
  return r as SearchResult;
}

/** The parts of a search job's params the page shows before the search's own record loads. */
export function searchParamsOfJob(job: Pick<JobSummary, 'params'> | null | undefined): {
  datasetId: number | null;
  space: SearchSpace;
  epochs: number | null;
} {
  const p = job?.params ?? {};
  return {
    datasetId: typeof p.datasetId === 'number' ? p.datasetId : null,
    space: p.space === 'nb201' ? 'nb201' : 'darts',
    epochs: typeof p.epochs === 'number' ? p.epochs : null,
  };
}

/** "8 channels, 5 cells, 10 epochs, batch 32, lr 0.025, α lr 0.0003, seed 0, ≤ 200 images per class". */
export function settingsLine(p: {
  space: SearchSpace;
  channels: number;
  cells?: number | undefined;
  epochs: number;
  batch: number;
  lr: number;
  alphaLr: number;
  seed: number;
  limitPerClass: number | null;
}): string {
  const cells = p.cells ?? DEFAULT_CELLS[p.space];
  const cellsText = p.space === 'darts' ? `${cells} ${cells === 1 ? 'cell' : 'cells'}` : `${cells} per stage`;
  const parts = [
    `C = ${p.channels}`,
    cellsText,
    `${p.epochs} ${p.epochs === 1 ? 'epoch' : 'epochs'}`,
    `batch ${p.batch}`,
    `lr ${p.lr}`,
    `α lr ${p.alphaLr}`,
    `seed ${p.seed}`,
    p.limitPerClass == null ? 'all images' : `≤ ${p.limitPerClass} images per class`,
  ];
  return parts.join(', ');
}
