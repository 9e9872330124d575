import { definePlugin } from '@anneal/core';
import { dropoutSchema } from './dropout.schema.js';
import { invertedDropout } from './inverted-dropout.js';

export const dropoutPlugin = definePlugin.forwardTransform({
  manifest: {
    name: 'dropout',
    version: '0.1.0',
    kind: 'forward-transform',
    configSchema: dropoutSchema,
    card: {
      summary: 'Inverted dropout at named activation sites, training only; mask from its own seeded stream.',
      paper: 'Neelakantan et al. 2015, §4.1 Table 1 Exp. 1 "No noise + dropout" (rate not given; spec §1.3 uses 0.5 on every hidden layer)',
    },
  },
  create: (config) => invertedDropout(config),
});
