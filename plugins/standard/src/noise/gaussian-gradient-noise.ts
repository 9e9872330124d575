import type { GradMap, GradientTransform, InitContext, StepContext } from '@anneal/core';
import type { LaneSamplerImplementation } from '../random/lane-normal-sampler.js';
import { addNoiseFromBuffer, defaultNoiseAddStrategy, type NoiseAddStrategy } from './add-noise-from-buffer.js';
import type { GradientNoiseState } from './noise-state.js';
import { StepNoiseSource, resolvePrefetchDepth } from './step-noise-source.js';

export interface GaussianNoiseOptions {
  /** How noise is added to the tensors; default: 'host-add' on cpu, 'wasm-heap' on wasm, else 'tensor-add'. */
  readonly strategy?: NoiseAddStrategy;
  /** Force the scalar JS sampler (same values as the SIMD kernel; for tests and benchmarks). */
  readonly sampler?: LaneSamplerImplementation;
  /**
   * Steps whose noise a background worker computes ahead (default 4; false or 0: no worker). Without
   * this option, ANNEAL_NOISE_WORKER=0 turns the worker off. The values are the same either way.
   */
  readonly prefetch?: number | false;
}

/**
 * The shared body of the gradient-noise plugins: g ← g + ε, ε ~ N(0, σ_t² I) i.i.d. per entry of every
 * gradient tensor, with σ_t² = `varianceAt(t)`.
 *
 * The noise of step t is a pure function of (ctx.seed, t): the 4-lane SIMD ziggurat stream
 * (random/lane-normal-stream.ts) seeded from core's deriveSeed(ctx.seed, 'noise/<t>'), scaled by σ_t and
 * walked over the tensors in map order (step-noise-source.ts). The state is just { seed }: checkpoints
 * hold nothing else, a resumed run gets the same noise as an uninterrupted one, and calling update
 * twice at the same step adds the same noise twice.
 *
 * Cost per step on the calling thread, paper's MLP (88k values, 42 tensors) on wasm: taking a block the
 * worker has ready ≈0.03 ms, computing one here ≈0.3 ms; then the add (add-noise-from-buffer.ts,
 * 'wasm-heap': ≈0.06 ms with hot caches, ≈0.2 ms inside a loaded trainer, vs ≈0.2/≈0.45 ms for
 * tf.add). The worker (default in Node) runs at nice 10 so that it yields to the trainer's thread;
 * when it gets no CPU in time, the block is computed here, with the same values. dispose() stops it.
 */
export function gaussianGradientNoise(name: string, varianceAt: (step: number) => number, options: GaussianNoiseOptions = {}): GradientTransform<GradientNoiseState> {
  const stdAt = (step: number) => Math.sqrt(varianceAt(step));
  let source: StepNoiseSource | null = null;
  const sourceFor = (): StepNoiseSource => (source ??= new StepNoiseSource(stdAt, { sampler: options.sampler, prefetch: resolvePrefetchDepth(options.prefetch) }));
  return {
    name,
    init(ctx: InitContext): GradientNoiseState {
      let total = 0;
      for (const p of Object.values(ctx.params)) total += p.size;
      // A new run: re-read the prefetch setting, start the worker and queue the first steps while the run sets up.
      source?.dispose();
      source = null;
      if (total > 0) sourceFor().prepare(ctx.seed, total);
      return { seed: ctx.seed };
    },
    update(grads: GradMap, state: GradientNoiseState, ctx: StepContext) {
      const std = stdAt(ctx.step);
      let total = 0;
      for (const g of Object.values(grads)) total += g.size;
      const noise = sourceFor().noise(state.seed, ctx.step, total);
      const strategy = options.strategy ?? defaultNoiseAddStrategy();
      return { grads: addNoiseFromBuffer(grads, noise, strategy), state, metrics: { noise_std: std }, facts: { noiseStd: std } };
    },
    dispose() {
      source?.dispose();
    },
  };
}
