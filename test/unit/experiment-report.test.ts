import { describe, expect, it } from 'vitest';
import { SCALE_NOTES } from '../../shared/experiment-presets.js';
import {
  NOTHING_REPLACED_NOTE,
  SIGNIFICANCE_NOTE,
  TOO_FEW_SEEDS_NOTE,
  buildExperimentReport,
  countText,
  csvField,
  experimentTitle,
  reportMarkdown,
  resultsCsv,
  secondsText,
} from '../../shared/experiment-report.js';
import { ExperimentParams, type ExperimentReport } from '../../shared/experiment.js';
import { GENOTYPE_TEXT, experimentFixture, parseCsv } from '../fixtures/experiment-report.js';

const cellOf = (r: ExperimentReport, strategyOrBaseline: string) =>
  r.cells.find((c) => c.cell.strategy === strategyOrBaseline || c.cell.baseline === strategyOrBaseline)!;

describe('buildExperimentReport', () => {
  const f = experimentFixture();
  const report = buildExperimentReport(f.params, f.input, f.datasetName);

  it('summarizes each metric over the seeds', () => {
    const full = cellOf(report, 'full');
    expect(report.reference).toBe(full.cell.key);
    expect(full.runs).toBe(3);
    expect(full.metrics.testAccuracy!.mean).toBeCloseTo(0.96, 12);
    expect(full.metrics.testAccuracy!.std).toBeCloseTo(0.01, 12);
    expect(full.metrics.searchSeconds).toMatchObject({ mean: 110, std: 10, n: 3 });
    expect(full.metrics.imagesProcessed).toMatchObject({ mean: 60000, std: 0 });
    expect(full.ratios).toEqual({ testAccuracy: 1, searchSeconds: 1, imagesProcessed: 1 });
    expect(full.significance).toBeNull();
    // a baseline has no search
    const cnn = cellOf(report, 'cnn');
    expect(cnn.metrics.supernetAccuracy).toBeNull();
    expect(cnn.metrics.searchSeconds).toBeNull();
    expect(cnn.ratios.searchSeconds).toBeNull();
    expect(cnn.genotypes).toEqual([]);
  });

  it('gives ratios of means against the reference', () => {
    const dds = cellOf(report, 'dds');
    expect(dds.ratios.testAccuracy).toBeCloseTo(0.92 / 0.96, 12);
    expect(dds.ratios.searchSeconds).toBeCloseTo(33 / 110, 12);
    expect(dds.ratios.imagesProcessed).toBe(0.25);
    expect(dds.genotypes).toEqual([0, 1, 2].map((seed) => ({ seed, text: GENOTYPE_TEXT })));
  });

  it("tests test accuracy against the reference with Welch's t (values from SciPy)", () => {
    const dds = cellOf(report, 'dds').significance!;
    expect(dds.test).toBe('welch-t');
    expect(dds.t).toBeCloseTo(-4.898979485566342, 9);
    expect(dds.df).toBeCloseTo(4, 9);
    expect(dds.p).toBeCloseTo(0.008049893100837795, 9);
    expect(dds.significant).toBe(true);
    expect(Object.keys(dds).sort()).toEqual(['df', 'p', 'significant', 't', 'test']);
    expect(cellOf(report, 'random').significance!.p).toBeCloseTo(5.105354708396236e-8, 14);
    // the baseline's three seeds agree: t = −0.06 / √(0.01² / 3), df = 2, where P(|T| > t) = 1 − t / √(t² + 2)
    const cnn = cellOf(report, 'cnn').significance!;
    const t = -0.06 / Math.sqrt(0.0001 / 3);
    expect(cnn.t).toBeCloseTo(t, 9);
    expect(cnn.df).toBeCloseTo(2, 9);
    expect(cnn.p).toBeCloseTo(1 - -t / Math.sqrt(t * t + 2), 9);
  });

  it('says which cells are at chance level, short of seeds or hit by failed children', () => {
    expect(cellOf(report, 'random').notes).toEqual([
      "At chance level (11.0 % against 10.0 % for 10 classes): this cell's network learned nothing usable.",
    ]);
    expect(cellOf(report, 'dds').notes).toEqual([]);
    const bdp = cellOf(report, 'bdp');
    expect(bdp.runs).toBe(2);
    expect(bdp.significance).toBeNull();
    expect(bdp.notes).toEqual([
      'No significance test: this cell or the reference has fewer than 3 seeds with a test top-1.',
      'Test top-1 from 2 of 3 seeds.',
      'The search for seed 2 failed: The engine ran out of memory.',
      'The evaluation for seed 2 did not run, as a job it needs did not finish: Its search failed.',
      'The compression study for seed 2 did not run, as a job it needs did not finish: Its search failed.',
    ]);
  });

  it('says when DDS replaced no image, so its autoencoder played no part', () => {
    // the fixture's DDS replaced 5, 10 and 15 images: no note (above); a search that replaced none makes one
    const none = {
      ...f.input,
      runs: f.input.runs.map((r) => (r.ddsReplaced === null ? r : { ...r, ddsReplaced: 0 })),
    };
    const dds = cellOf(buildExperimentReport(f.params, none, f.datasetName), 'dds');
    expect(dds.notes).toEqual([NOTHING_REPLACED_NOTE(3)]);
    expect(NOTHING_REPLACED_NOTE(3)).toMatch(
      /^DDS replaced no image in any of its 3 searches: .*autoencoder played no part/,
    );
    // one search that replaced is enough for DDS to have acted: no note
    const some = {
      ...none,
      runs: none.runs.map((r) => (r.ddsReplaced === 0 && r.seed === 2 ? { ...r, ddsReplaced: 4 } : r)),
    };
    expect(cellOf(buildExperimentReport(f.params, some, f.datasetName), 'dds').notes).toEqual([]);
  });

  it('says what the whole report is worth', () => {
    const total = f.input.nodes.length;
    expect(report.children).toEqual({ total, done: total - 3, failed: 1 });
    expect(report.notes).toEqual([
      SIGNIFICANCE_NOTE,
      `1 of ${total} child jobs failed and 2 did not run because a job they need failed; the cells they feed have fewer seeds (see their notes).`,
    ]);
    expect(report.title).toBe('Selection on digits');
    expect(report.datasetName).toBe('MNIST | sample');
  });

  it('aggregates the compression study over seeds', () => {
    const study = cellOf(report, 'full').study!;
    expect(study.map((s) => `${s.protocol} ${s.quality} ${s.subsampling}`)).toEqual([
      'mixed 10 4:2:0',
      'mixed 50 4:2:0',
      'test 10 4:2:0',
      'test 50 4:2:0',
    ]);
    expect(study[0]!.accuracy.mean).toBeCloseTo(0.79, 12);
    expect(study[0]!.accuracy.std).toBeCloseTo(0.01, 12);
    expect(study[0]!.accuracy.n).toBe(3);
    // the spread across groups, over seeds, where the study measured it
    expect(study[0]!.groupStd).toBeNull();
    expect(study[2]!.groupStd).toMatchObject({ mean: 0.01, std: 0, n: 3 });
    expect(cellOf(report, 'bdp').study![3]!.accuracy.n).toBe(2);
  });

  it('at the quick scale with one seed, says it is not evidence and has no test', () => {
    const q = experimentFixture({
      scale: 'quick',
      seeds: [0],
      baselines: [],
      study: null,
      strategies: ['dds', 'random'],
    });
    const r = buildExperimentReport(q.params, q.input, q.datasetName);
    expect(r.notes).toEqual([SCALE_NOTES.quick, TOO_FEW_SEEDS_NOTE, q.input.referenceNote]);
    expect(q.input.referenceNote).toContain('"DDS"');
    expect(r.reference).toBe(cellOf(r, 'dds').cell.key);
    expect(r.cells.every((c) => c.significance === null && c.study === null)).toBe(true);
    expect(cellOf(r, 'random').notes).toEqual([expect.stringMatching(/^At chance level/)]);
  });

  it('is empty but whole before any child has finished', () => {
    const waiting = f.input.nodes.map((n) => ({ ...n, state: 'waiting' as const, jobId: null, message: null }));
    const r = buildExperimentReport(f.params, { ...f.input, nodes: waiting, runs: [] }, f.datasetName);
    expect(r.cells).toHaveLength(5);
    expect(r.children).toEqual({ total: waiting.length, done: 0, failed: 0 });
    expect(r.notes).toEqual([SIGNIFICANCE_NOTE]);
    for (const c of r.cells) {
      expect(c.metrics.testAccuracy).toBeNull();
      expect(c.ratios.testAccuracy).toBeNull();
      expect(c.notes).toContain('Test top-1 from 0 of 3 seeds so far.');
    }
  });

  it('titles an unnamed experiment by its preset, else by its strategies', () => {
    const p = (x: object) => ExperimentParams.parse({ datasetId: 1, ...x });
    expect(experimentTitle(p({ preset: 'bdp', scale: 'small' }))).toBe('BDP pruning (small)');
    expect(experimentTitle(p({ strategies: ['full', 'random'] }))).toBe('Full data vs Random subset');
    expect(experimentTitle(p({ name: '  Mine ', preset: 'bdp' }))).toBe('Mine');
  });
});

describe('formats', () => {
  const s = (values: number[]) => ({ mean: values.reduce((a, b) => a + b) / values.length, std: null, n: 1, values });
  it('picks units by size', () => {
    expect(secondsText(s([42]))).toBe('42.0 s');
    expect(secondsText({ mean: 210, std: 12, n: 2, values: [] })).toBe('3.5 ± 0.2 min');
    expect(secondsText(s([9000]))).toBe('2.50 h');
    expect(countText(s([812]))).toBe('812');
    expect(countText({ mean: 48_200, std: 1100, n: 2, values: [] })).toBe('48.2 ± 1.1 k');
    expect(countText(s([3_349_342]))).toBe('3.35 M');
    expect(countText(null)).toBe('—');
  });

  it('quotes CSV fields that need it', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField(null)).toBe('');
  });
});

describe('reportMarkdown', () => {
  const f = experimentFixture();
  const report = buildExperimentReport(f.params, f.input, f.datasetName);
  const text = reportMarkdown(report, f.params);
  const lines = text.split('\n');

  it('heads the report with the grid and escapes names in it', () => {
    expect(lines[0]).toBe('# Selection on digits');
    expect(lines).toContain('- Dataset: MNIST \\| sample');
    expect(lines).toContain(`- Scale: small. ${SCALE_NOTES.small}`);
    expect(lines).toContain('- Seeds: 0, 1, 2');
    expect(lines).toContain('- Reference cell: Full data');
  });

  it('tables accuracy and cost per cell', () => {
    expect(lines).toContain('| Full data (reference) | 3 of 3 | 96.0 ± 1.0 % | 91.0 ± 1.0 % | ×1.00 | — |');
    expect(lines).toContain('| DDS | 3 of 3 | 92.0 ± 1.0 % | 86.0 ± 1.0 % | ×0.96 | 0.008 (significant) |');
    expect(lines).toContain('| Random subset | 3 of 3 | 11.0 ± 1.0 % | 11.0 ± 1.0 % | ×0.11 | < 0.001 (significant) |');
    expect(lines).toContain('| BDP | 2 of 3 | 94.5 ± 0.7 % | 88.5 ± 0.7 % | ×0.98 | — |');
    expect(lines).toContain(
      '| Full data (reference) | 110.0 ± 10.0 s | 60.0 ± 0.0 k | ×1.00 | ×1.00 | 121.0 ± 1.0 k | 3.30 ± 0.10 M |',
    );
    expect(lines).toContain('| DDS | 33.0 ± 3.0 s | 15.0 ± 0.0 k | ×0.30 | ×0.25 | 111.0 ± 1.0 k | 3.10 ± 0.10 M |');
    expect(lines).toContain('| Baseline cnn | — | — | — | — | 50.0 ± 0.0 k | 1.00 ± 0.00 M |');
  });

  it('lists genotypes in code blocks, the study table, the notes and how to rerun', () => {
    // every seed's text, then its cells drawn
    expect(text).toContain(
      `### DDS\n\nSeed 0:\n\n\`\`\`text\n${GENOTYPE_TEXT}\n\`\`\`\n\n![normal cell, seed 0](cell-dds-darts-original-seed0-normal.svg) ![reduce cell, seed 0](cell-dds-darts-original-seed0-reduce.svg)\n\nSeed 1:`,
    );
    expect(text).toContain('![reduce cell, seed 2](cell-dds-darts-original-seed2-reduce.svg)');
    // the spread across groups where the study measured it (the fixture's test protocol), "—" where not
    expect(lines).toContain('| Full data | mixed | 10 | 4:2:0 | 79.0 ± 1.0 % | — | 3 |');
    expect(lines).toContain('| BDP | test | 50 | 4:2:0 | 89.5 ± 0.7 % | 1.0 ± 0.0 points | 2 |');
    expect(text).toContain('Group spread: the standard deviation of accuracy across the dataset’s groups');
    expect(lines).toContain(`- ${SIGNIFICANCE_NOTE}`);
    expect(lines).toContain('- BDP: The search for seed 2 failed: The engine ran out of memory.');
    expect(lines).toContain('winnow experiment run experiment.json');
  });

  it('names the preset and says the quick scale once', () => {
    const q = experimentFixture({ preset: 'dds-ablation', scale: 'quick', seeds: [0], study: null });
    const md = reportMarkdown(buildExperimentReport(q.params, q.input, q.datasetName), q.params);
    expect(md).toContain('- Preset: DDS ablation [DDS-NAS §5.2, Table 4]');
    expect(md).toContain('- Compares: DDS against a random subset');
    expect(md.split(SCALE_NOTES.quick)).toHaveLength(2);
    expect(md).not.toContain('## Compression study');
  });
});

describe('resultsCsv', () => {
  const f = experimentFixture();
  const rows = parseCsv(resultsCsv(f.input.runs, f.input.cells));
  const [header, ...body] = rows;
  const col = (name: string) => header!.indexOf(name);

  it('has a row per cell and seed, in the grid’s order', () => {
    expect(body).toHaveLength(14);
    expect(body.map((r) => `${r[col('cell')]}#${r[col('seed')]}`).slice(0, 4)).toEqual([
      `${f.input.cells[0]!.key}#0`,
      `${f.input.cells[0]!.key}#1`,
      `${f.input.cells[0]!.key}#2`,
      `${f.input.cells[1]!.key}#0`,
    ]);
    expect(body.every((r) => r.length === header!.length)).toBe(true);
  });

  it('holds every metric, the axes and the genotype, quoted', () => {
    expect(header!.slice(0, 15).join(',')).toBe(
      'cell,label,strategy,algorithm,jpeg_quality,jpeg_stages,baseline,seed,test_accuracy,supernet_accuracy,search_seconds,images_processed,parameters,multiply_adds,dds_replaced',
    );
    const dds1 = body.find((r) => r[col('strategy')] === 'dds' && r[col('seed')] === '1')!;
    expect(dds1[col('test_accuracy')]).toBe('0.93');
    expect(dds1[col('search_seconds')]).toBe('33');
    expect(dds1[col('algorithm')]).toBe('darts');
    expect(dds1[col('genotype')]).toBe(GENOTYPE_TEXT);
    expect(dds1[col('dds_replaced')]).toBe('10');
    expect(body.find((r) => r[col('strategy')] === 'full')![col('dds_replaced')]).toBe('');
    expect(dds1[col('search_job')]).toBe('301');
    const cnn = body.find((r) => r[col('baseline')] === 'cnn')!;
    expect(cnn[col('strategy')]).toBe('');
    expect(cnn[col('supernet_accuracy')]).toBe('');
  });

  it('gives the study one column per grid point', () => {
    expect(header).toContain('study_test_q10_420');
    expect(header).toContain('study_test_q10_420_group_std');
    expect(header).toContain('study_mixed_q50_420');
    expect(header).not.toContain('study_mixed_q50_420_group_std');
    const full0 = body[0]!;
    expect(Number(full0[col('study_mixed_q10_420')])).toBeCloseTo(0.95 - 0.2 + 0.03, 12);
    expect(full0[col('study_test_q50_420_group_std')]).toBe('0.01');
  });
});
