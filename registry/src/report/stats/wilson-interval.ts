/** z of a two-sided 95 % normal interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson score interval of a binomial proportion k/n:
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half-width = z / (1 + z²/n) · sqrt(p̂(1 − p̂)/n + z²/4n²).
 * Defined for n ≥ 1 (NaN bounds for n = 0); stays inside [0, 1] even at k = 0 or k = n.
 */
export function wilsonInterval(k: number, n: number, z = Z95): Interval {
  if (!(n > 0)) return { low: Number.NaN, high: Number.NaN };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
