/** @anneal/model-neural-gpu: the Neural GPU model family. */
export { cgru, conv3x3, cutoffSigmoid, type CgruParams, type ConvMode } from './cgru.js';
export { NGPU_METRICS, NeuralGpuModel, neuralGpuFamily, neuralGpuSchema, type NeuralGpuConfig } from './neural-gpu.js';
export { neuralGpuFamily as default } from './neural-gpu.js';
