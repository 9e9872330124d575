import test from 'ava';
import { compareMeans, compareRates, fisherExactP, logGamma, regularizedIncompleteBeta, studentTTwoSidedP, welchTTest, wilsonInterval } from '@anneal/registry';

const near = (t: { true(v: boolean, m?: string): void }, a: number, b: number, tol: number, what: string) => t.true(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('logGamma and the regularized incomplete beta against closed forms', (t) => {
  near(t, logGamma(5), Math.log(24), 1e-12, 'ln Γ(5) = ln 4!');
  near(t, logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12, 'ln Γ(1/2) = ln √π');
  near(t, regularizedIncompleteBeta(0.3, 1, 1), 0.3, 1e-12, 'I_x(1,1) = x');
  near(t, regularizedIncompleteBeta(0.3, 3, 1), 0.027, 1e-12, 'I_x(a,1) = x^a');
  near(t, regularizedIncompleteBeta(0.3, 1, 4), 1 - 0.7 ** 4, 1e-12, 'I_x(1,b) = 1 − (1 − x)^b');
  near(t, regularizedIncompleteBeta(0.3, 2, 2), 3 * 0.09 - 2 * 0.027, 1e-12, 'I_x(2,2) = 3x² − 2x³ = 0.216');
  near(t, regularizedIncompleteBeta(0.5, 7.5, 7.5), 0.5, 1e-12, 'I_½(a,a) = ½');
  near(t, regularizedIncompleteBeta(0.9, 2, 2), 3 * 0.81 - 2 * 0.729, 1e-12, 'the 1 − x branch: I_0.9(2,2) = 0.972');
  t.is(regularizedIncompleteBeta(0, 2, 3), 0);
  t.is(regularizedIncompleteBeta(1, 2, 3), 1);
});

test('Student t two-sided p-values: Cauchy (df 1) and df 2 closed forms, the df 7 table', (t) => {
  near(t, studentTTwoSidedP(1, 1), 0.5, 1e-12, 'df 1: p = 1 − 2·atan(1)/π = 0.5');
  near(t, studentTTwoSidedP(3, 1), 1 - (2 * Math.atan(3)) / Math.PI, 1e-12, 'df 1 at t = 3');
  // df 2: P(|T| ≥ t) = 1 − t/√(2 + t²); t = 2 → 1 − 2/√6 = 0.183503
  near(t, studentTTwoSidedP(2, 2), 1 - 2 / Math.sqrt(6), 1e-12, 'df 2 at t = 2');
  // Table values: t(0.975, 7) = 2.365, t(0.995, 7) = 3.499.
  near(t, studentTTwoSidedP(2.365, 7), 0.05, 2e-4, 'df 7 at 2.365');
  near(t, studentTTwoSidedP(-3.499, 7), 0.01, 2e-4, 'df 7 at −3.499');
  t.is(studentTTwoSidedP(0, 5), 1);
});

test("Welch's t-test by hand", (t) => {
  // a = [1, 3], b = [4, 6]: means 2 and 5, s² = 2 each; se² = 2/2 + 2/2 = 2; t = −3/√2 = −2.12132;
  // df = 2² / ((1²)/1 + (1²)/1) = 2; p = 1 − |t|/√(2 + t²) = 1 − 2.12132/2.54951 = 0.167950.
  const w = welchTTest([1, 3], [4, 6]);
  near(t, w.t, -3 / Math.SQRT2, 1e-12, 't');
  near(t, w.df, 2, 1e-12, 'df');
  near(t, w.p, 0.16795, 1e-5, 'p');
  // a = [1, 2, 3, 4], b = [3, 4, 5, 6, 7]: s²a/na = 1.6667/4 = 0.41667, s²b/nb = 2.5/5 = 0.5;
  // t = −2.5/√0.91667 = −2.61116; df = 0.91667² / (0.41667²/3 + 0.5²/4) = 6.98077; the df 7 table puts p in (0.02, 0.05).
  const v = welchTTest([1, 2, 3, 4], [3, 4, 5, 6, 7]);
  near(t, v.t, -2.61116, 1e-5, 't');
  near(t, v.df, 6.98077, 1e-5, 'df');
  t.true(v.p > 0.02 && v.p < 0.05, `p = ${v.p}`);
  t.true(Number.isNaN(welchTTest([1], [2, 3]).p), 'one value: no test');
});

test('Wilson intervals by hand: 1/10, 9/216, 0/5, 5/5', (t) => {
  // 1/10: p̂ = 0.1, z² = 3.841459; centre = (0.1 + 0.192073)/1.384146 = 0.211013;
  // half = 1.959964/1.384146 · √(0.009 + 0.0096036) = 1.416010 · 0.136395 = 0.193137 → [0.017876, 0.404150].
  const a = wilsonInterval(1, 10);
  near(t, a.low, 0.017876, 1e-6, '1/10 low');
  near(t, a.high, 0.40415, 1e-6, '1/10 high');
  // 9/216: p̂ = 0.041667; centre = (0.041667 + 0.008892)/1.017785 = 0.049675;
  // half = 1.925721 · √(0.000184864 + 0.0000205839) = 1.925721 · 0.014334 = 0.027602 → [0.022073, 0.077278].
  const b = wilsonInterval(9, 216);
  near(t, b.low, 0.022073, 1e-6, '9/216 low');
  near(t, b.high, 0.077278, 1e-6, '9/216 high');
  // 0/5: centre = half = (z²/10)/(1 + z²/5) = 0.384146/1.768292 = 0.217241 → [0, 0.434482].
  const c = wilsonInterval(0, 5);
  t.is(c.low, 0);
  near(t, c.high, 0.434482, 1e-6, '0/5 high');
  near(t, wilsonInterval(5, 5).low, 1 - 0.434482, 1e-6, '5/5 low mirrors 0/5');
  t.true(Number.isNaN(wilsonInterval(0, 0).low));
});

test("Fisher's exact test by hand (hypergeometric tables)", (t) => {
  // 3/4 vs 1/4: margins 4,4 | 4,4; P(a = k) = C(4,k)²/70 = 1, 16, 36, 16, 1 (/70); two-sided = (1+16+16+1)/70.
  near(t, fisherExactP(3, 4, 1, 4), 34 / 70, 1e-12, '3/4 vs 1/4');
  near(t, fisherExactP(4, 4, 0, 4), 2 / 70, 1e-12, '4/4 vs 0/4');
  // 1/10 vs 9/10: P(a = k) = C(10,k)²/C(20,10); tables as extreme: k = 0, 1, 9, 10 → (1+100+100+1)/184756.
  near(t, fisherExactP(1, 10, 9, 10), 202 / 184756, 1e-12, '1/10 vs 9/10');
  near(t, fisherExactP(2, 5, 2, 5), 1, 1e-12, 'equal rates');
});

test('comparisons say when the runs are too few to tell', (t) => {
  t.regex(compareMeans('x', 'no-noise', [1, 2], 'noise', [5, 6, 7]).verdict, /too few runs to tell \(n < 3 per arm\)/);
  const clear = compareMeans('x', 'no-noise', [1, 1.1, 0.9, 1.05], 'noise', [5, 5.1, 4.9, 5.05]);
  t.true(clear.decided);
  t.regex(clear.verdict, /means differ \(Welch p < 0\.001 < 0\.05\)/);
  const unclear = compareRates('share', 'no-noise', 1, 4, 'noise', 3, 4);
  t.false(unclear.decided);
  t.is(unclear.verdict, 'too few runs to tell apart (Fisher p = 0.486)', 'Wilson 1/4 = [4.6%, 69.9%] does not cover 75%');
  // 2/5 vs 3/5: Wilson [11.8%, 76.9%] and [23.1%, 88.2%] each cover both rates; Fisher p = 1 (symmetric tables).
  t.is(compareRates('share', 'no-noise', 2, 5, 'noise', 3, 5).verdict, 'too few runs to tell apart (Fisher p = 1.000; each interval covers both rates)');
  const rates = compareRates('share', 'no-noise', 1, 10, 'noise', 9, 10);
  t.true(rates.decided);
  near(t, rates.a.interval!.high, 0.40415, 1e-6, 'Wilson 1/10 in the comparison');
});
