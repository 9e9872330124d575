import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, tensors } from '../testing/contexts.js';
import { globalNorm, globalNormTensor, globalNormValue } from './global-norm.js';

test('global norm of [3,4] and [12] is 13 (number, scalar, and the tensor-op path)', (t) => {
  const grads = { ...tensors({ a: [3, 4] }), b: tf.tensor2d([[12]]) };
  t.is(globalNormValue(grads), 13);
  const s = globalNorm(grads);
  t.deepEqual(s.shape, []);
  t.is(s.dataSync()[0], 13);
  const u = globalNormTensor(Object.values(grads));
  t.is(u.dataSync()[0], 13);
  s.dispose();
  u.dispose();
  disposeAll(grads);
});

test('global norm of an empty map is 0', (t) => {
  t.is(globalNormValue({}), 0);
  const u = globalNormTensor([]);
  t.is(u.dataSync()[0], 0);
  u.dispose();
});

test.serial('globalNorm allocates only the returned scalar', (t) => {
  const grads = tensors({ a: [1, 2, 2] });
  const before = tf.memory().numTensors;
  const s = globalNorm(grads);
  const u = globalNormTensor(Object.values(grads));
  t.is(tf.memory().numTensors, before + 2);
  t.is(s.dataSync()[0], 3);
  s.dispose();
  u.dispose();
  disposeAll(grads);
});
