/** Test kit for framework and plugin tests (tiny model, synthetic data, recording plugins). */
export * from './tiny-classifier.js';
export * from './synthetic-blobs.js';
export * from './recording-plugins.js';
