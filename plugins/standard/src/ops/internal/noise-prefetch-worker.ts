import { workerData, type MessagePort } from 'node:worker_threads';
import { Rng } from '@anneal/core/random';
import { LaneNormalSampler } from './lane-normal-sampler.js';
import { REQUEST, REQUEST_VALUES, type PrefetchReply } from './noise-prefetch-protocol.js';

/**
 * The prefetcher's thread (../noise-prefetcher.ts). It sleeps on the shared request word; for each
 * request (seq, n, key, std) it draws n values of N(0, std²) from `new Rng(key)` with the same sampler
 * as fastNoiseOps, posts them on the reply port (the buffer transferred, no copy), then publishes `seq`
 * as done. A failure publishes `seq` with status 1, and the main thread draws itself.
 */
const { control, values: valueWords, replies } = workerData as { control: SharedArrayBuffer; values: SharedArrayBuffer; replies: MessagePort };
const word = new Int32Array(control);
const values = new Float64Array(valueWords);
const sampler = new LaneNormalSampler('wasm-simd', { helper: false }); // this thread is itself the spare core

let last = 0;
for (;;) {
  Atomics.wait(word, REQUEST.seq, last);
  const seq = Atomics.load(word, REQUEST.seq);
  if (seq === last) continue;
  last = seq;
  const n = Atomics.load(word, REQUEST.n);
  const key = values[REQUEST_VALUES.key];
  const std = values[REQUEST_VALUES.std];
  let status = 0;
  try {
    const buffer = new ArrayBuffer(4 * n);
    new Float32Array(buffer).set(sampler.sample(new Rng(key), n, std));
    const reply: PrefetchReply = { seq, n, key, std, buffer };
    replies.postMessage(reply, [buffer]);
  } catch {
    status = 1;
  }
  Atomics.store(word, REQUEST.status, status);
  Atomics.store(word, REQUEST.done, seq);
}
