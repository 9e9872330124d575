/** @anneal/dataset-binary-arith: the Neural GPU's binary tasks and its length curriculum. */
export * from './encoding.js';
export { NGPU_BINS, binaryArithDataset, binaryArithSchema, checkBinaryArithConfig, makeBinaryArith, packExamples, type BinaryArithConfig } from './dataset.js';
export { checkpointStep, drawLength, lengthCurriculum, lengthCurriculumPlugin, lengthCurriculumSchema, type LengthCurriculumConfig, type LengthCurriculumState } from './length-curriculum.js';
export { binaryArithDataset as default } from './dataset.js';
