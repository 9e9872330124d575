import { definePlugin } from '@anneal/core';
import { addWeightNoise } from './add-weight-noise.js';
import { weightNoiseSchema } from './weight-noise.schema.js';

export const weightNoisePlugin = definePlugin.paramTransform({
  manifest: {
    name: 'weight-noise',
    version: '0.1.0',
    kind: 'param-transform',
    hookPoint: 'post-update',
    configSchema: weightNoiseSchema,
    card: {
      summary: 'After each update adds annealed Gaussian noise to the weights: θ += N(0, η/(1+t)^γ).',
      paper: 'Neelakantan et al. 2015, §4.6 "Gradient noise vs. weight noise"',
      details:
        'The ablation showing that noise must pass through the adaptive optimizer: with Adam, weight noise from η = 1e-6 upward fails to train. Implements the "perturb after the update" reading (spec §7.3). Reports noise_std.',
    },
  },
  create: (config) => addWeightNoise(config),
});
