import { definePlugin } from '@anneal/core';
import { momentum } from './momentum.js';
import { momentumSchema } from './momentum.schema.js';

export const momentumPlugin = definePlugin.optimizer({
  manifest: {
    name: 'momentum',
    version: '0.1.0',
    kind: 'optimizer',
    hookPoint: 'update',
    configSchema: momentumSchema,
    card: {
      summary: 'SGD with (optionally Nesterov) momentum: v ← μv + g; θ ← θ − lr·v.',
      paper: 'Neelakantan et al. 2015, §1 (momentum breaks the weight-noise/gradient-noise equivalence)',
    },
  },
  create: (config) => momentum(config),
});
