import * as tf from '@tensorflow/tfjs-core';
import { matMulForBackend } from '@anneal/core';

/**
 * a · b with tf.matMul's value and gradient, its backward products shaped for the backend (core's
 * matMulForBackend): on wasm (tfjs 4.22) a BatchMatMul with transposeA / transposeB — what tf.matMul's own
 * gradient emits — ran 12–14× slower than tf.transpose + an untransposed BatchMatMul
 * (400×200ᵀ·400×10000: 689 ms vs 55 ms; 400×10000·(200×10000)ᵀ: 802 ms vs 59 ms; load ≈ 7.5 on 2 cores);
 * on tensorflow the flags are native and the explicit transposes were 86 extra kernels per window.
 */
export function matMulFast(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matMulForBackend(a, b);
}
