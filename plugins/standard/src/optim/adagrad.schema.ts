import { defineSchema, type ConfigOf } from '@anneal/core';

export const adagradSchema = defineSchema({
  learningRate: {
    type: 'number',
    default: 0.01,
    min: 0,
    exclusiveMin: true,
    description: 'Recipe default learning rate; the trainer passes the scheduled value as ctx.learningRate',
  },
  initialAccumulator: {
    type: 'number',
    default: 0.1,
    min: 0,
    exclusiveMin: true,
    description: 'Starting value of every entry of the squared-gradient sum (TF default 0.1)',
  },
  epsilon: {
    type: 'number',
    default: 0,
    min: 0,
    description: 'ε added to sqrt(accumulator) (TF1’s AdagradOptimizer has none: 0; tfjs adds ~1e-7)',
  },
});

export type AdagradConfig = ConfigOf<typeof adagradSchema>;
