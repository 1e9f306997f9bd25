/**
 * renderer/src/lib/evaluate.ts: the Evaluate page's form. The form builds EvaluateParams without importing
 * zod, so these tests hold what it builds to the schema in shared/evaluate.ts; and the route of one evaluation.
 * The numbers, charts, runs table and results are in renderer-evaluate-results.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  EVALUATE_LIMITS,
  EVAL_PRESETS,
  EvaluateParams,
  NETWORK_KINDS,
  PRESET_INFO,
  withPresetRecipe,
} from '../../shared/evaluate.js';
import { parseNb201 } from '../../shared/genotype/text.js';
import {
  EVALUATE_DEFAULTS,
  augmentNote,
  buildEvaluateParams,
  choosePreset,
  defaultEvaluateForm,
  describeReading,
  networkKindOf,
  networkSize,
  pickSearch,
  readGenotype,
  searchChoices,
  sizeLine,
  sizeOverrides,
  type EvaluateForm,
  type GenotypeReading,
} from '../../renderer/src/lib/evaluate.js';
import { DARTS_TEXT, TINY_DARTS } from '../helpers/genotype.js';
import { expectItemRoutes } from '../helpers/routes.js';
import { expectFormAgreesWithSchema } from '../helpers/forms.js';

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
        expectFormAgreesWithSchema(field, v, built, schema);
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
