/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Kolmogorov–Smirnov distance between the sample and N(0, 1). */
export function ksDistanceToNormal(sample: ArrayLike<number>): number {
  const xs = Float64Array.from(sample).sort();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = normalCdf(xs[i]);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }
  return d;
}

/** Pearson correlation of x[i] and x[i + lag]. */
export function lagCorrelation(x: ArrayLike<number>, lag: number): number {
  const n = x.length - lag;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += x[i];
    mb += x[i + lag];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i] - ma;
    const b = x[i + lag] - mb;
    sab += a * b;
    saa += a * a;
    sbb += b * b;
  }
  return sab / Math.sqrt(saa * sbb);
}
