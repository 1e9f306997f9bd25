/**
 * Experiments: a declarative grid (data selection strategy × search algorithm × JPEG compression stage × seed) that
 * expands into child jobs — autoencoder → search → evaluation (→ compression study) — and a report comparing the
 * grid's cells. This module holds the parameters and the expansion; experiment-presets.ts the papers' comparisons,
 * experiment-stats.ts and experiment-report.ts what is made of the finished children.
 */
import { z } from 'zod';
import { AeTrainParams } from './autoencoder.js';
import { BackendChoice } from './backend.js';
import { CompressParams, Subsampling } from './compress.js';
import { BaselineName, EvaluateParams } from './evaluate.js';
import { SearchParams } from './search.js';
import { SearchAlgorithm } from './search-algorithms.js';
import type { JobState } from './jobs.js';
import { Seed } from './seed.js';
import {
  EXPERIMENT_SCALES,
  EXPERIMENT_STAGES,
  EXPERIMENT_STRATEGIES,
  STRATEGY_LABELS,
  armLabel,
  type REPORT_METRICS,
} from './experiment-defaults.js';

export * from './experiment-defaults.js';

export const ExperimentStrategy = z.enum(EXPERIMENT_STRATEGIES);
export type ExperimentStrategy = z.infer<typeof ExperimentStrategy>;

export const ExperimentStage = z.enum(EXPERIMENT_STAGES);
export type ExperimentStage = z.infer<typeof ExperimentStage>;

export const ExperimentScale = z.enum(EXPERIMENT_SCALES);
export type ExperimentScale = z.infer<typeof ExperimentScale>;

/** One arm of the compression axis: a JPEG quality and the stages that see compressed images; none = originals. */
export const CompressionArm = z.object({
  quality: z.number().int().min(1).max(100).nullable().describe('JPEG quality, 1 to 100; empty: the original images'),
  stages: z
    .array(ExperimentStage)
    .max(3)
    .default([])
    .describe('the stages that see compressed images: autoencoder, search, evaluation [Poyser-thesis §6]'),
});
export type CompressionArm = z.infer<typeof CompressionArm>;
export const ORIGINALS: CompressionArm = { quality: null, stages: [] };

/** Keys the grid sets for each child; the settings may not. */
const GRID_KEYS = ['datasetId', 'seed', 'backend'] as const;
/** A child's JPEG stage (shared/jpeg-stage.ts): the compression axis sets it. */
const JPEG_KEYS = ['jpegQuality', 'jpegSubsampling'] as const;

/**
 * Settings every child of one kind shares: a subset of that kind's parameters, checked by the kind's own schema when
 * the grid is refused or started. Nothing is filled in here, so what a child defaults to (a search algorithm's paper
 * settings) stays the child's to decide.
 */
function childSettings(schema: z.ZodObject, gridSets: readonly string[], what: string) {
  const setByGrid = [...GRID_KEYS, ...gridSets];
  const allowed = Object.keys(schema.shape).filter((k) => !setByGrid.includes(k));
  return z
    .record(z.string(), z.unknown())
    .superRefine((settings, ctx) => {
      for (const key of Object.keys(settings))
        if (!allowed.includes(key))
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: setByGrid.includes(key)
              ? `the grid sets "${key}" for each ${what}`
              : `a ${what} has no setting "${key}" (it has: ${allowed.join(', ')})`,
          });
    })
    .default({});
}

/** Search settings every search of the grid shares (strategy, algorithm and seed come from the grid). */
export const ExperimentSearchSettings = childSettings(
  SearchParams,
  ['strategy', 'algorithm', 'autoencoderId', 'balance', ...JPEG_KEYS],
  'search',
);
/** Evaluation settings every evaluation shares (the network comes from the cell's search). */
export const ExperimentEvaluateSettings = childSettings(EvaluateParams, ['source', ...JPEG_KEYS], 'evaluation');
/** Autoencoder settings for DDS's autoencoders (one per seed and compression of the autoencoder stage). */
export const ExperimentAutoencoderSettings = childSettings(AeTrainParams, ['untrained', ...JPEG_KEYS], 'autoencoder');
/** A compression study of every evaluated model (and of the baselines), when asked for [Poyser-thesis §3]. */
export const ExperimentStudySettings = childSettings(CompressParams, ['model'], 'compression study');

export const ExperimentParams = z.object({
  name: z.string().trim().max(120).default('').describe('a name for the experiment; empty: the preset or the grid'),
  datasetId: z.number().int().positive().describe('the dataset every child job runs on'),
  preset: z.string().max(60).nullable().default(null).describe('the preset the grid came from, if any'),
  scale: ExperimentScale.default('quick').describe(
    "quick: minutes, shows the mechanics, not evidence; small: hours on a CPU; paper: the papers' settings, for a GPU",
  ),
  strategies: z
    .array(ExperimentStrategy)
    .min(1)
    .max(EXPERIMENT_STRATEGIES.length)
    .default(['full', 'dds'])
    .describe('the data selection strategies compared [DDS-NAS §5.2] [BDP §4]'),
  algorithms: z.array(SearchAlgorithm).min(1).max(6).default(['darts']).describe('the search algorithms compared'),
  seeds: z
    .array(Seed)
    .min(1)
    .max(10)
    .default([0])
    .describe('each cell runs once per seed; three or more seeds give a significance test'),
  compression: z
    .array(CompressionArm)
    .min(1)
    .max(16)
    .default([ORIGINALS])
    .describe('JPEG quality and the stages it is applied at, one arm each [Poyser-thesis §6]'),
  subsampling: Subsampling.default('4:2:0').describe('the colour subsampling of every compressed stage'),
  baselines: z
    .array(BaselineName)
    .max(2)
    .default([])
    .describe('hand-designed networks evaluated beside the searched ones (their own cells, no search)'),
  search: ExperimentSearchSettings,
  evaluate: ExperimentEvaluateSettings,
  autoencoder: ExperimentAutoencoderSettings,
  /** null: no compression study; else one study per evaluated model (and baseline). */
  study: ExperimentStudySettings.nullable().default(null),
  backend: BackendChoice.default('auto'),
});
export type ExperimentParams = z.infer<typeof ExperimentParams>;
export type ExperimentParamsInput = z.input<typeof ExperimentParams>;

// ---- the grid ---------------------------------------------------------------------------------

export type ChildKind = (typeof CHILD_KINDS)[number];

/**
 * A value in a child's parameters that comes from a finished dependency: the stored autoencoder's id, the search's
 * job id, or the evaluation's stored model id.
 */
export interface NodeRef {
  $from: string;
  take: 'autoencoderId' | 'jobId' | 'modelId';
}
export const isNodeRef = (v: unknown): v is NodeRef =>
  typeof v === 'object' && v !== null && typeof (v as NodeRef).$from === 'string';

/** One cell of the grid: what is compared. A baseline cell has no search. */
export interface ExperimentCell {
  /** Stable key, e.g. `dds/darts/q15@search+evaluation` or `baseline:cnn`. */
  key: string;
  label: string;
  strategy: ExperimentStrategy | null;
  algorithm: SearchAlgorithm | null;
  compression: CompressionArm;
  baseline: z.infer<typeof BaselineName> | null;
}

/** One child job of the plan, before it runs: its parameters may hold NodeRefs to the nodes in `deps`. */
export interface PlanNode {
  /**
   * `<kind>:<hash of its parameters>`: two nodes of one kind and identical parameters (dependencies named by their
   * keys) are one node, so cells that differ only after a stage share that stage's job (a search whose images are
   * only compressed at evaluation is the original search).
   */
  key: string;
  kind: ChildKind;
  /** The cells whose results the node feeds (several where it is shared); empty for an autoencoder. */
  cells: string[];
  seed: number;
  params: Record<string, unknown>;
  deps: string[];
}

export interface ExperimentPlan {
  cells: ExperimentCell[];
  nodes: PlanNode[];
  /** The cell every other is compared with: full data on originals if the grid has it, else the first. */
  reference: string;
  /** Why the reference is what it is, when the grid has no full-data cell on originals. */
  referenceNote: string | null;
}

const armKey = (a: CompressionArm): string =>
  a.quality === null || a.stages.length === 0 ? 'original' : `q${a.quality}@${[...a.stages].sort().join('+')}`;
const compressedAt = (a: CompressionArm, stage: ExperimentStage): boolean =>
  a.quality !== null && a.stages.includes(stage);

/** A child's JPEG stage parameters: the arm's quality where the stage is compressed, else none (the originals). */
function jpegAt(p: ExperimentParams, arm: CompressionArm, stage: ExperimentStage): Record<string, unknown> {
  return compressedAt(arm, stage) ? { jpegQuality: arm.quality, jpegSubsampling: p.subsampling } : {};
}

/** The grid's cells, in the order the axes list them (strategy, then algorithm, then compression arm; baselines last). */
export function experimentCells(p: ExperimentParams): ExperimentCell[] {
  const cells: ExperimentCell[] = [];
  const arms = uniqueArms(p.compression);
  for (const strategy of p.strategies)
    for (const algorithm of p.algorithms)
      for (const arm of arms) {
        const parts = [STRATEGY_LABELS[strategy]];
        if (p.algorithms.length > 1) parts.push(algorithm);
        if (arms.length > 1) parts.push(armLabel(arm));
        cells.push({
          key: `${strategy}/${algorithm}/${armKey(arm)}`,
          label: parts.join(', '),
          strategy,
          algorithm,
          compression: arm,
          baseline: null,
        });
      }
  for (const baseline of p.baselines)
    for (const arm of arms)
      cells.push({
        key: `baseline:${baseline}/${armKey(arm)}`,
        label: arms.length > 1 ? `Baseline ${baseline}, ${armLabel(arm)}` : `Baseline ${baseline}`,
        strategy: null,
        algorithm: null,
        compression: arm,
        baseline,
      });
  return cells;
}

function uniqueArms(arms: readonly CompressionArm[]): CompressionArm[] {
  const seen = new Map<string, CompressionArm>();
  for (const a of arms) if (!seen.has(armKey(a))) seen.set(armKey(a), a);
  return [...seen.values()];
}

/**
 * Expands the grid into child jobs with their dependencies: per seed and cell, an autoencoder for DDS (one per
 * compression of the autoencoder stage), a search, an evaluation of its genotype and, when asked, a compression study
 * of the evaluated model. Baseline cells are evaluated (and studied) without a search. Nodes of identical parameters
 * are one node (see PlanNode.key).
 */
export function expandExperiment(p: ExperimentParams): ExperimentPlan {
  const cells = experimentCells(p);
  const nodes: PlanNode[] = [];
  const byKey = new Map<string, PlanNode>();
  const add = (kind: ChildKind, cell: string | null, seed: number, params: Record<string, unknown>, deps: string[]) => {
    const key = `${kind}:${hashText(canonicalJson(params))}`;
    let node = byKey.get(key);
    if (!node) {
      node = { key, kind, cells: [], seed, params, deps };
      byKey.set(key, node);
      nodes.push(node);
    }
    if (cell && !node.cells.includes(cell)) node.cells.push(cell);
    return node;
  };
  const ref = (node: PlanNode, take: NodeRef['take']): NodeRef => ({ $from: node.key, take });
  const common = { datasetId: p.datasetId, backend: p.backend };
  for (const seed of p.seeds) {
    for (const cell of cells) {
      const arm = cell.compression;
      const evaluation = (source: Record<string, unknown>, deps: string[]) =>
        add(
          'evaluate',
          cell.key,
          seed,
          { ...p.evaluate, ...common, seed, source, ...jpegAt(p, arm, 'evaluation') },
          deps,
        );
      let evaluate: PlanNode;
      if (cell.baseline) {
        evaluate = evaluation({ kind: 'baseline', name: cell.baseline }, []);
      } else {
        const strategy = cell.strategy!;
        const searchParams: Record<string, unknown> = {
          ...p.search,
          ...common,
          seed,
          strategy: strategy === 'bdp-no-balance' ? 'bdp' : strategy,
          algorithm: cell.algorithm,
          ...(strategy === 'bdp-no-balance' ? { balance: false } : {}),
          ...jpegAt(p, arm, 'search'),
        };
        const deps: string[] = [];
        if (strategy === 'dds') {
          const ae = add(
            'autoencoder',
            null,
            seed,
            { ...p.autoencoder, ...common, seed, ...jpegAt(p, arm, 'autoencoder') },
            [],
          );
          delete searchParams.trainAutoencoderEpochs;
          searchParams.autoencoderId = ref(ae, 'autoencoderId');
          deps.push(ae.key);
        }
        const search = add('search', cell.key, seed, searchParams, deps);
        evaluate = evaluation({ kind: 'search', jobId: ref(search, 'jobId') }, [search.key]);
      }
      if (p.study)
        add(
          'compress',
          cell.key,
          seed,
          { ...p.study, ...common, seed, model: { kind: 'model', modelId: ref(evaluate, 'modelId') } },
          [evaluate.key],
        );
    }
  }
  const original = cells.find((c) => c.strategy === 'full' && armKey(c.compression) === 'original');
  const reference = original ?? cells[0]!;
  return {
    cells,
    nodes,
    reference: reference.key,
    referenceNote: original
      ? null
      : `The grid has no full-data search on the original images, so every cell is compared with "${reference.label}".`,
  };
}

/** A short stable hash of a text (FNV-1a, 2 × 32 bits): node keys, not security. */
function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** A child's parameters with its NodeRefs replaced by its dependencies' values (`values[node key][take]`). */
export function resolveRefs(
  params: Record<string, unknown>,
  values: ReadonlyMap<string, Partial<Record<NodeRef['take'], number>>>,
): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (isNodeRef(v)) {
      const got = values.get(v.$from)?.[v.take];
      if (got === undefined) throw new Error(`${v.$from} has not given its ${v.take} yet.`);
      return got;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(params) as Record<string, unknown>;
}

/** JSON with object keys sorted at every level: two equal parameter sets give one string (content addressing). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

// ---- what the experiment job reports ------------------------------------------------------------

export const CHILD_KINDS = ['autoencoder', 'search', 'evaluate', 'compress'] as const;
export const NODE_STATES = [
  'waiting',
  'queued',
  'running',
  'done',
  'failed',
  'cancelled',
  'interrupted',
  'skipped',
] as const;

/** A child node's state as the experiment's events and result show it. */
export const ExperimentNodeState = z.object({
  key: z.string(),
  kind: z.enum(CHILD_KINDS),
  cells: z.array(z.string()),
  seed: z.number().int(),
  /** The child job once started (or reused); null while it waits for its dependencies. */
  jobId: z.number().int().nullable(),
  state: z.enum(NODE_STATES),
  /** A finished job with identical parameters was reused instead of running again. */
  reused: z.boolean(),
  /** Why it failed, or why it was skipped (a dependency did not finish). */
  message: z.string().nullable(),
});
export type ExperimentNodeState = z.infer<typeof ExperimentNodeState>;

/** The measurements of one cell at one seed, read from its finished children. */
export interface ExperimentRun {
  cell: string;
  seed: number;
  /** The evaluated network's top-1 on the test split (0..1). */
  testAccuracy: number | null;
  /** The final supernet's top-1 on the test split (0..1); null for baselines. */
  supernetAccuracy: number | null;
  searchSeconds: number | null;
  /** Training images the search's weight steps processed. */
  imagesProcessed: number | null;
  /**
   * Images DDS replaced over the search (dds, dds-untrained): 0 means the subset never changed, so the autoencoder
   * played no part. null for other strategies, and where the search's epochs are not on record.
   */
  ddsReplaced: number | null;
  parameters: number | null;
  multiplyAdds: number | null;
  genotypeText: string | null;
  /** The study's accuracy rows (quality, subsampling, protocol → accuracy), when a study ran. */
  study: { quality: number; subsampling: string; protocol: string; accuracy: number; groupStd: number | null }[] | null;
  /** Job ids of the run's children, by kind. */
  jobs: Partial<Record<ChildKind, number>>;
}

/** The experiment job's result: the plan as it ran, and one run per (cell, seed) that has finished children. */
export interface ExperimentResult {
  cells: ExperimentCell[];
  reference: string;
  referenceNote: string | null;
  nodes: ExperimentNodeState[];
  runs: ExperimentRun[];
  seconds: number;
  /** The report folder's files, relative to the job folder (report.md, results.csv, experiment.json, charts). */
  reportDir: string;
}

// ---- the report --------------------------------------------------------------------------------

export type ReportMetric = (typeof REPORT_METRICS)[number];

/** A metric over a cell's seeds: mean, sample standard deviation (null below two values) and the values. */
export interface MetricSummary {
  mean: number;
  std: number | null;
  n: number;
  values: number[];
}

/** A cell's test accuracy against the reference's: Welch's t-test, two-sided, when both have ≥ 3 seeds. */
export interface Significance {
  test: 'welch-t';
  t: number;
  df: number;
  p: number;
  /** p < 0.05 */
  significant: boolean;
}

export interface CellReport {
  cell: ExperimentCell;
  /** Seeds whose children all finished. */
  runs: number;
  metrics: Record<ReportMetric, MetricSummary | null>;
  /** Mean of this cell over mean of the reference cell (null where either is missing). */
  ratios: { testAccuracy: number | null; searchSeconds: number | null; imagesProcessed: number | null };
  significance: Significance | null;
  genotypes: { seed: number; text: string }[];
  /**
   * Compression study rows over the seeds, when a study ran; groupStd: the spread of accuracy across the dataset's
   * groups (its bias [Poyser-thesis §3]), over the seeds, null where the dataset has no groups.
   */
  study:
    | {
        quality: number;
        subsampling: string;
        protocol: string;
        accuracy: MetricSummary;
        groupStd: MetricSummary | null;
      }[]
    | null;
  /** What a reader must know about this cell (at chance level, a failed seed…). */
  notes: string[];
}

export interface ExperimentReport {
  title: string;
  datasetName: string;
  /** The dataset's classes: chance level is one over it (the charts draw it). */
  classes: number;
  preset: string | null;
  scale: ExperimentScale;
  reference: string;
  referenceNote: string | null;
  cells: CellReport[];
  /** Whole-report remarks: the quick scale is not evidence, too few seeds for a test, failed children. */
  notes: string[];
  /** Children planned / finished / failed. */
  children: { total: number; done: number; failed: number };
}

// ---- what the API gives the Experiments page and the CLI -------------------------------------------

/** The plan shown before Start: the cells, the child jobs by kind, and what the grid will cost. */
export interface ExperimentPlanView {
  cells: ExperimentCell[];
  jobs: Record<ChildKind, number> & { total: number };
  /** Children a finished job with identical parameters already answers (they will not run again). */
  reused: number;
  /** Seconds for the children that will run, from each kind's estimate; null when no estimate could be made. */
  seconds: number | null;
  /** Why the estimate is missing or rough, in a sentence. */
  estimateNote: string | null;
  referenceNote: string | null;
}

export interface ExperimentSummary {
  jobId: number;
  state: JobState;
  name: string;
  preset: string | null;
  scale: ExperimentScale;
  datasetId: number;
  datasetName: string | null;
  cells: number;
  children: { total: number; done: number; failed: number };
  createdAt: number;
  seconds: number | null;
}

export interface ExperimentDetail {
  summary: ExperimentSummary;
  params: ExperimentParams;
  nodes: ExperimentNodeState[];
  /** Built from the children finished so far (complete once the experiment is done); null before any has. */
  report: ExperimentReport | null;
}
