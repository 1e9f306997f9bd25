/**
 * The DSM-NAS view's and form's pure helpers (renderer/src/lib/dsm.ts, dsm-graph.ts): the form builds parameters the schema
 * accepts unchanged (DSM-NAS+ genotypes read and checked), the trace folds iterations (a resumed run's repeats
 * replace, replacements follow the `replaced` flag), the graph lays the centres on a circle with edges between
 * the rims labelled by the changed positions, and the colour scale runs light to dark from the lowest accuracy to
 * the highest.
 */
import { describe, expect, it } from 'vitest';
import { DsmParams, type DsmCell, type DsmIterationData, type DsmResult } from '../../shared/dsm.js';
import type { JobSummary } from '../../shared/jobs.js';
import {
  EMPTY_TRACE,
  appendIteration,
  buildDsmParams,
  changedPositions,
  defaultDsmForm,
  dsmSearchChoices,
  dsmSettingsLine,
  dsmResultOf,
  formatGain,
  mergeIterations,
  positionLabel,
  readInit,
  replacementRows,
  rewardSeries,
  supernetSources,
  traceWithResult,
} from '../../renderer/src/lib/dsm.js';
import { colourScale, layoutGraph, rampColour, textOn } from '../../renderer/src/lib/dsm-graph.js';

const A = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const B = '|nor_conv_1x1~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|';
const C = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

const form = () => ({ ...defaultDsmForm(), datasetId: 2 });

describe('DSM form', () => {
  it('builds the schema defaults from the default form', () => {
    const built = buildDsmParams(form());
    expect(built.ok).toBe(true);
    if (built.ok) expect(built.params).toEqual(DsmParams.parse({ datasetId: 2 }));
  });

  it('starts from given genotypes (DSM-NAS+) and reuses a supernet', () => {
    const built = buildDsmParams({
      ...form(),
      init: 'genotypes',
      initText: `\n ${A}\n\n${B}\n`,
      supernet: 'reuse',
      supernetFrom: 7,
      channels: null, // unused when reusing
    });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.params.init).toEqual([A, B]);
    expect(built.params.supernetFrom).toBe(7);
    expect(DsmParams.parse(built.params)).toEqual(built.params);
  });

  it('refuses bad genotypes, too many of them, and fields out of limits', () => {
    expect(buildDsmParams({ ...form(), init: 'genotypes', initText: `${A}\nnot a cell` })).toMatchObject({
      ok: false,
      field: 'initText',
      error: expect.stringMatching(/line 2 is not a NAS-Bench-201 string/),
    });
    expect(buildDsmParams({ ...form(), init: 'genotypes', initText: '' })).toMatchObject({ field: 'initText' });
    expect(buildDsmParams({ ...form(), init: 'genotypes', subspaces: 2, initText: `${A}\n${B}\n${C}` })).toMatchObject({
      field: 'initText',
      error: expect.stringMatching(/3 cells for K = 2/),
    });
    expect(readInit(`${A}\n${A}`).error).toMatch(/repeats a cell/);
    expect(buildDsmParams({ ...form(), distance: 7 })).toEqual({
      ok: false,
      field: 'distance',
      error: 'Distance M: a whole number from 1 to 6.',
    });
    expect(buildDsmParams({ ...form(), controllerLr: 0 })).toMatchObject({ field: 'controllerLr' });
    expect(buildDsmParams({ ...form(), channels: null })).toMatchObject({ field: 'channels' });
    expect(buildDsmParams({ ...form(), supernet: 'reuse' })).toMatchObject({ field: 'supernetFrom' });
  });

  it('says what a search does in one line', () => {
    const line = dsmSettingsLine(DsmParams.parse({ datasetId: 2, supernetEpochs: 1, iterations: 6 }));
    expect(line).toMatch(/^6 iterations, K = 10, M = 3, random centres;/);
    expect(line).toMatch(/a new supernet \(C = 16, 1 cell per stage, 1 epoch, batch 64, lr 0.025\)/);
    expect(dsmSettingsLine(DsmParams.parse({ datasetId: 2, supernetFrom: 4, init: [A] }))).toMatch(
      /DSM-NAS\+ from 1 given cell;.*the supernet of job #4/,
    );
  });

  it('offers the supernets of finished naswot (with τ) and dsm-search jobs of the dataset', () => {
    const j = (id: number, kind: string, params: Record<string, unknown>, state = 'done'): JobSummary =>
      ({ id, kind, state, params, createdAt: id }) as unknown as JobSummary;
    const list = [
      j(1, 'naswot', { datasetId: 2, kendall: true }),
      j(2, 'naswot', { datasetId: 2, kendall: false }),
      j(3, 'dsm-search', { datasetId: 2 }),
      j(4, 'dsm-search', { datasetId: 5 }),
      j(5, 'dsm-search', { datasetId: 2 }, 'running'),
      j(6, 'search', { datasetId: 2 }),
    ];
    expect(supernetSources(list, 2).map((x) => x.id)).toEqual([3, 1]);
  });
});

const cell = (index: number, text: string, accuracy: number): DsmCell => ({ index, text, accuracy });

function iteration(i: number, over: Partial<DsmIterationData> = {}): DsmIterationData {
  const centres = [cell(1, A, 0.5), cell(2, B, 0.6)];
  return {
    iteration: i,
    iterations: 10,
    subspace: 0,
    centre: centres[0]!,
    proposal: { ...cell(3, C, 0.4), changes: [] },
    reward: -0.1,
    baseline: -0.05,
    entropy: 1,
    logProb: -1,
    replaced: false,
    centres,
    edges: [{ from: 0, to: 1, positions: [0, 5] }],
    best: { subspace: 1, accuracy: 0.6 },
    evaluated: i + 2,
    controllerMs: 3,
    ...over,
  };
}

describe('trace', () => {
  it('folds iterations in order and lists the replacements', () => {
    let t = appendIteration(EMPTY_TRACE, iteration(1));
    t = appendIteration(
      t,
      iteration(2, {
        replaced: true,
        centre: cell(1, A, 0.5),
        proposal: { ...cell(4, B, 0.7), changes: [] },
        reward: 0.2,
      }),
    );
    expect(t.points.map((p) => p.iteration)).toEqual([1, 2]);
    expect(t.replacements).toEqual([{ iteration: 2, subspace: 0, from: cell(1, A, 0.5), to: cell(4, B, 0.7) }]);
    expect(t.latest?.iteration).toBe(2);
    // a resumed run emits iteration 2 again, without a replacement this time: it replaces the earlier copy
    t = appendIteration(t, iteration(2));
    expect(t.points).toHaveLength(2);
    expect(t.replacements).toEqual([]);
    // an out-of-order batch sorts
    t = mergeIterations(EMPTY_TRACE, [iteration(3), iteration(1)]);
    expect(t.points.map((p) => p.iteration)).toEqual([1, 3]);
    expect(t.latest?.iteration).toBe(3);
    expect(mergeIterations(t, [])).toBe(t);
  });

  it('falls back to the result’s rewards when events are missing', () => {
    const r = { rewards: [0.1, -0.2, 0.3], iterations: 3, replacements: [] } as unknown as DsmResult;
    const t = traceWithResult(mergeIterations(EMPTY_TRACE, [iteration(1)]), r);
    expect(t.points.map((p) => [p.iteration, p.reward, p.baseline])).toEqual([
      [1, 0.1, null],
      [2, -0.2, null],
      [3, 0.3, null],
    ]);
    const full = mergeIterations(EMPTY_TRACE, [iteration(1), iteration(2), iteration(3)]);
    expect(traceWithResult(full, r)).toBe(full);
    const s = rewardSeries(t.points);
    expect(s.reward.map((p) => p.y)).toEqual([10, -20, 30]);
    expect(s.baseline).toEqual([]);
  });

  it('reads a result only from a finished job', () => {
    const r = { space: 'nb201', best: {}, centres: [] };
    expect(dsmResultOf({ state: 'done', result: r })).toBe(r);
    expect(dsmResultOf({ state: 'failed', result: r })).toBeNull();
    expect(dsmResultOf({ state: 'done', result: null })).toBeNull();
  });

  it('offers a finished search’s best centre to the Evaluate form, and nothing else', () => {
    const job = (id: number, kind: string, state: string, result: unknown) =>
      ({ id, kind, state, result, params: { datasetId: 2 }, createdAt: 1000 + id }) as unknown as JobSummary;
    const done = { space: 'nb201', best: { index: 7, text: A, accuracy: 0.42, subspace: 1 }, centres: [] };
    const choices = dsmSearchChoices(
      [job(4, 'dsm-search', 'done', done), job(5, 'dsm-search', 'running', null), job(6, 'naswot', 'done', done)],
      (id) => (id === 2 ? 'digits' : null),
    );
    expect(choices).toEqual([
      {
        jobId: 4,
        datasetId: 2,
        datasetName: 'digits',
        space: 'nb201',
        state: 'done',
        genotypeText: A,
        createdAt: 1004,
        valAccuracy: 0.42,
        method: 'DSM-NAS',
      },
    ]);
  });
});

describe('replacements and positions', () => {
  it('names positions by their NB201 edge and finds where two cells differ', () => {
    expect([0, 1, 2, 3, 4, 5].map(positionLabel)).toEqual(['1←0', '2←0', '2←1', '3←0', '3←1', '3←2']);
    expect(changedPositions(A, B)).toEqual([0, 5]);
    expect(changedPositions(A, A)).toEqual([]);
    expect(changedPositions(A, 'nope')).toBeNull();
  });

  it('lists replacements newest first with the gain and the changed edges', () => {
    const rows = replacementRows([
      { iteration: 3, subspace: 1, from: cell(1, A, 0.5), to: cell(2, B, 0.524) },
      { iteration: 9, subspace: 0, from: cell(2, B, 0.6), to: cell(1, A, 0.55) },
    ]);
    expect(rows.map((r) => r.iteration)).toEqual([9, 3]);
    expect(rows[1]!.gain).toBe('+2.4 pts');
    expect(rows[1]!.changed).toBe('1←0, 3←2');
    expect(formatGain(0.6, 0.55)).toBe('−5.0 pts');
  });
});

describe('graph layout and colours', () => {
  it('puts node 0 at the top and the rest clockwise on one circle', () => {
    const centres = [cell(1, A, 0.5), cell(2, B, 0.7), cell(3, C, 0.6), cell(4, A, 0.1)];
    const g = layoutGraph(
      centres,
      [
        { from: 0, to: 1, positions: [0, 5] },
        { from: 2, to: 9, positions: [1] },
      ],
      {
        width: 400,
        height: 400,
        best: 1,
        chosen: 2,
      },
    );
    const [n0, n1, n2, n3] = g.nodes;
    expect(n0!.x).toBeCloseTo(200);
    expect(n0!.y).toBeLessThan(200);
    expect(n1!.x).toBeGreaterThan(200); // clockwise: right
    expect(n2!.y).toBeGreaterThan(200); // bottom
    expect(n3!.x).toBeLessThan(200); // left
    const d = (n: { x: number; y: number }) => Math.hypot(n.x - 200, n.y - 200);
    for (const n of g.nodes) expect(d(n)).toBeCloseTo(d(n0!));
    expect(g.nodes.map((n) => [n.best, n.chosen])).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [false, false],
    ]);
    // the edge to a missing node is dropped; the other ends on the rims
    expect(g.edges).toHaveLength(1);
    const e = g.edges[0]!;
    expect(Math.hypot(e.x1 - n0!.x, e.y1 - n0!.y)).toBeCloseTo(g.radius);
    expect(Math.hypot(e.x2 - n1!.x, e.y2 - n1!.y)).toBeCloseTo(g.radius + 3);
    expect(e.label).toBe('1←0 3←2');
    // colour by accuracy: the lowest the lightest end of the ramp, the highest the darkest
    expect(n3!.fill).toBe(rampColour(0));
    expect(n1!.fill).toBe(rampColour(1));
  });

  it('scales colours from the lowest accuracy to the highest, with a legend', () => {
    const s = colourScale([0.2, 0.6, 0.4]);
    expect([s.lo, s.hi]).toEqual([0.2, 0.6]);
    expect(s.colour(0.2)).toBe('#fde725');
    expect(s.colour(0.6)).toBe('#440154');
    expect(s.stops).toHaveLength(5);
    expect(s.stops[0]!.value).toBeCloseTo(0.2);
    expect(s.stops[4]!.value).toBeCloseTo(0.6);
    expect(colourScale([0.5, 0.5]).stops).toHaveLength(1);
    expect(rampColour(-1)).toBe('#fde725');
    expect(rampColour(2)).toBe('#440154');
    expect(textOn('#fde725')).toBe('#1b1f24');
    expect(textOn('#440154')).toBe('#ffffff');
  });
});
