import { defineSchema, type ConfigOf } from '@anneal/core';

export const adamSchema = defineSchema({
  learningRate: {
    type: 'number',
    default: 0.001,
    min: 0,
    exclusiveMin: true,
    description: 'Recipe default learning rate α; the trainer passes the scheduled value as ctx.learningRate',
  },
  beta1: { type: 'number', default: 0.9, min: 0, max: 1, exclusiveMax: true, description: 'β₁, decay of the first-moment estimate' },
  beta2: { type: 'number', default: 0.999, min: 0, max: 1, exclusiveMax: true, description: 'β₂, decay of the second-moment estimate' },
  epsilon: {
    type: 'number',
    default: 1e-8,
    min: 0,
    exclusiveMin: true,
    description: 'ε added to sqrt(v̂) (set explicitly: TF uses 1e-8, tfjs’ tf.train.adam defaults to 1e-7)',
  },
});

export type AdamConfig = ConfigOf<typeof adamSchema>;
