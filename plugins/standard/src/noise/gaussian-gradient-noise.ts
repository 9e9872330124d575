import { Rng, type GradMap, type GradientTransform, type InitContext, type StepContext } from '@anneal/core';
import { prefersHostArithmetic } from '../internal/host-backend.js';
import { LaneNormalSampler } from '../random/lane-normal-sampler.js';
import { addNoiseFromBuffer, type NoiseAddStrategy } from './add-noise-from-buffer.js';
import type { NoiseState } from './noise-state.js';

export interface GaussianNoiseOptions {
  /** How noise is added to the tensors; default: 'host-add' on the cpu backend, 'tensor-add' elsewhere (wasm included). */
  readonly strategy?: NoiseAddStrategy;
  /** Force the scalar JS sampler (same values as the SIMD kernel; for tests and benchmarks). */
  readonly sampler?: 'wasm-simd' | 'js';
}

/**
 * The shared body of the gradient-noise plugins: g ← g + ε, ε ~ N(0, σ_t² I) i.i.d. per entry of every
 * gradient tensor, with σ_t² = `varianceAt(t)`.
 *
 * Cost per step: one draw of all entries from the 4-lane SIMD ziggurat (random/lane-normal-stream.ts)
 * into reused memory, then one tensor per gradient (see add-noise-from-buffer.ts). The only state is
 * the master Rng seeded with ctx.seed, which the checkpointer saves.
 */
export function gaussianGradientNoise(name: string, varianceAt: (step: number) => number, options: GaussianNoiseOptions = {}): GradientTransform<NoiseState> {
  const sampler = new LaneNormalSampler(options.sampler);
  return {
    name,
    init(ctx: InitContext): NoiseState {
      return { rng: new Rng(ctx.seed) };
    },
    update(grads: GradMap, state: NoiseState, ctx: StepContext) {
      const std = Math.sqrt(varianceAt(ctx.step));
      let total = 0;
      for (const g of Object.values(grads)) total += g.size;
      const noise = sampler.sample(state.rng, total, std);
      const strategy = options.strategy ?? (prefersHostArithmetic() ? 'host-add' : 'tensor-add');
      return { grads: addNoiseFromBuffer(grads, noise, strategy), state, metrics: { noise_std: std } };
    },
  };
}
