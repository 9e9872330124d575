import type { GradientTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { annealedGaussianSchema, type AnnealedGaussianConfig } from './annealed-gaussian.schema.js';
import { gaussianGradientNoise } from './gaussian-gradient-noise.js';
import { annealedNoiseVariance } from './noise-schedule.js';
import type { GradientNoiseState } from './noise-state.js';

/**
 * Annealed Gaussian gradient noise (Neelakantan et al. 2015, Eq. 1): adds N(0, η/(1+t)^γ) i.i.d. to
 * every entry of every gradient tensor; t = ctx.step. Reports { noise_std: σ_t }.
 */
export function addGradientNoise(config: Partial<AnnealedGaussianConfig> = {}): GradientTransform<GradientNoiseState> {
  const { eta, gamma } = resolveConfig('annealed-gaussian', annealedGaussianSchema, config);
  return gaussianGradientNoise('annealed-gaussian', (step) => annealedNoiseVariance(eta, gamma, step));
}
