import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { forwardContext, initContext, values } from '../testing/contexts.js';
import { invertedDropout } from './inverted-dropout.js';

test('training: drops ≈ rate of the entries and scales the rest by 1/(1 − rate)', (t) => {
  for (const rate of [0.5, 0.2]) {
    const dropout = invertedDropout({ rate });
    const state = dropout.init(initContext(3));
    const x = tf.ones([100, 1000]);
    const y = values(dropout.apply(x, 'hidden/1', state, forwardContext(true)));
    const kept = y.filter((v) => v !== 0);
    t.true(kept.every((v) => Math.abs(v - 1 / (1 - rate)) < 1e-6), 'kept entries are scaled');
    const dropped = 1 - kept.length / y.length;
    // n = 100k: s.e. ≤ 0.0016; 0.01 tolerance is > 6 s.e.
    t.true(Math.abs(dropped - rate) < 0.01, `dropped fraction ${dropped}`);
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    t.true(Math.abs(mean - 1) < 0.02, 'expectation preserved');
    x.dispose();
  }
});

test('evaluation: identity (the same tensor, no randomness consumed)', (t) => {
  const dropout = invertedDropout();
  const state = dropout.init(initContext(3));
  const before = state.rng.getState();
  const x = tf.tensor1d([1, 2, 3]);
  t.is(dropout.apply(x, 'hidden/1', state, forwardContext(false)), x);
  t.deepEqual(state.rng.getState(), before);
  x.dispose();
});

test('seeded masks; the gradient flows through the mask', (t) => {
  const run = (seed: number) => {
    const dropout = invertedDropout({ rate: 0.5 });
    const state = dropout.init(initContext(seed));
    const x = tf.ones([64]);
    // No gradients are registered for plain ops in tfjs-core's Node bundle: dropout must carry its own.
    const { value, grad } = tf.tidy(() => tf.valueAndGrad((v: tf.Tensor) => dropout.apply(v, 's', state, forwardContext(true)))(x, tf.onesLike(x)));
    const result = { value: values(value), grad: values(grad) };
    tf.dispose([value, grad, x]);
    return result;
  };
  const a = run(1);
  t.deepEqual(run(1), a);
  t.notDeepEqual(run(2).grad, a.grad);
  t.true(a.grad.every((g) => g === 0 || g === 2));
  t.deepEqual(a.value, a.grad, 'for x = 1, y = mask = dy/dx');
});

test('sites default to hidden/*', (t) => {
  t.deepEqual(invertedDropout().sites, ['hidden/*']);
  t.deepEqual(invertedDropout({ sites: ['h/2'] }).sites, ['h/2']);
});

test.serial('no tensor leak through forward and backward (the saved mask is released with the tape)', (t) => {
  const dropout = invertedDropout({ rate: 0.3 });
  const state = dropout.init(initContext(4));
  const x = tf.ones([8, 8]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) tf.tidy(() => void tf.valueAndGrad((v: tf.Tensor) => dropout.apply(v, 's', state, forwardContext(true)))(x, tf.onesLike(x)));
  t.is(tf.memory().numTensors, before);
  x.dispose();
});
