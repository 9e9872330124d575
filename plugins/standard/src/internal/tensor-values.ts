import type * as tf from '@tensorflow/tfjs-core';

/** The float values of `t` (a view on cpu, a copy on wasm). Callers must not write to it. */
export function readValues(t: tf.Tensor): Float32Array {
  const data = t.dataSync();
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

/** Σ x² accumulated in float64. */
export function sumOfSquares(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    s += v * v;
  }
  return s;
}
