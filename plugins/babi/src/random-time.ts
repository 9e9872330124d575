import type { Rng } from '@anneal/core';

/**
 * Random-noise ("RN") time indices for n memories, as in the reference MemN2N training loop
 * (Sukhbaatar et al. 2015, MATLAB train.m): draw nBlank ~ UniformInt{0..ceil(fraction·n)}, take a random
 * permutation of 1..n+nBlank, keep its first n values, clip each at `memorySize`, and sort them in
 * descending order. Sentence k (oldest first) gets out[k]; the gaps act as empty memories.
 *
 * Without noise the indices are n, n-1, ..., 1 (1 = most recent sentence).
 */
export function randomTimeIndices(n: number, memorySize: number, fraction: number, rng: Rng, out: Int32Array = new Int32Array(n)): Int32Array {
  if (n === 0) return out;
  const nBlank = rng.nextInt(Math.ceil(fraction * n) + 1);
  const total = n + nBlank;
  // Partial Fisher–Yates: the first n entries of a uniform random permutation of 1..total.
  const perm = new Int32Array(total);
  for (let i = 0; i < total; i++) perm[i] = i + 1;
  for (let i = 0; i < n; i++) {
    const j = i + rng.nextInt(total - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const kept = perm.subarray(0, n);
  for (let i = 0; i < n; i++) if (kept[i] > memorySize) kept[i] = memorySize;
  kept.sort();
  for (let i = 0; i < n; i++) out[i] = kept[n - 1 - i];
  return out;
}

/** Exact time indices n, n-1, ..., 1. */
export function exactTimeIndices(n: number, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = n - i;
  return out;
}
