import type { Rng } from '@anneal/core';

/**
 * Fills `out` with N(0, std²) draws from core's Rng stream: `rng.fillNormal(out, 0, std)`, which keeps the
 * generator state in locals and inlines the ziggurat's fast path. Kept as a named export for callers
 * of the earlier package-local implementation. (Gradient noise uses the faster 4-lane SIMD stream,
 * lane-normal-sampler.ts; this one is core's exact stream, for initializers.)
 */
export function fillNormalFast(rng: Rng, out: Float32Array, std = 1): Float32Array {
  return rng.fillNormal(out, 0, std);
}
