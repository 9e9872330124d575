import { defineSchema, type ConfigOf } from '@anneal/core';

export const glorotSchema = defineSchema({
  distribution: {
    type: 'string',
    default: 'uniform',
    oneOf: ['uniform', 'normal'] as const,
    description:
      "'uniform': U(−l, l), l = sqrt(6/(fanIn+fanOut)) (Glorot & Bengio's normalized init, Keras default); 'normal': N(0, 2/(fanIn+fanOut)). Both have variance 2/(fanIn+fanOut)",
  },
});

export type GlorotConfig = ConfigOf<typeof glorotSchema>;
