import type * as tf from '@tensorflow/tfjs-core';
import type { GradMap } from '@anneal/core';
import { Rng } from '@anneal/core';

/**
 * The two operations the noise plugins need. They sit behind this one seam, so the plugins read like
 * their formulas and the speed work stays here. Both implementations give the same values, bit for bit:
 *  - `referenceNoiseOps` (reference-noise-ops.ts): plain JS sampling and one tf.add per tensor;
 *  - `fastNoiseOps` (fast-noise-ops.ts): a WebAssembly SIMD sampler and, on the tfjs 'wasm' backend,
 *    one SIMD add written straight into the backend's memory;
 *  - `prefetchingNoiseOps` (prefetching-noise-ops.ts): fastNoiseOps whose next draw is made on a worker
 *    thread while the step computes (`prefetch`). This is the default.
 */
export interface NoiseOps {
  /**
   * n draws of N(0, std²) from the 4-lane ziggurat stream (internal/lane-normal-stream.ts), seeded by
   * `source`: an Rng, which advances by 20 draws, or a 32-bit key, which means a fresh `new Rng(key)`.
   * The result may be scratch memory that the next call overwrites, so use it before calling again.
   */
  gaussianNoise(n: number, source: Rng | number, std: number): Float32Array;
  /**
   * { name: t + noise[offset, offset + t.size) } for every tensor, with `noise` walked over the tensors
   * in map order. Returns new tensors; never disposes or changes its inputs.
   */
  addNoise(tensors: GradMap, noise: Float32Array): Record<string, tf.Tensor>;
  /**
   * A hint: `gaussianNoise(n, key, std)` will be asked next, so it may be drawn in the background now.
   * Optional, and never changes a value: an implementation without it simply draws on demand.
   */
  prefetch?(n: number, key: number, std: number): void;
}

/** The Rng a `gaussianNoise` source stands for. */
export function noiseRng(source: Rng | number): Rng {
  return typeof source === 'number' ? new Rng(source) : source;
}

/** The number of entries of all tensors of a map together (the length of their noise). */
export function totalSize(tensors: GradMap): number {
  let n = 0;
  for (const t of Object.values(tensors)) n += t.size;
  return n;
}
