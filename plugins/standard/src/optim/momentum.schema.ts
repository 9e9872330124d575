import { defineSchema, type ConfigOf } from '@anneal/core';

export const momentumSchema = defineSchema({
  learningRate: {
    type: 'number',
    default: 0.01,
    min: 0,
    exclusiveMin: true,
    description: 'Recipe default learning rate; the trainer passes the scheduled value as ctx.learningRate',
  },
  momentum: {
    type: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    exclusiveMax: true,
    description: 'μ in v ← μ·v + g',
  },
  nesterov: {
    type: 'boolean',
    default: false,
    description: 'Use the Nesterov form θ ← θ − lr·(g + μ·v)',
  },
});

export type MomentumConfig = ConfigOf<typeof momentumSchema>;
