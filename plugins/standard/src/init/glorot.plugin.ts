import { definePlugin } from '@anneal/core';
import { glorotInitializer } from './glorot-initializer.js';
import { glorotSchema } from './glorot.schema.js';

export const glorotInitPlugin = definePlugin.initializer({
  manifest: {
    name: 'glorot',
    version: '0.1.0',
    kind: 'initializer',
    configSchema: glorotSchema,
    card: {
      summary: 'Glorot/Xavier init with variance 2/(fanIn+fanOut); uniform (default) or normal.',
      paper: 'Glorot & Bengio 2010 (not one of the paper’s MNIST inits; a general-purpose default)',
    },
  },
  create: (config) => glorotInitializer(config),
});
