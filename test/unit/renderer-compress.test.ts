/**
 * renderer/src/lib/compress.ts: the Compression page's form and list. The form builds CompressParams without
 * importing zod, so these tests hold what it builds to the schema; then the list rows, settings line and the page's route.
 * The study's grid, charts, table, SVG export and image viewer are in renderer-compress-results.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CompressParams, type CompressionSummary } from '../../shared/compress.js';
import type { DatasetSummary } from '../../shared/datasets.js';
import type { ModelSummary } from '../../shared/evaluate.js';
import {
  PROTOCOLS,
  addTypedQualities,
  buildCompressParams,
  chosenQualities,
  defaultCompressForm,
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
  storedModelLabel,
} from '../../renderer/src/lib/compress.js';
import { PAGE_INFO } from '../../renderer/src/lib/pages.js';
import { cnnNetwork } from '../helpers/models.js';
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

const NET = cnnNetwork(32);

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

describe('the stored-model picker', () => {
  it('puts the test accuracy before the name, so a narrow picker cuts off the name, not the accuracy', () => {
    const m = { id: 7, name: 'a-long-model-name-that-runs-on', datasetName: null, origin: 'import' as const };
    expect(storedModelLabel({ ...m, testAccuracy: 0.9123 })).toBe(
      '#7 · test 91.2 % · a-long-model-name-that-runs-on · imported',
    );
    expect(storedModelLabel({ ...m, testAccuracy: null }).startsWith('#7 · test — ·')).toBe(true);
  });
});
