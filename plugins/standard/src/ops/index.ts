/** The noise ops layer: what the noise plugins call, with a fast and a reference implementation. */
export { addGaussianNoise, GraphNoise, noiseRng, totalSize, type FusedNoiseKernel, type NoiseOps } from './noise-ops.js';
export { referenceNoiseOps } from './reference-noise-ops.js';
export { fastNoiseOps } from './fast-noise-ops.js';
export { FUSED_PREFETCH_MIN_SIZE, prefetchingNoiseOps } from './prefetching-noise-ops.js';
export { PREFETCH_MIN_SIZE } from './noise-prefetcher.js';
export { simdNormalKernelAvailable } from './internal/lane-normal-sampler.js';
export { wasmHeapAddAvailable } from './internal/wasm-heap-add.js';
export { tensorflowLaneNoise, tensorflowLaneNoiseStatus } from './internal/tensorflow-lane-noise.js';
