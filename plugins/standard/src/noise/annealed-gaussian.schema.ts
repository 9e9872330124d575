import { defineSchema, type ConfigOf } from '@anneal/core';

export const annealedGaussianSchema = defineSchema({
  eta: {
    type: 'number',
    default: 0.01,
    min: 0,
    exclusiveMin: true,
    description: 'η, the noise VARIANCE at t = 0 (σ₀² = η; the paper uses 0.01 or 1.0)',
  },
  gamma: {
    type: 'number',
    default: 0.55,
    min: 0,
    description: 'γ, the annealing exponent in σ_t² = η/(1+t)^γ (the paper fixes 0.55; 0 gives constant noise)',
  },
});

export type AnnealedGaussianConfig = ConfigOf<typeof annealedGaussianSchema>;
