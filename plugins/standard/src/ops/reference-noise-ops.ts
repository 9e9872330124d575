import * as tf from '@tensorflow/tfjs-core';
import { fillLaneNormalReference } from './internal/lane-normal-stream.js';
import { noiseRng, type NoiseOps } from './noise-ops.js';

/** The plain implementation: the JS lane-ziggurat stream and one tf.add per tensor. Runs on any backend. */
export const referenceNoiseOps: NoiseOps = {
  gaussianNoise: (n, source, std) => fillLaneNormalReference(noiseRng(source), new Float32Array(n), n, std),
  addNoise(tensors, noise) {
    const out: Record<string, tf.Tensor> = {};
    let offset = 0;
    for (const [key, t] of Object.entries(tensors)) {
      const eps = noise.subarray(offset, offset + t.size);
      out[key] = tf.tidy(() => tf.add(t, tf.tensor(eps, t.shape, 'float32')));
      offset += t.size;
    }
    return out;
  },
};
