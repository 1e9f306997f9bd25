/**
 * renderer/src/lib/search.ts: the Search page's form. The form mirrors shared/search.ts's SearchParams
 * schema without importing zod, so these tests hold the copy to the schema; then the data-selection strategies in it.
 * The epochs, α heat map, selection charts and comparisons are in renderer-search-epochs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CELLS, SearchParams, SearchSpace, SelectionStrategy } from '../../shared/search.js';
import {
  SEARCH_DEFAULTS,
  SEARCH_LIMITS,
  SELECTION_DEFAULTS,
  SPACES,
  STRATEGIES,
  STRATEGY_INFO,
  buildSearchParams,
  chooseDataset,
  chooseSpace,
  defaultSearchForm,
  subsetPlaceholder,
  type SearchForm,
} from '../../renderer/src/lib/search.js';
import { expectFormAgreesWithSchema } from '../helpers/forms.js';

const dataset = (train: number, classes = 10, width = 28) => ({
  id: 7,
  classes,
  width,
  splits: { train, test: Math.floor(train / 6) },
});

/** A form that builds, on a mid-sized dataset. */
const validForm = (): SearchForm => defaultSearchForm(dataset(6000));

describe('the form mirrors the SearchParams schema', () => {
  it('lists the schema’s spaces and strategies', () => {
    expect([...SPACES]).toEqual(SearchSpace.options);
    expect([...STRATEGIES]).toEqual(SelectionStrategy.options);
  });

  it('SEARCH_DEFAULTS and the empty form hold the schema’s defaults', () => {
    const d = SearchParams.parse({ datasetId: 1 });
    expect(SEARCH_DEFAULTS).toEqual({ lr: d.lr, alphaLr: d.alphaLr, seed: d.seed, augment: d.augment });
    const form = defaultSearchForm();
    expect(form).toMatchObject({
      datasetId: null,
      space: d.space,
      strategy: d.strategy,
      channels: d.channels,
      epochs: d.epochs,
      batch: d.batch,
      lr: d.lr,
      alphaLr: d.alphaLr,
      seed: d.seed,
      limitPerClass: d.limitPerClass,
    });
    // cells has no schema default: the engine takes DEFAULT_CELLS[space], as the form does
    expect(d.cells).toBeUndefined();
    for (const space of SPACES) expect(defaultSearchForm(null, space).cells).toBe(DEFAULT_CELLS[space]);
  });

  it('SEARCH_LIMITS accept and refuse exactly what the schema does', () => {
    const fields = Object.keys(SEARCH_LIMITS) as Array<keyof typeof SEARCH_LIMITS>;
    expect(fields.sort()).toEqual(['alphaLr', 'batch', 'cells', 'channels', 'epochs', 'limitPerClass', 'lr', 'seed']);
    const base = buildSearchParams(validForm());
    if (!base.ok) throw new Error(base.error);
    for (const field of fields) {
      const { min, max } = SEARCH_LIMITS[field];
      const probes = [
        min - 1,
        min - 0.5,
        min,
        min + 1e-6,
        min + 0.5,
        min + 1,
        (min + max) / 2,
        max - 0.5,
        max,
        max + 1e-6,
        max + 0.5,
        max + 1,
        -1,
        0,
      ];
      for (const v of probes) {
        const built = buildSearchParams({ ...validForm(), [field]: v });
        const schema = SearchParams.safeParse({ ...base.params, [field]: v });
        expectFormAgreesWithSchema(field, v, built, schema);
      }
    }
  });

  it('limitPerClass may be empty (all images), as the schema’s null', () => {
    const built = buildSearchParams({ ...validForm(), limitPerClass: null });
    expect(built.ok).toBe(true);
    if (built.ok) expect(SearchParams.parse(built.params).limitPerClass).toBeNull();
  });
});

describe('buildSearchParams', () => {
  it('builds params the schema accepts unchanged, for every space and dataset size', () => {
    for (const space of SPACES) {
      for (const d of [dataset(60_000), dataset(6000, 10, 64), dataset(500, 5), dataset(12, 3, 8), dataset(0, 0)]) {
        const form = chooseSpace(chooseDataset(defaultSearchForm(null, space), d), space);
        const built = buildSearchParams(form);
        if (!built.ok) throw new Error(`${space}, ${d.splits.train} images: ${built.error}`);
        const parsed = SearchParams.parse(built.params);
        expect(parsed).toMatchObject(built.params);
        expect(parsed.datasetId).toBe(d.id);
        expect(parsed.space).toBe(space);
      }
    }
  });

  it('says which field is wrong first', () => {
    expect(buildSearchParams(defaultSearchForm())).toMatchObject({ ok: false, field: 'datasetId' });
    expect(buildSearchParams({ ...validForm(), channels: null })).toMatchObject({ ok: false, field: 'channels' });
    expect(buildSearchParams({ ...validForm(), epochs: 2.5 })).toMatchObject({ ok: false, field: 'epochs' });
    expect(buildSearchParams({ ...validForm(), lr: Number.NaN })).toMatchObject({ ok: false, field: 'lr' });
    const nb = buildSearchParams({ ...chooseSpace(validForm(), 'nb201'), cells: 0 });
    expect(nb).toMatchObject({ ok: false, field: 'cells' });
    if (!nb.ok) expect(nb.error).toMatch(/^Cells per stage:/);
  });
});

// ---- data selection ---------------------------------------------------------------------------------------------

const SELECTION_FIELDS = [
  'subset',
  'mastery',
  'masteryBy',
  'replacePool',
  'hardness',
  'hardnessWindow',
  'warmupEpochs',
  'valMode',
  'cyclicLrBase',
  'cyclicLrMax',
  'cyclicLrStep',
  'lrReset',
  'autoencoderId',
  'pruneEvery',
  'pruneTrain',
  'pruneVal',
  'balance',
] as const;

const sentSelection = (params: object): string[] =>
  Object.keys(params)
    .filter((k) => (SELECTION_FIELDS as readonly string[]).includes(k))
    .sort();

describe('strategies in the form', () => {
  it('every strategy has a label and a one-line explanation', () => {
    for (const s of SelectionStrategy.options) {
      expect(STRATEGY_INFO[s].label.length).toBeGreaterThan(0);
      expect(STRATEGY_INFO[s].about).not.toMatch(/\n/);
    }
  });

  it('the form’s selection defaults are the schema’s (prune fractions as %)', () => {
    const d = SearchParams.parse({ datasetId: 1 });
    const { pruneTrain, pruneVal, ...rest } = SELECTION_DEFAULTS;
    expect(pruneTrain / 100).toBe(d.pruneTrain);
    expect(pruneVal / 100).toBe(d.pruneVal);
    for (const [k, v] of Object.entries(rest)) expect(d[k as keyof typeof d], k).toBe(v);
    expect(defaultSearchForm()).toMatchObject({ subset: null, autoencoderId: null, ...SELECTION_DEFAULTS });
  });

  it('sends only the chosen strategy’s fields', () => {
    // dds-untrained takes everything dds does but the autoencoder
    const untrained = [
      'cyclicLrBase',
      'cyclicLrMax',
      'cyclicLrStep',
      'hardness',
      'hardnessWindow',
      'lrReset',
      'mastery',
      'masteryBy',
      'replacePool',
      'subset',
      'valMode',
      'warmupEpochs',
    ];
    const expected: Record<string, string[]> = {
      full: [],
      // one validation policy for random, dds and dds-untrained
      random: ['subset', 'valMode'],
      dds: ['autoencoderId', ...untrained],
      'dds-untrained': untrained,
      bdp: ['balance', 'pruneEvery', 'pruneTrain', 'pruneVal'],
    };
    for (const strategy of STRATEGIES) {
      const built = buildSearchParams({ ...validForm(), strategy, subset: 300 });
      if (!built.ok) throw new Error(`${strategy}: ${built.error}`);
      expect(sentSelection(built.params), strategy).toEqual(expected[strategy]);
      expect(built.params.strategy).toBe(strategy);
      // the schema takes them unchanged
      expect(SearchParams.parse(built.params)).toMatchObject(built.params);
    }
  });

  it('leaves the subset out when empty (the dataset’s default) and converts prune % to fractions', () => {
    const r = buildSearchParams({ ...validForm(), strategy: 'random', subset: null });
    expect(r.ok && 'subset' in r.params).toBe(false);
    const b = buildSearchParams({ ...validForm(), strategy: 'bdp', pruneTrain: 30, pruneVal: 5, balance: false });
    if (!b.ok) throw new Error(b.error);
    expect(b.params).toMatchObject({ pruneTrain: 0.3, pruneVal: 0.05, balance: false, pruneEvery: 5 });
    const d = buildSearchParams({
      ...validForm(),
      strategy: 'dds',
      autoencoderId: 4,
      valMode: 'fixed',
      lrReset: false,
      masteryBy: 'easy',
      replacePool: 'unseen-first',
    });
    if (!d.ok) throw new Error(d.error);
    expect(d.params).toMatchObject({
      autoencoderId: 4,
      valMode: 'fixed',
      lrReset: false,
      mastery: 0.5,
      hardness: 0.85,
      masteryBy: 'easy',
      replacePool: 'unseen-first',
    });
    const a = buildSearchParams({ ...validForm(), augment: 'off' });
    expect(a.ok && a.params.augment).toBe('off');
    // "train one first": the epochs go instead of an autoencoder id, and are checked like the other fields
    const t = buildSearchParams({ ...validForm(), strategy: 'dds', autoencoderId: 4, trainAutoencoderEpochs: 3 });
    if (!t.ok) throw new Error(t.error);
    expect(t.params.trainAutoencoderEpochs).toBe(3);
    expect(t.params).not.toHaveProperty('autoencoderId');
    expect(SearchParams.safeParse(t.params).success).toBe(true);
    const bad = buildSearchParams({ ...validForm(), strategy: 'dds', trainAutoencoderEpochs: 0 });
    expect(bad).toMatchObject({ ok: false, field: 'trainAutoencoderEpochs' });
  });

  it('refuses what the schema refuses, naming the field; ignores fields the strategy does not use', () => {
    const cases: Array<[SearchForm['strategy'], Partial<SearchForm>, string]> = [
      ['random', { subset: 1 }, 'subset'],
      ['dds', { mastery: 0 }, 'mastery'],
      ['dds', { hardness: 1.5 }, 'hardness'],
      ['dds-untrained', { hardnessWindow: 2.5 }, 'hardnessWindow'],
      ['dds', { warmupEpochs: null }, 'warmupEpochs'],
      ['dds', { cyclicLrStep: 0 }, 'cyclicLrStep'],
      ['bdp', { pruneTrain: 100 }, 'pruneTrain'],
      ['bdp', { pruneVal: -1 }, 'pruneVal'],
      ['bdp', { pruneEvery: 0 }, 'pruneEvery'],
      ['bdp', { pruneEvery: 1 }, 'pruneEvery'],
    ];
    for (const [strategy, change, field] of cases) {
      const form = { ...validForm(), strategy, ...change };
      const built = buildSearchParams(form);
      expect(built, `${strategy} ${JSON.stringify(change)}`).toMatchObject({ ok: false, field });
      // the same values with the schema's units
      const ok = buildSearchParams({ ...validForm(), strategy });
      if (!ok.ok) throw new Error(ok.error);
      const v = change[field as keyof SearchForm] as number | null;
      const schemaValue = field === 'pruneTrain' || field === 'pruneVal' ? (v ?? 0) / 100 : v;
      expect(SearchParams.safeParse({ ...ok.params, [field]: schemaValue }).success).toBe(false);
      // another strategy does not look at it
      expect(buildSearchParams({ ...form, strategy: 'full' }).ok).toBe(true);
    }
    expect(buildSearchParams({ ...validForm(), strategy: 'dds', mastery: 1, hardness: 1 }).ok).toBe(true);
    expect(buildSearchParams({ ...validForm(), strategy: 'bdp', pruneTrain: 0, pruneVal: 0 }).ok).toBe(true);
  });

  it('refuses BDP’s T = 1 saying why, as the schema does', () => {
    const built = buildSearchParams({ ...validForm(), strategy: 'bdp', pruneEvery: 1 });
    expect(built).toMatchObject({ ok: false, field: 'pruneEvery' });
    if (built.ok) return;
    expect(built.error).toMatch(/^Prune every T: a whole number from 2 to 500 — .*single epoch.*at random\.$/);
    const schema = SearchParams.safeParse({ datasetId: 1, strategy: 'bdp', pruneEvery: 1 });
    expect(schema.success).toBe(false);
    expect(schema.error?.issues[0]?.message).toMatch(/^must be at least 2: .*single epoch/);
    expect(buildSearchParams({ ...validForm(), strategy: 'bdp', pruneEvery: 2 }).ok).toBe(true);
  });

  it('the subset placeholder is defaultSubsetSize of the dataset', () => {
    expect(subsetPlaceholder({ classes: 10, width: 28, height: 28, channels: 1 })).toBe(100);
    expect(subsetPlaceholder({ classes: 10, width: 32, height: 32, channels: 3 })).toBe(1000);
    expect(subsetPlaceholder(null)).toBeNull();
  });
});
