import { fastNoiseOps } from './fast-noise-ops.js';
import { NoisePrefetcher } from './noise-prefetcher.js';
import type { NoiseOps } from './noise-ops.js';

const prefetcher = new NoisePrefetcher();

/**
 * fastNoiseOps plus `prefetch`: the plugin names the next step's draw (n, key, std) and a worker thread
 * draws it while the trainer computes that step (noise-prefetcher.ts). `gaussianNoise` returns the
 * prefetched values when they are exactly the ones asked for, else draws as fastNoiseOps does, so the
 * values are the same bit for bit either way. One prefetcher serves the process: two noise plugins
 * that alternate only lose the head start, never the values.
 */
export const prefetchingNoiseOps: NoiseOps = {
  gaussianNoise: (n, source, std) => (typeof source === 'number' ? prefetcher.take(n, source, std) : undefined) ?? fastNoiseOps.gaussianNoise(n, source, std),
  addNoise: (tensors, noise) => fastNoiseOps.addNoise(tensors, noise),
  prefetch: (n, key, std) => {
    if (!fastNoiseOps.fused?.()) prefetcher.request(n, key, std); // with a fused kernel nothing is drawn on the host
  },
  fused: () => fastNoiseOps.fused?.(),
};
