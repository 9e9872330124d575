import * as tf from '@tensorflow/tfjs-core';
import type { GradMap } from '@anneal/core';
import { readValues } from '../internal/tensor-values.js';
import { prefersHostArithmetic } from '../internal/host-backend.js';
import { addNoiseOnWasmHeap, wasmHeapAddAvailable } from './wasm-heap-add.js';

/**
 * How the sampled noise is added to the gradient tensors:
 *  - 'tensor-add': per tensor, a tf.tensor over a view of the noise buffer plus one tf.add (2 engine
 *    calls per tensor; works on every backend; the temporary tensor is disposed at once, so the buffer
 *    can be reused even on the cpu backend, which does not copy);
 *  - 'host-add': per tensor, read the gradient (a view on cpu, a memcpy on wasm), add in JS into a fresh
 *    array and wrap it with tf.tensor (no kernel call; only for backends with host-resident data);
 *  - 'wasm-heap': tfjs 'wasm' only (wasm-heap-add.ts): one SIMD add over all tensors in a side module,
 *    results written straight into new backend buffers, no kernel dispatch. Falls back to 'tensor-add'
 *    on other backends.
 */
export type NoiseAddStrategy = 'tensor-add' | 'host-add' | 'wasm-heap';

/** The cheapest strategy for the active backend: 'host-add' on cpu, 'wasm-heap' on wasm, else 'tensor-add'. */
export function defaultNoiseAddStrategy(): NoiseAddStrategy {
  if (prefersHostArithmetic()) return 'host-add';
  return wasmHeapAddAvailable() ? 'wasm-heap' : 'tensor-add';
}

/**
 * Returns { name: g + noise[offset : offset + g.size] } for every tensor, walking `noise` in the map's
 * order. Never disposes or mutates its inputs; `noise` may be reused once this returns.
 */
export function addNoiseFromBuffer(tensors: GradMap, noise: Float32Array, strategy: NoiseAddStrategy): GradMap {
  if (strategy === 'wasm-heap') {
    const out = addNoiseOnWasmHeap(tensors, noise);
    if (out) return out;
  }
  const out: Record<string, tf.Tensor> = {};
  let offset = 0;
  for (const [key, g] of Object.entries(tensors)) {
    const n = g.size;
    const eps = noise.subarray(offset, offset + n);
    if (strategy === 'host-add' && g.dtype === 'float32') {
      const values = readValues(g);
      const sum = new Float32Array(n);
      for (let i = 0; i < n; i++) sum[i] = values[i] + eps[i];
      out[key] = tf.tensor(sum, g.shape, 'float32');
    } else {
      const epsTensor = tf.tensor(eps, g.shape, 'float32');
      out[key] = tf.add(g, epsTensor);
      epsTensor.dispose();
    }
    offset += n;
  }
  return out;
}
