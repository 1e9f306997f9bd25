/**
 * renderer/src/lib/compress.ts: the Compression page's pure helpers. The form builds CompressParams without
 * importing zod, so these tests hold what it builds to the schema; then the grid, the series the charts draw, the table, the SVG export,
 * the image viewer's rows, the list rows and the page's route.
 */
import { describe, expect, it } from 'vitest';
import {
  CompressParams,
  type CodecPoint,
  type CompressReference,
  type CompressRow,
  type CompressionImages,
  type CompressionSummary,
  type Subsampling,
} from '../../shared/compress.js';
import type { DatasetSummary } from '../../shared/datasets.js';
import type { ModelSummary, NetworkDescription } from '../../shared/evaluate.js';
import type { PushMessage } from '../../shared/jobs.js';
import {
  accuracyByQuality,
  accuracyByRate,
  biasByQuality,
  chartFilename,
  chartSvg,
  groupAccuracyByQuality,
  groupNames,
  hasGroups,
  logTicks,
  niceTicks,
  qualityTicks,
  type ChartSeries,
  type ChartSpec,
} from '../../renderer/src/lib/compress-charts.js';
import {
  applyPoints,
  compressPointFromPush,
  emptyStudy,
  progressGrid,
  studyOfDetail,
  usedSubsamplings,
} from '../../renderer/src/lib/compress-study.js';
import { defaultZoom, tableRows, viewerQualities, viewerRows } from '../../renderer/src/lib/compress-table.js';
import {
  PROTOCOLS,
  addTypedQualities,
  buildCompressParams,
  chosenQualities,
  defaultCompressForm,
  formatDelta,
  formatPsnr,
  formatRate,
  modelChoices,
  modelCompatibility,
  parseQualities,
  pickModel,
  qualityChips,
  settingsLine,
  studyListRows,
  subsamplingFor,
  toggleIn,
  toggleQuality,
  trainingPlan,
  type CompressForm,
} from '../../renderer/src/lib/compress.js';
import { svgSize } from '../../renderer/src/lib/download.js';
import { PAGE_INFO } from '../../renderer/src/lib/pages.js';
import { expectItemRoutes } from '../helpers/routes.js';

// ---- fixtures ------------------------------------------------------------------------------------------------------

const RGB: DatasetSummary = {
  id: 3,
  name: 'faces',
  format: 'folder',
  source: '/data/faces',
  images: 1000,
  classes: 2,
  width: 32,
  height: 32,
  channels: 3,
  bytes: 3_072_000,
  splits: { train: 800, test: 200 },
  hasGroups: true,
  rejectedCount: 0,
  createdAt: 1,
  importJobId: null,
};
const GREY: DatasetSummary = {
  ...RGB,
  id: 4,
  name: 'digits',
  width: 28,
  height: 28,
  channels: 1,
  classes: 10,
  hasGroups: false,
};

const NET: NetworkDescription = {
  kind: 'cnn',
  channels: 32,
  layers: 0,
  auxiliary: false,
  dropPath: 0,
  genotype: null,
  label: 'plain CNN, width 32',
};

function model(over: Partial<ModelSummary> = {}): ModelSummary {
  return {
    id: 1,
    name: 'cnn on faces',
    origin: 'evaluate',
    jobId: 9,
    datasetId: 3,
    datasetName: 'faces',
    network: NET,
    classNames: ['a', 'b'],
    preprocessing: { width: 32, height: 32, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    parameters: 1000,
    multiplyAdds: 10_000,
    testAccuracy: 0.9,
    genotypeText: null,
    createdAt: 10,
    ...over,
  };
}

function row(
  protocol: CompressRow['protocol'],
  quality: number,
  subsampling: Subsampling,
  accuracy: number,
  groups?: Record<string, number>,
): CompressRow {
  const perGroup = groups
    ? Object.entries(groups).map(([group, acc]) => ({
        group,
        correct: Math.round(acc * 100),
        total: 100,
        accuracy: acc,
      }))
    : null;
  const accs = perGroup?.map((g) => g.accuracy) ?? [];
  const mean = accs.reduce((a, b) => a + b, 0) / Math.max(1, accs.length);
  return {
    protocol,
    quality,
    subsampling,
    accuracy,
    loss: 1 - accuracy,
    perClass: [
      { label: 0, name: 'a', correct: 1, total: 2, accuracy: 0.5 },
      { label: 1, name: 'b', correct: 2, total: 2, accuracy: 1 },
    ],
    perGroup,
    groupStd: perGroup ? Math.sqrt(accs.reduce((s, a) => s + (a - mean) ** 2, 0) / accs.length) : null,
    trainSeconds: protocol === 'test' ? 0 : 12,
  };
}

function codec(quality: number, subsampling: Subsampling, meanBytes: number): CodecPoint {
  return {
    quality,
    subsampling,
    meanBytes,
    bitsPerPixel: (meanBytes * 8) / (32 * 32),
    compressionRate: meanBytes / 1000,
    psnr: 20 + quality / 5,
    ssim: 0.5 + quality / 200,
    sampled: 100,
    cached: false,
    seconds: 0.5,
  };
}

const REFERENCE: CompressReference = {
  accuracy: 0.9,
  perGroup: [
    { group: 'm', correct: 92, total: 100, accuracy: 0.92 },
    { group: 'f', correct: 88, total: 100, accuracy: 0.88 },
  ],
  groupStd: 0.02,
  referenceBytes: 1000,
};

const ROWS: CompressRow[] = [
  row('test', 95, '4:2:0', 0.89, { m: 0.9, f: 0.88 }),
  row('test', 50, '4:2:0', 0.85, { m: 0.88, f: 0.82 }),
  row('test', 5, '4:2:0', 0.6, { m: 0.7, f: 0.5 }),
  row('test', 95, '4:4:4', 0.9, { m: 0.91, f: 0.89 }),
  row('test', 50, '4:4:4', 0.86, { m: 0.89, f: 0.83 }),
  row('retrain', 5, '4:2:0', 0.8, { m: 0.82, f: 0.78 }),
];
const CODEC: CodecPoint[] = [
  codec(95, '4:2:0', 1000),
  codec(50, '4:2:0', 400),
  codec(5, '4:2:0', 150),
  codec(95, '4:4:4', 1400),
  codec(50, '4:4:4', 600),
];

// ---- qualities typed as text --------------------------------------------------------------------------------------

describe('parseQualities', () => {
  it('reads whole numbers separated by commas, spaces or semicolons, merged and sorted', () => {
    expect(parseQualities('20, 30 40;50')).toEqual({ ok: true, values: [20, 30, 40, 50] });
    expect(parseQualities(' 90,,10 , 90 ')).toEqual({ ok: true, values: [10, 90] });
    expect(parseQualities('1 100')).toEqual({ ok: true, values: [1, 100] });
    expect(parseQualities('')).toEqual({ ok: true, values: [] });
    expect(parseQualities('   ')).toEqual({ ok: true, values: [] });
  });

  it('refuses what is not a quality from 1 to 100, with a message that says so', () => {
    const bad = (text: string) => {
      const r = parseQualities(text);
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error;
    };
    expect(bad('20, abc')).toMatch(/“abc” is not a JPEG quality.*1 to 100/);
    expect(bad('12.5')).toMatch(/“12.5” is not a JPEG quality/);
    expect(bad('-5')).toMatch(/“-5” is not a JPEG quality/);
    expect(bad('0')).toMatch(/0 is out of range.*1 to 100/);
    expect(bad('101')).toMatch(/101 is out of range/);
  });

  it('adds typed qualities as chips, chosen; the thesis set stays the base', () => {
    const form = { qualities: [5, 95], extraQualities: [], qualityText: '30, 20, 95' };
    const r = addTypedQualities(form);
    expect(r).toEqual({ ok: true, qualities: [5, 20, 30, 95], extraQualities: [20, 30] });
    expect(addTypedQualities({ ...form, qualityText: 'x' })).toMatchObject({ ok: false });
    expect(addTypedQualities({ ...form, qualityText: ' ' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Type one or more/),
    });
    expect(qualityChips([20, 30])).toEqual([5, 10, 15, 20, 30, 50, 75, 95]);
    expect(toggleQuality([5, 95], 50)).toEqual([5, 50, 95]);
    expect(toggleQuality([5, 50, 95], 50)).toEqual([5, 95]);
    expect(chosenQualities({ qualities: [95, 5], qualityText: '40' })).toEqual({ ok: true, values: [5, 40, 95] });
  });
});

// ---- models that fit ----------------------------------------------------------------------------------------------

describe('model compatibility', () => {
  it('needs the same input shape and class count; retraining needs a network description', () => {
    expect(modelCompatibility(model(), RGB)).toEqual({ ok: true });
    const shape = modelCompatibility(model(), GREY);
    expect(shape).toMatchObject({ ok: false, why: 'shape' });
    expect(shape.ok ? '' : shape.reason).toBe('takes 32×32×3 images; digits holds 28×28×1');
    const classes = modelCompatibility(model({ classNames: ['a', 'b', 'c'] }), RGB);
    expect(classes.ok ? '' : classes.reason).toBe('predicts 3 classes; faces has 2');
    const imported = model({ origin: 'import', network: null });
    expect(modelCompatibility(imported, RGB, ['test'])).toEqual({ ok: true });
    const r = modelCompatibility(imported, RGB, ['test', 'retrain']);
    expect(r).toMatchObject({ ok: false, why: 'network' });
    expect(r.ok ? '' : r.reason).toMatch(/cannot be retrained/);
  });

  it('offers the fitting models (this dataset’s first, newest first) and lists the others with the reason', () => {
    const list = [
      model({ id: 1, datasetId: 7, createdAt: 30 }),
      model({ id: 2, createdAt: 10 }),
      model({ id: 3, createdAt: 20 }),
      model({ id: 4, preprocessing: { width: 28, height: 28, channels: 1, mean: [0], std: [1] } }),
    ];
    const c = modelChoices(list, RGB);
    expect(c.compatible.map((m) => m.id)).toEqual([3, 2, 1]);
    expect(c.unavailable.map((u) => [u.model.id, u.reason])).toEqual([
      [4, 'takes 28×28×1 images; faces holds 32×32×3'],
    ]);
    expect(pickModel(c.compatible, 2)).toBe(2);
    expect(pickModel(c.compatible, 4)).toBe(3);
    expect(pickModel([], 4)).toBeNull();
  });
});

// ---- the form -----------------------------------------------------------------------------------------------------

function formFor(over: Partial<CompressForm> = {}): CompressForm {
  return { ...defaultCompressForm(), datasetId: RGB.id, modelSource: 'baseline', ...over };
}

describe('buildCompressParams', () => {
  it('builds params the schema accepts: a baseline with the defaults', () => {
    const r = buildCompressParams(formFor(), RGB, []);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const parsed = CompressParams.parse(r.params);
    expect(parsed.model).toEqual({ kind: 'baseline', name: 'cnn' });
    expect(parsed.qualities).toEqual([95, 75, 50, 15, 10, 5]);
    expect(parsed.subsampling).toEqual(['4:2:0', '4:4:4']);
    expect(parsed.protocols).toEqual(['test']);
    expect(parsed.epochs).toBe(5);
    expect(parsed.limitPerClass).toBeNull();
  });

  it('a stored model, typed qualities, all protocols, mozjpeg and a limit', () => {
    const r = buildCompressParams(
      formFor({
        modelSource: 'model',
        modelId: 1,
        qualities: [5, 95],
        qualityText: '30',
        protocols: ['mixed', 'test', 'retrain'],
        mozjpeg: true,
        limitPerClass: 20,
        seed: 7,
        epochs: 2,
      }),
      RGB,
      [model()],
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const parsed = CompressParams.parse(r.params);
    expect(parsed.model).toEqual({ kind: 'model', modelId: 1 });
    expect(parsed.qualities).toEqual([95, 30, 5]);
    expect(parsed.protocols).toEqual(['test', 'retrain', 'mixed']);
    expect(parsed).toMatchObject({ mozjpeg: true, limitPerClass: 20, seed: 7, epochs: 2 });
  });

  it('a grey dataset runs one subsampling, whatever was ticked', () => {
    expect(subsamplingFor(['4:2:0', '4:4:4'], 1)).toEqual(['4:4:4']);
    expect(subsamplingFor(['4:4:4', '4:2:0'], 3)).toEqual(['4:2:0', '4:4:4']);
    const r = buildCompressParams(formFor({ datasetId: GREY.id, subsampling: ['4:2:0'] }), GREY, []);
    expect(r.ok && r.params.subsampling).toEqual(['4:4:4']);
  });

  it('says what is wrong, field by field', () => {
    const err = (form: CompressForm, d: DatasetSummary | null = RGB, models: ModelSummary[] = [model()]) => {
      const r = buildCompressParams(form, d, models);
      expect(r.ok).toBe(false);
      return r.ok ? null : { field: r.field, error: r.error };
    };
    expect(err(formFor({ datasetId: null }), null)).toMatchObject({ field: 'datasetId' });
    expect(err(formFor({ modelSource: 'model', modelId: null }))).toMatchObject({
      field: 'modelId',
      error: expect.stringMatching(/train a baseline first/),
    });
    expect(err(formFor({ modelSource: 'model', modelId: 99 }))).toMatchObject({
      field: 'modelId',
      error: expect.stringMatching(/no longer stored/),
    });
    expect(err(formFor({ datasetId: GREY.id, modelSource: 'model', modelId: 1 }), GREY)).toMatchObject({
      field: 'modelId',
      error: expect.stringMatching(/takes 32×32×3 images/),
    });
    expect(
      err(formFor({ modelSource: 'model', modelId: 1, protocols: ['retrain'] }), RGB, [model({ network: null })]),
    ).toMatchObject({
      field: 'protocols',
      error: expect.stringMatching(/cannot be retrained/),
    });
    expect(err(formFor({ qualityText: '20, 200' }))).toMatchObject({
      field: 'qualityText',
      error: expect.stringMatching(/200 is out of range/),
    });
    expect(err(formFor({ qualities: [] }))).toMatchObject({
      field: 'qualities',
      error: 'Pick at least one JPEG quality.',
    });
    const many = Array.from({ length: 21 }, (_, i) => i + 1);
    expect(err(formFor({ qualities: many }))).toMatchObject({
      field: 'qualities',
      error: expect.stringMatching(/At most 20/),
    });
    expect(err(formFor({ subsampling: [] }))).toMatchObject({ field: 'subsampling' });
    expect(err(formFor({ protocols: [] }))).toMatchObject({ field: 'protocols' });
    expect(err(formFor({ epochs: 0 }))).toMatchObject({ field: 'epochs' });
    expect(err(formFor({ epochs: null }))).toMatchObject({ field: 'epochs' });
    expect(err(formFor({ seed: -1 }))).toMatchObject({ field: 'seed' });
    expect(err(formFor({ limitPerClass: 0 }))).toMatchObject({ field: 'limitPerClass' });
  });

  it('counts the trainings: the baseline, one per grid point for retrain, one for mixed', () => {
    const plan = trainingPlan({
      qualities: 6,
      subsamplings: 2,
      protocols: ['test', 'retrain', 'mixed'],
      baseline: 'resnet20',
    });
    expect(plan.trainings).toBe(1 + 12 + 1);
    expect(plan.rows).toBe(36);
    expect(plan.points).toBe(12);
    expect(plan.parts).toEqual([
      'the ResNet-20 baseline',
      '12 retrainings (6 qualities × 2 subsamplings)',
      '1 mixed-quality network',
    ]);
    expect(trainingPlan({ qualities: 6, subsamplings: 1, protocols: ['test'], baseline: null }).trainings).toBe(0);
    expect(toggleIn(PROTOCOLS, ['mixed'], 'test')).toEqual(['test', 'mixed']);
    expect(toggleIn(PROTOCOLS, ['test', 'mixed'], 'test')).toEqual(['mixed']);
  });
});

// ---- the study as it arrives --------------------------------------------------------------------------------------

describe('study pieces and the grid', () => {
  it('takes compress-point pushes of its own job only, and merges them by point', () => {
    const push = (jobId: number, data: unknown): PushMessage =>
      ({ channel: 'job.event', jobId, seq: 1, ts: 0, event: { type: 'compress-point', data } }) as PushMessage;
    const ref = { kind: 'reference' as const, reference: REFERENCE, model: 'plain CNN' };
    expect(compressPointFromPush(push(5, ref), 5)).toEqual(ref);
    expect(compressPointFromPush(push(6, ref), 5)).toBeNull();
    expect(
      compressPointFromPush(
        { channel: 'job.event', jobId: 5, seq: 2, ts: 0, event: { type: 'log', level: 'info', message: 'x' } },
        5,
      ),
    ).toBeNull();

    let s = applyPoints(emptyStudy(), [ref, { kind: 'codec', point: CODEC[0]! }, { kind: 'accuracy', row: ROWS[0]! }]);
    expect(s.model).toBe('plain CNN');
    expect(s.reference).toEqual(REFERENCE);
    s = applyPoints(s, [
      { kind: 'accuracy', row: { ...ROWS[0]!, accuracy: 0.5 } },
      { kind: 'codec', point: CODEC[1]! },
    ]);
    expect(s.rows).toHaveLength(1);
    expect(s.rows[0]!.accuracy).toBe(0.5);
    expect(s.codec).toHaveLength(2);
    const d = studyOfDetail({ reference: null, codec: CODEC, rows: ROWS, summary: { model: 'x' } });
    expect(d).toEqual({ reference: null, model: 'x', codec: CODEC, rows: ROWS });
  });

  it('knows which subsamplings a study runs (grey: one)', () => {
    const p = {
      qualities: [5, 50, 95],
      subsampling: ['4:4:4', '4:2:0'] as Subsampling[],
      protocols: ['test'] as CompressRow['protocol'][],
    };
    expect(usedSubsamplings(p)).toEqual(['4:2:0', '4:4:4']);
    expect(usedSubsamplings(p, { channels: 3 })).toEqual(['4:2:0', '4:4:4']);
    expect(usedSubsamplings(p, { channels: 1 })).toEqual(['4:4:4']);
    expect(usedSubsamplings(p, { rowsTotal: 3 })).toEqual(['4:4:4']);
    expect(usedSubsamplings(p, { rowsTotal: 6 })).toEqual(['4:2:0', '4:4:4']);
    expect(usedSubsamplings({ ...p, subsampling: ['4:2:0'] }, { channels: 1 })).toEqual(['4:2:0']);
  });

  it('fills the grid: quality columns high to low, subsampling rows, a state per protocol', () => {
    const g = progressGrid(
      { qualities: [5, 50, 95], subsamplings: ['4:2:0', '4:4:4'], protocols: ['test', 'retrain'] },
      { codec: CODEC, rows: ROWS },
    );
    expect(g.qualities).toEqual([95, 50, 5]);
    expect(g.rows.map((r) => r.subsampling)).toEqual(['4:2:0', '4:4:4']);
    expect(g.rowsTotal).toBe(12);
    expect(g.rowsDone).toBe(6);
    const cell = (q: number, s: Subsampling) =>
      g.rows.find((r) => r.subsampling === s)!.cells.find((c) => c.quality === q)!;
    expect(cell(95, '4:2:0').state).toBe('partial');
    expect(cell(95, '4:2:0').protocols).toEqual([
      { protocol: 'test', state: 'done', accuracy: 0.89 },
      { protocol: 'retrain', state: 'pending', accuracy: null },
    ]);
    expect(cell(5, '4:2:0').state).toBe('done');
    expect(cell(5, '4:4:4')).toMatchObject({ state: 'pending', codec: null, key: 'q5-444' });
    expect(cell(50, '4:4:4').codec?.meanBytes).toBe(600);
  });
});

// ---- series -------------------------------------------------------------------------------------------------------

describe('chart series', () => {
  it('accuracy vs quality: one line per protocol × subsampling, in %, and the original dashed', () => {
    const s = accuracyByQuality(ROWS, REFERENCE);
    expect(s.map((x) => x.label)).toEqual(['Test, 4:2:0', 'Test, 4:4:4', 'Retrain, 4:2:0', 'original images']);
    expect(s[0]!.points).toEqual([
      { x: 5, y: 60 },
      { x: 50, y: 85 },
      { x: 95, y: 89 },
    ]);
    expect(s[0]).toMatchObject({ color: 0, line: 'solid', marker: 'circle' });
    expect(s[1]).toMatchObject({ color: 0, line: 'dotted', marker: 'square' });
    expect(s[2]).toMatchObject({ color: 1, line: 'solid' });
    expect(s[3]).toMatchObject({
      key: 'reference',
      color: null,
      line: 'dashed',
      marker: 'none',
      points: [
        { x: 5, y: 90 },
        { x: 95, y: 90 },
      ],
    });
    // one subsampling: the label is the protocol alone
    expect(
      accuracyByQuality(
        ROWS.filter((r) => r.subsampling === '4:2:0' && r.protocol === 'test'),
        null,
      ).map((x) => x.label),
    ).toEqual(['Test']);
    expect(qualityTicks(ROWS)).toEqual([5, 50, 95]);
  });

  it('accuracy vs compression rate: rows joined with their codec point, sorted by rate', () => {
    const s = accuracyByRate(ROWS, CODEC, REFERENCE);
    expect(s.map((x) => x.label)).toEqual(['Test, 4:2:0', 'Test, 4:4:4', 'Retrain, 4:2:0', 'original images']);
    expect(s[0]!.points).toEqual([
      { x: 0.15, y: 60 },
      { x: 0.4, y: 85 },
      { x: 1, y: 89 },
    ]);
    expect(s[1]!.points.map((p) => p.x)).toEqual([0.6, 1.4]);
    expect(s[3]!.points).toEqual([
      { x: 0.15, y: 90 },
      { x: 1.4, y: 90 },
    ]);
    // without codec points, no line and no reference
    expect(accuracyByRate(ROWS, [], null)).toEqual([]);
  });

  it('per-group accuracy for one protocol and subsampling, and the bias in points', () => {
    expect(hasGroups(ROWS, null)).toBe(true);
    expect(hasGroups([row('test', 5, '4:2:0', 0.5)], null)).toBe(false);
    expect(groupNames(ROWS, REFERENCE)).toEqual(['f', 'm']);
    const g = groupAccuracyByQuality(ROWS, 'test', '4:2:0');
    expect(g.map((x) => x.label)).toEqual(['f', 'm']);
    expect(g[0]!.points).toEqual([
      { x: 5, y: 50 },
      { x: 50, y: 82 },
      { x: 95, y: 88 },
    ]);
    expect(g.map((x) => x.color)).toEqual([0, 1]);
    const b = biasByQuality(ROWS, REFERENCE);
    expect(b.map((x) => x.label)).toEqual(['Test, 4:2:0', 'Test, 4:4:4', 'Retrain, 4:2:0', 'original images']);
    expect(b[0]!.points.map((p) => Number(p.y.toFixed(6)))).toEqual([10, 3, 1]);
    expect(b[3]!.points[0]!.y).toBeCloseTo(2);
  });
});

// ---- the table and numbers ----------------------------------------------------------------------------------------

describe('results table', () => {
  it('one line per row: protocol order, 4:2:0 first, high quality first, with codec numbers and Δ', () => {
    const t = tableRows(ROWS, CODEC, REFERENCE);
    expect(t.map((r) => r.key)).toEqual([
      'test-q95-420',
      'test-q50-420',
      'test-q5-420',
      'test-q95-444',
      'test-q50-444',
      'retrain-q5-420',
    ]);
    expect(t[0]).toMatchObject({
      bytes: '1,000 B',
      bpp: '7.81',
      rate: '1.00×',
      psnr: '39.0 dB',
      ssim: '0.9750',
      accuracy: '89.0 %',
      delta: '−1.0 pp',
      groupStd: '1.0 pp',
    });
    expect(t[2]).toMatchObject({ rate: '0.15×', delta: '−30.0 pp', worse: true });
    expect(t[5]).toMatchObject({ key: 'retrain-q5-420', bytes: '150 B', accuracy: '80.0 %' });
    // a row whose point has no codec numbers (yet)
    expect(tableRows([row('test', 10, '4:2:0', 0.7)], CODEC, REFERENCE)[0]).toMatchObject({
      bytes: '—',
      bpp: '—',
      rate: '—',
      psnr: '—',
      ssim: '—',
    });
    expect(tableRows(ROWS, CODEC, null)[0]!.delta).toBe('—');
  });

  it('formats rates, PSNR and differences', () => {
    expect(formatRate(0.05)).toBe('0.050×');
    expect(formatRate(1.4)).toBe('1.40×');
    expect(formatPsnr(99)).toBe('≥ 99 dB');
    expect(formatPsnr(31.26)).toBe('31.3 dB');
    expect(formatDelta(0.004)).toBe('+0.4 pp');
    expect(formatDelta(-0.0001)).toBe('±0.0 pp');
    expect(formatDelta(null)).toBe('—');
  });
});

// ---- SVG export ---------------------------------------------------------------------------------------------------

describe('chartSvg', () => {
  const spec: ChartSpec = {
    title: 'Accuracy vs JPEG quality',
    xLabel: 'JPEG quality',
    yLabel: 'top-1 accuracy',
    yUnit: '%',
    xScale: 'linear',
    xTicks: [5, 50, 95],
  };

  it('draws one polyline per series, the axes with their titles and ticks, and a legend', () => {
    const series = accuracyByQuality(ROWS, REFERENCE);
    const svg = chartSvg(spec, series);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg).toContain('<title>Accuracy vs JPEG quality</title>');
    expect(svg).toContain('>JPEG quality</text>');
    expect(svg).toContain('>top-1 accuracy (%)</text>');
    for (const t of ['5', '50', '95']) expect(svg).toContain(`>${t}</text>`);
    for (const l of ['Test, 4:2:0', 'Test, 4:4:4', 'Retrain, 4:2:0', 'original images'])
      expect(svg).toContain(`>${l}</text>`);
    // the reference is dashed, 4:4:4 dotted
    expect(svg).toMatch(/<polyline [^>]*stroke-dasharray="7 4"/);
    expect(svg).toMatch(/<polyline [^>]*stroke-dasharray="2 3"/);
    // 3 points in the first line; markers: circles for 4:2:0, squares for 4:4:4
    const first = /<g class="series" data-key="test-4:2:0">\n<polyline [^>]*points="([^"]+)"/.exec(svg);
    expect(first?.[1]?.split(' ')).toHaveLength(3);
    expect(svg.match(/<circle /g)!.length).toBeGreaterThanOrEqual(4);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="6"/g)!.length).toBeGreaterThanOrEqual(2);
    // balanced groups, and a size the PNG export can read
    expect(svg.match(/<g[ >]/g)!.length).toBe(svg.match(/<\/g>/g)!.length);
    expect(svgSize(svg)).toMatchObject({ width: 640 });
  });

  it('maps x and y onto the plot: higher quality right, higher accuracy up', () => {
    const series: ChartSeries[] = [
      {
        key: 'a',
        label: 'a',
        points: [
          { x: 5, y: 60 },
          { x: 95, y: 90 },
        ],
        color: 0,
        line: 'solid',
        marker: 'none',
      },
    ];
    const svg = chartSvg(spec, series);
    const pts = /<polyline [^>]*points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts[1]![0]!).toBeGreaterThan(pts[0]![0]!);
    expect(pts[1]![1]!).toBeLessThan(pts[0]![1]!);
  });

  it('escapes text, labels a log axis and draws nothing for empty series', () => {
    const series: ChartSeries[] = [
      {
        key: 'x',
        label: 'A <&> "B"',
        points: [
          { x: 0.2, y: 1 },
          { x: 1, y: 2 },
        ],
        color: 2,
        line: 'solid',
        marker: 'circle',
      },
      { key: 'e', label: 'empty', points: [], color: 3, line: 'solid', marker: 'circle' },
    ];
    const svg = chartSvg(
      { ...spec, title: 'Rate & accuracy', xLabel: 'size vs q95', xScale: 'log', xTicks: undefined },
      series,
    );
    expect(svg).toContain('A &lt;&amp;&gt; &quot;B&quot;');
    expect(svg).toContain('Rate &amp; accuracy');
    expect(svg).toContain('>size vs q95 (log scale)</text>');
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(chartSvg(spec, [])).not.toMatch(/NaN|Infinity/);
  });

  it('picks round ticks', () => {
    expect(niceTicks(60, 90, 5)).toEqual([60, 70, 80, 90]);
    expect(niceTicks(61, 89, 6)).toEqual([60, 65, 70, 75, 80, 85, 90]);
    expect(niceTicks(0.3, 9.2, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(50, 50)).toEqual([47, 48, 49, 50, 51, 52, 53]);
    expect(logTicks(0.09, 1.5)).toEqual([0.1, 0.2, 0.5, 1]);
    expect(logTicks(0.3, 0.45)).toEqual([0.3, 0.45]);
    expect(chartFilename(12, 'accuracy-quality', 'svg')).toBe('compression-study-12-accuracy-quality.svg');
  });
});

// ---- viewer, list, settings, route --------------------------------------------------------------------------------

describe('image viewer', () => {
  const point = (quality: number, subsampling: Subsampling) => ({
    quality,
    subsampling,
    image: `img-${quality}-${subsampling}`,
    diff: `diff-${quality}`,
    psnr: 30,
    maxDiff: 4,
  });
  it('rows 4:2:0 above 4:4:4, qualities high to low; a zoom that keeps small images readable', () => {
    const rows = viewerRows([
      point(5, '4:4:4'),
      point(95, '4:2:0'),
      point(5, '4:2:0'),
      point(95, '4:4:4'),
      point(50, '4:2:0'),
    ]);
    expect(rows.map((r) => r.subsampling)).toEqual(['4:2:0', '4:4:4']);
    expect(rows[0]!.points.map((p) => p.quality)).toEqual([95, 50, 5]);
    expect(rows[1]!.points.map((p) => p.quality)).toEqual([95, 5]);
    expect(viewerRows([point(5, '4:4:4')]).map((r) => r.subsampling)).toEqual(['4:4:4']);
    const images: CompressionImages = {
      width: 28,
      height: 28,
      images: [
        {
          index: 1,
          className: 'a',
          group: null,
          original: 'o',
          points: [point(5, '4:2:0'), point(95, '4:2:0'), point(50, '4:4:4')],
        },
      ],
    };
    expect(viewerQualities(images)).toEqual([95, 50, 5]);
    expect(defaultZoom(28)).toBe(4);
    expect(defaultZoom(32)).toBe(3);
    expect(defaultZoom(224)).toBe(1);
  });
});

describe('studies list, settings and route', () => {
  const summary = (over: Partial<CompressionSummary>): CompressionSummary => ({
    jobId: 1,
    state: 'running',
    datasetId: 3,
    datasetName: 'faces',
    model: 'plain CNN',
    qualities: [95, 75, 50, 15, 10, 5],
    subsampling: ['4:2:0', '4:4:4'],
    protocols: ['test', 'retrain'],
    rowsDone: 6,
    rowsTotal: 24,
    createdAt: 100,
    seconds: null,
    ...over,
  });

  it('list rows, newest first', () => {
    const rows = studyListRows([
      summary({ jobId: 1, createdAt: 100 }),
      summary({ jobId: 2, createdAt: 200, datasetName: null, state: 'done', rowsDone: 24, seconds: 75 }),
    ]);
    expect(rows.map((r) => r.jobId)).toEqual([2, 1]);
    expect(rows[0]).toMatchObject({ dataset: 'dataset #3', progress: '24 / 24', fraction: 1, time: '1 min 15 s' });
    expect(rows[1]).toMatchObject({
      grid: '6 qualities (5–95) × 4:2:0, 4:4:4',
      protocols: 'Test, Retrain',
      progress: '6 / 24',
      fraction: 0.25,
      time: '—',
    });
  });

  it('settings line', () => {
    const p = CompressParams.parse({
      datasetId: 3,
      model: { kind: 'baseline', name: 'cnn' },
      protocols: ['test', 'mixed'],
      limitPerClass: 20,
    });
    expect(settingsLine(p)).toBe(
      'qualities 95, 75, 50, 15, 10, 5 · 4:2:0 and 4:4:4 · mozjpeg off · protocols: Test, Mixed · 5 epochs, batch 64, lr 0.025 · preset Small (CPU) · ≤ 20 training images per class · seed 0 · file sizes from 500 test images',
    );
    const q = CompressParams.parse({ datasetId: 3, model: { kind: 'model', modelId: 2 }, qualities: [50] });
    expect(settingsLine(q)).toBe(
      'qualities 50 · 4:2:0 and 4:4:4 · mozjpeg off · protocols: Test · seed 0 · file sizes from 500 test images',
    );
  });

  it('#/compression/<jobId> opens a study', () => {
    expectItemRoutes('compression', 'compressionId');
    expect(PAGE_INFO.compression.subtitle).toMatch(/bias/);
  });
});
