export * from './sweep-progress.js';
export * from './run-sweep.js';
export * from './shards.js';
