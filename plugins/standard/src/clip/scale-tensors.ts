import * as tf from '@tensorflow/tfjs-core';
import { prefersHostArithmetic } from '../internal/host-backend.js';

/**
 * Returns g·coef for each entry of `tensors` (same keys), as new tensors. With `hostValues` (the
 * tensors' data, already read by the caller) on backends that prefer host arithmetic the product is
 * written in JS; otherwise one shared scalar and one tf.mul per tensor.
 */
export function scaleTensors(tensors: Readonly<Record<string, tf.Tensor>>, coef: number, hostValues?: Readonly<Record<string, Float32Array>>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  if (hostValues !== undefined && prefersHostArithmetic()) {
    for (const [key, g] of Object.entries(tensors)) {
      const values = hostValues[key];
      const scaled = new Float32Array(values.length);
      for (let i = 0; i < values.length; i++) scaled[i] = values[i] * coef;
      out[key] = tf.tensor(scaled, g.shape, 'float32');
    }
    return out;
  }
  const c = tf.scalar(coef, 'float32');
  for (const [key, g] of Object.entries(tensors)) out[key] = tf.mul(g, c);
  c.dispose();
  return out;
}
