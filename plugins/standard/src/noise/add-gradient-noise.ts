import { deriveSeed, type GradientTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { fastNoiseOps, totalSize, type NoiseOps } from '../ops/index.js';
import { annealedGaussianSchema, type AnnealedGaussianConfig } from './annealed-gaussian.schema.js';
import { annealedNoiseVariance } from './noise-schedule.js';
import type { GradientNoiseState } from './noise-state.js';

/**
 * Annealed Gaussian gradient noise (Neelakantan et al. 2015, Eq. 1), with t = ctx.step:
 *
 *     σ_t² = η / (1 + t)^γ,     g ← g + N(0, σ_t² I)     for every entry of every gradient tensor.
 *
 * The noise of step t is drawn from a key derived from (the plugin's seed, t), so the state is just
 * { seed }: a resumed run draws the same noise as an uninterrupted one. Reports σ_t as the StepRecord's
 * noise std (`facts`) and as the metric `noise_std`. `ops` picks the sampling/add implementation
 * (ops/: the fast one by default; `referenceNoiseOps` gives the same values).
 */
export function addGradientNoise(config: Partial<AnnealedGaussianConfig> = {}, ops: NoiseOps = fastNoiseOps): GradientTransform<GradientNoiseState> {
  const { eta, gamma } = resolveConfig('annealed-gaussian', annealedGaussianSchema, config);
  return {
    name: 'annealed-gaussian',
    init: (ctx) => ({ seed: ctx.seed }),
    update(grads, state, ctx) {
      const std = Math.sqrt(annealedNoiseVariance(eta, gamma, ctx.step)); // σ_t
      const key = deriveSeed(state.seed, `noise/${ctx.step}`);
      const noise = ops.gaussianNoise(totalSize(grads), key, std); // ε ~ N(0, σ_t² I)
      return { grads: ops.addNoise(grads, noise), state, metrics: { noise_std: std }, facts: { noiseStd: std } }; // g + ε
    },
  };
}
