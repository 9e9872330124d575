import { definePlugin } from '@anneal/core';
import { emptySchema } from './empty.schema.js';
import { zeroInitializer } from './zero-initializer.js';

export const zeroInitPlugin = definePlugin.initializer({
  manifest: {
    name: 'zero',
    version: '0.1.0',
    kind: 'initializer',
    configSchema: emptySchema,
    card: { summary: 'All weights 0.', paper: 'Neelakantan et al. 2015, §4.1 "Bad Init" / Zero Init (Table 1, Exp. 6)' },
  },
  create: () => zeroInitializer(),
});
