/** @anneal/model-neural-gpu: the Neural GPU model family. */
export { beginForward, cgru, conv3x3, kernelTaps, cutoffSigmoid, fullRows, imageGeometry, shiftRows, shiftedTaps, type CgruParams, type ConvMode, type ImageGeometry } from './cgru.js';
export { averageCopies, averageCopiesPlugin, averageCopiesSchema, averageCopyGroups, copyGroups, type AverageCopiesConfig, type AverageCopiesState } from './average-copies.js';
export { NGPU_METRICS, NeuralGpuModel, neuralGpuFamily, neuralGpuSchema, type NeuralGpuConfig } from './neural-gpu.js';
export { neuralGpuFamily as default } from './neural-gpu.js';
