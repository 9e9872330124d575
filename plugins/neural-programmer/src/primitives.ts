import * as tf from '@tensorflow/tfjs-core';

/** The tensor building blocks of the Neural Programmer's forward pass. */

const NEG = -1e9;

/** One-hot float32 of int32 indices along a new last axis of size n (any n ≥ 1, unlike tf.oneHot). */
export function oneHot(indices: tf.Tensor, n: number): tf.Tensor {
  return tf.equal(tf.expandDims(indices, -1), tf.range(0, n, 1, 'int32')).toFloat();
}

/** Softmax over the last axis with masked-out entries (mask 0) excluded; all-masked rows give 0. */
export function maskedSoftmax(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  const shifted = tf.add(logits, tf.mul(tf.sub(1, mask), NEG));
  return tf.mul(tf.softmax(shifted), mask) as tf.Tensor2D;
}

/** One-hot of the argmax over unmasked entries (all-masked rows give 0). */
export function maskedArgmaxOneHot(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  const shifted = tf.add(logits, tf.mul(tf.sub(1, mask), NEG));
  const n = logits.shape[1];
  return tf.mul(oneHot(tf.argMax(shifted, 1), n), mask) as tf.Tensor2D;
}

/**
 * 1[x > 0] as float32 with a zero gradient: the operations' hard comparisons (tfjs registers no gradient
 * for Greater/Less, and the spec's comparisons carry none).
 */
export const hardStep = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.greater(x, 0).toFloat(),
  gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)],
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/**
 * Rows `ids` of an embedding table as a one-hot matmul (the vocabulary is small): unlike tf.gather its
 * gradient needs no UnsortedSegmentSum, which the wasm backend lacks.
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const [V, d] = table.shape;
  const flat = tf.reshape(oneHot(ids, V), [-1, V]) as tf.Tensor2D;
  return tf.reshape(tf.matMul(flat, table), [...ids.shape, d]);
}
