import type * as tf from '@tensorflow/tfjs-core';
import type { GradMap, GradientTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { clipGlobalNormSchema, type ClipGlobalNormConfig } from './clip-global-norm.schema.js';
import { globalNormValue } from './global-norm.js';
import { scaleTensor } from './scale-tensors.js';

/**
 * TF `clip_by_global_norm`: with N = sqrt(Σ_i ‖g_i‖²), every tensor is scaled by
 * c = maxNorm / max(N, maxNorm). When c = 1 the input tensors are passed through unchanged (a new map
 * holding the same tensors: no copy, no op). A non-finite N passes the gradients through untouched and
 * reports clip_coef NaN, so the trainer's non-finite check sees the original values.
 * Reports { grad_norm: N, clip_coef: c }.
 */
export function clipByGlobalNorm(config: Partial<ClipGlobalNormConfig> = {}): GradientTransform<Record<string, never>> {
  const { maxNorm } = resolveConfig('clip-global-norm', clipGlobalNormSchema, config);
  return {
    name: 'clip-global-norm',
    init: () => ({}),
    update(grads: GradMap, state) {
      const norm = globalNormValue(grads);
      if (!Number.isFinite(norm)) return { grads: { ...grads }, state, metrics: { grad_norm: norm, clip_coef: Number.NaN } };
      const coef = maxNorm / Math.max(norm, maxNorm);
      if (coef >= 1) return { grads: { ...grads }, state, metrics: { grad_norm: norm, clip_coef: 1 } };
      const out: Record<string, tf.Tensor> = {};
      for (const [key, g] of Object.entries(grads)) out[key] = scaleTensor(g, coef);
      return { grads: out, state, metrics: { grad_norm: norm, clip_coef: coef } };
    },
  };
}
