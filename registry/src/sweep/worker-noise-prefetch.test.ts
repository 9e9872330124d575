import test from 'ava';
import { workerNoisePrefetchEnv } from './worker-noise-prefetch.js';

test('sweep workers that fill the cores draw their noise on demand; one worker, spare cores or a user setting keep the default', (t) => {
  t.deepEqual(workerNoisePrefetchEnv({}, 2, 1, 2), { ANNEAL_NOISE_PREFETCH: '0' }, '2 wasm workers on 2 cores');
  t.deepEqual(workerNoisePrefetchEnv({}, 2, 2, 2), { ANNEAL_NOISE_PREFETCH: '0' }, '2 TensorFlow workers of 2 threads');
  t.deepEqual(workerNoisePrefetchEnv({}, 1, 1, 2), {}, 'one worker: it counts its own threads');
  t.deepEqual(workerNoisePrefetchEnv({}, 2, 1, 8), {}, '2 single-thread workers on 8 cores leave cores idle');
  t.deepEqual(workerNoisePrefetchEnv({ ANNEAL_NOISE_PREFETCH: '1' }, 2, 1, 2), {}, 'the user said so');
});
