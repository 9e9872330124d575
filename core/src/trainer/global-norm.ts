import * as tf from '@tensorflow/tfjs-core';
import type { GradMap } from '../model/param-map.js';

/** sqrt(Σ_tensors Σ g²): the global L2 norm of a gradient map, as a scalar tensor. */
export function globalNorm(grads: GradMap): tf.Scalar {
  const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
  return tf.sqrt(squares.length === 1 ? squares[0] : tf.addN(squares)) as tf.Scalar;
}
