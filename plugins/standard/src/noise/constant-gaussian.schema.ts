import { defineSchema, type ConfigOf } from '@anneal/core';

export const constantGaussianSchema = defineSchema({
  eta: {
    type: 'number',
    default: 0.001,
    min: 0,
    exclusiveMin: true,
    description: 'η, the fixed noise VARIANCE added every step (the paper’s fixed-noise ablation uses 0.001, i.e. std ≈ 0.0316)',
  },
});

export type ConstantGaussianConfig = ConfigOf<typeof constantGaussianSchema>;
