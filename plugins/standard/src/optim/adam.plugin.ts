import { definePlugin } from '@anneal/core';
import { adam } from './adam.js';
import { adamSchema } from './adam.schema.js';

export const adamPlugin = definePlugin.optimizer({
  manifest: {
    name: 'adam',
    version: '0.1.0',
    kind: 'optimizer',
    hookPoint: 'update',
    configSchema: adamSchema,
    card: {
      summary: 'Adam with bias correction (Kingma & Ba 2015, Algorithm 1); ε set explicitly.',
      paper: 'Neelakantan et al. 2015, §4.3–4.5 (Neural Programmer, NRAM, Neural GPU use Adam); spec §0.3',
      details: 'State: m, v Variables per parameter and its own update counter for bias correction.',
    },
  },
  create: (config) => adam(config),
});
