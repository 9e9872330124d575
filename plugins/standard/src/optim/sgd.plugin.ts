import { definePlugin } from '@anneal/core';
import { sgd } from './sgd.js';
import { sgdSchema } from './sgd.schema.js';

export const sgdPlugin = definePlugin.optimizer({
  manifest: {
    name: 'sgd',
    version: '0.1.0',
    kind: 'optimizer',
    hookPoint: 'update',
    configSchema: sgdSchema,
    card: {
      summary: 'Plain stochastic gradient descent: θ ← θ − lr·g.',
      paper: 'Neelakantan et al. 2015, §4.1 (MNIST: SGD, no momentum) and §4.2 (MemN2N)',
    },
  },
  create: (config) => sgd(config),
});
