/**
 * renderer/src/lib/experiments.ts: the Experiments page's form (presets, custom grids, refusals), the parameters it
 * builds (held to the zod schema and expanded, as the host does), the plan and the children in words, the report's
 * table and the page's route.
 */
import { describe, expect, it } from 'vitest';
import {
  EXPERIMENT_SCALES,
  ExperimentParams,
  expandExperiment,
  type CellReport,
  type ExperimentCell,
  type ExperimentNodeState,
  type ExperimentPlanView,
  type ExperimentReport,
  type MetricSummary,
} from '../../shared/experiment.js';
import { EXPERIMENT_PRESETS, presetParams } from '../../shared/experiment-presets.js';
import {
  applyPreset,
  buildExperimentParams,
  childRows,
  defaultExperimentForm,
  formArms,
  orderedNotes,
  planEstimate,
  planSummary,
  reportRows,
  scaleSettings,
  settingsRows,
  studyRows,
  type ExperimentForm,
} from '../../renderer/src/lib/experiments.js';
import { parseGenotypeText } from '../../shared/experiment-report.js';
import { modelFileBlob } from '../../renderer/src/lib/evaluate-results.js';
import { hrefFor, parseHash } from '../../renderer/src/lib/routes.js';
import { jobViewOf } from '../../renderer/src/lib/run-details.js';
import { DARTS_TEXT } from '../helpers/genotype.js';

const withDataset = (f: ExperimentForm, datasetId = 3): ExperimentForm => ({ ...f, datasetId });

function built(form: ExperimentForm) {
  const b = buildExperimentParams(form);
  if (!b.ok) throw new Error(`refused: ${b.field}: ${b.error}`);
  return b.params;
}

describe('the experiment form', () => {
  it('starts on the DDS ablation at the quick scale, its four strategies ticked', () => {
    const f = defaultExperimentForm();
    expect(f.preset).toBe('dds-ablation');
    expect(f.scale).toBe('quick');
    expect(f.strategies).toEqual(['full', 'random', 'dds', 'dds-untrained']);
    expect(f.algorithms).toEqual(['darts']);
    expect(f.seeds).toBe(1);
    expect(f.originals).toBe(true);
    expect(f.qualities).toBe('');
  });

  it("builds each preset's own grid at each scale, unchanged when the axes are left as the preset set them", () => {
    for (const id of EXPERIMENT_PRESETS)
      for (const scale of EXPERIMENT_SCALES) {
        const form = applyPreset(withDataset(defaultExperimentForm()), id, scale);
        const params = ExperimentParams.parse(built(form));
        const preset = ExperimentParams.parse(presetParams(id, scale, 3));
        expect(params, `${id} ${scale}`).toEqual(preset);
      }
  });

  it('names a preset whose axes the user changed as edited', () => {
    const f = applyPreset(withDataset(defaultExperimentForm()), 'bdp', 'quick');
    expect(built(f).name).toBe('BDP pruning (quick)');
    const edited = { ...f, strategies: f.strategies.filter((s) => s !== 'full') };
    expect(built(edited).name).toBe('BDP pruning (quick), edited');
    expect(built(edited).preset).toBe('bdp');
    expect(built({ ...f, searchEpochs: 1 }).name).toBe('BDP pruning (quick), edited');
  });

  it("reads the compression preset's arms into qualities × stage sets, and builds them back", () => {
    const f = applyPreset(withDataset(defaultExperimentForm()), 'dds-under-compression', 'quick');
    expect(f.originals).toBe(true);
    expect(f.qualities).toBe('10');
    expect(f.stageSets).toEqual(['evaluation', 'search+evaluation', 'all']);
    const arms = formArms(f);
    expect(arms.ok && arms.params).toHaveLength(4);
    // the host expands 1 original + 1 quality × 3 stage sets into 4 cells
    expect(expandExperiment(ExperimentParams.parse(built(f))).cells).toHaveLength(4);
    const small = applyPreset(withDataset(defaultExperimentForm()), 'dds-under-compression', 'small');
    expect(small.qualities).toBe('5, 15, 50, 95');
    expect(expandExperiment(ExperimentParams.parse(built(small))).cells).toHaveLength(13);
  });

  it('builds a custom grid from the scale’s settings, with smaller epochs when asked', () => {
    const f: ExperimentForm = {
      ...applyPreset(withDataset(defaultExperimentForm()), 'custom'),
      strategies: ['full', 'random'],
      seeds: 2,
      searchEpochs: 1,
      evaluateEpochs: 1,
    };
    const p = built(f);
    expect(p.preset).toBeNull();
    expect(p.name).toBe('Full data vs Random subset (quick)');
    expect(p.seeds).toEqual([0, 1]);
    expect(p.compression).toEqual([{ quality: null, stages: [] }]);
    const quick = scaleSettings('quick');
    expect(p.search).toEqual({ ...quick.search, epochs: 1, warmupEpochs: 0 });
    expect(p.evaluate).toEqual({ ...quick.evaluate, epochs: 1 });
    const plan = expandExperiment(ExperimentParams.parse(p));
    // 2 strategies × 2 seeds: a search and an evaluation each, no autoencoder (no DDS)
    expect(plan.nodes.map((n) => n.kind).sort()).toEqual([
      'evaluate',
      'evaluate',
      'evaluate',
      'evaluate',
      'search',
      'search',
      'search',
      'search',
    ]);
  });

  it('refuses an incomplete grid and names the field', () => {
    const f = withDataset(defaultExperimentForm());
    const refusal = (patch: Partial<ExperimentForm>) => {
      const b = buildExperimentParams({ ...f, ...patch });
      return b.ok ? null : b.field;
    };
    expect(refusal({ datasetId: null })).toBe('datasetId');
    expect(refusal({ strategies: [] })).toBe('strategies');
    expect(refusal({ algorithms: [] })).toBe('algorithms');
    expect(refusal({ seeds: 0 })).toBe('seeds');
    expect(refusal({ seeds: 11 })).toBe('seeds');
    expect(refusal({ seeds: null })).toBe('seeds');
    expect(refusal({ qualities: '150' })).toBe('qualities');
    expect(refusal({ qualities: '20', stageSets: [] })).toBe('stageSets');
    expect(refusal({ originals: false, qualities: '' })).toBe('originals');
    expect(refusal({ searchEpochs: 0 })).toBe('searchEpochs');
    expect(refusal({})).toBeNull();
  });

  it('lists the settings every child uses, in words', () => {
    const rows = settingsRows(built(withDataset(defaultExperimentForm())));
    expect(rows.map((r) => r.stage)).toEqual(['Search', 'Evaluation', 'Autoencoder (DDS)']);
    // no DDS, no autoencoder to train
    const bdp = built(applyPreset(withDataset(defaultExperimentForm()), 'bdp', 'quick'));
    expect(settingsRows(bdp).map((r) => r.stage)).toEqual(['Search', 'Evaluation']);
    expect(rows[0]!.text).toMatch(/epochs 2 · batch size 16/);
    expect(rows[1]!.text).toMatch(/network size tiny/);
    // a stored experiment's parameters carry every default: only the settings a scale sets are named
    const stored = settingsRows({
      search: { epochs: 2, alphaLr: 0.0003, pruneEvery: 5 },
      evaluate: {},
      autoencoder: {},
      study: null,
      strategies: ['full'],
    });
    expect(stored[0]!.text).toBe('epochs 2');
    expect(settingsRows({ search: { pruneEvery: 5 }, strategies: ['bdp'] })[0]!.text).toBe('prune every (epochs) 5');
    expect(stored[1]!.text).toBe('the job’s own defaults');
  });
});

const plan = (
  jobs: Partial<ExperimentPlanView['jobs']>,
  reused = 0,
  seconds: number | null = 750,
): ExperimentPlanView => {
  const j = { autoencoder: 0, search: 0, evaluate: 0, compress: 0, ...jobs };
  return {
    cells: [],
    jobs: { ...j, total: j.autoencoder + j.search + j.evaluate + j.compress },
    reused,
    seconds,
    estimateNote: seconds == null ? 'No step time has been measured on this computer yet.' : null,
    referenceNote: null,
  };
};

describe('the plan in words', () => {
  it('counts the jobs by kind and those already done', () => {
    expect(planSummary(plan({ autoencoder: 2, search: 4, evaluate: 4 }, 1))).toBe(
      '10 jobs: 2 autoencoders, 4 searches, 4 evaluations; 1 already done (reused)',
    );
    expect(planSummary(plan({ search: 1, evaluate: 1, compress: 1 }))).toBe(
      '3 jobs: 1 search, 1 evaluation, 1 compression study',
    );
  });

  it('says the estimated time, or why there is none', () => {
    expect(planEstimate(plan({ search: 1 }))).toBe('About 12 min 30 s on this computer.');
    expect(planEstimate(plan({ search: 1 }, 0, null))).toBe('No step time has been measured on this computer yet.');
    expect(planEstimate(plan({ search: 1 }, 1, 0))).toMatch(/already done/);
  });
});

describe('the children table', () => {
  it('links each started child to its own page and names its cells', () => {
    const cells: ExperimentCell[] = [
      {
        key: 'full/darts/original',
        label: 'Full data',
        strategy: 'full',
        algorithm: 'darts',
        compression: { quality: null, stages: [] },
        baseline: null,
      },
      {
        key: 'dds/darts/original',
        label: 'DDS',
        strategy: 'dds',
        algorithm: 'darts',
        compression: { quality: null, stages: [] },
        baseline: null,
      },
    ];
    const node: ExperimentNodeState = {
      key: 'evaluate:x',
      kind: 'evaluate',
      cells: [],
      seed: 0,
      jobId: null,
      state: 'waiting',
      reused: false,
      message: null,
    };
    const rows = childRows(
      [
        {
          key: 'autoencoder:a',
          kind: 'autoencoder',
          cells: [],
          seed: 0,
          jobId: 3,
          state: 'done',
          reused: true,
          message: null,
        },
        {
          key: 'search:b',
          kind: 'search',
          cells: ['dds/darts/original'],
          seed: 0,
          jobId: 5,
          state: 'running',
          reused: false,
          message: null,
        },
        {
          key: 'evaluate:c',
          kind: 'evaluate',
          cells: ['full/darts/original', 'dds/darts/original'],
          seed: 1,
          jobId: 7,
          state: 'failed',
          reused: false,
          message: 'out of memory',
        },
        {
          key: 'compress:d',
          kind: 'compress',
          cells: ['dds/darts/original'],
          seed: 0,
          jobId: null,
          state: 'waiting',
          reused: false,
          message: null,
        },
      ],
      cells,
    );
    expect(rows.map((r) => r.href)).toEqual(['#/runs/3', '#/search/5', '#/evaluate/7', null]);
    expect(rows.map((r) => r.kind)).toEqual(['Autoencoder', 'Search', 'Evaluation', 'Compression study']);
    expect(rows[2]!.cells).toBe('Full data; DDS');
    expect(rows[0]!.reused).toBe(true);
    expect(rows[2]!.message).toBe('out of memory');
    // a cell the list does not name (before the report does) is put in words from its key
    expect(childRows([{ ...node, cells: ['dds/pc-darts/q15@search+evaluation'] }], [])[0]!.cells).toBe(
      'DDS, pc-darts, JPEG 15 at search, evaluation',
    );
    expect(childRows([{ ...node, cells: ['baseline:cnn/original'] }], [])[0]!.cells).toBe('Baseline cnn');
  });
});

const metric = (values: number[]): MetricSummary => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std =
    values.length < 2 ? null : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, std, n: values.length, values };
};

function cellReport(key: string, label: string, test: number[], patch: Partial<CellReport> = {}): CellReport {
  return {
    cell: {
      key,
      label,
      strategy: 'full',
      algorithm: 'darts',
      compression: { quality: null, stages: [] },
      baseline: null,
    },
    runs: test.length,
    metrics: {
      testAccuracy: metric(test),
      supernetAccuracy: metric([0.5]),
      searchSeconds: metric([60, 90, 120].slice(0, test.length)),
      imagesProcessed: metric([1200]),
      parameters: metric([1_234_567]),
      multiplyAdds: metric([45_600_000]),
    },
    ratios: { testAccuracy: null, searchSeconds: null, imagesProcessed: null },
    significance: null,
    genotypes: [],
    study: null,
    notes: [],
    ...patch,
  };
}

describe('the report table', () => {
  const report: ExperimentReport = {
    title: 'DDS ablation (quick)',
    datasetName: 'MNIST sample',
    classes: 10,
    preset: 'dds-ablation',
    scale: 'quick',
    reference: 'full',
    referenceNote: null,
    cells: [
      cellReport('full', 'Full data', [0.97, 0.975, 0.965]),
      cellReport('dds', 'DDS', [0.96, 0.95, 0.955], {
        ratios: { testAccuracy: 0.98453, searchSeconds: 0.5, imagesProcessed: 0.25 },
        significance: { test: 'welch-t', t: 2.4, df: 3.9, p: 0.0751, significant: false },
      }),
      cellReport('random', 'Random subset', [0.9]),
    ],
    notes: ['A note on failures.', 'Quick scale: … Its numbers are not evidence for or against the papers.'],
    children: { total: 9, done: 9, failed: 0 },
  };

  it('gives mean ± std in percent, the ratios to the reference and the test', () => {
    const rows = reportRows(report);
    // 0.97, 0.975, 0.965: mean 97.0 %, sample std 0.5 pp
    expect(rows[0]!.test).toBe('97.0 ± 0.5 %');
    expect(rows[0]!.reference).toBe(true);
    expect(rows[0]!.p).toBe('p —');
    expect(rows[0]!.pWhy).toBe('the reference itself');
    expect(rows[1]!.accuracyRatio).toBe('×0.98');
    expect(rows[1]!.timeRatio).toBe('×0.50');
    expect(rows[1]!.p).toBe('p = 0.075');
    expect(rows[1]!.searchTime).toBe('1 min 30 s ± 30.0 s');
    expect(rows[1]!.parameters).toBe('1.23 M');
    // one seed: no std, and no test, with the reason
    expect(rows[2]!.test).toBe('90.0 %');
    expect(rows[2]!.p).toBe('p —');
    expect(rows[2]!.pWhy).toMatch(/3 or more seeds/);
  });

  it('puts the "not evidence" note first, apart from the others', () => {
    expect(orderedNotes(report.notes)).toEqual({
      warnings: ['Quick scale: … Its numbers are not evidence for or against the papers.'],
      others: ['A note on failures.'],
    });
  });

  it('reads a derived genotype to draw, and nothing from other text', () => {
    expect(parseGenotypeText(DARTS_TEXT)?.space).toBe('darts');
    expect(
      parseGenotypeText('|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|')?.space,
    ).toBe('nb201');
    expect(parseGenotypeText('not a genotype')).toBeNull();
  });

  it("lists the compression study's rows with the spread across groups, or none without a study", () => {
    expect(studyRows(report)).toEqual([]);
    const row = (quality: number, accuracy: number[], spread: number[] | null) => ({
      quality,
      subsampling: '4:2:0',
      protocol: 'test',
      accuracy: metric(accuracy),
      groupStd: spread ? metric(spread) : null,
    });
    const withStudy: ExperimentReport = {
      ...report,
      cells: [
        cellReport('dds', 'DDS', [0.9], {
          study: [row(10, [0.8, 0.82, 0.84], [0.01, 0.03, 0.02]), row(50, [0.9], null)],
        }),
      ],
    };
    expect(studyRows(withStudy)).toEqual([
      {
        key: 'dds|test|4:2:0|10',
        cell: 'DDS',
        protocol: 'test',
        quality: 10,
        subsampling: '4:2:0',
        top1: '82.0 ± 2.0 %',
        groupSpread: '2.0 ± 1.0 points',
      },
      {
        key: 'dds|test|4:2:0|50',
        cell: 'DDS',
        protocol: 'test',
        quality: 50,
        subsampling: '4:2:0',
        top1: '90.0 %',
        groupSpread: '—',
      },
    ]);
  });
});

describe('the report download', () => {
  it('turns the base64 zip the API answers into its bytes, and text into text', async () => {
    const zip = Buffer.from([0x50, 0x4b, 3, 4, 0, 255]);
    const blob = modelFileBlob({
      filename: 'experiment-7-report.zip',
      mime: 'application/zip',
      encoding: 'base64',
      data: zip.toString('base64'),
    });
    expect(blob.type).toBe('application/zip');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([...zip]);
    const text = modelFileBlob({ filename: 'a.json', mime: 'application/json', encoding: 'utf8', data: '{}' });
    expect(await text.text()).toBe('{}');
  });
});

describe('the route', () => {
  it('opens an experiment by its job id, and Runs links there', () => {
    expect(parseHash('#/experiments/12')).toEqual({ page: 'experiments', jobId: null, experimentId: 12 });
    expect(parseHash('#/experiments')).toEqual({ page: 'experiments', jobId: null });
    expect(hrefFor('experiments', 12)).toBe('#/experiments/12');
    expect(jobViewOf('experiment')).toEqual({ page: 'experiments', name: 'Experiments' });
  });
});
