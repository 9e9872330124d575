import * as tf from '@tensorflow/tfjs-core';

/**
 * True when the active tfjs backend keeps tensor data in host memory ('cpu': a JS typed array, no copy;
 * 'wasm': the wasm heap, one memcpy; 'tensorflow': tfjs-node). Reading a tensor there is a copy at most,
 * never a device round-trip, so norms and counts are cheaper to compute in JS than with ~2 tfjs ops per
 * tensor (each op costs ~5 µs of engine overhead on wasm). On other backends (webgl, webgpu) the
 * transforms fall back to tensor ops.
 */
export function isHostBackend(): boolean {
  const name = tf.getBackend();
  return name === 'cpu' || name === 'wasm' || name === 'tensorflow';
}
