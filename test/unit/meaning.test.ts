import { describe, expect, it } from 'vitest';
import {
  alphaNotes,
  betaRows,
  chanceCeiling,
  compressNotes,
  jobMeaningNotes,
  modelNotes,
  significantDifference,
  uniformLeads,
  wilsonInterval,
  UNIFORM_MARGIN,
} from '../../shared/meaning.js';
import { softmaxRows } from '../../shared/genotype/derive.js';

const uniform = (rows: number, k: number) => Array.from({ length: rows }, () => Array<number>(k).fill(1 / k));
/** A row of K weights with one operation at `top` and the rest sharing what is left. */
const peaked = (k: number, top: number) => Array.from({ length: k }, (_, j) => (j === 0 ? top : (1 - top) / (k - 1)));

describe('α near uniform', () => {
  it('a uniform DARTS snapshot (both cells) warns, naming every edge', () => {
    const notes = alphaNotes({ normal: uniform(14, 8), reduce: uniform(14, 8) });
    expect(notes).toHaveLength(1);
    expect(notes[0]!.level).toBe('warn');
    expect(notes[0]!.code).toBe('alpha-uniform');
    expect(notes[0]!.message).toContain('28 of 28 edges');
    expect(notes[0]!.message).toContain('0.125');
    expect(notes[0]!.advice).toMatch(/more epochs/);
  });

  it('a separated NAS-Bench-201 snapshot says nothing', () => {
    expect(alphaNotes({ normal: Array.from({ length: 6 }, () => peaked(5, 0.6)) })).toEqual([]);
  });

  it('the threshold is relative to 1/K: just below 1.25/K is undecided, just above is not', () => {
    for (const k of [5, 8]) {
      const edge = (1 + UNIFORM_MARGIN) / k;
      expect(uniformLeads([peaked(k, edge - 1e-6)])[0]).toBeLessThan(UNIFORM_MARGIN);
      expect(alphaNotes({ normal: [peaked(k, edge - 1e-6)] })[0]?.code).toBe('alpha-uniform');
      expect(alphaNotes({ normal: [peaked(k, edge + 1e-6)] })).toEqual([]);
    }
  });

  it('a logit lead of about 0.3 sits at the threshold in both spaces', () => {
    // one operation's α ahead by 0.2 (undecided) or 0.4 (separated), the rest equal
    for (const k of [5, 8]) {
      const row = (lead: number) => softmaxRows([Array.from({ length: k }, (_, j) => (j === 0 ? lead : 0))])[0]!;
      expect(alphaNotes({ normal: [row(0.2)] })).toHaveLength(1);
      expect(alphaNotes({ normal: [row(0.4)] })).toEqual([]);
    }
  });

  it('half the edges undecided warns; fewer is a note', () => {
    const sep = peaked(5, 0.6);
    const flat = peaked(5, 0.2);
    expect(alphaNotes({ normal: [flat, flat, flat, sep, sep, sep] })[0]!.level).toBe('warn');
    const some = alphaNotes({ normal: [flat, flat, sep, sep, sep, sep] });
    expect(some[0]!.level).toBe('info');
    expect(some[0]!.code).toBe('alpha-partly-uniform');
    expect(some[0]!.message).toContain('2 of 6');
  });

  it("PC-DARTS' β rows: one per node, 2 + i edges each, and counted as decisions", () => {
    expect(betaRows([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]).map((r) => r.length)).toEqual([2, 3, 4, 5]);
    const separatedAlpha = Array.from({ length: 14 }, () => peaked(8, 0.5));
    const flatBeta = [0.5, 0.5, 1 / 3, 1 / 3, 1 / 3, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2];
    const notes = alphaNotes({ normal: separatedAlpha, edges: { normal: flatBeta } });
    expect(notes[0]!.level).toBe('info');
    expect(notes[0]!.message).toContain('4 of 18 operation or edge choices');
    const both = alphaNotes({ normal: uniform(14, 8), edges: { normal: flatBeta } });
    expect(both[0]!.message).toContain('18 of 18');
  });
});

describe('intervals', () => {
  it('Wilson: known values, and inside [0, 1] at the ends', () => {
    const w = wilsonInterval(0.5, 100);
    expect(w.low).toBeCloseTo(0.4038, 3);
    expect(w.high).toBeCloseTo(0.5962, 3);
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(0, 10).high).toBeCloseTo(0.2775, 3);
    expect(wilsonInterval(1, 10).high).toBeCloseTo(1, 9);
    expect(wilsonInterval(0.3, 0)).toEqual({ low: 0, high: 1 });
  });
});

/** A confusion matrix with the given predicted-column totals spread over true rows, and the accuracy it implies. */
function report(confusion: number[][]) {
  const images = confusion.flat().reduce((a, b) => a + b, 0);
  const correct = confusion.reduce((s, row, i) => s + row[i]!, 0);
  return { accuracy: correct / images, images, confusion };
}

describe('a model at chance level or answering one class', () => {
  it('one class for every image, 10 classes: both rules, which class it answers', () => {
    const confusion = Array.from({ length: 10 }, () => [0, 0, 0, 10, 0, 0, 0, 0, 0, 0]);
    const notes = modelNotes(report(confusion));
    expect(notes.map((n) => n.code)).toEqual(['one-class', 'chance-level']);
    expect(notes[0]!.message).toContain('100.0 %');
    expect(notes[0]!.message).toContain('class 4 of 10');
    // with the report's per-class names, the class by name
    const perClass = Array.from({ length: 10 }, (_, i) => ({ name: `digit ${i}` }));
    expect(modelNotes({ ...report(confusion), perClass })[0]!.message).toContain('class “digit 3”');
  });

  it('a good model says nothing', () => {
    const confusion = [
      [45, 5],
      [4, 46],
    ];
    expect(modelNotes(report(confusion))).toEqual([]);
  });

  it('the one-class share boundary: 95 of 100 answers is one class, 94 is not', () => {
    const at = report([
      [50, 0],
      [45, 5],
    ]);
    expect(modelNotes(at).map((n) => n.code)).toContain('one-class');
    const below = report([
      [50, 0],
      [44, 6],
    ]);
    expect(modelNotes(below).map((n) => n.code)).not.toContain('one-class');
  });

  it('the chance ceiling: 1/C + 1.96 standard errors; at it is chance, one image above is not', () => {
    // 2 classes, 100 images: 0.5 + 1.96 * 0.05 = 0.598
    expect(chanceCeiling(2, 100)).toBeCloseTo(0.598, 3);
    const chance = (acc: number) =>
      modelNotes({
        accuracy: acc,
        images: 100,
        confusion: [
          [30, 20],
          [20, 30],
        ],
      });
    expect(chance(0.59).map((n) => n.code)).toEqual(['chance-level']);
    expect(chance(0.6)).toEqual([]);
    // below chance is chance level too
    expect(chance(0.2).map((n) => n.code)).toEqual(['chance-level']);
  });

  it('fewer images widen the interval: 25% on 10 images of 10 classes is chance, on 1000 it is not', () => {
    const c = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 3 : 1)));
    expect(modelNotes({ accuracy: 0.25, images: 10, confusion: c }).map((n) => n.code)).toEqual(['chance-level']);
    expect(modelNotes({ accuracy: 0.25, images: 1000, confusion: c })).toEqual([]);
  });
});

const row = (protocol: 'test' | 'retrain' | 'mixed', accuracy: number, n: number) => ({
  protocol,
  accuracy,
  perClass: [
    { label: 0, name: 'a', correct: 0, total: n / 2, accuracy: 0 },
    { label: 1, name: 'b', correct: 0, total: n / 2, accuracy: 0 },
  ],
});

describe('a compression study whose differences are not significant', () => {
  it('within one test image: not significant, says so', () => {
    const notes = compressNotes([row('test', 0.101, 1000), row('test', 0.1, 1000)], { accuracy: 0.1 });
    expect(notes).toHaveLength(1);
    expect(notes[0]!.code).toBe('not-significant');
    expect(notes[0]!.message).toContain('one test image');
    expect(notes[0]!.message).toContain('10.00 %');
    expect(notes[0]!.message).toContain('10.10 %');
    expect(notes[0]!.message).toContain('over 2 points and the original images');
  });

  it('within the binomial noise but more than one image: not significant, with the ± it used', () => {
    const notes = compressNotes([row('test', 0.8, 100), row('test', 0.85, 100)]);
    expect(notes[0]!.message).toContain('noise of 100 test images');
  });

  it('a real drop is significant: nothing said', () => {
    expect(compressNotes([row('test', 0.9, 1000), row('test', 0.6, 1000)], { accuracy: 0.92 })).toEqual([]);
  });

  it('the reference counts for the test protocol only, and protocols are judged apart', () => {
    const rows = [row('test', 0.5, 200), row('test', 0.5, 200), row('retrain', 0.9, 200), row('retrain', 0.5, 200)];
    // test rows are equal but the reference is far above them: significant
    expect(compressNotes(rows, { accuracy: 0.9 })).toEqual([]);
    // without it, the test protocol's rows are not significant; retrain's are
    const notes = compressNotes(rows);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toContain('tested on compressed images');
  });

  it('the significance boundary: 1.96 standard errors of a difference', () => {
    // n = 100, p = 0.5 vs 0.5 + d: SE = sqrt(0.25/100 + q(1-q)/100)
    expect(significantDifference(0.5, 0.63, 100)).toBe(false);
    expect(significantDifference(0.5, 0.64, 100)).toBe(true);
    // never significant within one image, even on a tiny set
    expect(significantDifference(0, 0.1, 10)).toBe(false);
  });
});

describe('per job kind', () => {
  it('search, evaluate and compress results; other kinds and odd results give none', () => {
    expect(jobMeaningNotes('search', { alphas: { normal: uniform(6, 5) } })[0]!.code).toBe('alpha-uniform');
    const one = { test: report(Array.from({ length: 4 }, () => [5, 0, 0, 0])) };
    expect(jobMeaningNotes('evaluate', one).map((n) => n.code)).toEqual(['one-class', 'chance-level']);
    expect(jobMeaningNotes('compress', { rows: [row('test', 0.5, 10), row('test', 0.5, 10)] })[0]!.code).toBe(
      'not-significant',
    );
    expect(jobMeaningNotes('autoencoder', { alphas: { normal: uniform(6, 5) } })).toEqual([]);
    expect(jobMeaningNotes('evaluate', null)).toEqual([]);
    expect(jobMeaningNotes('search', { alphas: 'x' })).toEqual([]);
  });
});
