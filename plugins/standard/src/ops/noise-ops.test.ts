import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@anneal/core';
import { disposeAll } from '../testing/contexts.js';
import { meanAndVariance } from '../testing/statistics.js';
import { fastNoiseOps, referenceNoiseOps, simdNormalKernelAvailable, totalSize } from './index.js';

// This file runs on the default test backend (cpu); wasm-heap-add.test.ts checks the add on 'wasm'.

test('the fast sampler is the SIMD kernel here, and it is bit-identical to the reference for keys and Rngs alike', (t) => {
  t.true(simdNormalKernelAvailable());
  for (const key of [0, 1, 77, 0x7fffffff, -5]) {
    for (const [n, std] of [[1, 1], [3, 0.5], [10, 0.1], [1001, 1e-3], [88210, 0.0316]] as const) {
      const fast = Float32Array.from(fastNoiseOps.gaussianNoise(n, key, std));
      t.deepEqual(fast, referenceNoiseOps.gaussianNoise(n, key, std), `key ${key}, n ${n}`);
    }
  }
  const a = new Rng(9);
  const b = new Rng(9);
  for (let call = 0; call < 3; call++) t.deepEqual(Float32Array.from(fastNoiseOps.gaussianNoise(500, a, 2)), referenceNoiseOps.gaussianNoise(500, b, 2));
  t.deepEqual(a.getState(), b.getState(), 'both advance the Rng alike');
});

test('a key means a fresh Rng(key); an Rng source advances, so successive draws differ', (t) => {
  t.deepEqual(referenceNoiseOps.gaussianNoise(50, 12, 1), referenceNoiseOps.gaussianNoise(50, new Rng(12), 1));
  const rng = new Rng(12);
  const first = Float32Array.from(fastNoiseOps.gaussianNoise(50, rng, 1));
  t.notDeepEqual(Float32Array.from(fastNoiseOps.gaussianNoise(50, rng, 1)), first);
});

test('gaussianNoise(n, key, σ) has mean 0 and variance σ² (200k draws: 5 standard errors)', (t) => {
  const n = 200_000;
  const std = 0.3;
  const { mean, variance } = meanAndVariance(referenceNoiseOps.gaussianNoise(n, 4, std));
  t.true(Math.abs(mean) < (5 * std) / Math.sqrt(n), `mean ${mean}`);
  t.true(Math.abs(variance / (std * std) - 1) < 5 * Math.sqrt(2 / n), `variance ${variance}`);
});

test.serial('addNoise: t + noise walked in map order, new tensors of the same shape and dtype, inputs untouched, no leak; fast = reference', (t) => {
  const tensors = { w: tf.tensor2d([[1, 2], [3, 4]]), b: tf.tensor1d([10, -10]), e: tf.zeros([0, 3]) };
  const noise = Float32Array.from([0.5, 0.25, -1, 2, 100, 1000]);
  t.is(totalSize(tensors), 6);
  const before = tf.memory().numTensors;
  for (const ops of [referenceNoiseOps, fastNoiseOps]) {
    tf.tidy(() => {
      const out = ops.addNoise(tensors, noise);
      t.deepEqual(Object.keys(out), ['w', 'b', 'e']);
      t.deepEqual(Array.from(out.w.dataSync()), [1.5, 2.25, 2, 6]);
      t.deepEqual(Array.from(out.b.dataSync()), [110, 990]);
      t.deepEqual(out.w.shape, [2, 2]);
      t.deepEqual(out.e.shape, [0, 3]);
      t.is(out.w.dtype, 'float32');
      t.not(out.w, tensors.w);
    });
    t.is(tf.memory().numTensors, before);
  }
  t.deepEqual(Array.from(tensors.w.dataSync()), [1, 2, 3, 4]);
  disposeAll(tensors);
});
