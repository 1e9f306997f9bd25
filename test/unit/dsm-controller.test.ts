/**
 * The DSM-NAS controller and its training (main/engine/search/dsm/): the log-probability of a whole sample is the
 * sum of its decisions' log-probabilities, so the probabilities of every possible (subspace, proposal) sum to 1 and
 * each decision's probabilities over its valid choices sum to 1; every proposal lies within distance M of its centre
 * and differs from it (exhaustively on small cases); sampling is repeatable for a seed; REINFORCE moves the global
 * policy towards a subspace that pays more.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { allowedOps, DsmController, type DsmAction } from '../../main/engine/search/dsm/controller.js';
import { Reinforce } from '../../main/engine/search/dsm/reinforce.js';
import { proposalsWithin, SubspaceGraph } from '../../main/engine/search/dsm/subspaces.js';
import { archDistance, archFromIndex, indexOfArch } from '../../main/engine/spaces/nb201/space.js';

beforeAll(async () => {
  await selectBackend('cpu');
  await tf.setBackend('cpu');
});

const CENTRES = [0, 7_777, 15_624].map(archFromIndex);
const graphOf = (accs: number[]) => {
  const g = new SubspaceGraph(CENTRES.map(indexOfArch), accs);
  return { centres: CENTRES, edges: g.edges() };
};

describe('controller probabilities', () => {
  it.each([1, 2, 3])('sum to 1 over every subspace and proposal within M = %i', (m) => {
    const c = new DsmController({ subspaces: 3, distance: m, hidden: 8, seed: 5 });
    const g = graphOf([0.3, 0.5, 0.4]);
    const actions: DsmAction[] = CENTRES.flatMap((centre, subspace) =>
      proposalsWithin(centre, m).map((ops) => ({ subspace, ops })),
    );
    const logProb = tf.tidy(() => c.score(g, actions).logProb.arraySync());
    const total = logProb.reduce((a, l) => a + Math.exp(l), 0);
    expect(total).toBeCloseTo(1, 4);
    // every proposal has a probability: the masks forbid nothing inside Ω_α \ {α}
    expect(logProb.every((l) => Number.isFinite(l) && l > -50)).toBe(true);
    c.dispose();
  });

  it('scores a sample as the sum of its decisions: the log-probability sampling reports is the scored one', () => {
    const c = new DsmController({ subspaces: 3, distance: 3, hidden: 8, seed: 6 });
    const g = graphOf([0.3, 0.5, 0.4]);
    const rng = mulberry32(1);
    for (let t = 0; t < 5; t++) {
      const s = c.sample(g, rng);
      const scored = tf.tidy(() => c.score(g, [s.action]));
      expect(scored.logProb.dataSync()[0]).toBeCloseTo(s.logProb, 5);
      expect(scored.entropy.dataSync()[0]).toBeCloseTo(s.entropy, 5);
      tf.dispose([scored.logProb, scored.entropy]);
      // the global part alone: π_G sums to 1, and the sample's probability is at most its subspace's
      const pg = c.subspaceProbs(g);
      expect(pg.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 5);
      expect(s.logProb).toBeLessThanOrEqual(Math.log(pg[s.action.subspace]!) + 1e-5);
    }
    c.dispose();
  });

  it('masks keep every choice valid: the allowed operations always include one, and never break the limit', () => {
    for (let m = 1; m <= 6; m++)
      for (let pos = 0; pos < 6; pos++)
        for (let changes = 0; changes <= Math.min(m, pos); changes++)
          for (let op = 0; op < 5; op++) {
            const ok = allowedOps(pos, op, changes, m);
            expect(ok.some(Boolean)).toBe(true);
            if (changes === m) expect(ok.filter(Boolean).length).toBe(1);
            if (pos === 5 && changes === 0) expect(ok[op]).toBe(false);
          }
  });

  it('rejects a proposal outside the subspace or equal to the centre', () => {
    const c = new DsmController({ subspaces: 3, distance: 1, hidden: 8, seed: 5 });
    const g = graphOf([0.3, 0.5, 0.4]);
    expect(() => tf.tidy(() => c.score(g, [{ subspace: 0, ops: [...CENTRES[0]!] }]).logProb)).toThrow(/not allowed/);
    expect(() => tf.tidy(() => c.score(g, [{ subspace: 0, ops: [1, 1, 0, 0, 0, 0] }]).logProb)).toThrow(/not allowed/);
    c.dispose();
  });
});

describe('sampling', () => {
  it('draws proposals within M of the centre and different from it, the same for the same seed', () => {
    for (const m of [1, 2, 3]) {
      const c = new DsmController({ subspaces: 3, distance: m, hidden: 8, seed: 2 });
      const g = graphOf([0.5, 0.2, 0.4]);
      const run = (seed: number) => {
        const rng = mulberry32(seed);
        return Array.from({ length: 30 }, () => c.sample(g, rng).action);
      };
      const a = run(9);
      for (const s of a) {
        const d = archDistance(CENTRES[s.subspace]!, s.ops);
        expect(d).toBeGreaterThanOrEqual(1);
        expect(d).toBeLessThanOrEqual(m);
      }
      expect(run(9)).toEqual(a);
      expect(run(10)).not.toEqual(a);
      c.dispose();
    }
  });
});

describe('REINFORCE', () => {
  it('moves the global policy towards the subspace whose proposals pay more', () => {
    const c = new DsmController({ subspaces: 3, distance: 2, hidden: 8, seed: 4 });
    const r = new Reinforce(c, { lr: 0.02, entropyWeight: 1e-3, baselineDecay: 0.9 });
    const g = graphOf([0.3, 0.5, 0.4]);
    const before = c.subspaceProbs(g)[1]!;
    const rng = mulberry32(3);
    for (let t = 0; t < 60; t++) {
      const s = c.sample(g, rng);
      // a known-better subspace: proposals in node 1 improve by 0.1, elsewhere they lose 0.05
      r.step(g, s.action, s.action.subspace === 1 ? 0.1 : -0.05, s.entropy);
    }
    const after = c.subspaceProbs(g)[1]!;
    expect(before).toBeLessThan(0.5);
    expect(after).toBeGreaterThan(0.8);
    c.dispose();
  });

  it('keeps a moving-average baseline of the shaped reward', () => {
    const c = new DsmController({ subspaces: 3, distance: 1, hidden: 8, seed: 4 });
    const r = new Reinforce(c, { lr: 1e-3, entropyWeight: 0, baselineDecay: 0.5 });
    const g = graphOf([0.3, 0.5, 0.4]);
    const s = c.sample(g, mulberry32(1));
    expect(r.step(g, s.action, 1, s.entropy)).toEqual({ advantage: 1, baseline: 0.5 });
    expect(r.step(g, s.action, 1, s.entropy)).toEqual({ advantage: 0.5, baseline: 0.75 });
    c.dispose();
  });

  it('continues exactly from a saved state: k steps + restore + N−k steps equals N steps', () => {
    const g = graphOf([0.3, 0.5, 0.4]);
    const make = () => {
      const c = new DsmController({ subspaces: 3, distance: 2, hidden: 8, seed: 7 });
      return { c, r: new Reinforce(c, { lr: 0.01, entropyWeight: 1e-3, baselineDecay: 0.9 }) };
    };
    // iteration t draws from its own stream, as the job does
    const steps = (x: ReturnType<typeof make>, from: number, to: number) => {
      for (let t = from; t < to; t++) {
        const s = x.c.sample(g, mulberry32(100 + t));
        x.r.step(g, s.action, s.action.subspace === 2 ? 0.05 : -0.01 * t, s.entropy);
      }
    };
    const straight = make();
    steps(straight, 0, 8);
    const first = make();
    steps(first, 0, 3);
    const weights = first.c.params.snapshot();
    const state = first.r.state();
    first.c.dispose();
    const second = make();
    second.c.params.restore(weights);
    second.r.restore(state);
    steps(second, 3, 8);
    expect(second.r.baseline).toBe(straight.r.baseline);
    const a = straight.c.params.snapshot();
    for (const [k, v] of second.c.params.snapshot()) expect(Array.from(v), k).toEqual(Array.from(a.get(k)!));
    const sa = straight.r.state().optimizer;
    const sb = second.r.state().optimizer;
    expect(sb.step).toBe(sa.step);
    for (const k of Object.keys(sa.buffers)) expect(Array.from(sb.buffers[k]!), k).toEqual(Array.from(sa.buffers[k]!));
    straight.c.dispose();
    second.c.dispose();
  });
});
