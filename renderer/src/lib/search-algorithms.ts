/**
 * The search algorithms on the Search page: the selector's choices (SEARCH_ALGORITHM_INFO and the algorithm's
 * parameters, both from shared/search.ts through the zod-free shared/generated/params.ts), the part of the form
 * each algorithm owns, and what a run's view draws from its epochs' `algorithm` schedule and α snapshot. Nothing
 * here names the list of algorithms: a new one in shared/search.ts shows up with its own parameters, which are
 * the schema fields whose help starts with its name ("gdas: ..."). Pure; no DOM, no store.
 *
 * The epoch record's `algorithm` numbers this page reads (SearchEpochData in shared/search.ts):
 * - gdas: `tau`, the Gumbel-softmax temperature of the epoch;
 * - beta-darts: `betaDecayLambda`, the epoch's weight λ of the Beta-Decay regulariser;
 * - pc-darts (and β-DARTS on it), any algorithm with α warm-up epochs: `alphaFrozen`, 1 while only the weights train;
 * - p-darts: `stage` (1, 2, ...), `stages` (how many in all), `stageCells` (cells of that stage's supernet),
 *   `stageOps` (operations left on each edge in that stage) and `skipDropout` (the epoch's dropout rate on
 *   skip-connections).
 * Any other number is drawn as one more curve over the epochs. Every field may be absent.
 */
import type { AlphaSnapshot, SearchAlgorithm, SearchEpochData, SearchSpace } from '../../../shared/search.js';
import type { ParamDescription } from '../../../shared/param-description.js';
import { SEARCH_ALGORITHM_INFO, SEARCH_PARAMS } from '../../../shared/generated/params.js';
import { NB201_EDGE_LIST, dartsEdgeList } from '../../../shared/genotype/ops.js';
import { SPACE_NAMES } from '../../../shared/search-defaults.js';
import { passes, ruleOf, ruleText, stepOf, type NumberRule } from './naswot-dsm-fields.js';
import { dartsInputName } from './search-alpha.js';
import { finite, type Series } from './search-curves.js';

export interface AlgorithmInfo {
  label: string;
  /** One line: what the algorithm does differently. */
  summary: string;
  /** Its paper's key in docs/REFERENCES.md. */
  reference: string;
  /** The spaces it is defined on. */
  spaces: readonly string[];
  /** The paper's batch and learning rates where they differ from DARTS' (the form switches to them). */
  paperSettings?: { batch?: number; lr?: number; alphaLr?: number };
}

const PARAMS: Readonly<Record<string, ParamDescription>> = SEARCH_PARAMS;
const INFO: Readonly<Record<string, AlgorithmInfo | undefined>> = SEARCH_ALGORITHM_INFO;

/** The algorithms in the schema's order. */
export const ALGORITHMS = SEARCH_PARAMS.algorithm.values as readonly SearchAlgorithm[];
export const DEFAULT_ALGORITHM = SEARCH_PARAMS.algorithm.default as SearchAlgorithm;

export function algorithmInfo(algorithm: string): AlgorithmInfo {
  return INFO[algorithm] ?? { label: algorithm, summary: '', reference: '', spaces: Object.keys(SPACE_NAMES) };
}

/** A sentence from a lower-case clause ("one operation per edge ..." -> "One operation per edge ..."). */
function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return `${t[0]!.toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

/** The algorithm's one-line explanation as a sentence. */
export function algorithmAbout(algorithm: string): string {
  return sentence(algorithmInfo(algorithm).summary);
}

/** Why the algorithm is not offered on this space (shown on its disabled card), or null when it is. */
export function algorithmRefusal(algorithm: string, space: SearchSpace): string | null {
  const info = algorithmInfo(algorithm);
  if (info.spaces.includes(space)) return null;
  const on = info.spaces.map((s) => SPACE_NAMES[s as SearchSpace] ?? s).join(' and ');
  return `${info.label} is defined on the ${on} space only; choose ${info.spaces.length > 1 ? 'one of those' : 'that space'} to use it.`;
}

/** The reason on a disabled card, short: "Only on the DARTS space" (null when the space offers it). */
export function algorithmUnavailable(algorithm: string, space: SearchSpace): string | null {
  if (algorithmRefusal(algorithm, space) === null) return null;
  const on = algorithmInfo(algorithm).spaces.map((s) => SPACE_NAMES[s as SearchSpace] ?? s);
  return `Only on the ${on.join(' and ')} space${on.length > 1 ? 's' : ''}`;
}

/** The algorithm to keep when the space changes: the chosen one if the space offers it, else the default. */
export function algorithmForSpace(algorithm: SearchAlgorithm, space: SearchSpace): SearchAlgorithm {
  return algorithmRefusal(algorithm, space) === null ? algorithm : DEFAULT_ALGORITHM;
}

// ---- the algorithm's own fields -------------------------------------------------------------------------------

/** Fields whose help starts with a space's name, not an algorithm's ("darts: cells ..."): the form's own. */
const FORM_FIELDS = new Set(['cells']);

/** Schema fields an algorithm uses without being named in their help (the α warm-up applies to any algorithm). */
const ALSO_USES: Readonly<Record<string, readonly string[]>> = {
  'pc-darts': ['alphaWarmupEpochs'],
  'beta-darts': ['alphaWarmupEpochs'],
  'p-darts': ['alphaWarmupEpochs'],
};

/** Labels of the known fields; a new field is labelled from its key ("stageCells" -> "Stage cells"). */
const LABELS: Readonly<Record<string, string>> = {
  partialChannels: 'Partial channels K',
  alphaWarmupEpochs: 'α warm-up epochs',
  betaDecayLambda: 'Final weight λ',
  betaDecayOn: 'Added to',
  tauMax: 'Start temperature τ',
  tauMin: 'End temperature τ',
  stages: 'Stages',
  stageCells: 'Cells per stage',
  stageOps: 'Operations per edge, per stage',
  skipDropout: 'Skip dropout per stage',
};

function labelOf(key: string): string {
  return LABELS[key] ?? sentence(key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)).replace(/\.$/, '');
}

/** A field's value in the form: a list field holds its text. */
export type AlgorithmValue = number | string | boolean | null;

export interface AlgorithmField {
  key: string;
  label: string;
  /** The schema's help as a sentence, without the algorithm's name in front. */
  help: string;
  /** list: numbers written one after another ("5, 11, 17"), each within `rule`; empty = the engine's default. */
  type: 'number' | 'choice' | 'switch' | 'list';
  /** number (list: each item): its limits; an empty field stands for the default when `rule.empty` is set. */
  rule?: NumberRule<string>;
  /** list: the items must stay below `rule.max`. */
  belowMax?: boolean;
  step?: string;
  /** choice: the values and their labels (an algorithm's name reads as its label). */
  choices?: { value: string; label: string }[];
  testid: string;
}

/** The schema fields the algorithm owns, in the schema's order, then those it shares. */
export function algorithmFieldKeys(algorithm: string): string[] {
  const own = Object.values(PARAMS)
    .filter((d) => !FORM_FIELDS.has(d.key) && d.description?.startsWith(`${algorithm}:`))
    .map((d) => d.key);
  return [...own, ...(ALSO_USES[algorithm] ?? []).filter((k) => PARAMS[k] && !own.includes(k))];
}

/** The algorithm's own form fields, described by the schema (labels above, limits and help from it). */
export function algorithmFields(algorithm: string): AlgorithmField[] {
  return algorithmFieldKeys(algorithm).map((key) => {
    const d = PARAMS[key]!;
    const help = sentence((d.description ?? '').replace(new RegExp(`^${algorithm}:\\s*`), ''));
    const label = labelOf(key);
    const testid = `search-algo-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (d.type === 'enum') {
      const choices = (d.values ?? []).map((v) => ({ value: v, label: INFO[v]?.label ?? v }));
      return { key, label, help, type: 'choice', choices, testid };
    }
    if (d.type === 'boolean') return { key, label, help, type: 'switch', testid };
    if (d.type === 'list') {
      const rule = ruleOf(key, label, { ...d, type: d.item ?? 'number', nullable: false });
      return { key, label, help, type: 'list', rule, belowMax: d.exclusiveMax === true, testid };
    }
    // optional without a default: empty = the engine picks (its help says what)
    const empty = d.default === undefined ? { means: 'the default', placeholder: 'default' } : undefined;
    const rule = ruleOf(key, label, { ...d, nullable: d.nullable || empty !== undefined }, empty);
    return { key, label, help, type: 'number', rule, step: stepOf(rule), testid };
  });
}

/** Every algorithm's fields at the schema's defaults (null: empty, the engine's default). */
export function defaultAlgorithmValues(): Record<string, AlgorithmValue> {
  const out: Record<string, AlgorithmValue> = {};
  for (const a of ALGORITHMS) {
    for (const key of algorithmFieldKeys(a)) out[key] = (PARAMS[key]!.default as AlgorithmValue | undefined) ?? null;
  }
  return out;
}

/** Checks across fields the schema cannot state (the engine refuses them too, in other words). */
const CROSS_CHECKS: Readonly<
  Record<string, (v: Record<string, AlgorithmValue>) => { field: string; error: string } | null>
> = {
  gdas: (v) =>
    typeof v.tauMax === 'number' && typeof v.tauMin === 'number' && v.tauMin >= v.tauMax
      ? { field: 'tauMin', error: 'End temperature τ: below the start one — it is lowered over the epochs.' }
      : null,
};

type AlgorithmParamsOut = { algorithm: SearchAlgorithm } & Record<string, AlgorithmValue | number[]>;

export type AlgorithmBuild = { ok: true; params: AlgorithmParamsOut } | { ok: false; field: string; error: string };

/**
 * The algorithm and its own parameters for `jobs.start` (other algorithms' fields are left out, so a search's
 * recorded settings hold only what it used; an empty optional field is left to the engine), or the first problem.
 */
export function algorithmParams(form: {
  algorithm: SearchAlgorithm;
  space: SearchSpace;
  algorithmValues: Readonly<Record<string, AlgorithmValue>>;
}): AlgorithmBuild {
  const refusal = algorithmRefusal(form.algorithm, form.space);
  if (refusal) return { ok: false, field: 'algorithm', error: refusal };
  const params: AlgorithmParamsOut = { algorithm: form.algorithm };
  for (const f of algorithmFields(form.algorithm)) {
    const v = form.algorithmValues[f.key] ?? null;
    if (f.type === 'number') {
      const value = typeof v === 'number' ? v : null;
      if (!passes(f.rule!, value)) return { ok: false, field: f.key, error: `${f.label}: ${ruleText(f.rule!)}.` };
      if (value !== null) params[f.key] = value;
    } else if (f.type === 'choice') {
      if (typeof v !== 'string' || !f.choices!.some((c) => c.value === v))
        return { ok: false, field: f.key, error: `${f.label}: choose one of the options.` };
      params[f.key] = v;
    } else if (f.type === 'list') {
      const list = listValue(f, typeof v === 'string' ? v : '');
      if (!list.ok) return { ok: false, field: f.key, error: list.error };
      if (list.value !== null) params[f.key] = list.value;
    } else if (typeof v === 'boolean') params[f.key] = v;
  }
  const cross = CROSS_CHECKS[form.algorithm]?.(params as Record<string, AlgorithmValue>);
  return cross ? { ok: false, ...cross } : { ok: true, params };
}

/** A list field's text as numbers (null when empty: the engine's default), or what is wrong with it. */
export function listValue(
  f: Pick<AlgorithmField, 'label' | 'rule' | 'belowMax'>,
  text: string,
): { ok: true; value: number[] | null } | { ok: false; error: string } {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { ok: true, value: null };
  const rule = f.rule!;
  const value = parts.map(Number);
  const bad = value.some((x) => !passes(rule, x) || (f.belowMax === true && x >= rule.max));
  if (!bad) return { ok: true, value };
  const each = f.belowMax ? ruleText(rule).replace(/ to ([\d.]+)$/, ', below $1') : ruleText(rule);
  return { ok: false, error: `${f.label}: numbers separated by commas, each ${each}; or empty for the default.` };
}

// ---- a run's view -------------------------------------------------------------------------------------------

/** The run's algorithm: its parameter, or first-order DARTS for searches recorded before there was a choice. */
export function runAlgorithm(params: { algorithm?: string | null } | null | undefined): SearchAlgorithm {
  const a = params?.algorithm;
  return a && (ALGORITHMS as readonly string[]).includes(a) ? (a as SearchAlgorithm) : DEFAULT_ALGORITHM;
}

/** The run's own algorithm settings as label and value ("Start τ", "10"); empty optional ones read "default". */
export function algorithmSettings(
  algorithm: string,
  params: Readonly<Record<string, unknown>> | null | undefined,
): { key: string; label: string; value: string }[] {
  return algorithmFields(algorithm).map((f) => {
    const v = params?.[f.key];
    const value =
      v === undefined || v === null
        ? 'default'
        : f.type === 'choice'
          ? (f.choices!.find((c) => c.value === v)?.label ?? String(v))
          : f.type === 'switch'
            ? v
              ? 'on'
              : 'off'
            : Array.isArray(v)
              ? v.join(', ')
              : String(v);
    return { key: f.key, label: f.label, value };
  });
}

/** The epochs' schedule numbers this page draws in its own way, not as a plain curve. */
const DRAWN_APART = new Set(['alphaFrozen', 'stage', 'stages', 'stageCells', 'stageOps']);

/** What the schedule curves are called, and what each number means in a line. */
const SCHEDULE_LABELS: Readonly<Record<string, { title: string; about: string }>> = {
  tau: {
    // no Greek in a chart's title: its upper-case label would turn τ into a T
    title: 'Temperature',
    about:
      'How soft the Gumbel-softmax is: high τ spreads the gradient over every operation, low τ follows the sampled one.',
  },
  skipDropout: {
    title: 'Skip-connection dropout',
    about: 'The share of skip-connection outputs dropped in training, so the search does not settle on skips early.',
  },
  betaDecayLambda: {
    title: 'Beta-Decay weight',
    about: 'How strongly the regulariser keeps each edge’s operation weights from drifting apart; it rises each epoch.',
  },
};

export interface ScheduleChart {
  key: string;
  title: string;
  about: string;
  series: Series[];
}

/** One chart per schedule number the epochs carry (τ, λ, anything new), in the order they first appear. */
export function scheduleCharts(epochs: readonly Pick<SearchEpochData, 'epoch' | 'algorithm'>[]): ScheduleChart[] {
  const keys: string[] = [];
  for (const e of epochs) for (const k of Object.keys(e.algorithm ?? {})) if (!keys.includes(k)) keys.push(k);
  return keys
    .filter((k) => !DRAWN_APART.has(k))
    .map((key) => {
      const points = epochs
        .filter((e) => finite(e.algorithm?.[key] ?? NaN))
        .map((e) => ({ x: e.epoch, y: e.algorithm![key]! }));
      const known = SCHEDULE_LABELS[key];
      const title = known?.title ?? labelOf(key);
      return { key, title, about: known?.about ?? '', series: [{ label: title, role: 'train' as const, points }] };
    })
    .filter((c) => c.series[0]!.points.length > 0);
}

/** Runs of consecutive epochs with α frozen (the warm-up that trains only the weights), as first..last. */
export function frozenRanges(epochs: readonly Pick<SearchEpochData, 'epoch' | 'algorithm'>[]): [number, number][] {
  const out: [number, number][] = [];
  for (const e of epochs) {
    if (e.algorithm?.alphaFrozen !== 1) continue;
    const last = out[out.length - 1];
    if (last && last[1] === e.epoch - 1) last[1] = e.epoch;
    else out.push([e.epoch, e.epoch]);
  }
  return out;
}

/** Epoch ranges in words: "epochs 1–3", "epoch 5", "epochs 1–2 and 7". */
export function rangesText(ranges: readonly [number, number][]): string {
  if (ranges.length === 0) return 'no epochs';
  const parts = ranges.map(([a, b]) => (a === b ? String(a) : `${a}–${b}`));
  const many = ranges.length > 1 || ranges[0]![0] !== ranges[0]![1];
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `${many ? 'epochs' : 'epoch'} ${list}`;
}

export interface EdgeWeightNode {
  /** The node the edges feed ("0".."3"). */
  node: string;
  /** Its input edges: where each comes from and its weight (the node's weights sum to 1). */
  inputs: { from: string; weight: number }[];
}

/**
 * PC-DARTS' edge weights grouped by the node they feed: each node's row is the softmax of β over its input edges
 * ([PC-DARTS] §3.3). `weights` is one number per edge in the space's edge order (AlphaSnapshot.edges).
 */
export function edgeWeightsByNode(space: SearchSpace, weights: readonly number[] | null | undefined): EdgeWeightNode[] {
  if (!weights || weights.length === 0) return [];
  const edges =
    space === 'darts'
      ? dartsEdgeList().map((e) => ({ node: String(e.node), from: dartsInputName(e.input) }))
      : NB201_EDGE_LIST.map((e) => ({ node: String(e.to), from: String(e.from) }));
  const nodes: EdgeWeightNode[] = [];
  edges.forEach((e, i) => {
    const w = weights[i];
    if (w === undefined) return;
    let n = nodes.find((x) => x.node === e.node);
    if (!n) nodes.push((n = { node: e.node, inputs: [] }));
    n.inputs.push({ from: e.from, weight: w });
  });
  return nodes;
}

/** The edge weights of one cell type, if the snapshot has them. */
export function edgeWeightsOf(alphas: AlphaSnapshot | null | undefined, cell: 'normal' | 'reduce'): number[] | null {
  return alphas?.edges?.[cell] ?? null;
}

export interface LikeliestOp {
  /** The row's strongest column, its operation's name (null when the row is empty or has no finite value). */
  op: string | null;
  column: number;
  /** Its share: the chance GDAS' hard sample computes it on a step (the Gumbel-max sample follows softmax α). */
  share: number;
  /** Another operation is as likely, within 0.1 percentage point (α has no preference on the edge yet). */
  tied: boolean;
}

/**
 * Per edge, the operation GDAS samples most often and how often: its forward pass computes one operation per edge,
 * drawn by the Gumbel-max trick, whose draws follow softmax(α) — the heatmap's row — whatever the temperature.
 */
export function likeliestOps(matrix: readonly (readonly number[])[], ops: readonly string[]): LikeliestOp[] {
  return matrix.map((row) => {
    let column = -1;
    row.forEach((v, j) => {
      if (finite(v) && (column < 0 || v > row[column]!)) column = j;
    });
    if (column < 0) return { op: null, column, share: 0, tied: false };
    const share = row[column]!;
    const tied = row.some((v, j) => j !== column && finite(v) && Math.abs(v - share) < 1e-3);
    return { op: ops[column] ?? null, column, share, tied };
  });
}

export interface Stage {
  stage: number;
  /** How many stages the run has in all, when the epochs say. */
  of: number | null;
  from: number;
  to: number;
  /** Cells of the stage's supernet. */
  cells: number | null;
  /** Operations left on each edge in the stage. */
  ops: number | null;
}

/** P-DARTS' stages over the epochs (consecutive epochs with one `stage`); empty when the epochs carry none. */
export function stageTimeline(epochs: readonly Pick<SearchEpochData, 'epoch' | 'algorithm'>[]): Stage[] {
  const out: Stage[] = [];
  const num = (v: number | undefined): number | null => (v !== undefined && finite(v) ? v : null);
  for (const e of epochs) {
    const a = e.algorithm;
    const stage = num(a?.stage);
    if (stage === null) continue;
    const last = out[out.length - 1];
    if (last && last.stage === stage && last.to === e.epoch - 1) {
      last.to = e.epoch;
      last.cells ??= num(a?.stageCells);
      last.ops ??= num(a?.stageOps);
      last.of ??= num(a?.stages);
    } else {
      out.push({
        stage,
        of: num(a?.stages),
        from: e.epoch,
        to: e.epoch,
        cells: num(a?.stageCells),
        ops: num(a?.stageOps),
      });
    }
  }
  return out;
}

/** What a stage did, in words: "5 cells, 8 operations per edge". */
export function stageText(s: Stage): string {
  const parts: string[] = [];
  if (s.cells !== null) parts.push(`${s.cells} cell${s.cells === 1 ? '' : 's'}`);
  if (s.ops !== null) parts.push(`${s.ops} operation${s.ops === 1 ? '' : 's'} per edge`);
  return parts.join(', ');
}

/** Mean seconds per epoch, over epochs that report a time (null without any). */
export function meanEpochSeconds(epochs: readonly Pick<SearchEpochData, 'seconds'>[]): number | null {
  const s = epochs.map((e) => e.seconds).filter((x) => finite(x));
  return s.length ? s.reduce((a, b) => a + b, 0) / s.length : null;
}

// ---- the papers ---------------------------------------------------------------------------------------------

export interface Paper {
  authors: string;
  title: string;
  venue: string;
  year: string;
}

/** docs/REFERENCES.md's table as key -> paper (rows `| [KEY] | authors | title | venue | year |`). */
export function parseReferences(markdown: string): Record<string, Paper> {
  const out: Record<string, Paper> = {};
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*\[([^\]]+)\]\s*\|([^|]*)\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$/.exec(line);
    if (!m) continue;
    const [, key, authors, title, venue, year] = m.map((s) => s.trim()) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    out[key] = { authors, title, venue, year };
  }
  return out;
}

/** A paper in one line: "Xuanyi Dong, Yi Yang: Searching for ... — CVPR 2019" (first author et al. past two). */
export function paperLine(p: Paper): string {
  const names = p.authors.split(',').map((s) => s.trim());
  const authors = names.length > 2 ? `${names[0]} et al.` : names.join(' and ');
  // the table also names the authors' code in brackets after the title: the page needs only the paper
  const title = p.title.replace(/\s*\(and its code[^)]*\)\s*$/, '').replace(/`/g, '');
  const when = [p.venue, p.year === '—' ? '' : p.year].filter(Boolean).join(' ');
  return `${authors}: ${title}${when ? ` — ${when}` : ''}`;
}

/** A label cut where Greek letters start and end, so a form can keep them lower case in an upper-case label. */
export function greekParts(label: string): { text: string; greek: boolean }[] {
  return (label.match(/[\u0370-\u03ff]+|[^\u0370-\u03ff]+/g) ?? []).map((text) => ({
    text,
    greek: /[\u0370-\u03ff]/.test(text),
  }));
}
