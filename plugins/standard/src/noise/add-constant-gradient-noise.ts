import type { GradientTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { prefetchingNoiseOps, type NoiseOps } from '../ops/index.js';
import { addGradientNoise } from './add-gradient-noise.js';
import { constantGaussianSchema, type ConstantGaussianConfig } from './constant-gaussian.schema.js';
import type { GradientNoiseState } from './noise-state.js';

/** Fixed-variance Gaussian gradient noise (the §4.6 "annealed vs fixed" ablation): g += N(0, η), i.e. γ = 0. */
export function addConstantGradientNoise(config: Partial<ConstantGaussianConfig> = {}, ops: NoiseOps = prefetchingNoiseOps): GradientTransform<GradientNoiseState> {
  const { eta } = resolveConfig('constant-gaussian', constantGaussianSchema, config);
  return { ...addGradientNoise({ eta, gamma: 0 }, ops), name: 'constant-gaussian' };
}
