import { defineSchema, type ConfigOf } from '@anneal/core';

export const normalInitSchema = defineSchema({
  std: {
    type: 'number',
    default: 0.1,
    min: 0,
    exclusiveMin: true,
    description: 'Standard deviation of every weight entry (the paper’s "Simple Init" uses 0.1)',
  },
});

export type NormalInitConfig = ConfigOf<typeof normalInitSchema>;
