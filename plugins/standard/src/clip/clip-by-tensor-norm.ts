import type * as tf from '@tensorflow/tfjs-core';
import type { GradMap, GradientTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { readValues, sumOfSquares } from '../internal/tensor-values.js';
import { clipTensorNormSchema, type ClipTensorNormConfig } from './clip-tensor-norm.schema.js';
import { scaleTensors } from './scale-tensors.js';

/**
 * Per-tensor clipping (TF `clip_by_norm` applied to each tensor, as MemN2N does): a tensor whose
 * Frobenius norm n exceeds maxNorm is scaled by maxNorm / n; the others pass through unchanged (and
 * when none is clipped the input map itself is returned).
 * Reports { clipped_tensors, clip_coef_min } (the smallest coefficient applied, 1 when none).
 */
export function clipByTensorNorm(config: Partial<ClipTensorNormConfig> = {}): GradientTransform<Record<string, never>> {
  const { maxNorm } = resolveConfig('clip-tensor-norm', clipTensorNormSchema, config);
  return {
    name: 'clip-tensor-norm',
    init: () => ({}),
    update(grads: GradMap, state) {
      const out: Record<string, tf.Tensor> = {};
      let clipped = 0;
      let minCoef = 1;
      for (const [key, g] of Object.entries(grads)) {
        const values = readValues(g);
        const norm = Math.sqrt(sumOfSquares(values));
        if (norm > maxNorm) {
          const coef = maxNorm / norm;
          out[key] = scaleTensors({ [key]: g }, coef, { [key]: values })[key];
          clipped++;
          minCoef = Math.min(minCoef, coef);
        } else {
          out[key] = g;
        }
      }
      // Nothing clipped: hand back the input map itself (the trainer's per-step norm memo then applies).
      return { grads: clipped > 0 ? out : grads, state, metrics: { clipped_tensors: clipped, clip_coef_min: minCoef } };
    },
  };
}
