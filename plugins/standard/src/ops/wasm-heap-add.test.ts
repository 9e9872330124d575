import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, initContext, stepContext } from '../testing/contexts.js';
import { addGradientNoise } from '../noise/add-gradient-noise.js';
import { addWeightNoise } from '../noise/add-weight-noise.js';
import { fastNoiseOps, referenceNoiseOps } from './index.js';
import { addNoiseOnWasmHeap, wasmHeapAddAvailable } from './internal/wasm-heap-add.js';

// This file runs on the tfjs 'wasm' backend (each ava test file is its own process).
test.before(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
});

const SHAPES: Record<string, number[]> = { w0: [784, 50], b0: [50], w1: [50, 50], b1: [50], w2: [50, 10], b2: [10], odd: [3, 7] };

function gradients(): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(SHAPES).map(([k, s], i) => [k, tf.randomNormal(s, 0, 1, 'float32', i + 1)]));
}

function noiseFor(grads: Record<string, tf.Tensor>, scale = 0.1): Float32Array {
  const total = Object.values(grads).reduce((n, g) => n + g.size, 0);
  return Float32Array.from({ length: total }, (_, i) => scale * Math.sin(i * 12.9898) * 43758.5453 % 1);
}

const values = (map: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(map).map(([k, t]) => [k, Array.from(t.dataSync())]));

test.serial('on wasm the fast add is the heap add, and it is bit-identical to tf.add, shapes and dtypes kept', (t) => {
  t.is(tf.getBackend(), 'wasm');
  t.true(wasmHeapAddAvailable());
  const grads = gradients();
  const noise = noiseFor(grads);
  const before = values(grads);
  tf.tidy(() => {
    const heap = addNoiseOnWasmHeap(grads, noise)!;
    const reference = referenceNoiseOps.addNoise(grads, noise);
    t.deepEqual(values(fastNoiseOps.addNoise(grads, noise)), values(reference));
    t.deepEqual(values(heap), values(reference));
    for (const [k, g] of Object.entries(heap)) {
      t.deepEqual(g.shape, SHAPES[k]);
      t.is(g.dtype, 'float32');
      t.not(g.dataId, grads[k].dataId, 'a new buffer, not the input');
    }
  });
  t.deepEqual(values(grads), before, 'inputs untouched');
  disposeAll(grads);
});

test.serial('no tensor leak; outputs survive the next call (they own their buffers); smaller calls work after a large one', (t) => {
  const grads = gradients();
  const start = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) tf.tidy(() => void fastNoiseOps.addNoise(grads, noiseFor(grads, i)));
  t.is(tf.memory().numTensors, start);
  const kept = tf.tidy(() => fastNoiseOps.addNoise(grads, noiseFor(grads, 1)));
  const keptValues = values(kept);
  const big = { x: tf.zeros([1000, 1000]) };
  tf.tidy(() => void fastNoiseOps.addNoise(big, new Float32Array(1_000_000).fill(2)));
  tf.tidy(() => void fastNoiseOps.addNoise(grads, noiseFor(grads, 3)));
  t.deepEqual(values(kept), keptValues);
  t.is(tf.memory().numTensors, start + Object.keys(SHAPES).length + 1);
  disposeAll(kept);
  disposeAll(big);
  disposeAll(grads);
});

test.serial('non-float32 gradients make the heap add decline (the fast add then uses tf.add); empty tensors pass through', (t) => {
  const ints = { a: tf.tensor1d([1, 2, 3], 'int32'), b: tf.zeros([2]) };
  t.is(addNoiseOnWasmHeap(ints, new Float32Array(5)), null);
  tf.tidy(() => {
    const out = fastNoiseOps.addNoise(ints, Float32Array.from([1, 1, 1, 0.5, 0.5]));
    t.deepEqual(Array.from(out.b.dataSync()), [0.5, 0.5]);
  });
  const empty = { e: tf.zeros([0, 3]), f: tf.ones([2]) };
  tf.tidy(() => {
    const out = addNoiseOnWasmHeap(empty, Float32Array.from([1, 2]))!;
    t.deepEqual(out.e.shape, [0, 3]);
    t.deepEqual(Array.from(out.f.dataSync()), [2, 3]);
  });
  disposeAll(ints);
  disposeAll(empty);
});

test.serial('on wasm, gradient noise and weight noise give the same values with the fast and the reference ops', (t) => {
  const grads = gradients();
  const gradientNoise = (ops: typeof fastNoiseOps) => {
    const transform = addGradientNoise({ eta: 0.01 }, ops);
    const state = transform.init(initContext(5));
    return Array.from({ length: 4 }, (_, step) => tf.tidy(() => values(transform.update(grads, state, stepContext(step)).grads)));
  };
  t.deepEqual(gradientNoise(fastNoiseOps), gradientNoise(referenceNoiseOps));
  const weightNoise = (ops: typeof fastNoiseOps) => {
    const params = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.variable(g, false)]));
    const transform = addWeightNoise({ eta: 0.01 }, ops);
    const state = transform.init(initContext(5, params));
    for (let step = 0; step < 3; step++) transform.apply(params, state, stepContext(step, params));
    const out = values(params);
    disposeAll(params);
    return out;
  };
  t.deepEqual(weightNoise(fastNoiseOps), weightNoise(referenceNoiseOps));
  disposeAll(grads);
});
