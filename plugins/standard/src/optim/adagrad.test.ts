import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, initContext, stepContext, tensors, values, variables } from '../testing/contexts.js';
import { adagrad } from './adagrad.js';

// a₀ = 0.1, lr 0.1, g = 1: a = 1.1, θ = 1 − 0.1/√1.1 = 0.9046537; a = 2.1, θ −= 0.1/√2.1 → 0.8356471
test('adagrad: two steps by hand', (t) => {
  const params = variables({ w: [1] });
  const grads = tensors({ w: [1] });
  const opt = adagrad();
  const state = opt.init(initContext(0, params));
  t.true(Math.abs(values(state.accumulator.w)[0] - 0.1) < 1e-8);
  opt.apply(params, grads, state, stepContext(0, params, 0.1));
  t.true(Math.abs(values(params.w)[0] - 0.9046537) < 1e-6);
  t.true(Math.abs(values(state.accumulator.w)[0] - 1.1) < 1e-6);
  opt.apply(params, grads, state, stepContext(1, params, 0.1));
  t.true(Math.abs(values(params.w)[0] - 0.8356471) < 1e-6);
  opt.dispose!(state);
  disposeAll(params);
  disposeAll(grads);
});

test('adagrad with epsilon: θ = 1 − 0.1·1/(√1.1 + 0.5) = 0.9355420', (t) => {
  const params = variables({ w: [1] });
  const grads = tensors({ w: [1] });
  const opt = adagrad({ epsilon: 0.5 });
  const state = opt.init(initContext(0, params));
  opt.apply(params, grads, state, stepContext(0, params, 0.1));
  t.true(Math.abs(values(params.w)[0] - (1 - 0.1 / (Math.sqrt(1.1) + 0.5))) < 1e-6);
  opt.dispose!(state);
  disposeAll(params);
  disposeAll(grads);
});

test.serial('adagrad: apply leaks no tensors; dispose frees the accumulators', (t) => {
  const params = variables({ w: [1, 2] });
  const grads = tensors({ w: [1, 1] });
  const opt = adagrad();
  const base = tf.memory().numTensors;
  const state = opt.init(initContext(0, params));
  tf.tidy(() => void opt.apply(params, grads, state, stepContext(0, params)));
  t.is(tf.memory().numTensors, base + 1);
  opt.dispose!(state);
  t.is(tf.memory().numTensors, base);
  disposeAll(params);
  disposeAll(grads);
});
