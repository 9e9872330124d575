import * as tf from '@tensorflow/tfjs-core';

/** g · c as a new tensor (one scalar creation + one mul). */
export function scaleTensor(g: tf.Tensor, coefficient: number): tf.Tensor {
  const c = tf.scalar(coefficient, 'float32');
  const out = tf.mul(g, c);
  c.dispose();
  return out;
}
