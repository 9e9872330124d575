import { definePlugin } from '@anneal/core';
import { clipByGlobalNorm } from './clip-by-global-norm.js';
import { clipGlobalNormSchema } from './clip-global-norm.schema.js';

export const clipGlobalNormPlugin = definePlugin.gradientTransform({
  manifest: {
    name: 'clip-global-norm',
    version: '0.1.0',
    kind: 'gradient-transform',
    hookPoint: 'clip',
    configSchema: clipGlobalNormSchema,
    card: {
      summary: 'Rescales all gradients together when their global L2 norm exceeds maxNorm (TF clip_by_global_norm).',
      paper: 'Neelakantan et al. 2015, §4.1 (MNIST, thresholds 10 and 100); spec §1.3 reading "global norm"',
      details: 'Reports grad_norm (before clipping) and clip_coef = maxNorm / max(norm, maxNorm).',
    },
  },
  create: (config) => clipByGlobalNorm(config),
});
