import * as tf from '@tensorflow/tfjs-core';
import { globalNorm, globalNormValue, type GradMap, type GradientTransform, type StepContext } from '@anneal/core';
import { prefersHostArithmetic } from '../internal/host-backend.js';
import { resolveConfig } from '../internal/plugin-config.js';
import { readValues } from '../internal/tensor-values.js';
import { clipGlobalNormSchema, type ClipGlobalNormConfig } from './clip-global-norm.schema.js';
import { scaleTensors } from './scale-tensors.js';

/**
 * TF `clip_by_global_norm`: with N = sqrt(Σ_i ‖g_i‖²), every tensor is scaled by
 * c = maxNorm / max(N, maxNorm). Reports { grad_norm: N, clip_coef: c }.
 *
 * N comes from `ctx.globalNorm` when the trainer provides it (it has already computed the norm of the
 * map entering the clip stage, so this costs nothing), else from core's `globalNormValue` (a JS sum
 * over the tensors' data on cpu/wasm). When c = 1 the input map itself is returned (no op, and the
 * trainer's norm memo still applies to it). A non-finite N passes the gradients through untouched
 * with clip_coef NaN, so the trainer's non-finite check sees the original values.
 *
 * Graph form (a step captured as one TensorFlow graph): the same c from N summed in the graph (float32, where
 * the eager form sums in float64 on the host), and every tensor times c (× 1 exactly when not clipping). When the
 * next transform folds a scale (the annealed noise does), the clip leaves the multiply to its pass: g · c + ε in one. A
 * non-finite N makes c NaN there, so the step's parameters turn NaN and the next loss ends the run as diverged.
 */
export function clipByGlobalNorm(config: Partial<ClipGlobalNormConfig> = {}): GradientTransform<Record<string, never>> {
  const { maxNorm } = resolveConfig('clip-global-norm', clipGlobalNormSchema, config);
  return {
    name: 'clip-global-norm',
    init: () => ({}),
    update(grads: GradMap, state, ctx: StepContext) {
      const norm = ctx.globalNorm ? ctx.globalNorm(grads) : globalNormValue(grads);
      if (!Number.isFinite(norm)) return { grads, state, metrics: { grad_norm: norm, clip_coef: Number.NaN } };
      const coef = maxNorm / Math.max(norm, maxNorm);
      if (coef >= 1) return { grads, state, metrics: { grad_norm: norm, clip_coef: 1 } };
      // The next transform folds a scale (the annealed noise's fused op): it makes c·g in its own pass.
      if (ctx.mayLeaveScale) return { grads, state, metrics: { grad_norm: norm, clip_coef: coef }, globalNorm: norm * coef, scale: coef };
      const hostValues = prefersHostArithmetic() ? Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, readValues(g)])) : undefined;
      // The clipped map's norm is known: N·c = maxNorm. Telling the trainer saves it recomputing the norm.
      return { grads: scaleTensors(grads, coef, hostValues), state, metrics: { grad_norm: norm, clip_coef: coef }, globalNorm: norm * coef };
    },
    graph: {
      host: (state) => ({ inputs: {}, state }),
      apply(grads, _inputs, known) {
        const norm = known?.globalNorm ?? globalNorm(grads);
        const coef = tf.div(maxNorm, tf.maximum(norm, maxNorm)) as tf.Scalar; // c = maxNorm / max(N, maxNorm)
        const metrics = { grad_norm: norm, clip_coef: coef };
        const clippedNorm = tf.mul(norm, coef) as tf.Scalar; // ‖c·g‖ = N·c
        if (known?.mayLeaveScale) return { grads, scale: coef, metrics, globalNorm: clippedNorm }; // c·g, made by the next pass
        const clipped = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, coef)]));
        return { grads: clipped, metrics, globalNorm: clippedNorm };
      },
    },
  };
}
