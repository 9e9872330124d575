import type { GradMap, GradientTransform } from '@anneal/core';
import { isHostBackend } from '../internal/host-backend.js';
import { resolveConfig } from '../internal/plugin-config.js';
import { readValues, sumOfSquares } from '../internal/tensor-values.js';
import { clipGlobalNormSchema, type ClipGlobalNormConfig } from './clip-global-norm.schema.js';
import { globalNormValue } from './global-norm.js';
import { scaleTensors } from './scale-tensors.js';

/**
 * TF `clip_by_global_norm`: with N = sqrt(Σ_i ‖g_i‖²), every tensor is scaled by
 * c = maxNorm / max(N, maxNorm). When c = 1 the input tensors are passed through unchanged (a new map
 * holding the same tensors: no copy, no op). A non-finite N passes the gradients through untouched and
 * reports clip_coef NaN, so the trainer's non-finite check sees the original values.
 * Reports { grad_norm: N, clip_coef: c }.
 *
 * On cpu/wasm N is summed in JS over the tensors' data (one read per tensor, no kernels).
 */
export function clipByGlobalNorm(config: Partial<ClipGlobalNormConfig> = {}): GradientTransform<Record<string, never>> {
  const { maxNorm } = resolveConfig('clip-global-norm', clipGlobalNormSchema, config);
  return {
    name: 'clip-global-norm',
    init: () => ({}),
    update(grads: GradMap, state) {
      let norm: number;
      let hostValues: Record<string, Float32Array> | undefined;
      if (isHostBackend()) {
        hostValues = {};
        let sumSq = 0;
        for (const [key, g] of Object.entries(grads)) {
          const values = readValues(g);
          hostValues[key] = values;
          sumSq += sumOfSquares(values);
        }
        norm = Math.sqrt(sumSq);
      } else {
        norm = globalNormValue(grads);
      }
      if (!Number.isFinite(norm)) return { grads: { ...grads }, state, metrics: { grad_norm: norm, clip_coef: Number.NaN } };
      const coef = maxNorm / Math.max(norm, maxNorm);
      if (coef >= 1) return { grads: { ...grads }, state, metrics: { grad_norm: norm, clip_coef: 1 } };
      return { grads: scaleTensors(grads, coef, hostValues), state, metrics: { grad_norm: norm, clip_coef: coef } };
    },
  };
}
