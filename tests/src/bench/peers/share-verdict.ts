/**
 * The verdict on a noise share measured once per round (1 − step without noise ÷ step with it), against a target.
 * The rounds' median is the share printed. Its interval is the rounds' lowest to highest share: for n rounds that
 * holds the true median with probability 1 − 2 · 0.5^n (5 rounds: 93.8 %; 3 rounds: 75 %). Whole-step times on a
 * shared machine drift by several percent between rounds, so one median near the target says little: the verdict
 * is 'met' only when every round is within the target, 'NOT met' when none is, and 'undecided' otherwise.
 */
export interface ShareVerdict {
  readonly median: number;
  readonly low: number;
  readonly high: number;
  /** Probability that [low, high] holds the true median (order statistics, any distribution). */
  readonly confidence: number;
  readonly verdict: 'met' | 'NOT met' | 'undecided';
}

export function shareVerdict(rounds: readonly number[], target: number): ShareVerdict {
  if (rounds.length === 0) throw new Error('shareVerdict: no rounds');
  const sorted = [...rounds].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const low = sorted[0];
  const high = sorted[sorted.length - 1];
  const verdict = high <= target ? 'met' : low > target ? 'NOT met' : 'undecided';
  return { median, low, high, confidence: 1 - 2 * 0.5 ** sorted.length, verdict };
}
