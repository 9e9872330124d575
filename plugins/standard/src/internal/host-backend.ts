import * as tf from '@tensorflow/tfjs-core';

/**
 * True when the active tfjs backend keeps tensor data in host memory ('cpu': a JS typed array, read
 * without a copy; 'wasm': the wasm heap, one memcpy; 'tensorflow': tfjs-node). Reading a tensor there
 * is cheap and never a device round-trip, so reductions (norms, counts) are done in JS: ~0.2 ms for the
 * paper's 88k-parameter MLP versus ~85 tfjs ops. On other backends (webgl, webgpu) the transforms use
 * tensor ops.
 */
export function isHostBackend(): boolean {
  const name = tf.getBackend();
  return name === 'cpu' || name === 'wasm' || name === 'tensorflow';
}

/**
 * True when writing an element-wise result in JS and wrapping it with tf.tensor beats running a tfjs
 * kernel: on the pure-JS 'cpu' backend (measured ~5× faster for 42 adds/muls over 88k values). On
 * 'wasm' the kernels win (the read + write memcpys cost more than the ~5 µs kernel overhead).
 */
export function prefersHostArithmetic(): boolean {
  return tf.getBackend() === 'cpu';
}
