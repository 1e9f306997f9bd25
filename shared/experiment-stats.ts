/**
 * The statistics of an experiment's report: mean, sample standard deviation, a metric's summary over seeds, and
 * Welch's two-sided t-test of two cells' accuracies, its p-value from Student's t distribution through the
 * regularized incomplete beta function. Pure, no dependencies.
 */
import type { MetricSummary, Significance } from './experiment.js';

/** A test is significant below this p-value. */
export const SIGNIFICANCE_LEVEL = 0.05;

export function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample variance (n − 1 in the denominator); null below two values. */
export function variance(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  // identical values have no spread: 0 exactly, not the rounding of their mean (0.1 three times)
  if (values.every((v) => v === values[0])) return 0;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) * (v - m);
  return s / (values.length - 1);
}

/** Sample standard deviation (n − 1); null below two values. */
export function std(values: readonly number[]): number | null {
  const v = variance(values);
  return v === null ? null : Math.sqrt(v);
}

/** A metric over seeds; null when there is no value. */
export function summarize(values: readonly number[]): MetricSummary | null {
  if (values.length === 0) return null;
  return { mean: mean(values), std: std(values), n: values.length, values: [...values] };
}

// ---- the t distribution ---------------------------------------------------------------------------

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The continued fraction of the incomplete beta function, evaluated by the modified Lentz method (as in Numerical
 * Recipes' betacf); converges quickly for x < (a + 1) / (a + b + 2).
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  const EPS = 1e-15;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    // the even step
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // the odd step
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  // the fraction converges fast on one side of the mean; the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) gives the other
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t distribution with `df` (> 0, not necessarily whole) degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2)
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The two-sided p-value of a t statistic: P(|T| ≥ |t|). */
export function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  return Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
}

// ---- Welch's t-test ---------------------------------------------------------------------------------

export interface WelchResult extends Significance {
  /**
   * Both groups have zero variance, so the standard error is zero: equal means give t = 0 and p = 1; different means
   * give p = 0 and t = ±Number.MAX_VALUE (the difference over a zero error is infinite, and JSON has no Infinity).
   * The degrees of freedom are then the pooled n₁ + n₂ − 2, as the Welch–Satterthwaite formula is 0/0. A report
   * should say so: the test's assumptions do not hold (identical values usually mean a deterministic failure, such
   * as every seed predicting one class).
   */
  zeroVariance: boolean;
}

/**
 * Welch's unequal-variance t-test, two-sided, of `a`'s mean against `b`'s: t = (mean a − mean b) / √(s²a/na + s²b/nb),
 * df by Welch–Satterthwaite, p from Student's t. Null below two values in either group (no variance to test with).
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchResult | null {
  const va = variance(a);
  const vb = variance(b);
  if (va === null || vb === null) return null;
  const diff = mean(a) - mean(b);
  const qa = va / a.length;
  const qb = vb / b.length;
  const se2 = qa + qb;
  if (se2 === 0) {
    const t = diff === 0 ? 0 : Math.sign(diff) * Number.MAX_VALUE;
    const p = diff === 0 ? 1 : 0;
    return {
      test: 'welch-t',
      t,
      df: a.length + b.length - 2,
      p,
      significant: p < SIGNIFICANCE_LEVEL,
      zeroVariance: true,
    };
  }
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((qa * qa) / (a.length - 1) + (qb * qb) / (b.length - 1));
  const p = twoSidedP(t, df);
  return { test: 'welch-t', t, df, p, significant: p < SIGNIFICANCE_LEVEL, zeroVariance: false };
}
