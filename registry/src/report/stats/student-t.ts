import { regularizedIncompleteBeta } from './incomplete-beta.js';

/**
 * Two-sided p-value of Student's t distribution with `df` degrees of freedom (df may be fractional,
 * as in Welch's test): P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2).
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(df) || df <= 0 || Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}
