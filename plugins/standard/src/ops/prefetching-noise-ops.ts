import { fastNoiseOps } from './fast-noise-ops.js';
import { NoisePrefetcher, prefetchWanted } from './noise-prefetcher.js';
import type { NoiseOps } from './noise-ops.js';

const prefetcher = new NoisePrefetcher();

/**
 * The smallest draw handed to the fused op's own thread. MemN2N's few thousand values take the op a few µs, less than
 * the hand-over: its graph step took 1.07 ms prefetched against 1.02 ms drawn on demand (medians of 4 × 5 rounds,
 * 2026-12-03). The MLP's 88 k values are still prefetched.
 */
export const FUSED_PREFETCH_MIN_SIZE = 1 << 15;

/**
 * fastNoiseOps plus `prefetch`: the plugin names the next step's draw (n, key, std) and a worker thread
 * draws it while the trainer computes that step (noise-prefetcher.ts). `gaussianNoise` returns the
 * prefetched values when they are exactly the ones asked for, else draws as fastNoiseOps does, so the
 * values are the same bit for bit either way. One prefetcher serves the process: two noise plugins
 * that alternate only lose the head start, never the values. With the tensorflow backend's fused op, the op's
 * library draws ahead on a thread of its own instead, into its own memory, and the next op call only adds.
 */
export const prefetchingNoiseOps: NoiseOps = {
  gaussianNoise: (n, source, std) => (typeof source === 'number' ? prefetcher.take(n, source, std) : undefined) ?? fastNoiseOps.gaussianNoise(n, source, std),
  addNoise: (tensors, noise) => fastNoiseOps.addNoise(tensors, noise),
  prefetch: (n, key, std) => {
    const fused = fastNoiseOps.fused?.();
    if (!fused) prefetcher.request(n, key, std);
    else if (n >= FUSED_PREFETCH_MIN_SIZE && prefetchWanted()) fused.prefetch?.(n, key, std); // the op's own thread draws it (no host copy to pay for)
  },
  fused: () => fastNoiseOps.fused?.(),
};
