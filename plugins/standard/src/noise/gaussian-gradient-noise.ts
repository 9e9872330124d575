import { Rng, type GradMap, type GradientTransform, type InitContext, type StepContext } from '@anneal/core';
import { ScratchBuffer } from '../internal/scratch-buffer.js';
import { fillNormalFast } from '../random/fill-normal-fast.js';
import type { NoiseState } from './noise-state.js';
import { addNoiseFromBuffer } from './add-noise-from-buffer.js';

/**
 * The shared body of the gradient-noise plugins: g ← g + ε, ε ~ N(0, σ_t² I) i.i.d. per entry of every
 * gradient tensor, with σ_t² = `varianceAt(t)`.
 *
 * Cost (the paper's MLP, 88,210 values in 42 tensors): one ziggurat pass into a reused flat buffer, then
 * per tensor one `tf.tensor` on a view of that buffer and one `tf.add`. See bench/noise-clip-bench.mjs.
 */
export function gaussianGradientNoise(name: string, varianceAt: (step: number) => number): GradientTransform<NoiseState> {
  const scratch = new ScratchBuffer();
  return {
    name,
    init(ctx: InitContext): NoiseState {
      return { rng: new Rng(ctx.seed) };
    },
    update(grads: GradMap, state: NoiseState, ctx: StepContext) {
      const std = Math.sqrt(varianceAt(ctx.step));
      const tensors = Object.values(grads);
      let total = 0;
      for (const g of tensors) total += g.size;
      const noise = fillNormalFast(state.rng, scratch.view(total), std);
      return { grads: addNoiseFromBuffer(grads, noise), state, metrics: { noise_std: std } };
    },
  };
}
