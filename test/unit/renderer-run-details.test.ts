/**
 * A job's details in Runs (renderer/src/lib/run-details.ts): only the parameters that apply to its kind and its
 * choices (derived from the parameter source's help text), with the forms' labels and units; result figures with
 * accuracies in % and whole epochs; the page that shows the job.
 */
import { describe, expect, it } from 'vitest';
import { SEARCH_PARAMS } from '../../shared/generated/params.js';
import { SearchParams } from '../../shared/search.js';
import { DDS_FIELDS } from '../../renderer/src/lib/search-fields.js';
import { applies, choicesOf, humanize, jobViewOf, paramRows, resultRows } from '../../renderer/src/lib/run-details.js';

/** A search's parameters as the store keeps them: parsed by the schema, every default filled in. */
const searchOf = (p: Record<string, unknown>) => SearchParams.parse({ datasetId: 3, ...p }) as Record<string, unknown>;
const keys = (rows: { key: string }[]) => rows.map((r) => r.key);

describe('which parameters apply', () => {
  it('reads the choices a help text starts with, only words that are choices', () => {
    const choices = new Set(['dds', 'random', 'darts', 'nb201', 'bdp']);
    expect(choicesOf('dds: epochs before the first resampling', choices)).toEqual(['dds']);
    expect(choicesOf('random / dds: subset size S', choices)).toEqual(['random', 'dds']);
    expect(choicesOf('darts: cells (reductions); nb201: cells per stage', choices)).toEqual(['darts', 'nb201']);
    expect(choicesOf('K: the number of centres', choices)).toBeNull();
    expect(choicesOf('search epochs', choices)).toBeNull();
    expect(choicesOf(undefined, choices)).toBeNull();
  });

  it('shows a DDS search its DDS fields and no BDP ones', () => {
    const rows = paramRows('search', searchOf({ strategy: 'dds' }));
    const k = keys(rows);
    expect(k).toEqual(expect.arrayContaining(['mastery', 'hardnessWindow', 'cyclicLrBase', 'warmupEpochs', 'epochs']));
    for (const bdp of ['pruneEvery', 'pruneTrain', 'pruneVal', 'balance']) expect(k).not.toContain(bdp);
    // not the algorithms' own settings either
    for (const other of ['partialChannels', 'tauMax', 'betaDecayLambda']) expect(k).not.toContain(other);
  });

  it('shows a BDP search its pruning in %, and no DDS fields', () => {
    const rows = paramRows('search', searchOf({ strategy: 'bdp', pruneTrain: 0.25 }));
    const k = keys(rows);
    expect(k).toContain('pruneEvery');
    expect(k).not.toContain('mastery');
    expect(k).not.toContain('warmupEpochs');
    expect(rows.find((r) => r.key === 'pruneTrain')).toMatchObject({ label: 'Prune train %', value: '25 %' });
  });

  it('keeps the cells for either space, and a DDS-untrained search counts as DDS', () => {
    expect(keys(paramRows('search', searchOf({ space: 'nb201', cells: 1 })))).toContain('cells');
    expect(keys(paramRows('search', searchOf({ strategy: 'random', subset: 20 })))).toContain('subset');
    expect(keys(paramRows('search', searchOf({ strategy: 'full', subset: 20 })))).not.toContain('subset');
    expect(keys(paramRows('search', searchOf({ strategy: 'dds-untrained' })))).toContain('mastery');
  });

  it('shows PC-DARTS its K only when the search is PC-DARTS', () => {
    const d = SEARCH_PARAMS.partialChannels;
    expect(applies(d, searchOf({ algorithm: 'pc-darts' }), SEARCH_PARAMS)).toBe(true);
    // an unused Beta-Decay setting that names pc-darts does not make K apply
    expect(applies(d, searchOf({ algorithm: 'gdas', betaDecayOn: 'pc-darts' }), SEARCH_PARAMS)).toBe(false);
    expect(applies(d, searchOf({ algorithm: 'beta-darts', betaDecayOn: 'pc-darts' }), SEARCH_PARAMS)).toBe(true);
  });
});

describe('labels and values', () => {
  it("uses the form's labels and help, whole numbers and ids", () => {
    const rows = paramRows('search', searchOf({ strategy: 'dds', epochs: 3 }));
    const by = (k: string) => rows.find((r) => r.key === k)!;
    expect(by('mastery').label).toBe('Mastery m');
    // the form's own one-line help where it has one, else the parameter's
    expect(by('mastery').help).toBe(DDS_FIELDS.find((f) => f.key === 'mastery')!.title);
    expect(by('alphaLr').help).toMatch(/^Architecture \(α\) learning rate: /);
    expect(by('epochs')).toMatchObject({ label: 'Epochs', value: '3' });
    expect(by('datasetId')).toMatchObject({ label: 'Dataset', value: '#3' });
    expect(by('strategy')).toMatchObject({ label: 'Data selection', value: 'DDS-NAS' });
    expect(rows.every((r) => !/[a-z][A-Z]/.test(r.label))).toBe(true); // no camelCase
  });

  it('shows a JPEG stage only when the job had one', () => {
    const plain = keys(paramRows('search', searchOf({})));
    expect(plain).not.toContain('jpegQuality');
    expect(plain).not.toContain('jpegSubsampling');
    const compressed = paramRows('evaluate', { datasetId: 3, jpegQuality: 15, jpegSubsampling: '4:2:0' });
    expect(compressed.find((r) => r.key === 'jpegQuality')).toMatchObject({
      label: 'Compress images first (JPEG quality)',
      value: '15',
    });
    expect(compressed.find((r) => r.key === 'jpegSubsampling')).toMatchObject({
      label: 'JPEG colour subsampling',
      value: '4:2:0',
    });
  });

  it('shows a kind without a description as given, in words', () => {
    expect(paramRows('tally', { perClass: 4, names: ['a', 'b'] })).toEqual([
      { key: 'perClass', label: 'Per class', value: '4' },
      { key: 'names', label: 'Names', value: 'a, b' },
    ]);
    expect(humanize('limitPerClass')).toBe('Limit per class');
  });
});

describe('result figures', () => {
  it('gives accuracies in %, epochs whole, seconds as a duration; lists stay raw', () => {
    const rows = resultRows({
      epochs: 2,
      bestEpoch: 2.0000001,
      seconds: 125,
      supernetTest: { accuracy: 0.1012, images: 40 },
      alphas: new Array(200).fill(0.125),
      genotypeText: 'Genotype(normal=[…])',
    });
    const by = (k: string) => rows.find((r) => r.key === k);
    expect(by('supernetTest.accuracy')).toMatchObject({ label: 'Supernet test accuracy', value: '10.1 %' });
    expect(by('supernetTest.images')?.value).toBe('40');
    expect(by('bestEpoch')?.value).toBe('2');
    expect(by('seconds')?.value).toMatch(/2 min/);
    expect(by('alphas')).toBeUndefined();
    expect(by('genotypeText')?.value).toBe('Genotype(normal=[…])');
    expect(resultRows(null)).toEqual([]);
    expect(resultRows([1, 2])).toEqual([]);
  });
});

describe('the job view', () => {
  it('links each kind to its own page', () => {
    expect(jobViewOf('search')?.page).toBe('search');
    expect(jobViewOf('dsm-search')?.page).toBe('search');
    expect(jobViewOf('evaluate')?.page).toBe('evaluate');
    expect(jobViewOf('compress')?.page).toBe('compression');
    expect(jobViewOf('selftest')).toBeNull();
  });
});
