import { definePlugin } from '@anneal/core';
import { adagrad } from './adagrad.js';
import { adagradSchema } from './adagrad.schema.js';

export const adagradPlugin = definePlugin.optimizer({
  manifest: {
    name: 'adagrad',
    version: '0.1.0',
    kind: 'optimizer',
    hookPoint: 'update',
    configSchema: adagradSchema,
    card: {
      summary: 'Adagrad: per-entry learning rates from the running sum of squared gradients.',
      paper: 'Duchi et al. 2011; named by Neelakantan et al. 2015 §1 as an adaptive optimizer gradient noise complements',
    },
  },
  create: (config) => adagrad(config),
});
