import * as tf from '@tensorflow/tfjs-core';

/**
 * Whether tensor data lives in host memory (cpu, wasm, tensorflow): core's definition, shared with the
 * trainer's gradient-norm path.
 */
export { isHostBackend } from '@anneal/core';

/**
 * True when writing an element-wise result in JS and wrapping it with tf.tensor beats running a tfjs
 * kernel: on the pure-JS 'cpu' backend (reading a tensor returns its backing array, no copy; measured
 * ~5× faster than 42 tf.add/tf.mul over the MLP's 88k values). On 'wasm' the kernels win (the read and
 * write memcpys cost more than the ~5 µs kernel overhead).
 */
export function prefersHostArithmetic(): boolean {
  return tf.getBackend() === 'cpu';
}
