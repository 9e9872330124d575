import * as tf from '@tensorflow/tfjs-core';
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
 *
 * Graph form (a step captured as one TensorFlow graph): per tensor c = maxNorm / max(n, maxNorm), with n summed in
 * the graph (float32, where the eager form sums in float64 on the host), and the tensor times c (× 1 exactly when
 * it is not clipped); the same two metrics, computed in the graph.
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
    graph: {
      host: (state) => ({ inputs: {}, state }),
      apply(grads) {
        const entries = Object.entries(grads);
        const coefs = entries.map(([, g]) => tf.div(maxNorm, tf.maximum(tf.norm(g), maxNorm)) as tf.Scalar); // c = maxNorm / max(n, maxNorm)
        const all = tf.stack(coefs);
        return {
          grads: Object.fromEntries(entries.map(([k, g], i) => [k, tf.mul(g, coefs[i])])),
          metrics: { clipped_tensors: tf.sum(tf.cast(tf.less(all, 1), 'float32')) as tf.Scalar, clip_coef_min: tf.min(all) as tf.Scalar },
        };
      },
    },
  };
}
