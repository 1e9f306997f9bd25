/**
 * The NASWOT panel's pure helpers (renderer/src/lib/naswot.ts, naswot-dsm-fields.ts): the form builds parameters
 * the API's schema accepts unchanged and refuses bad fields in words, the histogram bins every score once (−∞
 * apart), chunks merge by cell, the twin of a mined ranking is found by its parameters, and the comparison says
 * when a difference means nothing.
 */
import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../shared/jobs.js';
import { NaswotParams, type NaswotResult } from '../../shared/naswot.js';
import type { SearchSummary } from '../../shared/search.js';
import {
  fieldTestid,
  firstProblem,
  offeredSource,
  passes,
  ruleOf,
  ruleText,
} from '../../renderer/src/lib/naswot-dsm-fields.js';
import {
  NB201_SPACE_SIZE,
  NO_SCORES,
  binOf,
  buildNaswotParams,
  compareRankings,
  defaultNaswotForm,
  formatScore,
  histogram,
  mergeChunks,
  minedSources,
  naswotResultOf,
  twinOf,
  twinParams,
} from '../../renderer/src/lib/naswot.js';

const form = () => ({ ...defaultNaswotForm(), datasetId: 3 });

describe('NASWOT form', () => {
  it('builds the schema defaults from the default form', () => {
    const built = buildNaswotParams(form());
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    // what the API would store for { datasetId: 3 } alone
    expect(built.params).toEqual(NaswotParams.parse({ datasetId: 3 }));
  });

  it('scores the whole space, mined images and τ as asked', () => {
    const built = buildNaswotParams({
      ...form(),
      wholeSpace: true,
      sample: null,
      images: 'mined',
      minedFrom: 9,
      kendall: true,
      kendallSample: 40,
      inputSize: 16,
    });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.params.sample).toBe(NB201_SPACE_SIZE);
    expect(built.params.minedFrom).toBe(9);
    expect(built.params.kendallSample).toBe(40);
    expect(NaswotParams.parse(built.params)).toEqual(built.params);
  });

  it('refuses fields out of the schema’s limits, in words, naming the field', () => {
    expect(buildNaswotParams({ ...form(), batch: 1 })).toEqual({
      ok: false,
      field: 'batch',
      error: 'Batch size: a whole number from 2 to 256.',
    });
    expect(buildNaswotParams({ ...form(), sample: 1 })).toMatchObject({ ok: false, field: 'sample' });
    // the sample does not matter for the whole space
    expect(buildNaswotParams({ ...form(), sample: 1, wholeSpace: true }).ok).toBe(true);
    expect(buildNaswotParams({ ...form(), datasetId: null })).toMatchObject({ ok: false, field: 'datasetId' });
    expect(buildNaswotParams({ ...form(), images: 'mined', minedFrom: null })).toMatchObject({
      ok: false,
      field: 'minedFrom',
    });
    // τ's settings are checked only with τ on
    expect(buildNaswotParams({ ...form(), supernetLr: 0 }).ok).toBe(true);
    expect(buildNaswotParams({ ...form(), kendall: true, supernetLr: 0 })).toMatchObject({
      ok: false,
      field: 'supernetLr',
      error: 'Supernet lr: a number above 0 and at most 10.',
    });
    expect(buildNaswotParams({ ...form(), kendall: true, sample: 20, kendallSample: 50 })).toMatchObject({
      ok: false,
      field: 'kendallSample',
    });
    // an empty input size is the dataset's own
    expect(buildNaswotParams({ ...form(), inputSize: null }).ok).toBe(true);
  });

  it('offers finished DDS searches of the dataset only, newest first', () => {
    const s = (jobId: number, over: Partial<SearchSummary>): SearchSummary => ({
      jobId,
      state: 'done',
      datasetId: 3,
      datasetName: 'd',
      space: 'darts',
      strategy: 'dds',
      epochs: 2,
      epochsDone: 2,
      createdAt: jobId,
      genotypeText: null,
      valAccuracy: null,
      ...over,
    });
    const list = [
      s(1, {}),
      s(2, { strategy: 'random' }),
      s(3, { datasetId: 4 }),
      s(4, { state: 'running' }),
      s(5, { strategy: 'dds-untrained' }),
    ];
    expect(minedSources(list, 3).map((x) => x.jobId)).toEqual([5, 1]);
  });
});

describe('field rules', () => {
  it('checks integers, exclusive minimums and empty fields', () => {
    const r = ruleOf(
      'n',
      'N',
      { type: 'integer', min: 2, max: 5, nullable: true },
      { means: 'all', placeholder: 'all' },
    );
    expect([passes(r, 2), passes(r, 5), passes(r, 1), passes(r, 6), passes(r, 2.5), passes(r, null)]).toEqual([
      true,
      true,
      false,
      false,
      false,
      true,
    ]);
    expect(ruleText(r)).toBe('a whole number from 2 to 5, or empty for all');
    const lr = ruleOf('lr', 'Lr', { type: 'number', min: 0, max: 1, exclusiveMin: true, nullable: false });
    expect([passes(lr, 0), passes(lr, 1e-9), passes(lr, null), passes(lr, Number.NaN)]).toEqual([
      false,
      true,
      false,
      false,
    ]);
    expect(firstProblem({ lr: 0 }, [lr])).toEqual({ field: 'lr', error: 'Lr: a number above 0 and at most 1.' });
    expect(fieldTestid('naswot', 'kendallSample')).toBe('naswot-kendall-sample');
  });
});

describe('the job a form takes something from', () => {
  it('keeps the chosen job while it is offered', () => {
    expect(offeredSource(5, [3, 5], true)).toBe(5);
    expect(offeredSource(5, [3, 5], false)).toBe(5);
  });
  it('drops a job no longer offered, and picks the first when the choice needs one', () => {
    expect(offeredSource(9, [3, 5], false)).toBeNull();
    expect(offeredSource(9, [3, 5], true)).toBe(3);
    expect(offeredSource(null, [3, 5], true)).toBe(3);
    expect(offeredSource(null, [3, 5], false)).toBeNull();
    expect(offeredSource(null, [], true)).toBeNull();
  });
});

describe('scores and histogram', () => {
  it('merges chunks by cell, a later score replacing an earlier one', () => {
    let s = mergeChunks(NO_SCORES, [{ done: 2, total: 4, indices: [7, 9], scores: [1.5, null] }]);
    s = mergeChunks(s, [{ done: 4, total: 4, indices: [9, 11], scores: [2, 3] }]);
    expect([...s.scores.entries()]).toEqual([
      [7, 1.5],
      [9, 2],
      [11, 3],
    ]);
    expect(s.done).toBe(4);
    expect(s.total).toBe(4);
    expect(mergeChunks(s, [])).toBe(s);
  });

  it('bins every finite score once, the largest in the last bin, −∞ apart', () => {
    const scores = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, null, -Infinity];
    const h = histogram(scores, 5);
    expect(h.counts).toEqual([2, 2, 2, 2, 2]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(10);
    expect(h.negInf).toBe(2);
    expect(h.lo).toBe(0);
    expect(h.width).toBe(2);
    expect(h.labels[1]).toBe('2.0');
    expect(binOf(h, 10)).toBe(4);
    expect(binOf(h, 3.9)).toBe(1);
    expect(binOf(h, null)).toBeNull();
  });

  it('draws equal scores as one bar and nothing as no bar', () => {
    expect(histogram([2, 2, 2]).counts).toEqual([3]);
    expect(histogram([null]).counts).toEqual([]);
    expect(histogram([1, 2], 30).counts.length).toBe(2);
  });

  it('formats a score with its spread, −∞ for a singular kernel', () => {
    expect(formatScore(12.345, 0.5)).toBe('12.35 ± 0.50');
    expect(formatScore(null, null)).toBe('−∞');
    // one repeat: a std of 0 is no spread, so none is shown
    expect(formatScore(12.345, 0, 1)).toBe('12.35');
  });
});

// ---- mined vs random ---------------------------------------------------------------------------------------

const params = (over: Partial<NaswotParams> = {}): NaswotParams => ({
  ...NaswotParams.parse({ datasetId: 3 }),
  ...over,
});

function job(id: number, p: NaswotParams, state: JobSummary['state'] = 'done', result: unknown = null): JobSummary {
  return {
    id,
    kind: 'naswot',
    state,
    params: p as unknown as Record<string, unknown>,
    createdAt: id,
    startedAt: id,
    endedAt: id,
    progress: null,
    message: null,
    result,
    attempts: 1,
  };
}

function result(over: {
  mean: number;
  std: number;
  text?: string;
  stds?: number[];
  repeats?: number;
  accuracy?: number;
}): NaswotResult {
  const text =
    over.text ?? '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
  return {
    space: 'nb201',
    scored: 20,
    repeats: over.repeats ?? 3,
    batch: 8,
    inputSize: 28,
    channels: 16,
    images: { source: 'random', searchId: null, pool: 100 },
    top: (over.stds ?? [over.std]).map((std, i) => ({ index: i, text, mean: over.mean - i, std })),
    chosen: { genotype: { space: 'nb201', nodes: [] }, text, mean: over.mean, std: over.std },
    seconds: 1,
    cellsPerSecond: 20,
    kendall:
      over.accuracy === undefined
        ? null
        : {
            tau: 0.4,
            cells: 10,
            supernetSeconds: 1,
            evaluateSeconds: 1,
            chosenAccuracy: over.accuracy,
            best: { text, accuracy: over.accuracy },
          },
    backend: 'cpu',
    files: { scoresCsv: 'a', genotypeJson: 'b', supernet: null },
  };
}

describe('mined against random', () => {
  it('finds the twin by every parameter but minedFrom, both ways, the newest', () => {
    const mined = job(5, params({ minedFrom: 2 }));
    const twinOld = job(6, twinParams(mined.params as unknown as NaswotParams));
    const twinNew = job(8, twinParams(mined.params as unknown as NaswotParams), 'running');
    const otherSeed = job(7, params({ seed: 1 }));
    const all = [mined, twinOld, otherSeed, twinNew];
    expect(twinOf(mined, all)?.id).toBe(8);
    expect(twinOf(twinOld, all)?.id).toBe(5);
    expect(twinOf(otherSeed, all)).toBeNull();
    expect(twinOf({ ...mined, kind: 'search' }, all)).toBeNull();
    expect(twinParams(params({ minedFrom: 2 })).minedFrom).toBeNull();
  });

  it('reads a result only from a finished naswot job', () => {
    const r = result({ mean: 1, std: 0.1 });
    expect(naswotResultOf(job(1, params(), 'done', r))).toBe(r);
    expect(naswotResultOf(job(1, params(), 'running', r))).toBeNull();
    expect(naswotResultOf(job(1, params(), 'done', { space: 'darts' }))).toBeNull();
  });

  it('says a top-1 gap within one std means nothing, and compares spreads', () => {
    const c = compareRankings(
      { jobId: 1, result: result({ mean: 10, std: 1, stds: [1, 0.6], text: '|a|' }) },
      { jobId: 2, result: result({ mean: 10.5, std: 1.2, stds: [1.2, 1.2] }) },
    );
    expect(c.mined.spread).toBeCloseTo(0.8);
    expect(c.random.spread).toBeCloseTo(1.2);
    expect(c.sameCell).toBe(false);
    expect(c.notes.join(' ')).toMatch(/within one standard deviation \(1\.20\): that difference means nothing/);
    expect(c.notes.join(' ')).toMatch(/Mined images give a tighter spread/);
    expect(c.notes.join(' ')).toMatch(/only when both rankings trained a supernet/);
  });

  it('says one repeat has no spread, the same cell no difference, and weighs accuracies', () => {
    const same = compareRankings(
      { jobId: 1, result: result({ mean: 10, std: 0, repeats: 1, accuracy: 0.9 }) },
      { jobId: 2, result: result({ mean: 30, std: 0, repeats: 1, accuracy: 0.9 }) },
    );
    expect(same.sameCell).toBe(true);
    expect(same.notes[0]).toMatch(/same cell/);
    expect(same.notes.join(' ')).toMatch(/one repeat there is no spread/);
    expect(same.notes.join(' ')).not.toMatch(/within one standard deviation/);

    const close = compareRankings(
      { jobId: 1, result: result({ mean: 10, std: 1, text: '|x|', accuracy: 0.905 }) },
      { jobId: 2, result: result({ mean: 30, std: 1, accuracy: 0.9 }) },
    );
    expect(close.notes.join(' ')).toMatch(/less than one point .* cannot tell them apart/);
    const apart = compareRankings(
      { jobId: 1, result: result({ mean: 10, std: 1, text: '|x|', accuracy: 0.8 }) },
      { jobId: 2, result: result({ mean: 30, std: 1, accuracy: 0.9 }) },
    );
    expect(apart.notes.join(' ')).toMatch(/chosen on random images does better .*90\.0 % against 80\.0 %/);
  });
});
