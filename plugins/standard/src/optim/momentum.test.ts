import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, initContext, stepContext, tensors, values, variables } from '../testing/contexts.js';
import { momentum } from './momentum.js';

function close(t: { true(v: boolean, m?: string): void }, actual: number[], expected: number[]): void {
  expected.forEach((e, i) => t.true(Math.abs(actual[i] - e) < 1e-6, `${actual[i]} vs ${e}`));
}

test('momentum: two steps by hand (μ 0.9, lr 0.1, g 1): v 1 → 1.9, θ 1 → 0.9 → 0.71', (t) => {
  const params = variables({ w: [1] });
  const grads = tensors({ w: [1] });
  const opt = momentum({ momentum: 0.9 });
  const state = opt.init(initContext(0, params));
  opt.apply(params, grads, state, stepContext(0, params, 0.1));
  close(t, values(params.w), [0.9]);
  close(t, values(state.velocity.w), [1]);
  opt.apply(params, grads, state, stepContext(1, params, 0.1));
  close(t, values(params.w), [0.71]);
  close(t, values(state.velocity.w), [1.9]);
  disposeAll(params);
  disposeAll(grads);
  opt.dispose!(state);
});

test('nesterov momentum: θ ← θ − lr(g + μv): 1 → 0.81 → 0.539', (t) => {
  const params = variables({ w: [1] });
  const grads = tensors({ w: [1] });
  const opt = momentum({ momentum: 0.9, nesterov: true });
  const state = opt.init(initContext(0, params));
  opt.apply(params, grads, state, stepContext(0, params, 0.1));
  close(t, values(params.w), [0.81]);
  opt.apply(params, grads, state, stepContext(1, params, 0.1));
  close(t, values(params.w), [0.539]);
  disposeAll(params);
  disposeAll(grads);
  opt.dispose!(state);
});

test.serial('momentum: init creates one Variable per parameter, apply leaks nothing, dispose frees the state', (t) => {
  const start = tf.memory().numTensors;
  const params = variables({ w: [1, 2], b: [3] });
  const grads = tensors({ w: [1, 1], b: [1] });
  const opt = momentum();
  const afterInputs = tf.memory().numTensors;
  const state = opt.init(initContext(0, params));
  t.is(tf.memory().numTensors, afterInputs + 2);
  tf.tidy(() => void opt.apply(params, grads, state, stepContext(0, params)));
  t.is(tf.memory().numTensors, afterInputs + 2);
  opt.dispose!(state);
  t.is(tf.memory().numTensors, afterInputs);
  disposeAll(params);
  disposeAll(grads);
  t.is(tf.memory().numTensors, start);
});
