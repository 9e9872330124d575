import { mean, sampleVariance } from './descriptive.js';
import { studentTTwoSidedP } from './student-t.js';

export interface WelchResult {
  /** (mean a − mean b) / sqrt(s²a/na + s²b/nb). */
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  /** Two-sided p-value; NaN when either sample has fewer than two values or both have no spread. */
  readonly p: number;
  readonly meanA: number;
  readonly meanB: number;
}

/** Welch's unequal-variance two-sample t-test of equal means. */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  const meanA = mean(a);
  const meanB = mean(b);
  if (a.length < 2 || b.length < 2) return { t: Number.NaN, df: Number.NaN, p: Number.NaN, meanA, meanB };
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const se2 = va + vb;
  if (se2 === 0) return { t: Number.NaN, df: Number.NaN, p: meanA === meanB ? 1 : Number.NaN, meanA, meanB };
  const t = (meanA - meanB) / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  return { t, df, p: studentTTwoSidedP(t, df), meanA, meanB };
}
