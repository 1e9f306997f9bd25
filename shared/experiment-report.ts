/**
 * The experiment's report, made of its finished children: per cell of the grid the metrics over seeds, the ratios
 * against the reference cell and a significance test of test accuracy; then the same as Markdown (report.md) and the
 * runs as CSV (results.csv). Pure: the report folder (main/experiment/report-folder.ts) writes the files.
 */
import { SCALE_NOTES, PRESET_INFO, type ExperimentPresetId } from './experiment-presets.js';
import { SIGNIFICANCE_LEVEL, summarize, welchTest } from './experiment-stats.js';
import { REPORT_METRICS, STRATEGY_LABELS } from './experiment-defaults.js';
import type {
  CellReport,
  ChildKind,
  ExperimentCell,
  ExperimentNodeState,
  ExperimentParams,
  ExperimentReport,
  ExperimentRun,
  MetricSummary,
  ReportMetric,
} from './experiment.js';
import type { Genotype } from './genotype/ops.js';
import { cellSvg } from './genotype/draw.js';
import { parseDartsGenotype, parseNb201 } from './genotype/text.js';

/** What the report is made of: the plan as it ran and the runs finished so far (an ExperimentResult's parts). */
export interface ReportInput {
  cells: readonly ExperimentCell[];
  reference: string;
  referenceNote: string | null;
  nodes: readonly ExperimentNodeState[];
  runs: readonly ExperimentRun[];
  /** The dataset's number of classes: chance level is one over it. */
  classes: number;
}

/** Seeds a significance test needs in both the cell and the reference. */
export const MIN_SEEDS_FOR_TEST = 3;
/** A mean test accuracy at most this far above 1 / classes is at chance level. */
export const CHANCE_MARGIN = 0.05;

export const SIGNIFICANCE_NOTE = `Significance: Welch's t-test, two-sided, p < ${SIGNIFICANCE_LEVEL}, of each cell's test top-1 over its seeds against the reference cell's (it does not assume equal variances).`;
/** A DDS cell whose searches never replaced an image: its result says nothing about DDS's choice of images. */
export const NOTHING_REPLACED_NOTE = (searches: number): string =>
  `DDS replaced no image in ${searches === 1 ? 'its search' : `any of its ${searches} searches`}: no image of the subset became easy (mean true-class confidence over the hardness window at least h), so the subset stayed the one it started with and the autoencoder played no part. This cell measures DDS's schedule on a fixed subset, not its choice of images; more search epochs, or a lower hardness h, let it replace.`;
export const TOO_FEW_SEEDS_NOTE = `No significance test: run ${MIN_SEEDS_FOR_TEST} or more seeds to test whether the cells differ.`;

const CHILD_WORDS: Record<ChildKind, string> = {
  autoencoder: 'autoencoder training',
  search: 'search',
  evaluate: 'evaluation',
  compress: 'compression study',
};
const FAILED_STATES = new Set<ExperimentNodeState['state']>(['failed', 'cancelled', 'interrupted']);
const PENDING_STATES = new Set<ExperimentNodeState['state']>(['waiting', 'queued', 'running']);

const presetInfo = (preset: string | null) =>
  preset !== null && Object.hasOwn(PRESET_INFO, preset) ? PRESET_INFO[preset as ExperimentPresetId] : null;

/** The report's title: the experiment's name, else its preset and scale, else the strategies it compares. */
export function experimentTitle(params: ExperimentParams): string {
  if (params.name.trim()) return params.name.trim();
  const info = presetInfo(params.preset);
  if (info) return `${info.label} (${params.scale})`;
  return params.strategies.map((s) => STRATEGY_LABELS[s]).join(' vs ');
}

const ratio = (a: MetricSummary | null, b: MetricSummary | null): number | null =>
  a && b && b.mean !== 0 ? a.mean / b.mean : null;

function childNote(n: ExperimentNodeState): string | null {
  const what = `The ${CHILD_WORDS[n.kind]} for seed ${n.seed}`;
  const why = n.message ? `: ${n.message}` : '.';
  if (n.state === 'skipped') return `${what} did not run, as a job it needs did not finish${why}`;
  if (FAILED_STATES.has(n.state)) return `${what} ${n.state === 'failed' ? 'failed' : `was ${n.state}`}${why}`;
  return null;
}

function studyRows(runs: readonly ExperimentRun[]): CellReport['study'] {
  const withStudy = runs.filter((r) => r.study);
  if (withStudy.length === 0) return null;
  type Group = { quality: number; subsampling: string; protocol: string; values: number[]; spreads: number[] };
  const groups = new Map<string, Group>();
  for (const r of withStudy)
    for (const row of r.study!) {
      const key = `${row.protocol}|${row.subsampling}|${row.quality}`;
      let g = groups.get(key);
      if (!g) {
        g = { quality: row.quality, subsampling: row.subsampling, protocol: row.protocol, values: [], spreads: [] };
        groups.set(key, g);
      }
      g.values.push(row.accuracy);
      if (row.groupStd !== null) g.spreads.push(row.groupStd);
    }
  return [...groups.values()]
    .sort(
      (a, b) =>
        a.protocol.localeCompare(b.protocol) || a.subsampling.localeCompare(b.subsampling) || a.quality - b.quality,
    )
    .map(({ values, spreads, ...g }) => ({ ...g, accuracy: summarize(values)!, groupStd: summarize(spreads) }));
}

/** The report of the runs finished so far: complete once every child has. */
export function buildExperimentReport(
  params: ExperimentParams,
  input: ReportInput,
  datasetName: string,
): ExperimentReport {
  const runsOf = (key: string) => input.runs.filter((r) => r.cell === key).sort((a, b) => a.seed - b.seed);
  const metricsOf = (runs: readonly ExperimentRun[]) =>
    Object.fromEntries(
      REPORT_METRICS.map((m) => [m, summarize(runs.map((r) => r[m]).filter((v): v is number => v !== null))]),
    ) as Record<ReportMetric, MetricSummary | null>;
  const refMetrics = metricsOf(runsOf(input.reference));
  const refTest = refMetrics.testAccuracy?.values ?? [];
  const asked = params.seeds.length;
  const chance = input.classes > 0 ? 1 / input.classes : null;

  const cells: CellReport[] = input.cells.map((cell) => {
    const runs = runsOf(cell.key);
    const metrics = cell.key === input.reference ? refMetrics : metricsOf(runs);
    const test = metrics.testAccuracy;
    const notes: string[] = [];
    let significance: CellReport['significance'] = null;
    if (cell.key !== input.reference) {
      const enough = (test?.n ?? 0) >= MIN_SEEDS_FOR_TEST && refTest.length >= MIN_SEEDS_FOR_TEST;
      const w = enough ? welchTest(test!.values, refTest) : null;
      if (w) {
        const { zeroVariance, ...s } = w;
        significance = s;
        if (zeroVariance)
          notes.push(
            'Every seed of this cell, and every seed of the reference, gave the same test top-1: the test has no spread to work with, so its p-value only says whether the two values differ.',
          );
      } else if (asked >= MIN_SEEDS_FOR_TEST)
        notes.push(
          `No significance test: this cell or the reference has fewer than ${MIN_SEEDS_FOR_TEST} seeds with a test top-1.`,
        );
    }
    if (test && chance !== null && test.mean <= chance + CHANCE_MARGIN)
      notes.push(
        `At chance level (${percent(test.mean)} against ${percent(chance)} for ${input.classes} classes): this cell's network learned nothing usable.`,
      );
    const replaced = runs.flatMap((r) => (r.ddsReplaced === null ? [] : [r.ddsReplaced]));
    if (replaced.length > 0 && replaced.every((n) => n === 0)) notes.push(NOTHING_REPLACED_NOTE(replaced.length));
    const measured = test?.n ?? 0;
    const pending = input.nodes.some((n) => n.cells.includes(cell.key) && PENDING_STATES.has(n.state));
    if (measured < asked) notes.push(`Test top-1 from ${measured} of ${asked} seeds${pending ? ' so far' : ''}.`);
    for (const n of input.nodes) {
      const note = n.cells.includes(cell.key) ? childNote(n) : null;
      if (note) notes.push(note);
    }
    return {
      cell,
      runs: measured,
      metrics,
      ratios: {
        testAccuracy: ratio(test, refMetrics.testAccuracy),
        searchSeconds: ratio(metrics.searchSeconds, refMetrics.searchSeconds),
        imagesProcessed: ratio(metrics.imagesProcessed, refMetrics.imagesProcessed),
      },
      significance,
      genotypes: runs.filter((r) => r.genotypeText).map((r) => ({ seed: r.seed, text: r.genotypeText! })),
      study: studyRows(runs),
      notes,
    };
  });

  const failed = input.nodes.filter((n) => FAILED_STATES.has(n.state)).length;
  const skipped = input.nodes.filter((n) => n.state === 'skipped').length;
  const notes: string[] = [];
  if (params.scale === 'quick') notes.push(SCALE_NOTES.quick);
  notes.push(asked < MIN_SEEDS_FOR_TEST ? TOO_FEW_SEEDS_NOTE : SIGNIFICANCE_NOTE);
  if (input.referenceNote) notes.push(input.referenceNote);
  if (failed || skipped)
    notes.push(
      `${failed} of ${input.nodes.length} child jobs failed and ${skipped} did not run because a job they need failed; the cells they feed have fewer seeds (see their notes).`,
    );
  return {
    title: experimentTitle(params),
    datasetName,
    classes: input.classes,
    preset: params.preset,
    scale: params.scale,
    reference: input.reference,
    referenceNote: input.referenceNote,
    cells,
    notes,
    children: { total: input.nodes.length, done: input.nodes.filter((n) => n.state === 'done').length, failed },
  };
}

// ---- formats (the report, its charts and the CSV) -----------------------------------------------------------

/** 0..1 → "97.3 %". */
export const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;

/** An accuracy over seeds: "97.3 ± 0.4 %", "97.3 %" from one seed, "—" without. */
export function accuracyText(s: MetricSummary | null): string {
  if (!s) return '—';
  return s.std === null ? percent(s.mean) : `${(s.mean * 100).toFixed(1)} ± ${(s.std * 100).toFixed(1)} %`;
}

const withStd = (s: MetricSummary, scale: number, digits: number, unit: string): string => {
  const m = (s.mean / scale).toFixed(digits);
  return s.std === null ? `${m}${unit}` : `${m} ± ${(s.std / scale).toFixed(digits)}${unit}`;
};

/** Seconds over seeds in the unit the mean reads best in: "42.0 ± 3.1 s", "3.5 ± 0.2 min", "1.20 ± 0.05 h". */
export function secondsText(s: MetricSummary | null): string {
  if (!s) return '—';
  if (s.mean < 120) return withStd(s, 1, 1, ' s');
  if (s.mean < 7200) return withStd(s, 60, 1, ' min');
  return withStd(s, 3600, 2, ' h');
}

/** A count over seeds: "812 ± 30", "48.2 ± 1.1 k", "3.35 ± 0.02 M". */
export function countText(s: MetricSummary | null): string {
  if (!s) return '—';
  if (s.mean >= 1e6) return withStd(s, 1e6, 2, ' M');
  if (s.mean >= 1e4) return withStd(s, 1e3, 1, ' k');
  return withStd(s, 1, 0, '');
}

/** "×0.31"; "—" when unknown. */
export const ratioText = (r: number | null): string => (r === null ? '—' : `×${r < 10 ? r.toFixed(2) : r.toFixed(1)}`);

/** "0.0057", "< 0.001"; "(significant)" below the level. */
export function pValueText(s: CellReport['significance']): string {
  if (!s) return '—';
  const p = s.p < 0.001 ? '< 0.001' : String(Number(s.p.toPrecision(2)));
  return s.significant ? `${p} (significant)` : p;
}

// ---- report.md -----------------------------------------------------------------------------------------------

/** Text in a Markdown table cell: no pipes or line breaks. */
const md = (s: string): string =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(md).join(' | ')} |`),
  ];
}

/** A genotype from its text (DARTS `Genotype(...)` or a NAS-Bench-201 string), or null when it is neither. */
export function parseGenotypeText(text: string): Genotype | null {
  try {
    return text.trim().startsWith('|') ? parseNb201(text) : parseDartsGenotype(text);
  } catch {
    return null;
  }
}

export interface GenotypeDrawing {
  seed: number;
  part: 'normal' | 'reduce';
  /** The file name without its extension: cell-<cell>-seed<seed>-<part>. */
  name: string;
  svg: string;
}

/**
 * The drawings of every seed's derived genotype in a cell (the report folder holds them as SVG): a DARTS genotype's
 * normal and reduction cells, a NAS-Bench-201 genotype's one cell. Seeds often derive different cells, which is
 * itself a result, so each is drawn.
 */
export function genotypeDrawings(r: CellReport): GenotypeDrawing[] {
  const slug = r.cell.key.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return r.genotypes.flatMap(({ seed, text }) => {
    const g = parseGenotypeText(text);
    if (!g) return [];
    const parts: ('normal' | 'reduce')[] = g.space === 'darts' ? ['normal', 'reduce'] : ['normal'];
    return parts.map((part) => ({
      seed,
      part,
      name: `cell-${slug}-seed${seed}-${part}`,
      svg: cellSvg(g, part, { idPrefix: `g-${slug}-s${seed}` }),
    }));
  });
}

/** The spread of accuracy across groups over seeds, in points: "1.2 ± 0.3 points"; "—" without groups. */
export function groupSpreadText(s: MetricSummary | null): string {
  if (!s) return '—';
  const m = (s.mean * 100).toFixed(1);
  return s.std === null ? `${m} points` : `${m} ± ${(s.std * 100).toFixed(1)} points`;
}

/** The report as Markdown: the grid, one table per group of metrics, genotypes, the study, notes, how to rerun. */
export function reportMarkdown(report: ExperimentReport, params: ExperimentParams): string {
  const info = presetInfo(report.preset);
  const ref = report.cells.find((c) => c.cell.key === report.reference);
  const name = (c: CellReport) => (c.cell.key === report.reference ? `${c.cell.label} (reference)` : c.cell.label);
  const out: string[] = [`# ${md(report.title)}`, ''];
  out.push(`- Dataset: ${md(report.datasetName)}`);
  if (info) {
    out.push(`- Preset: ${info.label} ${info.source}`);
    out.push(`- Compares: ${info.compares}`);
  }
  out.push(`- Scale: ${report.scale}. ${SCALE_NOTES[report.scale]}`);
  out.push(`- Seeds: ${params.seeds.join(', ')}`);
  out.push(`- Reference cell: ${ref ? md(ref.cell.label) : report.reference}`);
  const c = report.children;
  out.push(`- Child jobs: ${c.done} of ${c.total} finished, ${c.failed} failed`);
  out.push('');

  out.push('## Accuracy', '');
  out.push(
    ...table(
      ['Cell', 'Seeds', 'Test top-1', 'Supernet top-1', 'Test top-1 vs reference', 'p-value'],
      report.cells.map((r) => [
        name(r),
        `${r.runs} of ${params.seeds.length}`,
        accuracyText(r.metrics.testAccuracy),
        accuracyText(r.metrics.supernetAccuracy),
        ratioText(r.ratios.testAccuracy),
        pValueText(r.significance),
      ]),
    ),
  );
  out.push(
    '',
    'Mean ± sample standard deviation over seeds. Test top-1: the searched network trained from scratch and tested on the test split; supernet top-1: the search’s final supernet on the same split.',
    '',
  );

  out.push('## Cost', '');
  out.push(
    ...table(
      [
        'Cell',
        'Search time',
        'Images processed',
        'Search time vs reference',
        'Images vs reference',
        'Parameters',
        'Multiply-adds',
      ],
      report.cells.map((r) => [
        name(r),
        secondsText(r.metrics.searchSeconds),
        countText(r.metrics.imagesProcessed),
        ratioText(r.ratios.searchSeconds),
        ratioText(r.ratios.imagesProcessed),
        countText(r.metrics.parameters),
        countText(r.metrics.multiplyAdds),
      ]),
    ),
  );
  out.push(
    '',
    'Images processed: training images the search’s weight steps went through. Parameters and multiply-adds: of the evaluated network.',
    '',
  );

  const withGenotypes = report.cells.filter((r) => r.genotypes.length > 0);
  if (withGenotypes.length) {
    out.push('## Genotypes', '');
    for (const r of withGenotypes) {
      out.push(`### ${md(r.cell.label)}`, '');
      const drawings = genotypeDrawings(r);
      for (const g of r.genotypes) {
        const drawn = drawings.filter((d) => d.seed === g.seed);
        out.push(`Seed ${g.seed}:`, '', '```text', g.text, '```', '');
        if (drawn.length) out.push(drawn.map((d) => `![${d.part} cell, seed ${g.seed}](${d.name}.svg)`).join(' '), '');
      }
    }
  }

  const withStudy = report.cells.filter((r) => r.study?.length);
  if (withStudy.length) {
    const grouped = withStudy.some((r) => r.study!.some((s) => s.groupStd !== null));
    out.push('## Compression study', '');
    out.push(
      ...table(
        ['Cell', 'Protocol', 'JPEG quality', 'Subsampling', 'Top-1', ...(grouped ? ['Group spread'] : []), 'Seeds'],
        withStudy.flatMap((r) =>
          r.study!.map((s) => [
            r.cell.label,
            s.protocol,
            String(s.quality),
            s.subsampling,
            accuracyText(s.accuracy),
            ...(grouped ? [groupSpreadText(s.groupStd)] : []),
            String(s.accuracy.n),
          ]),
        ),
      ),
    );
    out.push(
      '',
      'Protocols [Poyser-thesis §3]: test, trained on originals and tested on compressed images; retrain, trained and tested on compressed images; mixed, trained on a mix of both.' +
        (grouped
          ? ' Group spread: the standard deviation of accuracy across the dataset’s groups, in points — the bias the compression adds or removes; mean ± std over seeds.'
          : ''),
      '',
    );
  }

  const cellNotes = report.cells.filter((r) => r.notes.length);
  const notes = report.notes.filter((n) => n !== SCALE_NOTES[report.scale]);
  if (notes.length || cellNotes.length) {
    out.push('## Notes', '');
    for (const n of notes) out.push(`- ${n}`);
    for (const r of cellNotes) for (const n of r.notes) out.push(`- ${md(r.cell.label)}: ${n}`);
    out.push('');
  }

  out.push('## How to rerun', '');
  out.push(
    '`experiment.json` beside this report holds the grid. With Winnow installed and the same dataset imported (id ' +
      `${params.datasetId} here; edit \`datasetId\` in the file if it differs):`,
    '',
    '```sh',
    'winnow experiment run experiment.json',
    '```',
    '',
    '`results.csv` holds every seed of every cell; the charts come as SVG and PNG.',
    '',
  );
  return out.join('\n');
}

// ---- results.csv ---------------------------------------------------------------------------------------------

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const RUN_COLUMNS = [
  ['test_accuracy', 'testAccuracy'],
  ['supernet_accuracy', 'supernetAccuracy'],
  ['search_seconds', 'searchSeconds'],
  ['images_processed', 'imagesProcessed'],
  ['parameters', 'parameters'],
  ['multiply_adds', 'multiplyAdds'],
] as const satisfies readonly (readonly [string, ReportMetric])[];
const JOB_KINDS: readonly ChildKind[] = ['autoencoder', 'search', 'evaluate', 'compress'];

/**
 * Every run as one CSV line (cells in the grid's order, then seeds): the cell's axes, every metric, the genotype, the
 * compression study's accuracies (one column per protocol × quality × subsampling; group std where measured) and the
 * children's job ids. Accuracies are fractions (0..1), as the app stores them.
 */
export function resultsCsv(runs: readonly ExperimentRun[], cells: readonly ExperimentCell[]): string {
  const order = new Map(cells.map((c, i) => [c.key, i]));
  const sorted = runs
    .filter((r) => order.has(r.cell))
    .sort((a, b) => order.get(a.cell)! - order.get(b.cell)! || a.seed - b.seed);
  const studyKey = (s: { protocol: string; quality: number; subsampling: string }) =>
    `study_${s.protocol}_q${s.quality}_${s.subsampling.replace(/:/g, '')}`;
  const studyCols = new Map<string, boolean>();
  for (const r of sorted)
    for (const s of r.study ?? [])
      studyCols.set(studyKey(s), (studyCols.get(studyKey(s)) ?? false) || s.groupStd !== null);
  const studyHeader = [...studyCols].flatMap(([k, g]) => (g ? [k, `${k}_group_std`] : [k]));
  const header = [
    'cell',
    'label',
    'strategy',
    'algorithm',
    'jpeg_quality',
    'jpeg_stages',
    'baseline',
    'seed',
    ...RUN_COLUMNS.map(([h]) => h),
    'dds_replaced',
    'genotype',
    ...studyHeader,
    ...JOB_KINDS.map((k) => `${k}_job`),
  ];
  const lines = [header.map(csvField).join(',')];
  for (const r of sorted) {
    const cell = cells[order.get(r.cell)!]!;
    const arm = cell.compression;
    const study = new Map<string, number | null>();
    for (const s of r.study ?? []) {
      study.set(studyKey(s), s.accuracy);
      study.set(`${studyKey(s)}_group_std`, s.groupStd);
    }
    const row = [
      cell.key,
      cell.label,
      cell.strategy,
      cell.algorithm,
      arm.stages.length ? arm.quality : null,
      arm.quality === null ? '' : arm.stages.join('+'),
      cell.baseline,
      r.seed,
      ...RUN_COLUMNS.map(([, m]) => r[m]),
      r.ddsReplaced,
      r.genotypeText,
      ...studyHeader.map((k) => study.get(k) ?? null),
      ...JOB_KINDS.map((k) => r.jobs[k] ?? null),
    ];
    lines.push(row.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
