import { defineSchema, type ConfigOf } from '@anneal/core';

export const clipValueSchema = defineSchema({
  maxValue: {
    type: 'number',
    default: 1,
    min: 0,
    exclusiveMin: true,
    description: 'v: every gradient entry is clipped to [-v, v]',
  },
});

export type ClipValueConfig = ConfigOf<typeof clipValueSchema>;
