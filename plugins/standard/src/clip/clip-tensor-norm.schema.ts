import { defineSchema, type ConfigOf } from '@anneal/core';

export const clipTensorNormSchema = defineSchema({
  maxNorm: {
    type: 'number',
    default: 40,
    min: 0,
    exclusiveMin: true,
    description: 'Largest allowed Frobenius norm of each gradient tensor, clipped independently (MemN2N uses 40)',
  },
});

export type ClipTensorNormConfig = ConfigOf<typeof clipTensorNormSchema>;
