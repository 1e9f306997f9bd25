/**
 * renderer/src/lib/evaluate.ts: the Evaluate page's pure helpers. The form builds EvaluateParams without importing
 * zod, so these tests hold what it builds to the schema in shared/evaluate.ts; and the route of one evaluation.
 */
import { describe, expect, it } from 'vitest';
import {
  EVALUATE_LIMITS,
  EVAL_PRESETS,
  EvaluateParams,
  NETWORK_KINDS,
  PRESET_INFO,
  withPresetRecipe,
  type ClassificationReport,
  type EvaluationSummary,
  type NetworkDescription,
} from '../../shared/evaluate.js';
import type { DartsGenotype } from '../../shared/genotype.js';
import { formatDartsGenotype, parseNb201 } from '../../shared/genotype/text.js';
import type { PushMessage } from '../../shared/jobs.js';
import {
  base64ToBytes,
  classBars,
  confusionRows,
  confusionTitle,
  darkCell,
  groupBars,
  groupGap,
  worstConfusions,
} from '../../renderer/src/lib/evaluate-results.js';
import {
  EVALUATE_DEFAULTS,
  augmentNote,
  buildEvaluateParams,
  choosePreset,
  comparisonRow,
  comparisonRows,
  defaultEvaluateForm,
  describeReading,
  evaluateCharts,
  evaluateEpochFromPush,
  formatMillions,
  formatPoints,
  formatSeconds,
  millions,
  networkKindOf,
  networkLabel,
  networkSize,
  parseEvaluateResult,
  pickSearch,
  readGenotype,
  searchChoices,
  searchCost,
  settingsLine,
  sizeLine,
  sizeOverrides,
  sourceLabel,
  type EvaluateForm,
  type GenotypeReading,
} from '../../renderer/src/lib/evaluate.js';
import { mergeEpochs } from '../../renderer/src/lib/search-curves.js';
import { expectItemRoutes } from '../helpers/routes.js';

const TINY_DARTS: DartsGenotype = {
  space: 'darts',
  normal: [
    ['sep_conv_3x3', 0],
    ['skip_connect', 1],
    ['sep_conv_3x3', 0],
    ['max_pool_3x3', 1],
    ['dil_conv_3x3', 2],
    ['skip_connect', 0],
    ['avg_pool_3x3', 1],
    ['sep_conv_5x5', 3],
  ],
  normalConcat: [2, 3, 4, 5],
  reduce: [
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['skip_connect', 2],
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 0],
    ['skip_connect', 2],
    ['skip_connect', 2],
    ['avg_pool_3x3', 0],
  ],
  reduceConcat: [2, 3, 4, 5],
};
const DARTS_TEXT = formatDartsGenotype(TINY_DARTS);
const NB201_TEXT = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

const form = (over: Partial<EvaluateForm> = {}): EvaluateForm => ({ ...defaultEvaluateForm(), datasetId: 3, ...over });
const genotypeForm = (text: string, over: Partial<EvaluateForm> = {}) =>
  form({ source: 'genotype', genotypeText: text, ...over });
const build = (f: EvaluateForm, searchSpace: 'darts' | 'nb201' | null = null) =>
  buildEvaluateParams(f, readGenotype(f.genotypeText), searchSpace);

describe('the form mirrors the EvaluateParams schema', () => {
  it('the empty form holds the schema’s defaults', () => {
    const d = EvaluateParams.parse({ datasetId: 1, source: { kind: 'baseline', name: 'cnn' } });
    const f = defaultEvaluateForm();
    expect(f).toMatchObject({
      preset: d.preset,
      epochs: d.epochs,
      batch: d.batch,
      augment: d.augment,
      seed: d.seed,
      limitPerClass: d.limitPerClass,
      channels: null,
      layers: null,
      auxiliary: null,
      dropPath: null,
    });
    expect(EVALUATE_DEFAULTS).toMatchObject({
      preset: d.preset,
      epochs: d.epochs,
      batch: d.batch,
      seed: d.seed,
      augment: d.augment,
    });
  });

  it('accepts and refuses exactly what the schema does, field by field', () => {
    const base = build(genotypeForm(DARTS_TEXT));
    if (!base.ok) throw new Error(base.error);
    const fields = ['channels', 'layers', 'epochs', 'batch'] as const;
    for (const field of fields) {
      const { min, max } = EVALUATE_LIMITS[field];
      for (const v of [min - 1, min - 0.5, min, min + 0.5, min + 1, max - 0.5, max, max + 0.5, max + 1, -1, 0]) {
        const built = build(genotypeForm(DARTS_TEXT, { [field]: v }));
        const schema = EvaluateParams.safeParse({ ...base.params, [field]: v });
        expect(
          built.ok,
          `${field} = ${v}: the form says ${built.ok ? 'yes' : 'no'}, the schema ${schema.success ? 'yes' : 'no'}`,
        ).toBe(schema.success);
        if (!built.ok) expect(built.field).toBe(field);
      }
    }
    for (const v of [-0.1, 0, 0.2, 0.9, 0.91, 1]) {
      const built = build(genotypeForm(DARTS_TEXT, { dropPath: v }));
      expect(built.ok, `dropPath = ${v}`).toBe(EvaluateParams.safeParse({ ...base.params, dropPath: v }).success);
    }
    for (const v of [-1, 0, 2 ** 31 - 1, 2 ** 31, 1.5]) {
      const built = build(genotypeForm(DARTS_TEXT, { seed: v }));
      expect(built.ok, `seed = ${v}`).toBe(EvaluateParams.safeParse({ ...base.params, seed: v }).success);
    }
    for (const v of [0, 1, 20, 2.5]) {
      const built = build(genotypeForm(DARTS_TEXT, { limitPerClass: v }));
      expect(built.ok, `limitPerClass = ${v}`).toBe(
        EvaluateParams.safeParse({ ...base.params, limitPerClass: v }).success,
      );
    }
  });

  it('every preset builds, for every source', () => {
    for (const preset of EVAL_PRESETS) {
      for (const f of [
        genotypeForm(DARTS_TEXT, { preset }),
        genotypeForm(NB201_TEXT, { preset }),
        form({ source: 'baseline', baseline: 'cnn', preset }),
        form({ source: 'baseline', baseline: 'resnet20', preset }),
        form({ source: 'search', searchJobId: 9, preset }),
      ]) {
        const built = build(f, 'darts');
        if (!built.ok) throw new Error(built.error);
        const parsed = EvaluateParams.parse(built.params);
        expect(parsed).toMatchObject(built.params);
        expect(parsed.preset).toBe(preset);
      }
    }
  });
});

describe('buildEvaluateParams', () => {
  it('sends the source the form chose', () => {
    const s = build(form({ source: 'search', searchJobId: 12 }), 'darts');
    expect(s.ok && s.params.source).toEqual({ kind: 'search', jobId: 12 });
    const g = build(genotypeForm(`  ${NB201_TEXT}\n`));
    expect(g.ok && g.params.source).toEqual({ kind: 'genotype', text: NB201_TEXT });
    const b = build(form({ source: 'baseline', baseline: 'resnet20' }));
    expect(b.ok && b.params.source).toEqual({ kind: 'baseline', name: 'resnet20' });
  });

  it('puts the size overrides in only when set', () => {
    const plain = build(genotypeForm(DARTS_TEXT));
    if (!plain.ok) throw new Error(plain.error);
    for (const k of ['channels', 'layers', 'auxiliary', 'dropPath'] as const)
      expect(plain.params).not.toHaveProperty(k);
    const set = build(genotypeForm(DARTS_TEXT, { channels: 12, layers: 4, auxiliary: true, dropPath: 0.1 }));
    if (!set.ok) throw new Error(set.error);
    expect(set.params).toMatchObject({ channels: 12, layers: 4, auxiliary: true, dropPath: 0.1 });
    // an explicit "off" is a choice too
    const off = build(genotypeForm(DARTS_TEXT, { auxiliary: false, dropPath: 0 }));
    expect(off.ok && off.params).toMatchObject({ auxiliary: false, dropPath: 0 });
  });

  it('drops the DARTS-only fields for other kinds, and layers for the baselines', () => {
    const over = { channels: 12, layers: 4, auxiliary: true, dropPath: 0.1 };
    const nb = build(genotypeForm(NB201_TEXT, over));
    if (!nb.ok) throw new Error(nb.error);
    expect(nb.params).toMatchObject({ channels: 12, layers: 4 });
    expect(nb.params).not.toHaveProperty('auxiliary');
    expect(nb.params).not.toHaveProperty('dropPath');
    for (const baseline of ['cnn', 'resnet20'] as const) {
      const b = build(form({ source: 'baseline', baseline, ...over }));
      if (!b.ok) throw new Error(b.error);
      expect(b.params.channels).toBe(12);
      for (const k of ['layers', 'auxiliary', 'dropPath'] as const) expect(b.params).not.toHaveProperty(k);
    }
    // a search's space decides
    const sd = build(form({ source: 'search', searchJobId: 4, ...over }), 'darts');
    expect(sd.ok && sd.params).toMatchObject(over);
    const sn = build(form({ source: 'search', searchJobId: 4, ...over }), 'nb201');
    expect(sn.ok && sn.params).not.toHaveProperty('auxiliary');
    // out-of-range values of fields that do not apply do not block the form
    expect(build(form({ source: 'baseline', layers: 999, dropPath: 5 })).ok).toBe(true);
  });

  it('says which field is wrong first, in words', () => {
    expect(build(form({ datasetId: null, source: 'baseline' }))).toMatchObject({ ok: false, field: 'datasetId' });
    expect(build(form({ source: 'search', searchJobId: null }))).toMatchObject({ ok: false, field: 'searchJobId' });
    expect(build(genotypeForm('   '))).toMatchObject({
      ok: false,
      field: 'genotypeText',
      error: expect.stringMatching(/Paste a genotype/),
    });
    const bad = build(genotypeForm("Genotype(normal=[('sep_conv_9x9', 0)])"));
    expect(bad).toMatchObject({ ok: false, field: 'genotypeText' });
    if (!bad.ok) expect(bad.error).toMatch(/^The genotype cannot be read: .*sep_conv_9x9/);
    expect(build(genotypeForm(NB201_TEXT, { layers: 0 }))).toMatchObject({
      ok: false,
      field: 'layers',
      error: expect.stringMatching(/^Cells per stage:/),
    });
    expect(build(genotypeForm(DARTS_TEXT, { epochs: null }))).toMatchObject({ ok: false, field: 'epochs' });
    expect(build(genotypeForm(DARTS_TEXT, { batch: 1 }))).toMatchObject({ ok: false, field: 'batch' });
  });
});

describe('reading a pasted genotype', () => {
  it('reads DARTS text, the NB201 string and a genotype JSON document', () => {
    const d = readGenotype(DARTS_TEXT);
    expect(d).toMatchObject({ state: 'ok', kind: 'darts', format: 'darts' });
    if (d.state === 'ok') expect(d.genotype).toEqual(TINY_DARTS);
    expect(readGenotype(NB201_TEXT)).toMatchObject({
      state: 'ok',
      kind: 'nb201',
      format: 'nb201',
      genotype: parseNb201(NB201_TEXT),
    });
    const json = JSON.stringify({
      format: 'winnow-genotype',
      version: 1,
      genotype: TINY_DARTS,
      text: DARTS_TEXT,
      provenance: {},
    });
    expect(readGenotype(json)).toMatchObject({ state: 'ok', kind: 'darts', format: 'json' });
    expect(readGenotype(JSON.stringify({ genotype: parseNb201(NB201_TEXT) }))).toMatchObject({
      state: 'ok',
      kind: 'nb201',
      format: 'json',
    });
    expect(readGenotype('')).toEqual({ state: 'empty' });
  });

  it('says what is wrong with what it cannot read', () => {
    const cases: [string, RegExp][] = [
      ['hello', /not a genotype/],
      ['{ nope', /not valid JSON/],
      ['{"a": 1}', /holds no genotype/],
      [
        '|nor_conv_3x3~0|+|bogus~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
        /unknown operation 'bogus'/,
      ],
      ['x'.repeat(200_001), /at most 200,000/],
    ];
    for (const [text, re] of cases) {
      const r = readGenotype(text);
      expect(r.state).toBe('error');
      if (r.state === 'error') expect(r.message).toMatch(re);
    }
    expect(describeReading(readGenotype('hello'))).toMatch(/^Cannot read it: not a genotype/);
    expect(describeReading(readGenotype(NB201_TEXT))).toBe('A NAS-Bench-201 cell.');
  });

  it('the network kind follows the source', () => {
    const reading: GenotypeReading = readGenotype(NB201_TEXT);
    expect(networkKindOf({ source: 'baseline', baseline: 'resnet20' }, 'darts', reading)).toBe('resnet20');
    expect(networkKindOf({ source: 'search', baseline: 'cnn' }, 'darts', reading)).toBe('darts');
    expect(networkKindOf({ source: 'search', baseline: 'cnn' }, null, reading)).toBeNull();
    expect(networkKindOf({ source: 'genotype', baseline: 'cnn' }, 'darts', reading)).toBe('nb201');
    expect(networkKindOf({ source: 'genotype', baseline: 'cnn' }, null, readGenotype('nope'))).toBeNull();
  });
});

describe('searches offered', () => {
  const s = (
    jobId: number,
    datasetId: number,
    state = 'done',
    genotypeText: string | null = 'g',
    createdAt = jobId,
  ) => ({
    jobId,
    datasetId,
    datasetName: null,
    space: 'darts' as const,
    state,
    genotypeText,
    createdAt,
  });

  it('finished ones with a genotype, the dataset’s first, newest first', () => {
    const list = [s(1, 2), s(2, 1), s(3, 1, 'running'), s(4, 2), s(5, 1, 'done', null), s(6, 1)];
    expect(searchChoices(list, 1).map((x) => x.jobId)).toEqual([6, 2, 4, 1]);
    expect(searchChoices(list, 2).map((x) => x.jobId)).toEqual([4, 1, 6, 2]);
  });

  it('keeps the chosen one while offered', () => {
    const choices = [s(6, 1), s(2, 1)];
    expect(pickSearch(choices, 2)).toBe(2);
    expect(pickSearch(choices, 99)).toBe(6);
    expect(pickSearch([], 2)).toBeNull();
  });
});

describe('network size and notes', () => {
  it('overrides apply where the kind has them', () => {
    const f = { channels: 20, layers: 7, auxiliary: true, dropPath: 0.3 };
    expect(sizeOverrides(f, 'darts')).toEqual(f);
    expect(sizeOverrides(f, 'nb201')).toEqual({ channels: 20, layers: 7 });
    expect(sizeOverrides(f, 'cnn')).toEqual({ channels: 20 });
    expect(sizeOverrides({ channels: null, layers: null, auxiliary: null, dropPath: null }, 'darts')).toEqual({});
  });

  it('describes the size', () => {
    expect(sizeLine('darts', networkSize('darts', 'darts-paper'))).toBe(
      'C = 36, 20 cells, auxiliary head, drop-path 0.2',
    );
    expect(sizeLine('darts', networkSize('darts', 'tiny'))).toBe('C = 8, 3 cells');
    expect(sizeLine('nb201', networkSize('nb201', 'small'))).toBe('C = 16, 1 cell per stage');
    expect(sizeLine('cnn', networkSize('cnn', 'small'))).toBe('width 32');
    for (const k of NETWORK_KINDS) expect(sizeLine(k, networkSize(k, 'small')).length).toBeGreaterThan(0);
  });

  it('says what auto augmentation means for the dataset', () => {
    expect(augmentNote('auto', 1)).toMatch(/^Auto: off for this greyscale dataset/);
    expect(augmentNote('auto', 3)).toMatch(/^Auto: on for this RGB dataset — random crop .* horizontal flip/);
    expect(augmentNote('auto', null)).toMatch(/for RGB datasets, none for greyscale/);
    expect(augmentNote('on', 1)).toMatch(/careful/);
    expect(augmentNote('off', 3)).toMatch(/No augmentation/);
  });
});

describe('numbers', () => {
  it('formats millions with 3 significant digits', () => {
    expect(formatMillions(3_349_342)).toBe('3.35 M');
    expect(formatMillions(12_345)).toBe('0.0123 M');
    expect(formatMillions(271_000)).toBe('0.271 M');
    expect(formatMillions(574_000_000)).toBe('574 M');
    expect(formatMillions(1_234_567_890)).toBe('1230 M');
    expect(formatMillions(0)).toBe('0 M');
    expect(formatMillions(null)).toBe('—');
    expect(formatMillions(Number.NaN)).toBe('—');
    expect(millions(3_349_342)).toBe('3.35');
    expect(millions(0)).toBe('0');
    expect(millions(undefined)).toBe('—');
  });

  it('formats seconds and percentage points', () => {
    expect(formatSeconds(12.44)).toBe('12.4 s');
    expect(formatSeconds(122)).toBe('2 min 02 s');
    expect(formatSeconds(null)).toBe('—');
    expect(formatPoints(0.0421)).toBe('4.2 pp');
    expect(formatPoints(null)).toBe('—');
  });

  it('decodes base64 weights to bytes', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 128]);
    expect([...base64ToBytes(Buffer.from(bytes).toString('base64'))]).toEqual([...bytes]);
    expect(base64ToBytes('').length).toBe(0);
  });
});

describe('confusion matrix', () => {
  const confusion = [
    [8, 2, 0],
    [1, 3, 0],
    [0, 0, 0],
  ];

  it('normalises each row by its total; colour strength is the share', () => {
    const rows = confusionRows(confusion);
    expect(rows.map((r) => r.total)).toEqual([10, 4, 0]);
    expect(rows[0]!.cells.map((c) => c.share)).toEqual([0.8, 0.2, 0]);
    expect(rows[1]!.cells.map((c) => c.strength)).toEqual([0.25, 0.75, 0]);
    expect(rows[2]!.cells.every((c) => c.share === 0 && c.strength === 0)).toBe(true);
    expect(rows.map((r, i) => r.cells.findIndex((c) => c.diagonal) === i)).toEqual([true, true, true]);
    // row-normalised: a class of 4 images reads as strongly as one of 10
    expect(rows[1]!.cells[1]!.strength).toBeLessThan(rows[0]!.cells[0]!.strength);
    expect(darkCell(0.8)).toBe(true);
    expect(darkCell(0.2)).toBe(false);
  });

  it('titles a cell with the count and the share', () => {
    const rows = confusionRows(confusion);
    expect(confusionTitle('cat', 'dog', rows[0]!.cells[1]!, rows[0]!.total)).toBe(
      'true cat, predicted dog: 2 of 10 (20.0 %)',
    );
  });

  it('finds the worst confusions', () => {
    const report = {
      confusion,
      perClass: ['a', 'b', 'c'].map((name, label) => ({ label, name, correct: 0, total: 0, accuracy: 0 })),
    };
    expect(worstConfusions(report, 5)).toEqual([
      { from: 'b', to: 'a', share: 0.25, count: 1 },
      { from: 'a', to: 'b', share: 0.2, count: 2 },
    ]);
  });
});

describe('per-group accuracy', () => {
  it('keeps the report’s order and measures the gap', () => {
    const groups = [
      { group: 'B', correct: 9, total: 10, accuracy: 0.9 },
      { group: 'A', correct: 6, total: 10, accuracy: 0.6 },
    ];
    expect(groupBars(groups).map((b) => [b.name, b.fraction])).toEqual([
      ['B', 0.9],
      ['A', 0.6],
    ]);
    expect(groupGap(groups)).toBeCloseTo(0.3, 10);
    expect(groupGap(null)).toBeNull();
    expect(groupGap([])).toBeNull();
  });
});

describe('per-class bars', () => {
  it('orders by label, clamps the length', () => {
    const bars = classBars([
      { label: 1, name: 'one', correct: 5, total: 10, accuracy: 0.5 },
      { label: 0, name: 'zero', correct: 10, total: 10, accuracy: 1 },
      { label: 2, name: 'two', correct: 0, total: 0, accuracy: Number.NaN },
    ]);
    expect(bars.map((b) => [b.name, b.fraction])).toEqual([
      ['zero', 1],
      ['one', 0.5],
      ['two', 0],
    ]);
  });
});

// ---- epochs and results -------------------------------------------------------------------------------------

const epoch = (n: number, testAccuracy = 0.5) => ({
  epoch: n,
  epochs: 3,
  trainLoss: 2 - n / 10,
  trainAccuracy: 0.3 + n / 10,
  testLoss: 2.1 - n / 10,
  testAccuracy,
  lr: 0.01,
  seconds: 2,
  images: 200,
});

describe('epochs and curves', () => {
  it('merges by epoch, the later one winning', () => {
    const merged = mergeEpochs([epoch(1), epoch(2)], [epoch(2, 0.9), epoch(3)]);
    expect(merged.map((e) => [e.epoch, e.testAccuracy])).toEqual([
      [1, 0.5],
      [2, 0.9],
      [3, 0.5],
    ]);
  });

  it('reads evaluate-epoch pushes of its job only', () => {
    const push = (jobId: number, type: string): PushMessage =>
      ({
        channel: 'job.event',
        jobId,
        ts: 1,
        event: type === 'evaluate-epoch' ? { type, data: epoch(1) } : { type: 'log', level: 'info', message: 'x' },
      }) as PushMessage;
    expect(evaluateEpochFromPush(push(4, 'evaluate-epoch'), 4)).toEqual(epoch(1));
    expect(evaluateEpochFromPush(push(5, 'evaluate-epoch'), 4)).toBeNull();
    expect(evaluateEpochFromPush(push(4, 'log'), 4)).toBeNull();
  });

  it('draws train and test loss and accuracy (in %)', () => {
    const c = evaluateCharts([epoch(1, 0.5), epoch(2, 0.75)]);
    expect(c.loss.map((s) => [s.label, s.role, s.points.length])).toEqual([
      ['train', 'train', 2],
      ['test', 'val', 2],
    ]);
    expect(c.accuracy[1]!.points).toEqual([
      { x: 1, y: 50 },
      { x: 2, y: 75 },
    ]);
    expect(c.seconds[0]!.points).toHaveLength(2);
  });
});

const network = (over: Partial<NetworkDescription> = {}): NetworkDescription => ({
  kind: 'darts',
  channels: 8,
  layers: 3,
  auxiliary: false,
  dropPath: 0,
  genotype: TINY_DARTS,
  label: 'DARTS network, C=8, 3 cells',
  ...over,
});

const summary = (over: Partial<EvaluationSummary> = {}): EvaluationSummary => ({
  jobId: 7,
  state: 'done',
  datasetId: 1,
  datasetName: 'MNIST sample',
  network: network(),
  source: { kind: 'search', jobId: 3 },
  search: { jobId: 3, seconds: 130, images: 2000, strategy: 'full' },
  epochs: 10,
  epochsDone: 10,
  createdAt: 1000,
  testAccuracy: 0.9712,
  parameters: 12_345,
  multiplyAdds: 3_400_000,
  seconds: 61.5,
  modelId: 2,
  ...over,
});

describe('the runs table', () => {
  it('one row per evaluation, with the search’s cost', () => {
    expect(comparisonRow(summary())).toMatchObject({
      jobId: 7,
      network: 'DARTS network, C=8, 3 cells',
      source: 'search #3',
      dataset: 'MNIST sample',
      epochs: '10 / 10',
      accuracy: '97.1 %',
      parameters: '0.0123',
      multiplyAdds: '3.4',
      time: '1 min 01 s',
      searchCost: '2 min 10 s, 2,000 images · full',
      search: { jobId: 3, time: '2 min 10 s', images: '2,000 images', strategy: 'full' },
    });
  });

  it('fills what a running or baseline evaluation does not have yet', () => {
    const r = comparisonRow(
      summary({
        state: 'running',
        network: null,
        source: { kind: 'baseline', name: 'resnet20' },
        search: null,
        datasetName: null,
        testAccuracy: null,
        parameters: null,
        multiplyAdds: null,
        seconds: null,
        epochsDone: 2,
      }),
    );
    expect(r).toMatchObject({
      network: 'ResNet-20',
      source: 'ResNet-20',
      dataset: 'dataset #1',
      epochs: '2 / 10',
      accuracy: '—',
      parameters: '—',
      multiplyAdds: '—',
      time: '—',
      searchCost: null,
      search: null,
    });
    expect(networkLabel(null, { kind: 'genotype', text: 'x' })).toBe('pasted genotype');
    expect(sourceLabel({ kind: 'genotype', text: 'x' })).toBe('pasted genotype');
    expect(searchCost({ jobId: 1, seconds: null, images: null, strategy: 'dds' })).toBe('cost unknown · dds');
  });

  it('newest first', () => {
    const rows = comparisonRows([
      summary({ jobId: 1, createdAt: 1 }),
      summary({ jobId: 3, createdAt: 3 }),
      summary({ jobId: 2, createdAt: 3 }),
    ]);
    expect(rows.map((r) => r.jobId)).toEqual([3, 2, 1]);
  });
});

describe('results', () => {
  const test: ClassificationReport = {
    images: 20,
    loss: 0.3,
    accuracy: 0.9,
    perClass: [],
    confusion: [],
    perGroup: null,
    groupStd: null,
  };

  it('reads a job’s result when it looks like one', () => {
    const r = {
      network: network(),
      genotypeText: DARTS_TEXT,
      parameters: 1,
      multiplyAdds: 2,
      test,
      epochs: 1,
      seconds: 1,
      imagesPerSecond: 10,
      backend: 'cpu',
      modelId: 1,
    };
    expect(parseEvaluateResult(r)).toBe(r);
    expect(parseEvaluateResult({ network: network() })).toBeNull();
    expect(parseEvaluateResult(null)).toBeNull();
  });

  it('sums up the settings', () => {
    expect(
      settingsLine({
        preset: 'tiny',
        epochs: 1,
        batch: 16,
        augment: 'auto',
        seed: 0,
        limitPerClass: 20,
        lr: 0.025,
        weightDecay: 3e-4,
      }),
    ).toBe(
      'preset Tiny, 1 epoch, batch 16, lr 0.025 (cosine), weight decay 0.0003, augmentation auto, seed 0, ≤ 20 images per class',
    );
  });
});

describe('evaluate routes', () => {
  it('parses and builds #/evaluate/<jobId>', () => {
    expectItemRoutes('evaluate', 'evaluationId');
  });
});

describe("presets that claim to be a paper's carry its recipe", () => {
  it("thesis-*: SGD lr 0.01, batch 32, 300 epochs (the thesis' Sec. 6.2.1); darts-paper: train.py's batch 96", () => {
    for (const p of ['thesis-mnist', 'thesis-fashion', 'thesis-cifar'] as const)
      expect(PRESET_INFO[p].recipe).toEqual({ epochs: 300, batch: 32, lr: 0.01 });
    expect(PRESET_INFO['darts-paper'].recipe).toEqual({ epochs: 600, batch: 96, lr: 0.025 });
    expect(PRESET_INFO.small.recipe).toBeUndefined();
  });

  it('the form fills the recipe in when the preset is chosen, and sends its lr', () => {
    const f = choosePreset(form({ source: 'baseline', baseline: 'cnn' }), 'thesis-mnist');
    expect(f).toMatchObject({ preset: 'thesis-mnist', epochs: 300, batch: 32 });
    const built = build(f);
    if (!built.ok) throw new Error(built.error);
    expect(EvaluateParams.parse(built.params)).toMatchObject({ epochs: 300, batch: 32, lr: 0.01 });
    // a preset without a recipe leaves the numbers as they are and the lr to the schema
    const small = build(choosePreset({ ...f, epochs: 7 }, 'small'));
    if (!small.ok) throw new Error(small.error);
    expect(small.params).toMatchObject({ epochs: 7, batch: 32 });
    expect(small.params.lr).toBeUndefined();
  });

  it('the CLI fills what its flags leave out (withPresetRecipe)', () => {
    expect(withPresetRecipe({ preset: 'thesis-cifar' as const })).toEqual({
      preset: 'thesis-cifar',
      epochs: 300,
      batch: 32,
      lr: 0.01,
    });
    expect(withPresetRecipe({ preset: 'thesis-cifar' as const, epochs: 5 })).toEqual({
      preset: 'thesis-cifar',
      epochs: 5,
      batch: 32,
      lr: 0.01,
    });
    expect(withPresetRecipe({ preset: 'tiny' as const })).toEqual({ preset: 'tiny' });
    expect(withPresetRecipe({})).toEqual({});
  });
});
