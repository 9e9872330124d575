import { LaneNormalSampler } from './internal/lane-normal-sampler.js';
import { tensorflowLaneNoise } from './internal/tensorflow-lane-noise.js';
import { addNoiseOnWasmHeap } from './internal/wasm-heap-add.js';
import { noiseRng, type NoiseOps } from './noise-ops.js';
import { referenceNoiseOps } from './reference-noise-ops.js';

let sampler: LaneNormalSampler | undefined;

/**
 * The default implementation, with the same values as `referenceNoiseOps`:
 *  - sampling runs in a WebAssembly SIMD kernel (internal/wasm/normal-kernel-module.ts). It falls back
 *    to the JS stream when the runtime has no SIMD. The result is a view of the kernel's memory, valid
 *    until the next call;
 *  - on the tfjs 'wasm' backend the add is one SIMD pass over all tensors, written straight into new
 *    backend buffers (internal/wasm-heap-add.ts); on other backends, or for non-float32 tensors, it is
 *    tf.add.
 *  - on the tensorflow backend, `fused` draws and adds in one TensorFlow op (internal/tensorflow-lane-noise.ts),
 *    when `anneal backend install tensorflow` built anneal's op library.
 * All are kept because they pay: see the measurements in this package's README.
 */
export const fastNoiseOps: NoiseOps = {
  gaussianNoise: (n, source, std) => (sampler ??= new LaneNormalSampler()).sample(noiseRng(source), n, std),
  addNoise: (tensors, noise) => addNoiseOnWasmHeap(tensors, noise) ?? referenceNoiseOps.addNoise(tensors, noise),
  fused: () => tensorflowLaneNoise(),
};
