import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, tensors } from '../testing/contexts.js';
import { globalNorm, globalNormValue } from '../index.js';

test('the re-exported global-norm helpers: [3,4] and [[12]] → 13', (t) => {
  const grads: Record<string, tf.Tensor> = { ...tensors({ a: [3, 4] }), b: tf.tensor2d([[12]]) };
  t.is(globalNormValue(grads), 13);
  const s = globalNorm(grads);
  t.deepEqual(s.shape, []);
  t.is(s.dataSync()[0], 13);
  s.dispose();
  disposeAll(grads);
});
