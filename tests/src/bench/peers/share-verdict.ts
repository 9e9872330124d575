/**
 * The verdict on a noise share measured once per round (1 − step without noise ÷ step with it), against a target.
 * The rounds' median is the share printed. Its interval is a distribution-free one for the median: the k-th lowest
 * to the k-th highest round, with the largest k whose coverage 1 − 2 · P(Binomial(n, ½) < k) is still at least 90 %
 * (5 rounds: lowest to highest, 93.8 %; 9 rounds: 2nd to 8th, 96.1 %; 15 rounds: 4th to 12th, 96.5 %). Whole-step
 * times on a shared machine drift by several percent between rounds, so one median near the target says little:
 * the verdict is 'met' when the interval lies within the target, 'NOT met' when it lies above it, and 'undecided'
 * when it straddles it.
 */
export interface ShareVerdict {
  readonly median: number;
  readonly low: number;
  readonly high: number;
  /** Probability that [low, high] holds the true median (order statistics, any continuous distribution). */
  readonly confidence: number;
  readonly verdict: 'met' | 'NOT met' | 'undecided';
}

/** Least coverage the interval keeps (below 90 % only when even lowest–highest has less: 3 rounds give 75 %). */
const COVERAGE = 0.9;

/** 1 − 2 · P(X < k) for X ~ Binomial(n, ½): the coverage of [k-th lowest, k-th highest] for the median of n values. */
export function medianIntervalCoverage(n: number, k: number): number {
  let below = 0;
  let choose = 1; // C(n, 0)
  for (let j = 0; j < k; j++) {
    below += choose;
    choose = (choose * (n - j)) / (j + 1);
  }
  return 1 - (2 * below) / 2 ** n;
}

export function shareVerdict(rounds: readonly number[], target: number): ShareVerdict {
  if (rounds.length === 0) throw new Error('shareVerdict: no rounds');
  const n = rounds.length;
  const sorted = [...rounds].sort((a, b) => a - b);
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  let k = 1;
  while (2 * (k + 1) <= n && medianIntervalCoverage(n, k + 1) >= COVERAGE) k++;
  const low = sorted[k - 1];
  const high = sorted[n - k];
  const verdict = high <= target ? 'met' : low > target ? 'NOT met' : 'undecided';
  return { median, low, high, confidence: medianIntervalCoverage(n, k), verdict };
}
