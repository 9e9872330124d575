export * from './forward.js';
export * from './model.js';
export { neuralProgrammerFamily as default } from './model.js';
