export * from './worker-protocol.js';
export * from './worker-pool.js';
export * from './sweep-progress.js';
export * from './run-sweep.js';
