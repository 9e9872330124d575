/** @anneal/curriculum: curricula that raise a difficulty level from the training signal. */
export { raiseOnThreshold, thresholdCurriculumPlugin, thresholdCurriculumSchema } from './threshold-curriculum.js';
export type { ThresholdCurriculumConfig, ThresholdCurriculumState } from './threshold-curriculum.js';
