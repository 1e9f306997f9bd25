import { describe, expect, it } from 'vitest';
import { apiInputs } from '../../shared/api.js';
import { ImportParams, type DatasetSummary, type DetectResult } from '../../shared/datasets.js';
import {
  RateMeter,
  applyDetectDefaults,
  buildImportParams,
  builtinSource,
  classTotals,
  defaultImportForm,
  describeSource,
  effectiveFormat,
  extraMessage,
  formFromParams,
  formatCount,
  formatRate,
  imageSizeLabel,
  imbalanceRatio,
  importEta,
  openOrImport,
  parseImportResult,
  rangeLabel,
  pageCount,
  rateFromMessage,
  rejectionsOf,
  showsCounts,
  sourceKey,
  sourceLabel,
  switchSource,
  type ImportForm,
} from '../../renderer/src/lib/datasets.js';
import { hrefFor, parseHash } from '../../renderer/src/lib/routes.js';
import { builtParams } from '../helpers/forms.js';

const detect = (over: Partial<DetectResult> = {}): DetectResult => ({
  format: 'folder',
  path: '/data/flowers',
  images: 3670,
  classes: ['daisy', 'roses'],
  hasOwnSplit: false,
  hasGroups: false,
  native: null,
  defaults: { size: 32, channels: 3, name: 'flowers' },
  rejected: [],
  warnings: [],
  existing: [],
  ...over,
});

const form = (over: Partial<ImportForm> = {}): ImportForm => ({ ...defaultImportForm(), ...over });

describe('dataset routes', () => {
  it('parses #/datasets/<id> and leaves other routes as they were', () => {
    expect(parseHash('#/datasets')).toEqual({ page: 'datasets', jobId: null });
    expect(parseHash('#/datasets/3')).toEqual({ page: 'datasets', jobId: null, datasetId: 3 });
    expect(parseHash('#datasets/12/')).toEqual({ page: 'datasets', jobId: null, datasetId: 12 });
    expect(parseHash('#/datasets/x')).toEqual({ page: 'datasets', jobId: null });
    expect(parseHash('#/datasets/0')).toEqual({ page: 'datasets', jobId: null });
    expect(parseHash('#/runs/4')).toEqual({ page: 'runs', jobId: 4 });
    expect(parseHash('#/settings/4')).toEqual({ page: 'settings', jobId: null });
    expect(hrefFor('datasets', 5)).toBe('#/datasets/5');
    expect(hrefFor('datasets')).toBe('#/datasets');
    expect(hrefFor('settings', 5)).toBe('#/settings');
  });
});

describe('import form -> ImportParams', () => {
  it('needs a detection before a path import, then builds params the contract accepts', () => {
    const f = form({ path: ' /data/flowers ' });
    const before = buildImportParams(f, null);
    expect(before.ok).toBe(false);
    if (!before.ok) expect(before.error).toMatch(/Detect/);

    const withDefaults = applyDetectDefaults(f, detect());
    expect(withDefaults).toMatchObject({ size: 32, channels: '3', name: 'flowers', importAgain: false });
    const params = builtParams(buildImportParams(withDefaults, detect()));
    expect(params).toMatchObject({
      source: { kind: 'path', path: '/data/flowers', format: 'auto' },
      size: 32,
      channels: 3,
      name: 'flowers',
      ifExists: 'refuse',
    });
    expect(ImportParams.parse(params)).toEqual(params);
  });

  it('asks for a path when none is typed', () => {
    const r = buildImportParams(form({ path: '   ' }), detect());
    expect(r).toMatchObject({ ok: false, field: 'path' });
  });

  it('leaves size, channels and name out when empty (the import decides)', () => {
    const params = builtParams(buildImportParams(form({ sourceKind: 'mnist-sample' }), null));
    expect(params.source).toEqual({ kind: 'mnist-sample' });
    expect('size' in params).toBe(false);
    expect('channels' in params).toBe(false);
    expect('name' in params).toBe(false);
    expect(ImportParams.parse(params)).toEqual(params);
  });

  it('builds synthetic chroma params and checks their ranges', () => {
    const ok = buildImportParams(
      form({ sourceKind: 'synth-chroma', synthN: 500, synthSize: 24, synthSeed: 7, name: ' chroma ' }),
      null,
    );
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.params.source).toEqual({ kind: 'synth-chroma', n: 500, size: 24, seed: 7 });
      expect(ok.params.name).toBe('chroma');
      expect(ImportParams.parse(ok.params)).toEqual(ok.params);
    }
    expect(buildImportParams(form({ sourceKind: 'synth-chroma', synthN: 5 }), null)).toMatchObject({
      ok: false,
      field: 'synthN',
    });
    expect(buildImportParams(form({ sourceKind: 'synth-chroma', synthSize: 300 }), null)).toMatchObject({
      ok: false,
      field: 'synthSize',
    });
    expect(buildImportParams(form({ sourceKind: 'synth-chroma', synthSeed: null }), null)).toMatchObject({
      ok: false,
      field: 'synthSeed',
    });
  });

  it('rejects values the contract would refuse, naming the field', () => {
    const d = detect();
    const base = form({ path: '/data/flowers' });
    expect(buildImportParams({ ...base, size: 4 }, d)).toMatchObject({ ok: false, field: 'size' });
    expect(buildImportParams({ ...base, size: 31.5 }, d)).toMatchObject({ ok: false, field: 'size' });
    expect(buildImportParams({ ...base, seed: -1 }, d)).toMatchObject({ ok: false, field: 'seed' });
    expect(buildImportParams({ ...base, seed: null }, d)).toMatchObject({ ok: false, field: 'seed' });
    expect(buildImportParams({ ...base, testFraction: 0.9 }, d)).toMatchObject({ ok: false, field: 'testFraction' });
    expect(buildImportParams({ ...base, searchWeightFraction: 0 }, d)).toMatchObject({
      ok: false,
      field: 'searchWeightFraction',
    });
    expect(buildImportParams({ ...base, name: 'x'.repeat(201) }, d)).toMatchObject({ ok: false, field: 'name' });
  });

  it('passes every option through, with import-again when chosen', () => {
    const params = builtParams(
      buildImportParams(
        form({
          path: '/data/cifar',
          format: 'cifar100',
          size: 24,
          channels: '1',
          fit: 'contain',
          duplicates: 'drop',
          cifar100Labels: 'coarse',
          seed: 42,
          testFraction: 0.25,
          searchWeightFraction: 0.6,
          importAgain: true,
        }),
        detect({ format: 'cifar100' }),
      ),
    );
    expect(params).toEqual({
      source: { kind: 'path', path: '/data/cifar', format: 'cifar100' },
      size: 24,
      channels: 1,
      fit: 'contain',
      duplicates: 'drop',
      cifar100Labels: 'coarse',
      testFraction: 0.25,
      searchWeightFraction: 0.6,
      seed: 42,
      ifExists: 'import-again',
    });
    expect(ImportParams.parse(params)).toEqual(params);
  });

  it('round-trips a job’s params into the form for a retry', () => {
    const params = ImportParams.parse({
      source: { kind: 'path', path: '/data/x', format: 'idx' },
      size: 20,
      channels: 1,
      name: 'digits',
      fit: 'fill',
      duplicates: 'drop',
      seed: 3,
      ifExists: 'import-again',
    });
    const f = formFromParams(params as unknown as Record<string, unknown>);
    expect(f).toMatchObject({
      sourceKind: 'path',
      path: '/data/x',
      format: 'idx',
      size: 20,
      channels: '1',
      name: 'digits',
      fit: 'fill',
      duplicates: 'drop',
      seed: 3,
      importAgain: true,
    });
    const again = buildImportParams(f, detect({ format: 'idx' }));
    expect(again.ok && again.params).toEqual(params);
    expect(formFromParams({ source: { kind: 'synth-chroma', n: 300, size: 16, seed: 2 } })).toMatchObject({
      sourceKind: 'synth-chroma',
      synthN: 300,
      synthSize: 16,
      synthSeed: 2,
    });
    expect(formFromParams(null)).toEqual(defaultImportForm());
    expect(formFromParams({ source: 'nonsense' })).toEqual(defaultImportForm());
  });

  it('forgets a path’s name, size and channels when another source is chosen', () => {
    const detected = applyDetectDefaults(form({ path: '/data/flowers', seed: 9 }), detect());
    const synth = switchSource(detected, 'synth-chroma', detect());
    expect(synth).toMatchObject({
      sourceKind: 'synth-chroma',
      name: '',
      size: null,
      channels: 'auto',
      seed: 9,
      path: '/data/flowers',
    });
    expect(switchSource(synth, 'path', detect())).toMatchObject({
      sourceKind: 'path',
      name: 'flowers',
      size: 32,
      channels: '3',
    });
    expect(switchSource(synth, 'path', null)).toMatchObject({ sourceKind: 'path', name: '' });
    expect(switchSource(detected, 'path', null)).toBe(detected);
  });

  it('knows the effective format', () => {
    expect(effectiveFormat(form(), null)).toBeNull();
    expect(effectiveFormat(form(), detect({ format: 'cifar100' }))).toBe('cifar100');
    expect(effectiveFormat(form({ format: 'csv' }), detect())).toBe('csv');
    expect(effectiveFormat(form({ sourceKind: 'mnist-sample' }), null)).toBe('mnist-sample');
  });

  it('refuses synthetic chroma that would not fit in memory, as the contract does', () => {
    const tooBig = form({ sourceKind: 'synth-chroma', synthN: 200_000, synthSize: 128 });
    expect(buildImportParams(tooBig, null)).toMatchObject({ ok: false, field: 'synthN' });
    expect(ImportParams.safeParse({ source: { kind: 'synth-chroma', n: 200_000, size: 128 } }).success).toBe(false);
    expect(builtinSource(tooBig)).toBeNull();
  });
});

describe('already imported?', () => {
  it('asks datasets.existing about the built-in source the form describes, never about a path', () => {
    expect(builtinSource(form({ sourceKind: 'mnist-sample' }))).toEqual({ kind: 'mnist-sample' });
    expect(builtinSource(form({ sourceKind: 'synth-chroma', synthN: 500, synthSize: 24, synthSeed: 7 }))).toEqual({
      kind: 'synth-chroma',
      n: 500,
      size: 24,
      seed: 7,
    });
    expect(builtinSource(form({ path: '/data/flowers' }))).toBeNull();
    // while a field holds no valid value there is nothing to ask
    expect(builtinSource(form({ sourceKind: 'synth-chroma', synthN: null }))).toBeNull();
    expect(builtinSource(form({ sourceKind: 'synth-chroma', synthSize: 8 }))).toBeNull();
    expect(builtinSource(form({ sourceKind: 'synth-chroma', synthSeed: 1.5 }))).toBeNull();
    // what it builds is a valid datasets.existing input
    for (const f of [form({ sourceKind: 'mnist-sample' }), form({ sourceKind: 'synth-chroma' })]) {
      expect(apiInputs['datasets.existing'].safeParse({ source: builtinSource(f) }).success).toBe(true);
    }
  });

  it('keys sources so an answer is only shown for the source it was asked about', () => {
    const synth = (n: number, seed = 0) => ({ kind: 'synth-chroma' as const, n, size: 32, seed });
    expect(sourceKey(synth(2000))).toBe(sourceKey(ImportParams.parse({ source: { kind: 'synth-chroma' } }).source));
    expect(sourceKey(synth(2000))).not.toBe(sourceKey(synth(2001)));
    expect(sourceKey(synth(2000, 1))).not.toBe(sourceKey(synth(2000, 0)));
    expect(sourceKey({ kind: 'mnist-sample' })).not.toBe(sourceKey(synth(2000)));
    expect(sourceKey({ kind: 'path', path: '/d', format: 'auto' })).not.toBe(
      sourceKey({ kind: 'path', path: '/d', format: 'idx' }),
    );
    expect(sourceKey({ kind: 'path', path: '/d', format: 'auto' })).toBe(
      sourceKey(ImportParams.parse({ source: { kind: 'path', path: '/d' } }).source),
    );
  });

  const summary = (id: number) => ({ id, name: 'MNIST sample' }) as DatasetSummary;

  it('"Try the sample" opens the sample when it was imported before, without starting an import', async () => {
    let started = 0;
    const outcome = await openOrImport(
      async () => [summary(4), summary(2)],
      async () => {
        started++;
        return { id: 9 };
      },
    );
    expect(outcome).toEqual({ action: 'open', id: 4 });
    expect(started).toBe(0);
  });

  it('"Try the sample" imports it when it is new', async () => {
    expect(
      await openOrImport(
        async () => [],
        async () => ({ id: 9 }),
      ),
    ).toEqual({ action: 'started', jobId: 9 });
  });

  it('"Try the sample" opens the dataset imported meanwhile when jobs.start refuses', async () => {
    const answers: DatasetSummary[][] = [[], [summary(7)]];
    expect(
      await openOrImport(
        async () => answers.shift()!,
        async () => null,
      ),
    ).toEqual({ action: 'open', id: 7 });
    // refused for another reason: nothing to open
    expect(
      await openOrImport(
        async () => [],
        async () => null,
      ),
    ).toEqual({ action: 'failed' });
    // the check itself failed: no import is started behind the user's back
    let started = 0;
    const outcome = await openOrImport(
      async () => null,
      async () => {
        started++;
        return { id: 1 };
      },
    );
    expect(outcome).toEqual({ action: 'failed' });
    expect(started).toBe(0);
  });
});

describe('import job results', () => {
  it('reads an ImportResult and tolerates missing parts', () => {
    const r = parseImportResult({
      id: 4,
      name: 'MNIST sample',
      images: 10000,
      classes: 10,
      splits: { train: 8000, test: 2000 },
      rejected: [{ path: 'a.png', reason: 'bad' }, { nope: 1 }],
      duplicates: { count: 2, dropped: true, examples: [{ path: 'b', sameAs: 'c' }, 'junk'] },
    });
    expect(r).toEqual({
      id: 4,
      name: 'MNIST sample',
      images: 10000,
      classes: 10,
      splits: { train: 8000, test: 2000 },
      rejected: [{ path: 'a.png', reason: 'bad' }],
      duplicates: { count: 2, dropped: true, examples: [{ path: 'b', sameAs: 'c' }] },
    });
    expect(parseImportResult({ id: 1, name: 'x', images: 1, classes: 1 })?.duplicates).toEqual({
      count: 0,
      dropped: false,
      examples: [],
    });
    expect(parseImportResult(null)).toBeNull();
    expect(parseImportResult({ rejected: [] })).toBeNull();
  });

  it('finds the rejected files of a failed job', () => {
    expect(rejectionsOf({ rejected: [{ path: 'x.heic', reason: 'HEIC is not supported' }] })).toEqual([
      { path: 'x.heic', reason: 'HEIC is not supported' },
    ]);
    expect(rejectionsOf(null)).toEqual([]);
    expect(rejectionsOf({ rejected: 'no' })).toEqual([]);
  });

  it('describes sources in words', () => {
    expect(describeSource({ kind: 'mnist-sample' })).toMatch(/MNIST/);
    expect(describeSource({ kind: 'synth-chroma', n: 2000, size: 32, seed: 1 })).toBe(
      'Synthetic chroma (2,000 images, 32 px, seed 1)',
    );
    expect(describeSource({ kind: 'path', path: '/d', format: 'auto' })).toBe('/d');
    expect(describeSource({ kind: 'path', path: '/d', format: 'idx' })).toBe('/d (IDX (MNIST-style))');
    expect(describeSource(null)).toBe('unknown source');
    expect(sourceLabel('builtin:mnist-sample')).toBe('Built into Winnow');
    expect(sourceLabel('/x/y')).toBe('/x/y');
  });
});

describe('images per second and time left', () => {
  it('measures the rate over a sliding window from step deltas', () => {
    const m = new RateMeter(4000);
    expect(m.rate()).toBeNull();
    m.add(0, 0);
    m.add(200, 100);
    expect(m.rate()).toBeNull(); // less than half a second of data
    m.add(1000, 500);
    expect(m.rate()).toBeCloseTo(500);
    m.add(2000, 1500); // faster now
    m.add(6000, 5500);
    // the window drops samples older than 4 s, keeping one just before it
    expect(m.rate()).toBeCloseTo(1000);
    m.add(6500, undefined);
    m.add(7000, 10); // went backwards: a new phase starts over
    expect(m.rate()).toBeNull();
  });

  it('reads a rate from the message and estimates what is left', () => {
    expect(rateFromMessage('Decoding: 1,234.5 images/s')).toBeCloseTo(1234.5);
    expect(rateFromMessage('850 img/s')).toBe(850);
    expect(rateFromMessage('Reading files')).toBeNull();
    expect(importEta({ fraction: 0.5, etaSeconds: 12 }, 100)).toBe(12);
    expect(importEta({ fraction: 0.5, step: 500, total: 1500 }, 100)).toBe(10);
    expect(importEta({ fraction: 0.5 }, 100)).toBeNull();
    expect(importEta(null, 100)).toBeNull();
    expect(formatRate(1234.4)).toBe('1,234 images/s');
    expect(formatRate(12.34)).toBe('12.3 images/s');
    expect(formatRate(null)).toBe('');
  });

  it('shows only what the progress message adds', () => {
    expect(extraMessage('1,000 of 10,000 images, 850 images/s')).toBeNull();
    expect(extraMessage('12 of 40 images')).toBeNull();
    expect(extraMessage('Reading the source…')).toBe('Reading the source…');
    expect(extraMessage(undefined)).toBeNull();
    expect(showsCounts({ fraction: 0, step: 0, total: 1 })).toBe(false);
    expect(showsCounts({ fraction: 0.1, step: 100, total: 1000 })).toBe(true);
    expect(showsCounts(null)).toBe(false);
  });
});

describe('details helpers', () => {
  const perClass = [
    { label: 0, name: 'a', train: 100, test: 20, trainW: 50, trainA: 50 },
    { label: 1, name: 'b', train: 50, test: 10, trainW: 25, trainA: 25 },
  ];
  it('sums classes and measures imbalance', () => {
    expect(classTotals(perClass)).toEqual({ train: 150, test: 30, trainW: 75, trainA: 75, total: 180 });
    expect(imbalanceRatio(perClass)).toBe(2);
    expect(imbalanceRatio([])).toBeNull();
    expect(imbalanceRatio([{ ...perClass[0]!, train: 0 }])).toBeNull();
  });
  it('formats counts, sizes and pages', () => {
    expect(formatCount(10000)).toBe('10,000');
    expect(formatCount(null)).toBe('—');
    expect(imageSizeLabel({ width: 28, height: 28, channels: 1 })).toBe('28×28×1');
    expect(pageCount(0, 48)).toBe(1);
    expect(pageCount(97, 48)).toBe(3);
    expect(rangeLabel(48, 48, 1000)).toBe('49–96 of 1,000');
    expect(rangeLabel(0, 0, 0)).toBe('0 of 0');
  });
});
