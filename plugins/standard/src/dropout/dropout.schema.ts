import { defineSchema, type ConfigOf } from '@anneal/core';

export const dropoutSchema = defineSchema({
  rate: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    exclusiveMax: true,
    description: 'Probability of dropping each activation at training time (the paper does not give one; spec §1.3 assumes 0.5)',
  },
  sites: {
    type: 'string[]',
    default: ['hidden/*'],
    description: "Model activation sites to attach to: exact names or globs with '*' (e.g. 'hidden/*')",
  },
});

export type DropoutConfig = ConfigOf<typeof dropoutSchema>;
