import { definePlugin } from '@anneal/core';
import { normalInitializer } from './normal-initializer.js';
import { normalInitSchema } from './normal.schema.js';

export const normalInitPlugin = definePlugin.initializer({
  manifest: {
    name: 'normal',
    version: '0.1.0',
    kind: 'initializer',
    configSchema: normalInitSchema,
    card: { summary: 'Weights ~ N(0, std²), the same std for every layer.', paper: 'Neelakantan et al. 2015, §4.1 "Simple Init" (std 0.1)' },
  },
  create: (config) => normalInitializer(config),
});
