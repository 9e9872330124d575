import * as tf from '@tensorflow/tfjs-core';

/**
 * A whole number a batch carries for the host, such as how many steps a model unrolls: a tensor of shape [n, 0],
 * with no values. The number is in the shape, so reading it (`hostNumberOf`) reads no tensor, and a graph step,
 * which keys its captured graphs on the input shapes, captures one graph per value.
 */
export function hostNumber(n: number): tf.Tensor2D {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`hostNumber: a whole number ≥ 0 is needed, got ${n}`);
  return tf.zeros([n, 0]) as tf.Tensor2D;
}

/** The number a `hostNumber` tensor carries. */
export function hostNumberOf(t: tf.Tensor, name = 'tensor'): number {
  if (t.rank !== 2 || t.shape[1] !== 0) throw new Error(`${name} is not a host number (a tensor of shape [n, 0]); its shape is [${t.shape.join(', ')}]`);
  return t.shape[0];
}
