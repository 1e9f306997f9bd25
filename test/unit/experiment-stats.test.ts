import { describe, expect, it } from 'vitest';
import {
  incompleteBeta,
  lnGamma,
  mean,
  std,
  studentTCdf,
  summarize,
  twoSidedP,
  welchTest,
} from '../../shared/experiment-stats.js';

// Reference values from SciPy 1.17 (scipy.stats.t.cdf, scipy.special.betainc, scipy.stats.ttest_ind with
// equal_var=False), printed with repr.

describe('mean, std and summarize', () => {
  it('uses n − 1 and gives no std below two values', () => {
    expect(mean([1, 2, 3, 4, 10])).toBe(4);
    // √(((−3)² + (−2)² + (−1)² + 0² + 6²) / 4) = √12.5
    expect(std([1, 2, 3, 4, 10])).toBeCloseTo(3.5355339059327378, 14);
    expect(std([0.91, 0.93, 0.92])).toBeCloseTo(0.01, 14);
    expect(std([0.5])).toBeNull();
    expect(std([0.1, 0.1, 0.1])).toBe(0);
  });

  it('summarizes values, and nothing as null', () => {
    expect(summarize([0.2, 0.4])).toEqual({
      mean: 0.30000000000000004,
      std: expect.closeTo(0.1414213562, 9),
      n: 2,
      values: [0.2, 0.4],
    });
    expect(summarize([7])).toEqual({ mean: 7, std: null, n: 1, values: [7] });
    expect(summarize([])).toBeNull();
  });
});

describe('the t distribution', () => {
  it('ln Γ matches known values', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(lnGamma(0.1)).toBeCloseTo(2.252712651734206, 12);
  });

  it.each([
    [0.3, 2, 3, 0.34829999999999994],
    [0.9, 0.5, 0.5, 0.7951672353008665],
    [0.5, 10, 0.5, 0.00023344743474862207],
    [0.01, 1.5, 0.5, 0.0004256932865778925],
    [0.7, 50, 40, 0.9979524488148462],
  ])('I_%f(%f, %f) = %f', (x, a, b, want) => {
    expect(incompleteBeta(x, a, b)).toBeCloseTo(want, 12);
  });

  it('the incomplete beta is 0 and 1 at its ends', () => {
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
  });

  it.each([
    [0, 5, 0.5],
    [1, 1, 0.75],
    [2, 3, 0.9303370157205785],
    [-1.5, 7.3, 0.08778154640154305],
    [2.776445105, 4, 0.9749999999949402],
    [10, 2.5, 0.9977792521163463],
    [0.3, 30, 0.6168769473578236],
    [-4, 120, 5.4971921312108296e-5],
  ])('P(T ≤ %f | df %f) = %f', (t, df, want) => {
    expect(studentTCdf(t, df)).toBeCloseTo(want, 12);
  });

  it('the two-sided p is twice the smaller tail', () => {
    // Cauchy (df 1): P(|T| ≥ 1) = 1/2
    expect(twoSidedP(1, 1)).toBeCloseTo(0.5, 13);
    expect(twoSidedP(-2, 3)).toBeCloseTo(2 * (1 - 0.9303370157205785), 12);
    expect(twoSidedP(0, 4)).toBe(1);
    expect(twoSidedP(Infinity, 4)).toBe(0);
  });
});

describe("Welch's t-test", () => {
  it('matches scipy on unequal sizes and variances', () => {
    const r = welchTest([0.91, 0.93, 0.92], [0.95, 0.96, 0.97, 0.955])!;
    expect(r.test).toBe('welch-t');
    expect(r.t).toBeCloseTo(-5.3964073346266215, 10);
    expect(r.df).toBeCloseTo(3.990093635500068, 10);
    expect(r.p).toBeCloseTo(0.005746366064380677, 12);
    expect(r.significant).toBe(true);
    expect(r.zeroVariance).toBe(false);
  });

  it('finds no difference in overlapping groups', () => {
    const r = welchTest([0.5, 0.52, 0.49], [0.5, 0.51, 0.53])!;
    expect(r.t).toBeCloseTo(-0.8017837257372731, 12);
    expect(r.df).toBeCloseTo(4, 12);
    expect(r.p).toBeCloseTo(0.4676047546093973, 12);
    expect(r.significant).toBe(false);
  });

  it('tests against a group of identical values', () => {
    const r = welchTest([0.1, 0.1, 0.1], [0.2, 0.3, 0.25])!;
    expect(r.t).toBeCloseTo(-5.196152422706632, 12);
    expect(r.df).toBeCloseTo(2, 12);
    expect(r.p).toBeCloseTo(0.03509871864598465, 12);
    expect(r.zeroVariance).toBe(false);
  });

  it('says when both groups have no variance', () => {
    const same = welchTest([0.1, 0.1, 0.1], [0.1, 0.1, 0.1])!;
    expect(same).toMatchObject({ t: 0, p: 1, df: 4, significant: false, zeroVariance: true });
    const apart = welchTest([0.1, 0.1, 0.1], [0.2, 0.2, 0.2, 0.2])!;
    expect(apart).toMatchObject({ t: -Number.MAX_VALUE, p: 0, df: 5, significant: true, zeroVariance: true });
    // JSON keeps it a number
    expect(JSON.parse(JSON.stringify(apart)).t).toBe(-Number.MAX_VALUE);
  });

  it('needs two values in each group', () => {
    expect(welchTest([0.5], [0.5, 0.6, 0.7])).toBeNull();
    expect(welchTest([0.5, 0.6], [])).toBeNull();
  });
});
