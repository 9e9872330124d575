export * from './queue-url.js';
export * from './trial-queue.js';
export * from './mlflow-trial-run.js';
export * from './queue-executor.js';
export * from './queue-sweep.js';
export * from './queue-worker.js';
export * from './redis-server.js';
export * from './sweep-status.js';
