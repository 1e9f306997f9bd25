/**
 * Meaning checks: rules that say when a result means nothing (a search whose α never left uniform, a model at
 * chance level or answering one class, a compression study whose differences are within the noise of its test
 * set). Pure functions shared by the views, Runs, the compression refusal and the CLI; imports nothing but types.
 */
import type { CompressRow } from './compress.js';
import type { ClassificationReport } from './evaluate.js';
import type { AlphaSnapshot } from './search.js';

export type MeaningCode = 'alpha-uniform' | 'alpha-partly-uniform' | 'chance-level' | 'one-class' | 'not-significant';

export interface MeaningNote {
  /** `warn`: the result means nothing as it stands; `info`: part of it does not. */
  level: 'info' | 'warn';
  code: MeaningCode;
  message: string;
  advice: string;
}

/** z for a two-sided 95% interval. */
export const Z95 = 1.959964;

const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)} %`;

// ---- α near uniform -------------------------------------------------------------------------------------------

/**
 * An edge counts as undecided when its strongest weight leads the uniform share 1/K by less than a quarter of 1/K
 * (max softmax < 1.25/K: 0.156 for DARTS' 8 operations, 0.25 for NAS-Bench-201's 5). Relative to 1/K so that it
 * means the same in both spaces: with one operation ahead and the rest equal, the leader's logit is then less
 * than about 0.3 above the others' (0.26 for K = 8, 0.29 for K = 5), a lead a few more α steps can reverse.
 */
export const UNIFORM_MARGIN = 0.25;

/** How far each row's largest weight is above 1/K, in units of 1/K (0 = uniform, K − 1 = one-hot). */
export function uniformLeads(rows: readonly (readonly number[])[]): number[] {
  return rows.map((row) => {
    const k = row.length;
    if (k < 2) return Infinity;
    return (Math.max(...row) - 1 / k) * k;
  });
}

/** PC-DARTS' β as rows: one per intermediate node, softmax over its 2 + i incoming edges (dartsEdgeList order). */
export function betaRows(edges: readonly number[]): number[][] {
  const rows: number[][] = [];
  for (let start = 0, n = 2; start < edges.length; start += n, n++) rows.push(edges.slice(start, start + n));
  return rows;
}

/**
 * The uniform-α rule on a search's softmaxed α (darts or nb201; GDAS' α too, and PC-DARTS' β, whose per-node edge
 * weights decide which two edges a DARTS node keeps). A warning when at least half the decisions are undecided, a
 * note when some are; nothing when all are separated.
 */
export function alphaNotes(alphas: AlphaSnapshot): MeaningNote[] {
  const rows = [...alphas.normal, ...(alphas.reduce ?? [])];
  if (alphas.edges) rows.push(...betaRows(alphas.edges.normal), ...betaRows(alphas.edges.reduce ?? []));
  if (rows.length === 0) return [];
  const leads = uniformLeads(rows);
  const undecided = leads.filter((l) => l < UNIFORM_MARGIN).length;
  if (undecided === 0) return [];
  const strongest = Math.max(...rows.map((r) => Math.max(...r)));
  const what = alphas.edges ? 'operation or edge choices' : 'edges';
  const advice = 'Run more epochs, on more images, or with a larger α learning rate.';
  if (undecided * 2 >= rows.length) {
    return [
      {
        level: 'warn',
        code: 'alpha-uniform',
        message:
          `The search has not separated the operations yet: on ${undecided} of ${rows.length} ${what} the ` +
          `strongest weight is within ${UNIFORM_MARGIN * 100}% of an even share (largest weight ${strongest.toFixed(3)}), ` +
          'so the derived cell is arbitrary.',
        advice,
      },
    ];
  }
  return [
    {
      level: 'info',
      code: 'alpha-partly-uniform',
      message:
        `${undecided} of ${rows.length} ${what} are still undecided (their strongest weight is within ` +
        `${UNIFORM_MARGIN * 100}% of an even share): the operations the cell keeps there are arbitrary.`,
      advice,
    },
  ];
}

// ---- intervals ------------------------------------------------------------------------------------------------

/** The Wilson score interval (95%) of a proportion p observed on n trials; [0, 1] when n is 0. */
export function wilsonInterval(p: number, n: number, z: number = Z95): { low: number; high: number } {
  if (!(n > 0)) return { low: 0, high: 1 };
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The binomial standard error sqrt(p(1 − p)/n) of an accuracy p on n images. */
export function binomialSe(p: number, n: number): number {
  return n > 0 ? Math.sqrt((p * (1 - p)) / n) : Infinity;
}

// ---- a model at chance level, or answering one class ---------------------------------------------------------

/**
 * Above this share of all predictions in one class, a model "answers one class": it has learnt the class
 * frequencies, not the images (a real model on a set of a few classes spreads its answers like the labels).
 */
export const ONE_CLASS_SHARE = 0.95;

/** What the model rules need from a test report: its accuracy, image count and confusion matrix. */
export type ModelTest = Pick<ClassificationReport, 'accuracy' | 'images' | 'confusion'> & {
  /** Names the class a one-class model answers, when present. */
  perClass?: ReadonlyArray<{ name: string }>;
};

/**
 * The highest accuracy still at chance level for `classes` classes on `n` images: 1/classes plus 1.96 binomial
 * standard errors of chance (a model that guesses scores above it less than 2.5% of the time).
 */
export function chanceCeiling(classes: number, n: number): number {
  const p0 = 1 / classes;
  return p0 + Z95 * binomialSe(p0, n);
}

const className = (test: ModelTest, k: number): string => {
  const name = test.perClass?.[k]?.name;
  return name ? `class “${name}”` : `class ${k + 1} of ${test.confusion.length}`;
};

/** The chance-level and one-class rules on a model's test report. */
export function modelNotes(test: ModelTest): MeaningNote[] {
  const classes = test.confusion.length;
  const n = test.images;
  if (classes < 2 || n <= 0) return [];
  const notes: MeaningNote[] = [];
  const predicted = test.confusion[0]!.map((_, j) => test.confusion.reduce((s, row) => s + (row[j] ?? 0), 0));
  const total = predicted.reduce((a, b) => a + b, 0);
  const top = predicted.indexOf(Math.max(...predicted));
  const share = total > 0 ? predicted[top]! / total : 0;
  if (total > 0 && share >= ONE_CLASS_SHARE) {
    notes.push({
      level: 'warn',
      code: 'one-class',
      message:
        `The model answers one class for almost every image: ${pct(share)} of its ${total} test answers are ` +
        `${className(test, top)}. It has not learnt to tell the classes apart.`,
      advice: 'Train it longer, on more images per class, or with a lower learning rate, and check again.',
    });
  }
  const ceiling = chanceCeiling(classes, n);
  if (test.accuracy <= ceiling) {
    notes.push({
      level: 'warn',
      code: 'chance-level',
      message:
        `The model is at chance level: ${pct(test.accuracy)} on ${n} test images, where guessing among ` +
        `${classes} classes scores ${pct(1 / classes)} (and up to ${pct(ceiling)} by luck).`,
      advice: 'Train it longer or on more images before drawing conclusions from it.',
    });
  }
  return notes;
}

// ---- a compression study's differences -------------------------------------------------------------------------

/** One accuracy of a study and the interval around it. */
export interface AccuracyWithInterval {
  accuracy: number;
  images: number;
  low: number;
  high: number;
}

export function withInterval(accuracy: number, images: number): AccuracyWithInterval {
  return { accuracy, images, ...wilsonInterval(accuracy, images) };
}

/** Test images behind a study row: the sum of its per-class totals. */
export const rowImages = (row: Pick<CompressRow, 'perClass'>): number => row.perClass.reduce((s, c) => s + c.total, 0);

/**
 * Whether two accuracies on n images each differ significantly: the difference must exceed one test image and
 * 1.96 standard errors of a difference of two binomial proportions (sqrt(p1(1 − p1)/n + p2(1 − p2)/n)).
 */
export function significantDifference(a: number, b: number, n: number): boolean {
  if (!(n > 0)) return false;
  const d = Math.abs(a - b);
  if (d <= 1 / n + 1e-12) return false;
  return d > Z95 * Math.sqrt((a * (1 - a)) / n + (b * (1 - b)) / n);
}

const PROTOCOL_NAMES: Record<string, string> = {
  test: 'tested on compressed images',
  retrain: 'retrained on compressed images',
  mixed: 'trained on mixed qualities',
};

/**
 * The not-significant rule on a study's rows, per protocol: when the largest and smallest accuracy of the points
 * (the reference included, for the protocol that tests the one model) do not differ significantly, no point is
 * better or worse than another.
 */
export function compressNotes(
  rows: readonly Pick<CompressRow, 'protocol' | 'accuracy' | 'perClass'>[],
  reference: { accuracy: number } | null = null,
): MeaningNote[] {
  const notes: MeaningNote[] = [];
  const protocols = [...new Set(rows.map((r) => r.protocol))];
  for (const protocol of protocols) {
    const mine = rows.filter((r) => r.protocol === protocol);
    const n = Math.min(...mine.map(rowImages));
    const accuracies = mine.map((r) => r.accuracy);
    const withReference = protocol === 'test' && reference !== null;
    if (withReference) accuracies.push(reference.accuracy);
    if (accuracies.length < 2 || !(n > 0)) continue;
    const lo = Math.min(...accuracies);
    const hi = Math.max(...accuracies);
    if (significantDifference(lo, hi, n)) continue;
    const within =
      hi - lo <= 1 / n + 1e-12
        ? `at most one test image apart (one image is ${pct(1 / n, 2)})`
        : `within the noise of ${n} test images (±${pct(Z95 * binomialSe((lo + hi) / 2, n), 1)} at 95%)`;
    notes.push({
      level: 'warn',
      code: 'not-significant',
      message:
        `The differences are not significant (${PROTOCOL_NAMES[protocol] ?? protocol}): accuracies from ` +
        `${pct(lo, 2)} to ${pct(hi, 2)} over ${mine.length} ${mine.length === 1 ? 'point' : 'points'}` +
        `${withReference ? ' and the original images' : ''} are ${within}.`,
      advice: 'Use more test images, or a model that is well above chance, before reading a trend into them.',
    });
  }
  return notes;
}

// ---- per job kind -------------------------------------------------------------------------------------------

/**
 * The notes on a finished job's result, by kind (search, evaluate, compress); none for other kinds or a result
 * without the fields the rules need. What Runs and the CLI show.
 */
export function jobMeaningNotes(kind: string, result: unknown): MeaningNote[] {
  if (!result || typeof result !== 'object') return [];
  const r = result as Record<string, unknown>;
  if (kind === 'search' && isAlphas(r.alphas)) return alphaNotes(r.alphas);
  if (kind === 'evaluate' && isTest(r.test)) return modelNotes(r.test);
  if (kind === 'compress' && Array.isArray(r.rows)) {
    const reference = r.reference && typeof r.reference === 'object' ? (r.reference as { accuracy: number }) : null;
    return compressNotes(r.rows as CompressRow[], reference);
  }
  return [];
}

const isMatrix = (m: unknown): m is number[][] => Array.isArray(m) && m.every((row) => Array.isArray(row));

function isAlphas(a: unknown): a is AlphaSnapshot {
  return !!a && typeof a === 'object' && isMatrix((a as AlphaSnapshot).normal);
}

function isTest(t: unknown): t is ModelTest {
  if (!t || typeof t !== 'object') return false;
  const x = t as ModelTest;
  return typeof x.accuracy === 'number' && typeof x.images === 'number' && isMatrix(x.confusion);
}
