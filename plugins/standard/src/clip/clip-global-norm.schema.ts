import { defineSchema, type ConfigOf } from '@anneal/core';

export const clipGlobalNormSchema = defineSchema({
  maxNorm: {
    type: 'number',
    default: 10,
    min: 0,
    exclusiveMin: true,
    description: 'Largest allowed global L2 norm over all gradient tensors (the paper’s MLP uses 10 or 100)',
  },
});

export type ClipGlobalNormConfig = ConfigOf<typeof clipGlobalNormSchema>;
