import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, initContext, stepContext, tensors, values, variables } from '../testing/contexts.js';
import { sgd } from './sgd.js';

test('sgd: θ ← θ − lr·g with lr from ctx (0.1), not the configured recipe default', (t) => {
  const params = variables({ w: [1, 2], b: [0] });
  const grads = tensors({ w: [0.5, -1], b: [2] });
  const opt = sgd({ learningRate: 0.5 });
  const state = opt.init(initContext(0, params));
  opt.apply(params, grads, state, stepContext(0, params, 0.1));
  t.deepEqual(values(params.w), [Math.fround(0.95), Math.fround(2.1)]);
  t.deepEqual(values(params.b), [Math.fround(-0.2)]);
  opt.apply(params, grads, state, stepContext(1, params, 0.1));
  t.deepEqual(values(params.w), [Math.fround(Math.fround(0.95) - 0.05), Math.fround(Math.fround(2.1) + 0.1)]);
  disposeAll(params);
  disposeAll(grads);
});

test.serial('sgd: no tensor leak, params keep their identity', (t) => {
  const params = variables({ w: [1, 2] });
  const grads = tensors({ w: [1, 1] });
  const opt = sgd();
  const state = opt.init(initContext(0, params));
  const w = params.w;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) tf.tidy(() => void opt.apply(params, grads, state, stepContext(i, params)));
  t.is(tf.memory().numTensors, before);
  t.is(params.w, w);
  disposeAll(params);
  disposeAll(grads);
});

test('sgd: a gradient without a parameter is reported', (t) => {
  const params = variables({ w: [1] });
  const grads = tensors({ v: [1] });
  const opt = sgd();
  t.throws(() => opt.apply(params, grads, opt.init(initContext(0, params)), stepContext(0, params)), { message: /'v', which is not a parameter/ });
  disposeAll(params);
  disposeAll(grads);
});
