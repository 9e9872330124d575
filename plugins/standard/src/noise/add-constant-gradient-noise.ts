import type { GradientTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { constantGaussianSchema, type ConstantGaussianConfig } from './constant-gaussian.schema.js';
import { gaussianGradientNoise } from './gaussian-gradient-noise.js';
import type { GradientNoiseState } from './noise-state.js';

/** Fixed-variance Gaussian gradient noise (the §4.6 "annealed vs fixed" ablation): g += N(0, η). */
export function addConstantGradientNoise(config: Partial<ConstantGaussianConfig> = {}): GradientTransform<GradientNoiseState> {
  const { eta } = resolveConfig('constant-gaussian', constantGaussianSchema, config);
  return gaussianGradientNoise('constant-gaussian', () => eta);
}
