/**
 * P-DARTS' distinctive rules on hand-built cases (main/engine/search/algorithms/p-darts.ts, shared/search.ts
 * pdartsPlan): the stages' depth, operations, epochs and dropout; the dropout schedule within a stage; which
 * operations each edge drops between stages; the limit of 2 skip-connections in the normal cell; the reduced
 * supernet (only the kept operations built, softmax over them); a stage transition on a tiny supernet; the
 * skip-connection dropout; and the refusals.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DARTS_OPS, type DartsOp } from '../../shared/genotype/ops.js';
import { deriveDartsCell } from '../../shared/genotype/derive.js';
import { SearchParams, pdartsDropout, pdartsPlan } from '../../shared/search.js';
import { algorithmRefusal } from '../../main/engine/search/algorithms/index.js';
import {
  PDarts,
  dropWeakest,
  limitSkipConnections,
  pdartsGenotype,
} from '../../main/engine/search/algorithms/p-darts.js';
import { createOptimizers } from '../../main/engine/search/algorithms/step.js';
import { DartsSupernet, invertedDropout } from '../../main/engine/spaces/darts/supernet.js';
import { buildEdgeParams, edgeBnOps, inputPools, nodeForward } from '../../main/engine/spaces/darts/operations.js';
import { stackedNodeForward } from '../../main/engine/spaces/darts/stacked.js';
import { ParamStore } from '../../main/engine/nn/params.js';
import { useBackend } from '../helpers/wasm.js';

useBackend('cpu');

const base = { datasetId: 1, algorithm: 'p-darts' } as const;
const col = (op: DartsOp) => DARTS_OPS.indexOf(op);

/** A 14-edge softmax matrix whose every row puts `w` on one operation and spreads the rest evenly. */
function rows(pick: (e: number) => DartsOp, w = 0.5): number[][] {
  return Array.from({ length: 14 }, (_, e) =>
    DARTS_OPS.map((op) => (op === pick(e) ? w : (1 - w) / (DARTS_OPS.length - 1))),
  );
}

describe('P-DARTS stages', () => {
  it('follow the paper from the cells setting: 5 -> 11 -> 17 cells, 8 -> 5 -> 3 operations, dropout 0 / 0.4 / 0.7', () => {
    const plan = pdartsPlan(SearchParams.parse({ ...base, epochs: 75, cells: 5 }));
    expect(plan.map((s) => s.cells)).toEqual([5, 11, 17]);
    expect(plan.map((s) => s.ops)).toEqual([8, 5, 3]);
    expect(plan.map((s) => s.dropout)).toEqual([0, 0.4, 0.7]);
    // 25 epochs each, the first 10 of each with α frozen (the paper's code)
    expect(plan.map((s) => [s.start, s.epochs, s.warmup])).toEqual([
      [0, 25, 10],
      [25, 25, 10],
      [50, 25, 10],
    ]);
  });

  it('split uneven epochs with the remainder on the later stages, cap the depth at 20, and take given lists', () => {
    const plan = pdartsPlan(SearchParams.parse({ ...base, epochs: 10, cells: 8 }));
    expect(plan.map((s) => s.epochs)).toEqual([3, 3, 4]);
    expect(plan.map((s) => s.start)).toEqual([0, 3, 6]);
    expect(plan.map((s) => s.cells)).toEqual([8, 18, 20]);
    const two = pdartsPlan(
      SearchParams.parse({
        ...base,
        epochs: 4,
        stages: 2,
        stageCells: [3, 4],
        stageOps: [6, 4],
        skipDropout: [0.1, 0.2],
      }),
    );
    expect(two.map((s) => [s.epochs, s.cells, s.ops, s.dropout])).toEqual([
      [2, 3, 6, 0.1],
      [2, 4, 4, 0.2],
    ]);
    expect(pdartsPlan(SearchParams.parse({ ...base, epochs: 4, stages: 2 })).map((s) => s.ops)).toEqual([8, 3]);
  });

  it('decay the skip-connection dropout linearly while α is frozen, then exponentially (the paper code)', () => {
    const stage = { epochs: 25, warmup: 10, dropout: 0.7 };
    expect(pdartsDropout(stage, 0)).toBeCloseTo((0.7 * 24) / 25, 12);
    expect(pdartsDropout(stage, 9)).toBeCloseTo((0.7 * 15) / 25, 12);
    expect(pdartsDropout(stage, 10)).toBe(0.7);
    expect(pdartsDropout(stage, 15)).toBeCloseTo(0.7 * Math.exp(-1), 12);
    expect(pdartsDropout({ epochs: 1, warmup: 0, dropout: 0.4 }, 0)).toBe(0.4);
    expect(pdartsDropout({ ...stage, dropout: 0 }, 12)).toBe(0);
  });

  it('refuse nb201, fewer epochs than stages, and lists of the wrong length', () => {
    const refusal = (extra: Record<string, unknown>) =>
      algorithmRefusal(SearchParams.parse({ ...base, epochs: 6, ...extra }));
    expect(refusal({})).toBeNull();
    expect(refusal({ space: 'nb201' })).toMatch(/^P-DARTS is defined on the DARTS space .*--space darts/);
    expect(refusal({ epochs: 2 })).toMatch(/needs at least 3 epochs; got 2/);
    expect(refusal({ stageOps: [8, 5] })).toMatch(/--stage-ops gives 2 values/);
    expect(refusal({ stageCells: [5, 11, 25] })).toMatch(/capped at 20 cells/);
  });
});

describe('P-DARTS operation dropping', () => {
  it('keeps the strongest operations of each edge by α, `none` ranked like the others', () => {
    const kept = [[...DARTS_OPS], [...DARTS_OPS]];
    //            none  max   avg   skip  sep3  sep5  dil3  dil5
    const probs = [
      [0.3, 0.01, 0.02, 0.2, 0.15, 0.12, 0.1, 0.1],
      [0.01, 0.2, 0.19, 0.1, 0.2, 0.1, 0.1, 0.1],
    ];
    const five = dropWeakest(probs, kept, 5);
    // ties: the earlier operation goes first (np.argmin): dil_conv_3x3 before dil_conv_5x5
    expect(five[0]).toEqual(['none', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_5x5']);
    // `none` is the weakest here, then skip_connect and sep_conv_5x5, the first two of the four at 0.1
    expect(five[1]).toEqual(['max_pool_3x3', 'avg_pool_3x3', 'sep_conv_3x3', 'dil_conv_3x3', 'dil_conv_5x5']);
    // from a reduced edge: the rows are that stage's softmax (0 on the dropped columns)
    const three = dropWeakest([[0.1, 0, 0, 0.4, 0.2, 0.25, 0.05, 0]], [five[0]!], 3);
    expect(three[0]).toEqual(['skip_connect', 'sep_conv_3x3', 'sep_conv_5x5']);
  });
});

describe('P-DARTS skip-connection limit', () => {
  it('replaces the weakest chosen skip-connections by their next-best operation until 2 are left', () => {
    // every edge prefers skip_connect, with strength growing with the edge; its second choice is sep_conv_3x3
    const probs = Array.from({ length: 14 }, (_, e) => {
      const r = DARTS_OPS.map(() => 0.01);
      r[col('skip_connect')] = 0.5 + e * 0.01;
      r[col('sep_conv_3x3')] = 0.3;
      return r;
    });
    const genes = limitSkipConnections(probs, 2);
    const skips = genes.filter(([op]) => op === 'skip_connect');
    expect(skips).toHaveLength(2);
    // DARTS' rule alone keeps all 8, as P-DARTS does in the reduction cell
    expect(deriveDartsCell(probs).filter(([op]) => op === 'skip_connect')).toHaveLength(8);
    const g = pdartsGenotype({ normal: probs, reduce: probs });
    expect(g.reduce.filter(([op]) => op === 'skip_connect')).toHaveLength(8);
    expect(g.normal).toEqual(genes);
    // the two left are the strongest: node 3's edges from nodes 4 and 5 (rows 12, 13)
    expect(genes.slice(6)).toEqual([
      ['skip_connect', 4],
      ['skip_connect', 3],
    ]);
    expect(genes.slice(0, 6).every(([op]) => op === 'sep_conv_3x3')).toBe(true);
  });

  it('keeps a skip-connection an edge cannot replace, and leaves 2 or fewer as they are', () => {
    const onlySkip = rows(() => 'skip_connect').map((r) => r.map((v, o) => (o === col('skip_connect') ? v : 0)));
    expect(limitSkipConnections(onlySkip, 2).filter(([op]) => op === 'skip_connect')).toHaveLength(8);
    const convs = rows((e) => (e === 0 ? 'skip_connect' : 'sep_conv_5x5'));
    expect(limitSkipConnections(convs, 2).filter(([op]) => op === 'skip_connect')).toHaveLength(1);
  });
});

describe('P-DARTS supernet and stages (cpu)', () => {
  const config = { channels: 4, cells: 2, inChannels: 1, classes: 3, seed: 1 };

  it('builds only the kept operations and weighs the dropped ones 0', () => {
    const all = new DartsSupernet(config);
    const ops = Array.from({ length: 14 }, () => ['none', 'skip_connect', 'sep_conv_3x3'] as DartsOp[]);
    const reduced = new DartsSupernet({ ...config, kept: { normal: ops, reduce: ops } });
    try {
      expect(reduced.weights.size).toBeLessThan(all.weights.size);
      expect(reduced.weights.list.some((e) => e.name.includes('dil_conv'))).toBe(false);
      const a = reduced.alphaSnapshot();
      for (const row of a.reduce!) {
        row.forEach((v, o) =>
          ['none', 'skip_connect', 'sep_conv_3x3'].includes(DARTS_OPS[o]!) ? null : expect(v).toBe(0),
        );
        expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
      }
      expect(a.kept!.normal[0]).toEqual([0, 3, 4]);
      const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const logits = reduced.logits(x);
      expect(logits.shape).toEqual([2, 3]);
      expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, logits]);
    } finally {
      all.dispose();
      reduced.dispose();
    }
  });

  it('moves to the next stage: deeper, the weakest operations gone, fresh α, its own cosine schedule', () => {
    const params = SearchParams.parse({ ...base, epochs: 2, stages: 2, stageCells: [2, 3], channels: 4, seed: 1 });
    const net = new DartsSupernet({ ...config, cells: 2 });
    const algo = new PDarts(net, createOptimizers(net, params), params);
    // α that makes each edge's strongest operations plain: sep_conv_5x5 > dil_conv_3x3 > avg_pool_3x3 > the rest
    const alpha = DARTS_OPS.map((op) => ({ sep_conv_5x5: 3, dil_conv_3x3: 2, avg_pool_3x3: 1 })[op as string] ?? 0);
    for (const v of net.archMatrices) v.assign(tf.tensor2d(Array.from({ length: 14 }, () => alpha)));
    algo.beginEpoch(0);
    expect(algo.epochInfo()).toMatchObject({ stage: 1, stageCells: 2, stageOps: 8 });
    algo.beginEpoch(1);
    const info = algo.epochInfo();
    expect(info).toMatchObject({ stage: 2, stages: 2, stageCells: 3, stageOps: 3 });
    expect(algo.schedule(1)).toEqual({ epoch: 0, epochs: 1 });
    const next = algo.current().net as DartsSupernet;
    expect(next).not.toBe(net);
    expect(next.config.cells).toBe(3);
    const a = next.alphaSnapshot();
    expect(a.kept!.normal.every((c) => c.join() === [2, 5, 6].join())).toBe(true);
    // fresh α (1e-3 · randn): nearly uniform over the 3 kept operations
    for (const row of a.normal) for (const c of [2, 5, 6]) expect(row[c]).toBeCloseTo(1 / 3, 2);
    expect(algo.state()).toEqual({
      stage: 1,
      kept: {
        normal: a.kept!.normal.map((c) => c.map((o) => DARTS_OPS[o])),
        reduce: a.kept!.reduce!.map((c) => c.map((o) => DARTS_OPS[o])),
      },
    });
    expect(algo.genotype().normal.every(([op]) => ['avg_pool_3x3', 'sep_conv_5x5', 'dil_conv_3x3'].includes(op))).toBe(
      true,
    );
    next.dispose();
  });
});

describe('skip-connection dropout', () => {
  it('zeroes about `rate` of the values and scales the rest by 1/(1-rate), the same for the same seed', () => {
    const x = tf.ones([4, 8, 8, 16]) as tf.Tensor4D;
    const a = Array.from(invertedDropout(x, 0.4, 7).dataSync());
    const b = Array.from(invertedDropout(x, 0.4, 7).dataSync());
    const c = Array.from(invertedDropout(x, 0.4, 8).dataSync());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a.map((v) => v.toFixed(5)))).toEqual(new Set(['0.00000', (1 / 0.6).toFixed(5)]));
    const zeros = a.filter((v) => v === 0).length / a.length;
    expect(zeros).toBeGreaterThan(0.35);
    expect(zeros).toBeLessThan(0.45);
    x.dispose();
  });
});

describe('winnow search --help', () => {
  it('lists P-DARTS with its reference and its stage flags', async () => {
    const { searchHelp } = await import('../../main/cli/commands/search.js');
    const help = searchHelp();
    expect(help).toContain('--algorithm p-darts  P-DARTS: searches in stages of growing depth');
    expect(help).toContain('(darts space only) [P-DARTS]');
    for (const flag of ['--stages N', '--stage-cells N[,...]', '--stage-ops N[,...]', '--skip-dropout X[,...]'])
      expect(help).toContain(flag);
  });
});

describe('a node over kept operations (cpu)', () => {
  it('the stacked form (native backend) equals the per-edge form, with and without the identities', () => {
    const p = new ParamStore(4);
    const C = 4;
    // node 1 of a reduction cell: two stride-2 edges from the cell's inputs, one stride-1 edge from node 0
    const kept: DartsOp[][] = [
      ['none', 'max_pool_3x3', 'sep_conv_3x3', 'skip_connect'],
      ['avg_pool_3x3', 'dil_conv_5x5', 'sep_conv_3x3'],
      ['skip_connect', 'sep_conv_5x5', 'max_pool_3x3'],
    ];
    const strides = [2, 2, 1] as const;
    const edges = kept.map((ops, j) => buildEdgeParams(p, `e${j}`, C, strides[j]!, ops));
    const states = [
      tf.randomNormal([2, 8, 8, C], 0, 1, 'float32', 1),
      tf.randomNormal([2, 8, 8, C], 0, 1, 'float32', 2),
      tf.randomNormal([2, 4, 4, C], 0, 1, 'float32', 3),
    ] as tf.Tensor4D[];
    const pools = states.map((s, j) => inputPools(s, strides[j]!));
    const parts = edges.reduce((a, q) => a + edgeBnOps(q).length, 0);
    expect(parts).toBe(3 + 3 + 2);
    for (const identities of [true, false]) {
      const w = tf.randomUniform([parts + (identities ? 1 : 0)], 0, 1, 'float32', 5) as tf.Tensor1D;
      const perEdge = nodeForward(states, pools, w, parts, edges, identities);
      const stacked = stackedNodeForward(states, pools, w, parts, edges, undefined, identities);
      expect(stacked.shape).toEqual([2, 4, 4, C]);
      const a = perEdge.dataSync();
      stacked.dataSync().forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 4));
      tf.dispose([w, perEdge, stacked]);
    }
    tf.dispose([...states, ...pools.flatMap((q) => [q.max, q.avg])]);
    p.dispose();
  });
});
