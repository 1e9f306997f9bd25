import { describe, expect, it } from 'vitest';
import { apiInputs } from '../../shared/api.js';
import { AeTrainParams, type AeMetrics, type AeSummary } from '../../shared/autoencoder.js';
import type { StoredJobEvent } from '../../shared/jobs.js';
import { classColor } from '../../shared/class-colors.js';
import {
  AE_LIMITS,
  METRIC_ROWS,
  addCurvePoint,
  aeTitle,
  betterOf,
  buildAeParams,
  canUseLogScale,
  chartCurves,
  chooseDataset,
  choosePreset,
  compareMetrics,
  curveColor,
  curveKind,
  curvesFromEvents,
  curvesFromHistory,
  customize,
  datasetIdOfParams,
  defaultAeForm,
  emptyCurves,
  groupByDataset,
  latestValues,
  lossesLabel,
  mapSeries,
  metricText,
  parseAeResult,
  presetForChannels,
  settingsLine,
  toggleCompare,
  toggleLoss,
  type AeForm,
} from '../../renderer/src/lib/autoencoder.js';
import { kindLabel } from '../../renderer/src/lib/jobs.js';
import { compareHref, hrefFor, parseHash } from '../../renderer/src/lib/routes.js';
import { expectItemRoutes } from '../helpers/routes.js';

const metrics = (over: Partial<AeMetrics> = {}): AeMetrics => ({
  knnAgreement: 0.93,
  knnAgreementTest: 0.9,
  silhouette: 0.21,
  psnr: 18.2,
  ssim: 0.64,
  trainSeconds: 300,
  ...over,
});

const summary = (over: Partial<AeSummary> = {}): AeSummary => ({
  id: 1,
  datasetId: 1,
  datasetName: 'MNIST sample',
  jobId: 2,
  preset: 'mnist-like',
  losses: ['contractive'],
  kendall: false,
  dim: 8,
  epochs: 30,
  batch: 8,
  seed: 0,
  untrained: false,
  jpegQuality: null,
  jpegSubsampling: null,
  backend: 'wasm',
  metrics: metrics(),
  createdAt: 1000,
  ...over,
});

const grey = { id: 1, channels: 1 as const };
const colour = { id: 2, channels: 3 as const };

const metric = (seq: number, name: string, value: number, epoch?: number): StoredJobEvent => ({
  jobId: 1,
  seq,
  ts: seq,
  event: epoch === undefined ? { type: 'metric', name, value } : { type: 'metric', name, value, epoch },
});

describe('autoencoder routes', () => {
  it('parses #/autoencoder, #/autoencoder/<id> and #/autoencoder/compare/<a>/<b>', () => {
    expectItemRoutes('autoencoder', 'autoencoderId', 4);
    expect(parseHash('#/autoencoder/compare/3/5')).toEqual({ page: 'autoencoder', jobId: null, compare: [3, 5] });
    expect(parseHash('#/autoencoder/compare/3')).toEqual({ page: 'autoencoder', jobId: null });
    expect(parseHash('#/autoencoder/compare/3/y')).toEqual({ page: 'autoencoder', jobId: null });
    // other pages are unchanged
    expect(parseHash('#/datasets/3')).toEqual({ page: 'datasets', jobId: null, datasetId: 3 });
    expect(parseHash('#/runs/2')).toEqual({ page: 'runs', jobId: 2 });
  });

  it('builds the links', () => {
    expect(hrefFor('autoencoder')).toBe('#/autoencoder');
    expect(hrefFor('autoencoder', 7)).toBe('#/autoencoder/7');
    expect(compareHref(3, 5)).toBe('#/autoencoder/compare/3/5');
    expect(parseHash(compareHref(3, 5)).compare).toEqual([3, 5]);
    expect(hrefFor('settings', 7)).toBe('#/settings');
  });

  it("names a job kind as the host's jobs.kinds calls it, an unlisted one as it is", () => {
    const kinds = [{ kind: 'autoencoder', label: 'Autoencoder' }];
    expect(kindLabel('autoencoder', kinds)).toBe('Autoencoder');
    expect(kindLabel('tally', kinds)).toBe('tally');
  });
});

describe('presets and the train form', () => {
  it('picks the preset from the channels (1 -> mnist-like, 3 -> rgb)', () => {
    expect(presetForChannels(1)).toBe('mnist-like');
    expect(presetForChannels(3)).toBe('rgb');
    expect(presetForChannels(undefined)).toBe('mnist-like');
    expect(defaultAeForm(colour)).toMatchObject({
      datasetId: 2,
      preset: 'rgb',
      losses: ['triplet', 'mse'],
      kendall: true,
      dim: 32,
    });
    expect(defaultAeForm(grey)).toMatchObject({
      datasetId: 1,
      preset: 'mnist-like',
      losses: ['contractive'],
      kendall: false,
      dim: 8,
    });
    expect(defaultAeForm()).toMatchObject({
      datasetId: null,
      epochs: 30,
      batch: 8,
      lr: 1e-3,
      seed: 0,
      untrained: false,
    });
  });

  it('follows the dataset with the preset, but keeps custom losses and other fields', () => {
    const f = { ...defaultAeForm(grey), epochs: 3, seed: 9 };
    expect(chooseDataset(f, colour)).toMatchObject({ datasetId: 2, preset: 'rgb', dim: 32, epochs: 3, seed: 9 });
    const custom = toggleLoss(customize(f), 'mse', true);
    expect(chooseDataset(custom, colour)).toMatchObject({
      datasetId: 2,
      mode: 'custom',
      losses: ['mse', 'contractive'],
      dim: 8,
    });
    expect(choosePreset(custom, 'rgb')).toMatchObject({
      mode: 'preset',
      preset: 'rgb',
      losses: ['triplet', 'mse'],
      kendall: true,
    });
  });

  it('toggles losses in canonical order and switches to custom', () => {
    let f = defaultAeForm(grey);
    f = toggleLoss(f, 'circle', true);
    f = toggleLoss(f, 'mse', true);
    expect(f.mode).toBe('custom');
    expect(f.losses).toEqual(['mse', 'contractive', 'circle']);
    f = toggleLoss(f, 'contractive', false);
    expect(f.losses).toEqual(['mse', 'circle']);
  });

  it('builds params that the shared schema accepts', () => {
    const preset = buildAeParams({ ...defaultAeForm(grey), epochs: 1, batch: 64 });
    expect(preset).toEqual({
      ok: true,
      params: {
        datasetId: 1,
        preset: 'mnist-like',
        dim: 8,
        seed: 0,
        untrained: false,
        jpegQuality: null,
        jpegSubsampling: '4:2:0',
        epochs: 1,
        batch: 64,
        lr: 1e-3,
      },
    });
    if (!preset.ok) throw new Error('unreachable');
    expect(AeTrainParams.parse(preset.params)).toMatchObject({ preset: 'mnist-like', epochs: 1, batch: 64 });
    expect(apiInputs['jobs.start'].parse({ kind: 'autoencoder', params: preset.params }).kind).toBe('autoencoder');

    const custom = buildAeParams({ ...customize(defaultAeForm(colour)), losses: ['triplet', 'cosine'], kendall: true });
    expect(custom.ok && custom.params).toMatchObject({ losses: ['triplet', 'cosine'], kendall: true, dim: 32 });
    expect(custom.ok && 'preset' in custom.params).toBe(false);
    // Kendall weighting needs two terms
    const single = buildAeParams({ ...customize(defaultAeForm(colour)), losses: ['mse'], kendall: true });
    expect(single.ok && single.params.kendall).toBe(false);
  });

  it('leaves the training settings out for the untrained ablation', () => {
    const r = buildAeParams({ ...defaultAeForm(grey), untrained: true, epochs: null, lr: null });
    expect(r).toEqual({
      ok: true,
      params: {
        datasetId: 1,
        preset: 'mnist-like',
        dim: 8,
        seed: 0,
        untrained: true,
        jpegQuality: null,
        jpegSubsampling: '4:2:0',
      },
    });
    if (r.ok) expect(AeTrainParams.parse(r.params).untrained).toBe(true);
  });

  it('says what is wrong with the form', () => {
    const f = defaultAeForm(grey);
    const bad = (over: Partial<AeForm>) => {
      const r = buildAeParams({ ...f, ...over });
      return r.ok ? null : r.field;
    };
    expect(bad({ datasetId: null })).toBe('datasetId');
    expect(bad({ dim: 1 })).toBe('dim');
    expect(bad({ dim: AE_LIMITS.dim.max + 1 })).toBe('dim');
    expect(bad({ dim: 8.5 })).toBe('dim');
    expect(bad({ seed: -1 })).toBe('seed');
    expect(bad({ mode: 'custom', losses: [] })).toBe('losses');
    expect(bad({ epochs: 0 })).toBe('epochs');
    expect(bad({ epochs: null })).toBe('epochs');
    expect(bad({ batch: 1 })).toBe('batch');
    expect(bad({ lr: 0 })).toBe('lr');
    expect(bad({ lr: 2 })).toBe('lr');
    expect(bad({})).toBeNull();
    const r = buildAeParams({ ...f, epochs: 0 });
    expect(!r.ok && r.error).toMatch(/Epochs: a whole number from 1 to 500/);
  });
});

describe('job results and progress', () => {
  it('reads the job result', () => {
    expect(parseAeResult({ autoencoderId: 4, metrics: metrics() })).toEqual({ autoencoderId: 4, metrics: metrics() });
    expect(parseAeResult({ autoencoderId: 4 })?.metrics.knnAgreement).toBeNaN();
    expect(parseAeResult(null)).toBeNull();
    expect(parseAeResult({ id: 4 })).toBeNull();
    expect(datasetIdOfParams({ datasetId: 3 })).toBe(3);
    expect(datasetIdOfParams({})).toBeNull();
    expect(datasetIdOfParams(null)).toBeNull();
  });
});

describe('loss curves', () => {
  it('classifies metric names', () => {
    expect(curveKind('loss')).toBe('total');
    expect(curveKind('loss/mse')).toBe('term');
    expect(curveKind('weight/triplet')).toBe('weight');
    expect(curveKind('loss/')).toBeNull();
    expect(curveKind('metric/knnAgreement')).toBeNull();
    expect(curveKind('accuracy')).toBeNull();
  });

  it('builds per-epoch curves from metric events, total first, then terms, then weights', () => {
    const events = [
      metric(1, 'weight/triplet', 1.1, 1),
      metric(2, 'loss/triplet', 0.9, 1),
      metric(3, 'loss', 1.5, 1),
      metric(4, 'loss/mse', 0.08, 1),
      metric(5, 'metric/knnAgreement', 0.9),
      metric(6, 'loss', 1.2, 2),
      metric(7, 'loss/triplet', 0.7, 2),
    ];
    const c = curvesFromEvents(events);
    expect(c.list.map((x) => x.name)).toEqual(['loss', 'loss/triplet', 'loss/mse', 'weight/triplet']);
    expect(c.list.map((x) => x.label)).toEqual(['total', 'triplet', 'mse', 'weight: triplet']);
    expect(c.list[0]!.points).toEqual([
      { x: 1, y: 1.5 },
      { x: 2, y: 1.2 },
    ]);
    expect(c.epoch).toBe(2);
    // pushes continue from there
    const more = curvesFromEvents([metric(8, 'loss', 1.0, 3)], c);
    expect(more.list[0]!.points.map((p) => p.x)).toEqual([1, 2, 3]);
    expect(c.list[0]!.points).toHaveLength(2); // not mutated
  });

  it('replaces a repeated epoch and keeps points sorted', () => {
    let c = addCurvePoint(emptyCurves(), 'loss', 2, 1.0);
    c = addCurvePoint(c, 'loss', 1, 2.0);
    c = addCurvePoint(c, 'loss', 2, 0.9);
    expect(c.list[0]!.points).toEqual([
      { x: 1, y: 2.0 },
      { x: 2, y: 0.9 },
    ]);
    expect(addCurvePoint(c, 'loss', 3, NaN)).toBe(c);
    expect(addCurvePoint(c, 'other', 3, 1)).toBe(c);
  });

  it('counts epochs when the events carry none', () => {
    const c = curvesFromEvents([metric(1, 'loss', 3), metric(2, 'loss', 2)]);
    expect(c.list[0]!.points.map((p) => p.x)).toEqual([1, 2]);
  });

  it('builds curves from a stored history', () => {
    const c = curvesFromHistory([
      { epoch: 1, loss: 1.2, terms: { triplet: 1, mse: 0.1 }, weights: { triplet: 1.1, mse: 2 }, seconds: 3 },
      { epoch: 2, loss: 1.0, terms: { triplet: 0.8, mse: 0.09 }, weights: { triplet: 1.2, mse: 2.2 }, seconds: 6 },
    ]);
    expect(c.list.map((x) => x.name)).toEqual(['loss', 'loss/triplet', 'loss/mse', 'weight/triplet', 'weight/mse']);
    expect(c.list[4]!.points).toEqual([
      { x: 1, y: 2 },
      { x: 2, y: 2.2 },
    ]);
    expect(latestValues(c).map((v) => `${v.label}=${v.value}`)).toEqual([
      'total=1',
      'triplet=0.8',
      'mse=0.09',
      'weight: triplet=1.2',
      'weight: mse=2.2',
    ]);
  });

  it('draws a single term that equals the total as one line', () => {
    let c = addCurvePoint(emptyCurves(), 'loss', 1, 0.5);
    c = addCurvePoint(c, 'loss/contractive', 1, 0.5);
    expect(chartCurves(c).map((x) => x.label)).toEqual(['total = contractive']);
    const differs = addCurvePoint(c, 'loss/contractive', 1, 0.4);
    expect(chartCurves(differs)).toHaveLength(2);
    const two = addCurvePoint(c, 'loss/mse', 1, 0.1);
    expect(chartCurves(two)).toHaveLength(3);
  });

  it('allows a log scale only when every loss is positive (Kendall totals can go below zero)', () => {
    let c = addCurvePoint(emptyCurves(), 'loss', 1, 0.5);
    c = addCurvePoint(c, 'weight/mse', 1, 0);
    expect(canUseLogScale(c)).toBe(true);
    expect(canUseLogScale(addCurvePoint(c, 'loss', 2, -0.3))).toBe(false);
    expect(canUseLogScale(emptyCurves())).toBe(false);
  });

  it('colours a term and its weight alike', () => {
    expect(curveColor({ name: 'loss/mse', kind: 'term' })).toBe(curveColor({ name: 'weight/mse', kind: 'weight' }));
    expect(curveColor({ name: 'loss', kind: 'total' })).not.toBe(curveColor({ name: 'loss/mse', kind: 'term' }));
    expect(curveColor({ name: 'loss/jacobian', kind: 'term' })).toMatch(/^(#|hsl)/);
  });
});

describe('metrics and comparison', () => {
  it('formats each metric', () => {
    const m = metrics({
      knnAgreement: 0.9345,
      knnAgreementTest: 0.9,
      silhouette: -0.0271,
      psnr: 18.234,
      ssim: 0.6411,
      trainSeconds: 75,
    });
    const text = Object.fromEntries(METRIC_ROWS.map((r) => [r.key, r.format(m[r.key])]));
    expect(text).toEqual({
      knnAgreement: '93.5 %',
      knnAgreementTest: '90.0 %',
      silhouette: '-0.027',
      psnr: '18.23 dB',
      ssim: '0.641',
      trainSeconds: '1 min 15 s',
    });
    expect(METRIC_ROWS[0]!.format(NaN)).toBe('—');
    const time = METRIC_ROWS.find((r) => r.key === 'trainSeconds')!;
    expect(metricText(time, { metrics: m, untrained: true })).toBe('not trained');
    expect(metricText(time, { metrics: m, untrained: false })).toBe('1 min 15 s');
  });

  it('says which value is better', () => {
    expect(betterOf({ better: 'higher' }, 0.9, 0.4)).toBe('a');
    expect(betterOf({ better: 'higher' }, 0.4, 0.9)).toBe('b');
    expect(betterOf({ better: 'lower' }, 10, 20)).toBe('a');
    expect(betterOf({ better: 'higher' }, 0.5, 0.5)).toBe('tie');
    expect(betterOf({ better: 'higher' }, NaN, 0.5)).toBeNull();
  });

  it('compares two autoencoders; train time is no contest against an untrained one', () => {
    const trained = { metrics: metrics(), untrained: false };
    const random = {
      metrics: metrics({
        knnAgreement: 0.41,
        knnAgreementTest: 0.38,
        silhouette: -0.03,
        psnr: 9.9,
        ssim: 0.08,
        trainSeconds: 0,
      }),
      untrained: true,
    };
    expect(compareMetrics(trained, random)).toEqual({
      knnAgreement: 'a',
      knnAgreementTest: 'a',
      silhouette: 'a',
      psnr: 'a',
      ssim: 'a',
      trainSeconds: null,
    });
    expect(compareMetrics(random, trained).knnAgreement).toBe('b');
    const faster = { metrics: metrics({ trainSeconds: 100, psnr: 20 }), untrained: false };
    expect(compareMetrics(trained, faster)).toMatchObject({ trainSeconds: 'b', psnr: 'b', knnAgreement: 'tie' });
  });
});

describe('labels and the list', () => {
  it('describes an autoencoder', () => {
    expect(lossesLabel(['contractive'], false)).toBe('Contractive');
    expect(lossesLabel(['triplet', 'mse'], true)).toBe('Triplet + MSE (Kendall)');
    expect(lossesLabel(['triplet', 'mse'], false)).toBe('Triplet + MSE (equal weights)');
    expect(settingsLine(summary())).toBe('Contractive · N = 8 · 30 epochs · batch 8 · seed 0');
    expect(settingsLine(summary({ epochs: 1, batch: 64 }))).toBe('Contractive · N = 8 · 1 epoch · batch 64 · seed 0');
    expect(settingsLine(summary({ untrained: true }))).toBe('Contractive · N = 8 · random weights · seed 0');
    // an autoencoder trained on JPEG-compressed images says so
    expect(settingsLine(summary({ jpegQuality: 15, jpegSubsampling: '4:4:4' }))).toBe(
      'Contractive · N = 8 · 30 epochs · batch 8 · seed 0 · JPEG quality 15, 4:4:4',
    );
    expect(aeTitle(summary({ id: 3, untrained: true }))).toBe('Autoencoder #3 · mnist-like, untrained');
  });

  it('groups by dataset, newest first', () => {
    const list = [
      summary({ id: 1, datasetId: 1, createdAt: 1 }),
      summary({ id: 2, datasetId: 2, datasetName: 'chroma', createdAt: 2 }),
      summary({ id: 3, datasetId: 1, createdAt: 3 }),
    ];
    const groups = groupByDataset(list);
    expect(groups.map((g) => [g.datasetName, g.items.map((a) => a.id)])).toEqual([
      ['MNIST sample', [3, 1]],
      ['chroma', [2]],
    ]);
  });

  it('keeps at most two autoencoders ticked for comparison', () => {
    expect(toggleCompare([], 1)).toEqual([1]);
    expect(toggleCompare([1], 2)).toEqual([1, 2]);
    expect(toggleCompare([1, 2], 3)).toEqual([2, 3]);
    expect(toggleCompare([1, 2], 1)).toEqual([2]);
  });
});

describe('the latent map', () => {
  it('groups points by class with names and distinct colours', () => {
    const series = mapSeries(
      [
        { x: 0, y: 0, label: 1, index: 10 },
        { x: 1, y: 1, label: 0, index: 11 },
        { x: 2, y: 2, label: 1, index: 12 },
        { x: NaN, y: 2, label: 1, index: 13 },
        { x: 3, y: 3, label: 4, index: 14 },
      ],
      ['zero', 'one'],
    );
    expect(series.map((s) => [s.label, s.name, s.points.length])).toEqual([
      [0, 'zero', 1],
      [1, 'one', 2],
      [4, 'class 4', 1],
    ]);
    expect(series[1]!.points[1]).toEqual({ x: 2, y: 2, index: 12 });
    const colours = new Set(Array.from({ length: 20 }, (_, i) => classColor(i)));
    expect(colours.size).toBe(20);
    expect(classColor(57)).toMatch(/^hsl\(/);
  });
});
