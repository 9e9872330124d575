import { definePlugin } from '@anneal/core';
import { emptySchema } from './empty.schema.js';
import { heInitializer } from './he-initializer.js';

export const heInitPlugin = definePlugin.initializer({
  manifest: {
    name: 'he',
    version: '0.1.0',
    kind: 'initializer',
    configSchema: emptySchema,
    card: {
      summary: 'Weights ~ N(0, 2/fanIn) (He et al. 2015).',
      paper: 'Neelakantan et al. 2015, §4.1 "Good Init 2" (Table 1, Exp. 5); spec §1.2',
    },
  },
  create: () => heInitializer(),
});
