import { defineSchema, type ConfigOf } from '@anneal/core';

export const weightNoiseSchema = defineSchema({
  eta: {
    type: 'number',
    default: 1e-6,
    min: 0,
    exclusiveMin: true,
    description:
      'η, the starting VARIANCE of the noise added to the weights after each update (the paper reports that even 1e-6, its lowest setting, fails to train)',
  },
  gamma: {
    type: 'number',
    default: 0.55,
    min: 0,
    description: 'γ, the annealing exponent in σ_t² = η/(1+t)^γ (same schedule as the gradient noise)',
  },
});

export type WeightNoiseConfig = ConfigOf<typeof weightNoiseSchema>;
