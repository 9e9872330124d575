import { definePlugin } from '@anneal/core';
import { clipByTensorNorm } from './clip-by-tensor-norm.js';
import { clipTensorNormSchema } from './clip-tensor-norm.schema.js';

export const clipTensorNormPlugin = definePlugin.gradientTransform({
  manifest: {
    name: 'clip-tensor-norm',
    version: '0.1.0',
    kind: 'gradient-transform',
    hookPoint: 'clip',
    configSchema: clipTensorNormSchema,
    card: {
      summary: 'Clips each gradient tensor to Frobenius norm ≤ maxNorm independently (per-tensor clip_by_norm).',
      paper: 'Sukhbaatar et al. 2015 (MemN2N, max grad norm 40), used by Neelakantan et al. 2015 §4.2; spec §2.3',
      details: 'The MATLAB reference clips by spectral norm; Frobenius is the spec’s choice (spec §9.2). Reports clipped_tensors and clip_coef_min.',
    },
  },
  create: (config) => clipByTensorNorm(config),
});
