import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

let tensorflowComputeThreads: number | undefined;

/**
 * Records the size of TensorFlow's intra-op pool once its library has loaded (the backend selection calls this;
 * undefined: TensorFlow chose, which is one thread per core).
 */
export function recordTensorflowComputeThreads(threads: number | undefined): void {
  tensorflowComputeThreads = threads;
}

/**
 * How many threads the backend computes a step on: TensorFlow's intra-op pool on 'tensorflow', else 1 (wasm and
 * cpu compute on the calling thread). Work that could run beside the step on another thread (the noise
 * prefetch) only pays when this leaves a core idle.
 */
export function backendComputeThreads(backend: string = tf.getBackend()): number {
  if (backend !== 'tensorflow') return 1;
  return tensorflowComputeThreads ?? availableParallelism();
}
