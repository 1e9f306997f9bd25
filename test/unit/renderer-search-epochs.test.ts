/**
 * The Search page's epoch helpers (renderer/src/lib/search-curves.ts, search-alpha.ts, search-selection.ts): merging
 * epoch snapshots, the α heat map's columns and edge labels, the data-selection charts and table, and comparing searches.
 */
import { describe, expect, it } from 'vitest';
import { DARTS_OPS, NB201_EDGE_LIST, NB201_OPS, dartsEdgeList, type Genotype } from '../../shared/genotype/ops.js';
import { parseNb201 } from '../../shared/genotype/text.js';
import { deriveDartsGenotype, deriveNb201Genotype, softmaxRows } from '../../shared/genotype/derive.js';
import { SearchEpochData, SearchParams, type SearchDetail } from '../../shared/search.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { edgeLabels, heatRows, keptColumns } from '../../renderer/src/lib/search-alpha.js';
import {
  comparableSearches,
  compareRow,
  compareSeries,
  cumulativeSeconds,
  imagesTotals,
  mergeEpochs,
  togglePick,
} from '../../renderer/src/lib/search-curves.js';
import {
  histogramBars,
  pruningsOf,
  selectionChartsOf,
  selectionRowsOf,
} from '../../renderer/src/lib/search-selection.js';
import { appendEpoch } from '../../renderer/src/lib/search.js';

/** Deterministic pseudo-random numbers, so the α below are the same every run. */
const rng = mulberry32;

const randomAlphas = (next: () => number, rows: number, cols: number): number[][] =>
  softmaxRows(Array.from({ length: rows }, () => Array.from({ length: cols }, () => (next() - 0.5) * 4)));

// ---- epochs ---------------------------------------------------------------------------------------------------

const NB201_GENOTYPE = parseNb201(
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|',
);

/** An epoch snapshot; `attempt` tells two runs of the same epoch apart (a resumed job repeats epochs). */
function ep(epoch: number, attempt = 1): SearchEpochData {
  const uniform = NB201_EDGE_LIST.map(() => NB201_OPS.map(() => 1 / NB201_OPS.length));
  return SearchEpochData.parse({
    epoch,
    epochs: 10,
    space: 'nb201',
    trainLoss: 2 - epoch / 10,
    trainAccuracy: epoch / 20,
    valLoss: 2.1 - epoch / 10,
    valAccuracy: attempt / 10,
    lr: 0.025,
    seconds: 3,
    images: 1000,
    alphas: { normal: uniform },
    genotype: NB201_GENOTYPE,
  });
}

const tags = (list: readonly SearchEpochData[]): string[] =>
  list.map((e) => `${e.epoch}.${Math.round(e.valAccuracy * 10)}`);

describe('mergeEpochs', () => {
  it('keeps the list when nothing comes in, and appends a newer epoch', () => {
    const a = [ep(1), ep(2)];
    expect(mergeEpochs(a, [])).toBe(a);
    expect(tags(mergeEpochs(a, [ep(3)]))).toEqual(['1.1', '2.1', '3.1']);
    expect(tags(mergeEpochs([], [ep(1)]))).toEqual(['1.1']);
    expect(tags(a)).toEqual(['1.1', '2.1']);
  });

  it('keeps one snapshot per epoch, the incoming one winning, in epoch order', () => {
    expect(tags(mergeEpochs([ep(1), ep(2), ep(3)], [ep(2, 2)]))).toEqual(['1.1', '2.2', '3.1']);
    expect(tags(mergeEpochs([ep(1), ep(3)], [ep(4), ep(2), ep(3, 2)]))).toEqual(['1.1', '2.1', '3.2', '4.1']);
    expect(tags(mergeEpochs([ep(2)], [ep(1)]))).toEqual(['1.1', '2.1']);
  });
});

describe('appendEpoch', () => {
  it('appends the next epoch', () => {
    expect(tags(appendEpoch([], ep(1)))).toEqual(['1.1']);
    expect(tags(appendEpoch([ep(1), ep(2)], ep(3)))).toEqual(['1.1', '2.1', '3.1']);
  });

  it('a resumed epoch replaces itself and drops the epochs after it', () => {
    const cut = [ep(1), ep(2), ep(3), ep(4)];
    expect(tags(appendEpoch(cut, ep(3, 2)))).toEqual(['1.1', '2.1', '3.2']);
    expect(tags(appendEpoch(cut, ep(2, 2)))).toEqual(['1.1', '2.2']);
    expect(tags(appendEpoch(cut, ep(1, 2)))).toEqual(['1.2']);
    expect(tags(appendEpoch(cut, ep(4, 2)))).toEqual(['1.1', '2.1', '3.1', '4.2']);
    expect(tags(cut)).toEqual(['1.1', '2.1', '3.1', '4.1']);
  });
});

// ---- α heatmap ------------------------------------------------------------------------------------------------

describe('keptColumns agrees with the genotype derivation', () => {
  it('darts: each node keeps the two edges and operations deriveDartsGenotype picks', () => {
    const next = rng(1);
    const edges = dartsEdgeList();
    for (let trial = 0; trial < 25; trial++) {
      const normal = randomAlphas(next, edges.length, DARTS_OPS.length);
      const reduce = randomAlphas(next, edges.length, DARTS_OPS.length);
      const g = deriveDartsGenotype(normal, reduce);
      for (const [cell, alphas] of [
        ['normal', normal],
        ['reduce', reduce],
      ] as const) {
        const kept = keptColumns('darts', g, cell)!;
        expect(kept).toHaveLength(edges.length);
        expect(kept.filter((k) => k >= 0)).toHaveLength(g[cell].length);
        g[cell].forEach(([op, input], k) => {
          const row = edges.findIndex((e) => e.node === Math.floor(k / 2) && e.input === input);
          expect(kept[row]).toBe(DARTS_OPS.indexOf(op));
        });
        // the heatmap marks the same cells
        expect(heatRows('darts', alphas, 'absolute', kept).map((r) => r.kept)).toEqual(kept);
        // and without a genotype, each kept edge's mark is the operation the derivation chose
        const fallback = heatRows('darts', alphas, 'absolute').map((r) => r.kept);
        kept.forEach((k, row) => {
          if (k >= 0) expect(fallback[row]).toBe(k);
        });
      }
    }
  });

  it('nb201: every edge is kept with the operation deriveNb201Genotype picks', () => {
    const next = rng(2);
    for (let trial = 0; trial < 25; trial++) {
      const alphas = randomAlphas(next, NB201_EDGE_LIST.length, NB201_OPS.length);
      const g = deriveNb201Genotype(alphas);
      const kept = keptColumns('nb201', g, 'normal')!;
      expect(kept).toHaveLength(NB201_EDGE_LIST.length);
      NB201_EDGE_LIST.forEach(({ to, from }, row) => {
        const op = g.nodes[to - 1]!.find(([, j]) => j === from)![0];
        expect(kept[row]).toBe(NB201_OPS.indexOf(op));
        expect(alphas[row]![kept[row]!]).toBe(Math.max(...alphas[row]!));
      });
    }
  });

  it('is null without a genotype of the same space', () => {
    const darts = deriveDartsGenotype(randomAlphas(rng(3), 14, 8), randomAlphas(rng(4), 14, 8));
    expect(keptColumns('darts', null, 'normal')).toBeNull();
    expect(keptColumns('darts', undefined, 'reduce')).toBeNull();
    expect(keptColumns('nb201', darts, 'normal')).toBeNull();
    expect(keptColumns('darts', NB201_GENOTYPE as Genotype, 'normal')).toBeNull();
  });
});

describe('edgeLabels', () => {
  it('darts: one label per α row, input → intermediate node', () => {
    const labels = edgeLabels('darts');
    expect(labels).toHaveLength(dartsEdgeList().length);
    expect(labels).toEqual([
      'c_{k-2} → 0',
      'c_{k-1} → 0',
      'c_{k-2} → 1',
      'c_{k-1} → 1',
      '0 → 1',
      'c_{k-2} → 2',
      'c_{k-1} → 2',
      '0 → 2',
      '1 → 2',
      'c_{k-2} → 3',
      'c_{k-1} → 3',
      '0 → 3',
      '1 → 3',
      '2 → 3',
    ]);
  });

  it('nb201: one label per α row, node → node', () => {
    expect(edgeLabels('nb201')).toEqual(['0 → 1', '0 → 2', '1 → 2', '0 → 3', '1 → 3', '2 → 3']);
    expect(edgeLabels('nb201')).toHaveLength(NB201_EDGE_LIST.length);
  });
});

/** An epoch with the selection fields set. */
function selEp(epoch: number, over: Partial<SearchEpochData> = {}): SearchEpochData {
  return { ...ep(epoch), seconds: epoch, images: 100, ...over };
}

describe('data-selection charts', () => {
  const sel = (train: number, extra: object = {}) => ({
    trainSize: train,
    valSize: train,
    perClass: { train: [train / 2, train / 2], val: [train / 2, train / 2] },
    balance: 1,
    ...extra,
  });

  it('is null without selection stats', () => {
    expect(selectionChartsOf([ep(1), ep(2)])).toBeNull();
  });

  it('draws sizes, balance, mastery with its threshold (dds) and remaining (bdp)', () => {
    const dds = (m: number) => ({
      mastery: m,
      easy: 5,
      hard: 5,
      replaced: 0,
      uniqueSeen: 10,
      subset: [1, 2],
      hardRows: [2],
      replacedRows: [],
    });
    const c = selectionChartsOf(
      [selEp(1, { selection: sel(10, { dds: dds(0.2) }) }), selEp(2, { selection: sel(10, { dds: dds(0.6) }) })],
      0.5,
    );
    expect(c?.sizes[0]!.points).toEqual([
      { x: 1, y: 10 },
      { x: 2, y: 10 },
    ]);
    expect(c?.mastery?.[0]!.points.map((p) => p.y)).toEqual([20, 60]);
    expect(c?.mastery?.[1]).toMatchObject({ label: 'threshold', dash: true });
    expect(c?.mastery?.[1]!.points.every((p) => p.y === 50)).toBe(true);
    expect(c?.remaining).toBeNull();

    const hist = { edges: [0, 0.5, 1], counts: [3, 1], pruned: 2 };
    const b = selectionChartsOf([
      selEp(1, { selection: sel(10, { bdp: { remainingTrain: 10, remainingVal: 10 } }) }),
      selEp(2, {
        selection: sel(8, { bdp: { remainingTrain: 8, remainingVal: 9, pruning: { train: hist, val: hist } } }),
      }),
    ]);
    expect(b?.mastery).toBeNull();
    expect(b?.remaining?.[0]!.points.map((p) => p.y)).toEqual([10, 8]);
    expect(b?.remaining?.[1]!.points.map((p) => p.y)).toEqual([10, 9]);
    const prunings = pruningsOf([
      selEp(1),
      selEp(2, {
        selection: sel(8, { bdp: { remainingTrain: 8, remainingVal: 9, pruning: { train: hist, val: hist } } }),
      }),
    ]);
    expect(prunings.map((p) => p.epoch)).toEqual([2]);
    expect(histogramBars(hist)).toEqual([
      { from: 0, to: 0.5, count: 3, height: 1 },
      { from: 0.5, to: 1, count: 1, height: 1 / 3 },
    ]);
  });
});

describe('the per-epoch selection table', () => {
  const base = (train: number) => ({
    trainSize: train,
    valSize: train,
    perClass: { train: [train], val: [train] },
    balance: 1,
  });

  it('one row per epoch that recorded its selection, with the images processed so far', () => {
    const dds = (replaced: number, uniqueSeen: number) => ({
      mastery: 0.35,
      easy: 7,
      hard: 13,
      replaced,
      uniqueSeen,
      subset: [1, 2],
      hardRows: [2],
      replacedRows: [],
    });
    const rows = selectionRowsOf([
      selEp(1, { images: 16, imagesTotal: 16, selection: { ...base(20), dds: dds(0, 20) } }),
      selEp(2, { images: 16, imagesTotal: 32, selection: { ...base(20), dds: dds(7, 27) } }),
    ]);
    expect(rows).toEqual([
      {
        epoch: 1,
        trainSize: 20,
        valSize: 20,
        imagesTotal: 16,
        dds: { mastery: 0.35, easy: 7, hard: 13, replaced: 0, uniqueSeen: 20 },
        bdp: null,
      },
      {
        epoch: 2,
        trainSize: 20,
        valSize: 20,
        imagesTotal: 32,
        dds: { mastery: 0.35, easy: 7, hard: 13, replaced: 7, uniqueSeen: 27 },
        bdp: null,
      },
    ]);
    // an epoch without selection stats counts towards the images processed but has no row
    expect(
      selectionRowsOf([selEp(1, { images: 10 }), selEp(2, { images: 10, selection: base(5) })]).map((r) => [
        r.epoch,
        r.imagesTotal,
      ]),
    ).toEqual([[2, 20]]);
  });

  it('bdp: what remains, and what was pruned at the end of the epochs that pruned', () => {
    const hist = (pruned: number) => ({ edges: [0, 1], counts: [4], pruned });
    const rows = selectionRowsOf([
      selEp(1, { selection: { ...base(30), bdp: { remainingTrain: 30, remainingVal: 30 } } }),
      selEp(2, {
        selection: {
          ...base(30),
          bdp: { remainingTrain: 24, remainingVal: 27, pruning: { train: hist(6), val: hist(3) } },
        },
      }),
    ]);
    expect(rows.map((r) => r.bdp)).toEqual([
      { remainingTrain: 30, remainingVal: 30, prunedTrain: null, prunedVal: null },
      { remainingTrain: 24, remainingVal: 27, prunedTrain: 6, prunedVal: 3 },
    ]);
    expect(rows.every((r) => r.dds === null)).toBe(true);
  });
});

describe('comparing searches', () => {
  it('cumulative seconds and images processed (imagesTotal, else the running sum of images)', () => {
    const e = [
      selEp(1, { seconds: 2, images: 50 }),
      selEp(2, { seconds: 3, images: 40 }),
      selEp(3, { seconds: 1.5, images: 10 }),
    ];
    expect(cumulativeSeconds(e)).toEqual([2, 5, 6.5]);
    expect(imagesTotals(e)).toEqual([50, 90, 100]);
    expect(imagesTotals([selEp(1, { imagesTotal: 70 }), selEp(2, { imagesTotal: 150 })])).toEqual([70, 150]);
    // a total where recorded, the sum on from there where not
    expect(imagesTotals([selEp(1, { imagesTotal: 70, images: 70 }), selEp(2, { images: 30 })])).toEqual([70, 100]);
  });

  it('one series per search against the chosen x axis', () => {
    const a = {
      jobId: 1,
      label: '#1 full',
      epochs: [selEp(1, { seconds: 2, images: 50 }), selEp(2, { seconds: 2, images: 50 })],
    };
    const b = { jobId: 2, label: '#2 dds', epochs: [selEp(1, { seconds: 1, images: 10, imagesTotal: 10 })] };
    const byEpoch = compareSeries([a, b], 'valAccuracy', 'epoch');
    expect(byEpoch.map((s) => [s.label, s.color])).toEqual([
      ['#1 full', 0],
      ['#2 dds', 1],
    ]);
    expect(byEpoch[0]!.points).toEqual([
      { x: 1, y: a.epochs[0]!.valAccuracy * 100 },
      { x: 2, y: a.epochs[1]!.valAccuracy * 100 },
    ]);
    expect(compareSeries([a], 'trainLoss', 'images')[0]!.points.map((p) => p.x)).toEqual([50, 100]);
    expect(compareSeries([a], 'trainLoss', 'seconds')[0]!.points).toEqual([
      { x: 2, y: a.epochs[0]!.trainLoss },
      { x: 4, y: a.epochs[1]!.trainLoss },
    ]);
    expect(compareSeries([b], 'trainLoss', 'images')[0]!.points.map((p) => p.x)).toEqual([10]);
  });

  it('a table row: final accuracy from the result, else the latest epoch', () => {
    const epochs = [selEp(1, { seconds: 2, images: 50 }), selEp(2, { seconds: 3, images: 50 })];
    const summary = { jobId: 9, genotypeText: 'g' } as SearchDetail['summary'];
    const params = SearchParams.parse({ datasetId: 1, strategy: 'bdp' });
    expect(compareRow({ summary, params, epochs, result: null })).toEqual({
      jobId: 9,
      strategy: 'bdp',
      genotypeText: 'g',
      testAccuracy: null,
      testImages: null,
      valAccuracy: epochs[1]!.valAccuracy,
      images: 100,
      seconds: 5,
    });
    /** A finished search's result: its genotype, final accuracy and wall time, with `more`. */
    const finished = (more: object) =>
      ({
        genotypeText: 'final',
        final: { valAccuracy: 0.75 },
        seconds: 6,
        ...more,
      }) as unknown as SearchDetail['result'];
    // a finished search: its result's genotype, supernet test accuracy, images processed and wall time
    const result = finished({ imagesProcessed: 120, supernetTest: { accuracy: 0.625, images: 400 } });
    expect(compareRow({ summary, params, epochs, result })).toMatchObject({
      genotypeText: 'final',
      testAccuracy: 0.625,
      testImages: 400,
      valAccuracy: 0.75,
      images: 120,
      seconds: 6,
    });
    // one finished before the test accuracy and images were kept
    const older = finished({});
    expect(compareRow({ summary, params, epochs, result: older })).toMatchObject({
      testAccuracy: null,
      testImages: null,
      images: 100,
    });
  });

  it('ticking searches: in the order ticked, only those with a finished epoch compare', () => {
    expect(togglePick([], 4, true)).toEqual([4]);
    expect(togglePick([4, 2], 4, true)).toEqual([2, 4]);
    expect(togglePick([4, 2], 4, false)).toEqual([2]);
    expect(togglePick([2], 7, false)).toEqual([2]);
    const list = [
      { jobId: 5, epochsDone: 0 },
      { jobId: 4, epochsDone: 3 },
      { jobId: 2, epochsDone: 1 },
    ];
    expect(comparableSearches(list, [2, 9, 5, 4]).map((s) => s.jobId)).toEqual([2, 4]);
    expect(comparableSearches(list, [])).toEqual([]);
  });
});
