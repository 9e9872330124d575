import { definePlugin } from '@anneal/core';
import { addGradientNoise } from './add-gradient-noise.js';
import { annealedGaussianSchema } from './annealed-gaussian.schema.js';
import { NOISE_HOOK_POINTS } from './noise-hook-points.js';

export const annealedGaussianPlugin = definePlugin.gradientTransform({
  manifest: {
    name: 'annealed-gaussian',
    version: '0.1.0',
    kind: 'gradient-transform',
    hookPoint: 'post-clip',
    allowedHookPoints: NOISE_HOOK_POINTS,
    configSchema: annealedGaussianSchema,
    card: {
      summary: 'Adds annealed Gaussian noise to every gradient entry: g += N(0, η/(1+t)^γ).',
      paper: 'Neelakantan et al. 2015, "Adding Gradient Noise Improves Learning for Very Deep Networks", Eq. (1), §3',
      details:
        'η is a variance (std = sqrt(η)·(1+t)^(-γ/2)); t counts completed updates from 0. Placed after clipping by default, as in the paper. Reports noise_std.',
    },
  },
  create: (config) => addGradientNoise(config),
});
