/**
 * renderer/src/lib/search-algorithms.ts: the Search page's algorithm selector (its choices and fields held to
 * shared/search.ts's schema and SEARCH_ALGORITHM_INFO, which the renderer reads without zod) and what a run's
 * view draws from its epochs' schedule and α snapshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SEARCH_ALGORITHM_INFO,
  SearchAlgorithm,
  SearchParams,
  withAlgorithmDefaults,
  type SearchEpochData,
} from '../../shared/search.js';
import { dartsEdgeList } from '../../shared/genotype/ops.js';
import {
  ALGORITHMS,
  DEFAULT_ALGORITHM,
  algorithmFieldKeys,
  algorithmFields,
  algorithmInfo,
  algorithmParams,
  algorithmRefusal,
  algorithmUnavailable,
  algorithmSettings,
  defaultAlgorithmValues,
  edgeWeightsByNode,
  frozenRanges,
  listValue,
  greekParts,
  likeliestOps,
  meanEpochSeconds,
  paperLine,
  parseReferences,
  rangesText,
  runAlgorithm,
  scheduleCharts,
  stageText,
  stageTimeline,
} from '../../renderer/src/lib/search-algorithms.js';
import {
  buildSearchParams,
  chooseAlgorithm,
  chooseSpace,
  defaultSearchForm,
  type SearchForm,
} from '../../renderer/src/lib/search.js';

const form = (patch: Partial<SearchForm> = {}): SearchForm => ({
  ...defaultSearchForm({ id: 7, classes: 10, width: 28, splits: { train: 6000, test: 1000 } }),
  ...patch,
});
const withValues = (algorithm: SearchAlgorithm, values: Record<string, number | string | boolean | null>) =>
  form({ algorithm, algorithmValues: { ...defaultAlgorithmValues(), ...values } });

/** An epoch record with only what the view reads. */
const ep = (epoch: number, algorithm?: Record<string, number>, seconds = 1) =>
  ({ epoch, algorithm, seconds }) as Pick<SearchEpochData, 'epoch' | 'algorithm' | 'seconds'>;

describe('the selector mirrors the schema', () => {
  it('offers every algorithm of the schema, in its order, with its info', () => {
    expect([...ALGORITHMS]).toEqual(SearchAlgorithm.options);
    expect(DEFAULT_ALGORITHM).toBe(SearchParams.parse({ datasetId: 1 }).algorithm);
    for (const a of ALGORITHMS) expect(algorithmInfo(a)).toEqual(SEARCH_ALGORITHM_INFO[a]);
    // an algorithm the generated info does not know yet still gets a card
    expect(algorithmInfo('new-one')).toMatchObject({ label: 'new-one', summary: '' });
  });

  it("gives each algorithm the fields its help names, and PC-DARTS' warm-up", () => {
    expect(algorithmFieldKeys('darts')).toEqual([]);
    expect(algorithmFieldKeys('darts2')).toEqual([]);
    expect(algorithmFieldKeys('pc-darts')).toEqual(['partialChannels', 'alphaWarmupEpochs']);
    expect(algorithmFieldKeys('beta-darts')).toEqual(['betaDecayLambda', 'betaDecayOn', 'alphaWarmupEpochs']);
    expect(algorithmFieldKeys('gdas')).toEqual(['tauMax', 'tauMin']);
    const [k] = algorithmFields('pc-darts');
    expect(k).toMatchObject({ label: 'Partial channels K', type: 'number', testid: 'search-algo-partial-channels' });
    expect(k!.rule).toMatchObject({ min: 1, max: 16, int: true });
    // the help is the schema's, without the algorithm's name in front
    expect(k!.help).toMatch(/^K, only 1\/K of the channels/);
    const on = algorithmFields('beta-darts').find((f) => f.key === 'betaDecayOn')!;
    expect(on.choices).toEqual([
      { value: 'darts', label: SEARCH_ALGORITHM_INFO.darts.label },
      { value: 'pc-darts', label: SEARCH_ALGORITHM_INFO['pc-darts'].label },
    ]);
  });

  it('refuses on a space exactly what the info leaves out, saying why', () => {
    for (const a of ALGORITHMS) {
      for (const space of ['darts', 'nb201'] as const) {
        const why = algorithmRefusal(a, space);
        expect(why === null, `${a} on ${space}`).toBe(SEARCH_ALGORITHM_INFO[a].spaces.includes(space));
      }
    }
    expect(algorithmRefusal('pc-darts', 'nb201')).toBe(
      'PC-DARTS is defined on the DARTS space only; choose that space to use it.',
    );
    // the disabled card's short reason
    expect(algorithmUnavailable('pc-darts', 'nb201')).toBe('Only on the DARTS space');
    expect(algorithmUnavailable('pc-darts', 'darts')).toBeNull();
  });

  it('falls back to the default algorithm when the space does not offer the chosen one', () => {
    expect(chooseSpace(form({ algorithm: 'pc-darts' }), 'nb201').algorithm).toBe(DEFAULT_ALGORITHM);
    expect(chooseSpace(form({ algorithm: 'gdas' }), 'nb201').algorithm).toBe('gdas');
  });
});

/** The algorithm fields with no default value: the form starts them empty and sends nothing. */
const EMPTY_BY_DEFAULT = ['alphaWarmupEpochs', 'stageCells', 'stageOps', 'skipDropout'];

describe("an algorithm's paper settings", () => {
  it('fill what the caller left out before parsing, and keep what it gave', () => {
    expect(withAlgorithmDefaults({ datasetId: 1, algorithm: 'pc-darts' })).toEqual({
      datasetId: 1,
      algorithm: 'pc-darts',
      batch: 256,
      lr: 0.1,
      alphaLr: 6e-4,
    });
    expect(SearchParams.parse(withAlgorithmDefaults({ datasetId: 1, algorithm: 'pc-darts', batch: 64 }))).toMatchObject(
      {
        batch: 64,
        lr: 0.1,
        alphaLr: 6e-4,
      },
    );
    const darts = { datasetId: 1, algorithm: 'darts' };
    expect(withAlgorithmDefaults(darts)).toBe(darts);
    expect(SearchParams.parse(withAlgorithmDefaults({ datasetId: 1 }))).toMatchObject({ batch: 32, lr: 0.025 });
  });

  it('come with the algorithm in the form where the user left the fields alone, and go back with DARTS', () => {
    const suggested = form({ batch: 64 });
    const pc = chooseAlgorithm(suggested, 'pc-darts', 64);
    expect(pc).toMatchObject({ algorithm: 'pc-darts', batch: 256, lr: 0.1, alphaLr: 6e-4 });
    expect(chooseAlgorithm(pc, 'darts', 64)).toMatchObject({ algorithm: 'darts', batch: 64, lr: 0.025, alphaLr: 3e-4 });
    // what the user typed stays, either way
    const typed = chooseAlgorithm(form({ lr: 0.05 }), 'pc-darts');
    expect(typed).toMatchObject({ batch: 256, lr: 0.05, alphaLr: 6e-4 });
    expect(chooseAlgorithm({ ...pc, batch: 128 }, 'gdas', 64)).toMatchObject({ batch: 128, lr: 0.025 });
    // the DARTS space's PC-DARTS falls back to DARTS on NAS-Bench-201, with DARTS' settings
    expect(chooseSpace(pc, 'nb201')).toMatchObject({ algorithm: 'darts', batch: 32, lr: 0.025 });
  });
});

describe('the algorithm in the built params', () => {
  it('sends the algorithm and only its own fields, which the schema accepts unchanged', () => {
    for (const a of ALGORITHMS) {
      const f = form({ algorithm: a });
      const built = buildSearchParams(f);
      if (!built.ok) throw new Error(`${a}: ${built.error}`);
      const parsed = SearchParams.parse(built.params);
      expect(parsed).toMatchObject(built.params);
      expect(parsed.algorithm).toBe(a);
      const sent = Object.keys(built.params).filter((k) => ALGORITHMS.some((x) => algorithmFieldKeys(x).includes(k)));
      // empty optional fields (the warm-up, P-DARTS' per-stage lists) are left to the engine's defaults
      expect(sent.sort()).toEqual(
        algorithmFieldKeys(a)
          .filter((k) => !EMPTY_BY_DEFAULT.includes(k))
          .sort(),
      );
    }
    const gdas = buildSearchParams(withValues('gdas', { tauMax: 5, tauMin: 0.5, partialChannels: 8 }));
    expect(gdas.ok && gdas.params).toMatchObject({ algorithm: 'gdas', tauMax: 5, tauMin: 0.5 });
    expect(gdas.ok && 'partialChannels' in gdas.params).toBe(false);
    const pc = buildSearchParams(withValues('pc-darts', { alphaWarmupEpochs: 3 }));
    expect(pc.ok && pc.params).toMatchObject({ algorithm: 'pc-darts', partialChannels: 4, alphaWarmupEpochs: 3 });
  });

  it('accepts and refuses each number field exactly where the schema does', () => {
    for (const a of ALGORITHMS) {
      for (const f of algorithmFields(a).filter((x) => x.type === 'number')) {
        const { min, max } = f.rule!;
        for (const v of [min - 1, min, min + 1e-6, min + 0.5, (min + max) / 2, max, max + 1e-6, max + 1]) {
          // gdas' two temperatures are checked against each other too: keep the other one out of the way
          const other: Record<string, number> =
            f.key === 'tauMin' ? { tauMax: 100 } : f.key === 'tauMax' ? { tauMin: 1e-9 } : {};
          const built = algorithmParams({ ...withValues(a, { ...other, [f.key]: v }), space: 'darts' });
          const schema = SearchParams.safeParse({ datasetId: 1, algorithm: a, ...other, [f.key]: v });
          if (f.key === 'tauMin' && v >= 100) {
            // within the schema's limits, but not below the start τ: the form refuses it (the engine does too)
            expect(built.ok).toBe(false);
            continue;
          }
          expect(built.ok, `${a} ${f.key} = ${v}`).toBe(schema.success);
          if (!built.ok) expect(built).toMatchObject({ field: f.key, error: expect.stringMatching(`^${f.label}: `) });
        }
      }
    }
  });

  it('refuses an algorithm the space does not offer, and GDAS temperatures that rise', () => {
    const nb = buildSearchParams({ ...form({ algorithm: 'pc-darts' }), space: 'nb201' });
    expect(nb).toMatchObject({ ok: false, field: 'algorithm', error: expect.stringMatching(/DARTS space only/) });
    const up = buildSearchParams(withValues('gdas', { tauMax: 1, tauMin: 2 }));
    expect(up).toMatchObject({ ok: false, field: 'tauMin' });
    expect(buildSearchParams(withValues('gdas', { tauMax: null })).ok).toBe(false);
  });
});

describe("a run's algorithm", () => {
  it('reads the algorithm and its settings from the params', () => {
    expect(runAlgorithm({})).toBe('darts');
    expect(runAlgorithm({ algorithm: 'gdas' })).toBe('gdas');
    expect(runAlgorithm({ algorithm: 'unknown' })).toBe('darts');
    expect(algorithmSettings('beta-darts', { betaDecayLambda: 25, betaDecayOn: 'pc-darts' })).toEqual([
      { key: 'betaDecayLambda', label: 'Final weight λ', value: '25' },
      { key: 'betaDecayOn', label: 'Added to', value: 'PC-DARTS' },
      { key: 'alphaWarmupEpochs', label: 'α warm-up epochs', value: 'default' },
    ]);
  });

  it('draws each schedule number as a curve, except those drawn apart', () => {
    const charts = scheduleCharts([
      ep(1, { tau: 10, alphaFrozen: 1 }),
      ep(2, { tau: 5, skipDropout: 0.4, stageOps: 5, fooBar: 1 }),
      ep(3),
      ep(4, { tau: 0.1, stage: 2 }),
    ]);
    expect(charts.map((c) => [c.key, c.title])).toEqual([
      ['tau', 'Temperature'],
      ['skipDropout', 'Skip-connection dropout'],
      ['fooBar', 'Foo bar'],
    ]);
    expect(charts[0]!.series[0]!.points).toEqual([
      { x: 1, y: 10 },
      { x: 2, y: 5 },
      { x: 4, y: 0.1 },
    ]);
    expect(scheduleCharts([ep(1), ep(2, {})])).toEqual([]);
  });

  it('finds the epochs with α frozen and says them in words', () => {
    const frozen = (flags: number[]) => frozenRanges(flags.map((f, i) => ep(i + 1, { alphaFrozen: f })));
    expect(frozen([1, 1, 1, 0, 0])).toEqual([[1, 3]]);
    expect(frozen([1, 0, 1, 1, 0, 1])).toEqual([
      [1, 1],
      [3, 4],
      [6, 6],
    ]);
    expect(frozen([0, 0])).toEqual([]);
    expect(rangesText([[1, 3]])).toBe('epochs 1–3');
    expect(rangesText([[2, 2]])).toBe('epoch 2');
    expect(
      rangesText([
        [1, 2],
        [5, 5],
      ]),
    ).toBe('epochs 1–2 and 5');
    expect(rangesText([])).toBe('no epochs');
  });

  it("groups PC-DARTS' edge weights by the node they feed", () => {
    const edges = dartsEdgeList();
    const weights = edges.map((e, i) => i / 100);
    const nodes = edgeWeightsByNode('darts', weights);
    expect(nodes.map((n) => n.node)).toEqual(['0', '1', '2', '3']);
    // node k has k + 2 inputs: the two cell inputs and the nodes before it
    expect(nodes.map((n) => n.inputs.length)).toEqual([2, 3, 4, 5]);
    expect(nodes[1]!.inputs).toEqual([
      { from: 'c_{k-2}', weight: 0.02 },
      { from: 'c_{k-1}', weight: 0.03 },
      { from: '0', weight: 0.04 },
    ]);
    expect(edgeWeightsByNode('darts', undefined)).toEqual([]);
    expect(edgeWeightsByNode('darts', weights.slice(0, 3)).map((n) => n.inputs.length)).toEqual([2, 1]);
  });

  it("names each edge's likeliest GDAS sample and its share", () => {
    const ops = ['none', 'skip', 'conv'];
    expect(likeliestOps([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [NaN, 0.4, NaN], []], ops)).toEqual([
      { op: 'skip', column: 1, share: 0.5, tied: false },
      { op: 'conv', column: 2, share: 0.8, tied: false },
      { op: 'skip', column: 1, share: 0.4, tied: false },
      { op: null, column: -1, share: 0, tied: false },
    ]);
  });

  it('says when no operation is likelier than another', () => {
    const rows = [
      [0.25, 0.25, 0.5],
      [1 / 3, 1 / 3, 1 / 3],
      [0.2001, 0.19995, 0.2, 0.19997, 0.19998],
      [0.2015, 0.1995, 0.2, 0.1995, 0.1995],
    ];
    expect(likeliestOps(rows, ['a', 'b', 'c', 'd', 'e']).map((o) => o.tied)).toEqual([false, true, true, false]);
  });

  it("lays P-DARTS' stages out over the epochs, and copes with missing fields", () => {
    const s = stageTimeline([
      ep(1, { stage: 1, stages: 3, stageCells: 5, stageOps: 8 }),
      ep(2, { stage: 1, stages: 3, stageCells: 5, stageOps: 8 }),
      ep(3, { stage: 2, stageCells: 11 }),
      ep(4, { stage: 2, stageOps: 5 }),
      ep(5),
      ep(6, { stage: 3 }),
    ]);
    expect(s).toEqual([
      { stage: 1, of: 3, from: 1, to: 2, cells: 5, ops: 8 },
      { stage: 2, of: null, from: 3, to: 4, cells: 11, ops: 5 },
      { stage: 3, of: null, from: 6, to: 6, cells: null, ops: null },
    ]);
    expect(s.map(stageText)).toEqual(['5 cells, 8 operations per edge', '11 cells, 5 operations per edge', '']);
    expect(stageTimeline([ep(1, { tau: 3 }), ep(2)])).toEqual([]);
  });

  it('keeps Greek letters apart in a label', () => {
    expect(greekParts('End temperature τ')).toEqual([
      { text: 'End temperature ', greek: false },
      { text: 'τ', greek: true },
    ]);
    expect(greekParts('α warm-up epochs').map((p) => p.greek)).toEqual([true, false]);
    expect(greekParts('')).toEqual([]);
  });

  it('reads a list field (P-DARTS’ per-stage settings) as numbers within the item limits', () => {
    const cells = {
      label: 'Stage cells',
      rule: { key: 'x', label: 'Stage cells', min: 1, max: 30, int: true, aboveMin: false },
    };
    expect(listValue(cells, '5, 11 17')).toEqual({ ok: true, value: [5, 11, 17] });
    expect(listValue(cells, '  ')).toEqual({ ok: true, value: null });
    expect(listValue(cells, '5, 2.5')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Stage cells: .*whole number from 1 to 30/),
    });
    expect(listValue(cells, '5, x').ok).toBe(false);
    const rate = {
      label: 'Skip dropout',
      rule: { key: 'y', label: 'Skip dropout', min: 0, max: 1, int: false, aboveMin: false },
      belowMax: true,
    };
    expect(listValue(rate, '0, 0.4, 0.7')).toEqual({ ok: true, value: [0, 0.4, 0.7] });
    expect(listValue(rate, '0, 1')).toMatchObject({ ok: false, error: expect.stringMatching(/below 1/) });
  });

  it('averages the epoch time', () => {
    expect(meanEpochSeconds([ep(1, undefined, 2), ep(2, undefined, 4)])).toBe(3);
    expect(meanEpochSeconds([])).toBeNull();
  });
});

describe('the papers', () => {
  const md = fs.readFileSync(path.join(__dirname, '../../docs/REFERENCES.md'), 'utf8');
  const papers = parseReferences(md);

  it('finds every algorithm’s paper in docs/REFERENCES.md', () => {
    for (const a of ALGORITHMS) expect(papers[SEARCH_ALGORITHM_INFO[a].reference], a).toBeDefined();
  });

  it('writes a paper in one line, without the code the table also names', () => {
    expect(paperLine(papers.GDAS!)).toBe(
      'Xuanyi Dong and Yi Yang: Searching for A Robust Neural Architecture in Four GPU Hours — CVPR 2019',
    );
    expect(paperLine(papers['PC-DARTS']!)).toMatch(/^Yuhui Xu et al\.: PC-DARTS: Partial Channel .* — ICLR 2020$/);
    expect(parseReferences('| key | authors |\n|---|---|\nno table')).toEqual({});
  });
});
