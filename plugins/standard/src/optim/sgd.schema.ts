import { defineSchema, type ConfigOf } from '@anneal/core';

export const sgdSchema = defineSchema({
  learningRate: {
    type: 'number',
    default: 0.1,
    min: 0,
    exclusiveMin: true,
    description: 'Recipe default learning rate; the trainer passes the scheduled value as ctx.learningRate (the paper’s MLP uses 0.1 and 0.01)',
  },
});

export type SgdConfig = ConfigOf<typeof sgdSchema>;
