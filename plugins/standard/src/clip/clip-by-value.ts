import * as tf from '@tensorflow/tfjs-core';
import type { GradMap, GradientTransform } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { readValues } from '../internal/tensor-values.js';
import { clipValueSchema, type ClipValueConfig } from './clip-value.schema.js';

/**
 * Element-wise clipping of every gradient entry to [-v, v]. Tensors with no entry outside the range pass
 * through unchanged (no op; with nothing clipped the input map itself is returned). Reports
 * { clipped_fraction }: the share of entries that were clipped.
 */
export function clipByValue(config: Partial<ClipValueConfig> = {}): GradientTransform<Record<string, never>> {
  const { maxValue } = resolveConfig('clip-value', clipValueSchema, config);
  return {
    name: 'clip-value',
    init: () => ({}),
    update(grads: GradMap, state) {
      const out: Record<string, tf.Tensor> = {};
      let clipped = 0;
      let total = 0;
      for (const [key, g] of Object.entries(grads)) {
        const values = readValues(g);
        let count = 0;
        for (let i = 0; i < values.length; i++) if (values[i] > maxValue || values[i] < -maxValue) count++;
        out[key] = count > 0 ? tf.clipByValue(g, -maxValue, maxValue) : g;
        clipped += count;
        total += values.length;
      }
      return { grads: clipped > 0 ? out : grads, state, metrics: { clipped_fraction: total > 0 ? clipped / total : 0 } };
    },
  };
}
