import { definePlugin } from '@anneal/core';
import { emptySchema } from './empty.schema.js';
import { sussilloInitializer } from './sussillo-initializer.js';

export const sussilloInitPlugin = definePlugin.initializer({
  manifest: {
    name: 'sussillo',
    version: '0.1.0',
    kind: 'initializer',
    configSchema: emptySchema,
    card: {
      summary: 'Random-walk init for ReLU: N(0, (g/√fanIn)²), g = √2·exp(1.2/(max(fanIn, 6) − 2.4)).',
      paper: 'Sussillo & Abbott 2014, as "Good Init 1" in Neelakantan et al. 2015 §4.1; formula from early TF _random_walk (spec §1.2)',
    },
  },
  create: () => sussilloInitializer(),
});
