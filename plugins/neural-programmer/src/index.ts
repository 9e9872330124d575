export * from './primitives.js';
export * from './text-match.js';
export * from './forward.js';
export * from './model.js';
export { neuralProgrammerFamily as default } from './model.js';
