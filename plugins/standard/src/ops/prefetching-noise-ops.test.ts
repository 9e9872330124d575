import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { backendComputeThreads, deriveSeed, recordTensorflowComputeThreads } from '@anneal/core';
import { disposeAll, inTidy, initContext, stepContext } from '../testing/contexts.js';
import { addGradientNoise } from '../noise/add-gradient-noise.js';
import { NoisePrefetcher, PREFETCH_MIN_SIZE, prefetchHasACore } from './noise-prefetcher.js';
import { fastNoiseOps, prefetchingNoiseOps, referenceNoiseOps } from './index.js';

const N = PREFETCH_MIN_SIZE + 13;
const onDemand = (n: number, key: number, std: number) => Float32Array.from(fastNoiseOps.gaussianNoise(n, key, std));

/** The first index where two arrays differ (bit for bit), or undefined. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number | undefined {
  if (a.length !== b.length) return -1;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return undefined;
}

/** Waits (yielding to the event loop) until the thread has answered the pending request. */
async function answered(p: NoisePrefetcher): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!p.ready) {
    if (Date.now() > deadline) throw new Error('the prefetch thread did not answer within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test.serial('a prefetched draw is bit-identical to drawing on demand, and it is taken only for exactly the (n, key, std) requested', async (t) => {
  const p = new NoisePrefetcher();
  p.request(N, 5, 0.1);
  await answered(p);
  const got = p.take(N, 5, 0.1);
  t.truthy(got, 'the thread started and answered');
  t.is(firstDifference(got!, onDemand(N, 5, 0.1)), undefined);
  t.is(p.take(N, 5, 0.1), undefined, 'taken once');

  p.request(N, 6, 0.1);
  t.is(p.take(N, 7, 0.1), undefined, 'another key: no prefetched values');
  p.request(N, 6, 0.1);
  t.is(p.take(N, 6, 0.2), undefined, 'another std');
  p.request(N, 6, 0.1);
  t.is(p.take(N + 1, 6, 0.1), undefined, 'another size');
  t.is(PREFETCH_MIN_SIZE, 1_048_576);
  for (const key of [0xfb6d2a3e, -5, 2 ** 40 + 3]) {
    p.request(N, key, 0.25);
    await answered(p);
    t.is(firstDifference(p.take(N, key, 0.25) ?? [], onDemand(N, key, 0.25)), undefined, `key ${key}: uint32, negative and wide keys are taken too`);
  }
  p.request(100, 6, 0.1);
  t.is(p.take(100, 6, 0.1), undefined, 'small draws are not handed to the thread');
});

test.serial('a request replaced before it was taken: the newer one is returned; successive draws keep their values', async (t) => {
  const p = new NoisePrefetcher();
  p.request(N, 1, 1);
  p.request(N, 2, 1);
  await answered(p);
  t.is(firstDifference(p.take(N, 2, 1)!, onDemand(N, 2, 1)), undefined);
  const kept: Float32Array[] = [];
  for (let key = 10; key < 16; key++) {
    p.request(N, key, 0.5);
    await answered(p);
    const got = p.take(N, key, 0.5)!;
    t.is(firstDifference(got, onDemand(N, key, 0.5)), undefined, `key ${key}`);
    kept.push(got);
  }
  // Each take owns its buffer: earlier results keep their values after later draws.
  t.is(firstDifference(kept[0], onDemand(N, 10, 0.5)), undefined);
});

test.serial('a draw not finished when it is taken is left (the caller draws itself); its late reply is skipped by the next take', async (t) => {
  const p = new NoisePrefetcher();
  const big = 4_000_000;
  p.request(big, 21, 1);
  t.false(p.ready);
  t.is(p.take(big, 21, 1), undefined, 'not ready: no waiting');
  p.request(N, 22, 1);
  await answered(p);
  t.is(firstDifference(p.take(N, 22, 1)!, onDemand(N, 22, 1)), undefined);
});

test.serial('prefetchingNoiseOps = fastNoiseOps = referenceNoiseOps, with and without a prefetch, for keys and Rng sources', (t) => {
  for (const [n, key, std] of [[N, 3, 0.01], [1001, 4, 1], [N, -9, 2]] as const) {
    const ref = referenceNoiseOps.gaussianNoise(n, key, std);
    t.is(firstDifference(prefetchingNoiseOps.gaussianNoise(n, key, std), ref), undefined, 'no prefetch');
    prefetchingNoiseOps.prefetch!(n, key, std);
    t.is(firstDifference(prefetchingNoiseOps.gaussianNoise(n, key, std), ref), undefined, 'prefetched');
  }
});

test.serial("the annealed-noise plugin asks for step t+1's draw, and a run of steps gives the same noise as referenceNoiseOps, also when a step is repeated or skipped", (t) => {
  const grads = { w: tf.zeros([1100, 1000]), b: tf.zeros([77]) };
  const withPrefetch = addGradientNoise({ eta: 0.3 });
  const reference = addGradientNoise({ eta: 0.3 }, referenceNoiseOps);
  const s1 = withPrefetch.init(initContext(4));
  const s2 = reference.init(initContext(4));
  for (const step of [0, 1, 2, 2, 5, 6]) {
    const [a, b] = inTidy(() => [withPrefetch.update(grads, s1, stepContext(step)).grads, reference.update(grads, s2, stepContext(step)).grads].map((g) => [g.w.dataSync(), g.b.dataSync()]));
    t.is(firstDifference(a[0], b[0]) ?? firstDifference(a[1], b[1]), undefined, `step ${step}`);
  }
  disposeAll(grads);
});

test.serial("the plugin's hint is step t+1's (size, key, σ): deriveSeed(seed, 'noise/t+1') and sqrt(η/(2+t)^γ)", (t) => {
  const asked: [number, number, number][] = [];
  const recording = { ...prefetchingNoiseOps, prefetch: (n: number, key: number, std: number) => asked.push([n, key, std]) };
  const grads = { w: tf.zeros([4, 5]), b: tf.zeros([3]) };
  const transform = addGradientNoise({ eta: 0.01, gamma: 0.55 }, recording);
  const state = transform.init(initContext(11));
  inTidy(() => transform.update(grads, state, stepContext(7)));
  t.deepEqual(asked, [[23, deriveSeed(11, 'noise/8'), Math.sqrt(0.01 / Math.pow(9, 0.55))]]);
  disposeAll(grads);
});

test.serial('the prefetch runs only when the backend leaves a core idle: not beside TensorFlow with a thread per core', (t) => {
  const cores = availableParallelism();
  t.is(backendComputeThreads('cpu'), 1);
  t.is(backendComputeThreads('wasm'), 1);
  t.is(prefetchHasACore('wasm'), cores > 1);
  recordTensorflowComputeThreads(cores);
  t.is(backendComputeThreads('tensorflow'), cores);
  t.false(prefetchHasACore('tensorflow'));
  recordTensorflowComputeThreads(1);
  t.is(prefetchHasACore('tensorflow'), cores > 1);
  recordTensorflowComputeThreads(undefined); // TensorFlow chose: a thread per core
  t.is(backendComputeThreads('tensorflow'), cores);
});
