/** Arithmetic mean; NaN for no values. */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

/** Sample standard deviation (n − 1 in the denominator); 0 for one value, NaN for none. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Sample variance (n − 1); NaN for fewer than two values. */
export function sampleVariance(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN;
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}
