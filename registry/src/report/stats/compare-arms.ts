import { sampleStd } from './descriptive.js';
import { fisherExactP } from './fisher-exact.js';
import { welchTTest } from './welch-t-test.js';
import { wilsonInterval, type Interval } from './wilson-interval.js';

/** Fewer runs than this in an arm: no test is run and the comparison says so. */
export const MIN_RUNS_PER_ARM = 3;
/** Two-sided significance level used for the verdict line. */
export const ALPHA = 0.05;

/** One arm of a comparison: its runs and its estimate (a mean, or a rate with its Wilson interval). */
export interface ArmEstimate {
  readonly arm: string;
  readonly n: number;
  readonly estimate: number;
  /** Rates: successes and the 95 % Wilson interval. */
  readonly successes?: number;
  readonly interval?: Interval;
  /** Means: the sample standard deviation. */
  readonly std?: number;
}

/** Two arms compared over seeds: a p-value for "no difference" and what it lets one say. */
export interface ArmComparison {
  /** What is compared, e.g. "test/accuracy" or "lr=0.1: share with error ≤ 1%". */
  readonly what: string;
  readonly kind: 'means' | 'rates';
  readonly a: ArmEstimate;
  readonly b: ArmEstimate;
  readonly test: 'welch-t' | 'fisher-exact';
  /** Means: the values are percentages (rates always are fractions). */
  readonly percent?: boolean;
  readonly p: number;
  /** false when the runs are too few to tell the arms apart. */
  readonly decided: boolean;
  readonly verdict: string;
}

const fmtP = (p: number) => (Number.isNaN(p) ? 'n/a' : p < 0.001 ? '< 0.001' : p.toFixed(3));
/** "p < 0.001" or "p = 0.012" in a verdict. */
const pIs = (p: number) => (Number.isNaN(p) ? 'p n/a' : p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** Welch's t-test on the per-run values of two arms, with a verdict in words. */
export function compareMeans(what: string, armA: string, a: readonly number[], armB: string, b: readonly number[], percent = false): ArmComparison {
  const w = welchTTest(a, b);
  const estA: ArmEstimate = { arm: armA, n: a.length, estimate: w.meanA, std: sampleStd(a) };
  const estB: ArmEstimate = { arm: armB, n: b.length, estimate: w.meanB, std: sampleStd(b) };
  let verdict: string;
  let decided = false;
  if (Math.min(a.length, b.length) < MIN_RUNS_PER_ARM) verdict = `too few runs to tell (n < ${MIN_RUNS_PER_ARM} per arm)`;
  else if (Number.isNaN(w.p)) verdict = 'no spread in either arm: no test';
  else if (w.p < ALPHA) {
    decided = true;
    verdict = `means differ (Welch ${pIs(w.p)} < ${ALPHA})`;
  } else verdict = `too few runs to tell apart (Welch ${pIs(w.p)} ≥ ${ALPHA})`;
  return { what, kind: 'means', a: estA, b: estB, test: 'welch-t', percent, p: w.p, decided, verdict };
}

/** Wilson intervals of two success rates and Fisher's exact test of their difference. */
export function compareRates(what: string, armA: string, kA: number, nA: number, armB: string, kB: number, nB: number): ArmComparison {
  const estA: ArmEstimate = { arm: armA, n: nA, successes: kA, estimate: nA ? kA / nA : Number.NaN, interval: wilsonInterval(kA, nA) };
  const estB: ArmEstimate = { arm: armB, n: nB, successes: kB, estimate: nB ? kB / nB : Number.NaN, interval: wilsonInterval(kB, nB) };
  const p = fisherExactP(kA, nA, kB, nB);
  const covers = (i: Interval | undefined, x: number) => i !== undefined && i.low <= x && x <= i.high;
  const overlapBoth = covers(estA.interval, estB.estimate) && covers(estB.interval, estA.estimate);
  let verdict: string;
  let decided = false;
  if (Math.min(nA, nB) < MIN_RUNS_PER_ARM) verdict = `too few runs to tell (n < ${MIN_RUNS_PER_ARM} per arm)`;
  else if (p < ALPHA) {
    decided = true;
    verdict = `rates differ (Fisher ${pIs(p)} < ${ALPHA})`;
  } else verdict = `too few runs to tell apart (Fisher ${pIs(p)}${overlapBoth ? '; each interval covers both rates' : ''})`;
  return { what, kind: 'rates', a: estA, b: estB, test: 'fisher-exact', p, decided, verdict };
}
