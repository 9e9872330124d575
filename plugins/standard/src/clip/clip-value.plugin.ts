import { definePlugin } from '@anneal/core';
import { clipByValue } from './clip-by-value.js';
import { clipValueSchema } from './clip-value.schema.js';

export const clipValuePlugin = definePlugin.gradientTransform({
  manifest: {
    name: 'clip-value',
    version: '0.1.0',
    kind: 'gradient-transform',
    hookPoint: 'clip',
    configSchema: clipValueSchema,
    card: {
      summary: 'Clips every gradient entry to [-maxValue, maxValue].',
      paper: 'Generic baseline (not used by the paper’s main experiments)',
      details: 'Reports clipped_fraction.',
    },
  },
  create: (config) => clipByValue(config),
});
