// ava `require` file: the one place tests import reflect-metadata and pick the tfjs backend.
// ANNEAL_TEST_BACKEND=cpu|wasm (default cpu: exact, no async init).
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
const backend = process.env.ANNEAL_TEST_BACKEND ?? 'cpu';
if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
tf.env().set('PROD', true);
await tf.setBackend(backend);
await tf.ready();
