import * as tf from '@tensorflow/tfjs-core';
import type { GradMap, GraphHostInputs } from '@anneal/core';
import { Rng } from '@anneal/core';

/**
 * The two operations the noise plugins need. They sit behind this one seam, so the plugins read like
 * their formulas and the speed work stays here. Both implementations give the same values, bit for bit:
 *  - `referenceNoiseOps` (reference-noise-ops.ts): plain JS sampling and one tf.add per tensor;
 *  - `fastNoiseOps` (fast-noise-ops.ts): a WebAssembly SIMD sampler and, on the tfjs 'wasm' backend,
 *    one SIMD add written straight into the backend's memory;
 *  - `prefetchingNoiseOps` (prefetching-noise-ops.ts): fastNoiseOps whose next draw is made on a worker
 *    thread while the step computes (`prefetch`). This is the default.
 * On the tensorflow backend the fast ones also offer `fused`: one TensorFlow op that draws and adds
 * (internal/tensorflow-lane-noise.ts), again with the same values. Plugins call `addGaussianNoise` and `GraphNoise`
 * below, which use it when it is there.
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
  /** A backend kernel that draws and adds in one op, when the active backend has one; else undefined. */
  fused?(): FusedNoiseKernel | undefined;
}

/** Draw and add in one backend op: `add(tensors, seeds(totalSize(tensors), source, std))` equals addNoise(tensors, gaussianNoise(…)). */
export interface FusedNoiseKernel {
  /** The op's host input for a draw of n values from `source` (which advances as in gaussianNoise). */
  seeds(n: number, source: Rng | number, std: number): Int32Array;
  /**
   * { name: t + ε }, or { name: t · scale + ε } (rounded as tf.mul, then tf.add) when a scalar `scale` is given; a pure
   * tensor function of its arguments, so it also runs inside a captured graph.
   */
  add(tensors: GradMap, seeds: Int32Array | tf.Tensor, scale?: tf.Scalar): Record<string, tf.Tensor>;
  /** A hint, as NoiseOps.prefetch: the next draw will be (n, key, std), so it may be drawn ahead. Never changes a value. */
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

/**
 * t + ε for every tensor, ε ~ N(0, std²) drawn from `source`: fused into one op when `ops` can, else draw then add.
 * With `scale` (a clip's c left to the noise), t · scale + ε, rounded as tf.mul by a float32 scalar, then the add.
 */
export function addGaussianNoise(ops: NoiseOps, tensors: GradMap, source: Rng | number, std: number, scale?: number): Record<string, tf.Tensor> {
  const n = totalSize(tensors);
  const fused = ops.fused?.();
  const c = scale === undefined ? undefined : tf.scalar(scale, 'float32');
  try {
    if (fused && Object.values(tensors).every((t) => t.dtype === 'float32')) return fused.add(tensors, fused.seeds(n, source, std), c);
    if (!c) return ops.addNoise(tensors, ops.gaussianNoise(n, source, std));
    const scaled = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, tf.mul(t, c)]));
    const noisy = ops.addNoise(scaled, ops.gaussianNoise(n, source, std));
    tf.dispose(Object.values(scaled));
    return noisy;
  } finally {
    c?.dispose();
  }
}

/**
 * Gradient noise in a captured step graph, split as the graph step wants it: `host` makes the step's input, `apply`
 * adds ε inside the graph. With a fused kernel the input is the op's seeds and ε is drawn in the graph; otherwise it
 * is ε itself, drawn on the host (copied out of the sampler's scratch memory) and split over the gradients.
 * One instance per plugin instance: it reuses its copy of ε from step to step.
 */
export class GraphNoise {
  private hostNoise = new Float32Array(0);

  constructor(private readonly ops: NoiseOps) {}

  host(n: number, source: Rng | number, std: number): GraphHostInputs {
    const fused = this.ops.fused?.();
    if (fused) return { seeds: fused.seeds(n, source, std) };
    if (this.hostNoise.length !== n) this.hostNoise = new Float32Array(n);
    this.hostNoise.set(this.ops.gaussianNoise(n, source, std));
    return { noise: this.hostNoise };
  }

  /** g + ε for every gradient, or g · scale + ε when the step leaves a global-norm clip's scale to this pass. */
  apply(grads: GradMap, inputs: Readonly<Record<string, tf.Tensor>>, scale?: tf.Scalar): Record<string, tf.Tensor> {
    if (inputs.seeds) {
      const fused = this.ops.fused?.();
      if (!fused) throw new Error('GraphNoise.apply: seeds from a fused kernel, but the kernel is not available now');
      return fused.add(grads, inputs.seeds, scale);
    }
    const entries = Object.entries(grads);
    const pieces = tf.split(inputs.noise, entries.map(([, g]) => g.size));
    return Object.fromEntries(entries.map(([k, g], i) => [k, tf.add(scale ? tf.mul(g, scale) : g, tf.reshape(pieces[i], g.shape))]));
  }
}
