import { Rng, deriveSeed } from '@anneal/core';
import { LaneNormalSampler, type LaneSamplerImplementation } from '../random/lane-normal-sampler.js';
import { seedLanes } from '../random/lane-normal-stream.js';
import { NoisePrefetcher } from './noise-prefetcher.js';

/** Blocks a worker computes ahead of the current step by default. */
export const DEFAULT_PREFETCH_DEPTH = 4;
/** The prefetch ring is not used when it would need more than this many bytes. */
const MAX_RING_BYTES = 256 * 2 ** 20;

/** The seed of step t's noise under a plugin's seed: core's `deriveSeed(seed, 'noise/<t>')`. */
export function stepNoiseSeed(seed: number, step: number): number {
  return deriveSeed(seed, `noise/${step}`);
}

/** The lane-stream seeds (16 lane words then 4 slow-path words) of step t. */
export function stepNoiseSeeds(seed: number, step: number, out = new Int32Array(20)): Int32Array {
  seedLanes(new Rng(stepNoiseSeed(seed, step)), out.subarray(0, 16), out.subarray(16, 20));
  return out;
}

/**
 * The prefetch depth to use: an explicit option wins; else the worker is OFF unless ANNEAL_NOISE_WORKER
 * turns it on ('1'/'on'/'true': the default depth; a larger integer: that depth).
 *
 * Off by default: measured with `npm run bench` on the project's 2-core machine (wasm), the worker made
 * the clip + noise step slower (ratio to no-plugin 1.16–1.22) than computing the noise on the training
 * thread (0.99–1.00), because the second core is not reliably idle; where it is, turn it on.
 */
export function resolvePrefetchDepth(option: number | false | undefined): number {
  if (option === false) return 0;
  if (option !== undefined) return Math.max(0, Math.floor(option));
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.ANNEAL_NOISE_WORKER;
  if (env === undefined || env.trim() === '' || /^(0|false|off|no)$/i.test(env.trim())) return 0;
  if (/^(on|true|yes)$/i.test(env.trim())) return DEFAULT_PREFETCH_DEPTH;
  const n = Number(env);
  return Number.isInteger(n) && n > 1 ? n : DEFAULT_PREFETCH_DEPTH;
}

export interface StepNoiseSourceOptions {
  readonly sampler?: LaneSamplerImplementation;
  /** Steps computed ahead by a background worker (0: none, everything on the calling thread). */
  readonly prefetch: number;
}

/**
 * Counter-based Gaussian noise: the block of step t is σ_t · z(seed, t), n values of the lane-ziggurat
 * stream (lane-normal-stream.ts) seeded from `stepNoiseSeeds(seed, t)`. It is a pure function of
 * (seed, t, n), so there is no state to carry between steps or to checkpoint, and a resumed run draws
 * the same noise as an uninterrupted one.
 *
 * With `prefetch` > 0 a worker thread (noise-prefetcher.ts) computes the blocks of the next steps while
 * the caller trains; `noise()` takes a finished block when there is one and otherwise computes it on the
 * spot. Both paths run the same sampler on the same seeds and σ, so the values never depend on timing.
 */
export class StepNoiseSource {
  private readonly sampler: LaneNormalSampler;
  private readonly seeds = new Int32Array(20);
  private prefetcher: NoisePrefetcher | null = null;
  private generation = 0;
  private seed = Number.NaN;
  private length = -1;
  private workerFailed = false;
  private lastStep = Number.NaN;
  private closed = false;
  /** Blocks served by the worker vs computed on the calling thread (for tests and benchmarks). */
  readonly stats = { prefetched: 0, computed: 0 };

  constructor(
    private readonly stdAt: (step: number) => number,
    private readonly options: StepNoiseSourceOptions,
  ) {
    this.sampler = new LaneNormalSampler(options.sampler);
  }

  /** Whether a prefetch worker is running. */
  get prefetching(): boolean {
    return this.prefetcher?.alive ?? false;
  }

  /** Gets ready for blocks of n values under `seed` from step `from` on: starts the worker and queues the first steps. */
  prepare(seed: number, n: number, from = 0): void {
    this.closed = false;
    this.configure(seed, n, true);
    this.requestAhead(from, n);
  }

  /**
   * σ_t · z(seed, t): n values, valid until the next call. Without `prepare`, the worker starts once
   * the steps are seen to advance one by one (isolated calls never start one).
   */
  noise(seed: number, step: number, n: number): Float32Array {
    this.configure(seed, n, !this.closed && step === this.lastStep + 1);
    this.lastStep = step;
    let out = this.prefetcher?.take(this.generation, step, n) ?? null;
    if (out) {
      this.stats.prefetched++;
    } else {
      this.stats.computed++;
      stepNoiseSeeds(seed, step, this.seeds);
      out = this.sampler.sampleSeeded(this.seeds.subarray(0, 16), this.seeds.slice(16, 20), n, this.stdAt(step));
    }
    this.requestAhead(step + 1, n);
    return out;
  }

  /** Stops the worker. The source stays usable on the calling thread; only `prepare` starts a worker again. */
  dispose(): void {
    this.closed = true;
    this.stopWorker();
  }

  private stopWorker(): void {
    this.prefetcher?.dispose();
    this.prefetcher = null;
  }

  private configure(seed: number, n: number, start: boolean): void {
    if (seed !== this.seed || n !== this.length) {
      this.seed = seed;
      this.length = n;
      this.generation = (this.generation + 1) | 0;
    }
    const depth = this.options.prefetch;
    if (depth <= 0 || n <= 0 || this.workerFailed) return;
    if (this.prefetcher && !this.prefetcher.alive) {
      // The worker died (it is never restarted: a broken setup would otherwise spawn one per step).
      this.workerFailed = true;
      this.stopWorker();
      return;
    }
    if (this.prefetcher && this.prefetcher.capacity < n) this.stopWorker();
    if (!this.prefetcher && start) {
      const slots = depth + 1; // + the block held while the caller adds it
      const capacity = Math.ceil(n / 4) * 4;
      if (slots * capacity * 4 > MAX_RING_BYTES) return;
      this.prefetcher = NoisePrefetcher.start(slots, capacity, this.sampler.implementation);
      if (!this.prefetcher) this.workerFailed = true; // no worker_threads / SharedArrayBuffer here: stay on this thread
    }
  }

  private requestAhead(from: number, n: number): void {
    const prefetcher = this.prefetcher;
    if (!prefetcher || from + this.options.prefetch > 0x7fffffff) return;
    const seed = this.seed;
    const depth = this.options.prefetch;
    prefetcher.request(this.generation, n, from, depth, Math.ceil(depth / 2), (step) => ({ std: this.stdAt(step), seeds: stepNoiseSeeds(seed, step, this.seeds) }));
  }
}
