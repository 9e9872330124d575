import { definePlugin } from '@anneal/core';
import { addConstantGradientNoise } from './add-constant-gradient-noise.js';
import { constantGaussianSchema } from './constant-gaussian.schema.js';
import { NOISE_HOOK_POINTS } from './noise-hook-points.js';

export const constantGaussianPlugin = definePlugin.gradientTransform({
  manifest: {
    name: 'constant-gaussian',
    version: '0.1.0',
    kind: 'gradient-transform',
    hookPoint: 'post-clip',
    allowedHookPoints: NOISE_HOOK_POINTS,
    configSchema: constantGaussianSchema,
    card: {
      summary: 'Adds fixed-variance Gaussian noise to every gradient entry: g += N(0, η).',
      paper: 'Neelakantan et al. 2015, §4.6 "Annealed vs. fixed noise"',
      details: 'η is a variance, as in Eq. (1) with γ = 0. Reports noise_std.',
    },
  },
  create: (config) => addConstantGradientNoise(config),
});
