import * as tf from '@tensorflow/tfjs-core';
import type { GradMap } from '@anneal/core';

/**
 * Returns { name: g + noise[offset : offset + g.size] } for every tensor, walking `noise` in the map's
 * order. The temporary noise tensors are views on `noise` (the cpu backend does not copy) and are
 * disposed right after the add, so the shared buffer can be refilled on the next step.
 */
export function addNoiseFromBuffer(tensors: GradMap, noise: Float32Array): GradMap {
  const out: Record<string, tf.Tensor> = {};
  let offset = 0;
  for (const [key, g] of Object.entries(tensors)) {
    const n = g.size;
    const eps = tf.tensor(noise.subarray(offset, offset + n), g.shape, 'float32');
    out[key] = tf.add(g, eps);
    eps.dispose();
    offset += n;
  }
  return out;
}
