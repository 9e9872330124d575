import { logGamma } from './incomplete-beta.js';

const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Two-sided Fisher exact test of equal success rates, kA of nA against kB of nB: with the margins
 * fixed, the sum of the hypergeometric probabilities of every table no more likely than the observed
 * one (relative tolerance 1e-7, as R's fisher.test). NaN when an arm has no runs.
 */
export function fisherExactP(kA: number, nA: number, kB: number, nB: number): number {
  if (!(nA > 0 && nB > 0)) return Number.NaN;
  const successes = kA + kB;
  const total = nA + nB;
  const lo = Math.max(0, successes - nB);
  const hi = Math.min(nA, successes);
  const logP = (a: number) => logChoose(nA, a) + logChoose(nB, successes - a) - logChoose(total, successes);
  const observed = logP(kA);
  let p = 0;
  for (let a = lo; a <= hi; a++) {
    const la = logP(a);
    if (la <= observed + 1e-7) p += Math.exp(la);
  }
  return Math.min(1, p);
}
