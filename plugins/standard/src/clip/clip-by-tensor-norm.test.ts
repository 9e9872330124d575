import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, inTidy, metric, stepContext, tensors, values } from '../testing/contexts.js';
import { clipByTensorNorm } from './clip-by-tensor-norm.js';

test('clips each tensor by its own norm: [3,4] (norm 5) kept, [12] (norm 12) → [6] with maxNorm 6', (t) => {
  const grads = tensors({ a: [3, 4], b: [12] });
  const clip = clipByTensorNorm({ maxNorm: 6 });
  const r = inTidy(() => {
    const { grads: out, metrics } = clip.update(grads, {}, stepContext(0));
    return { sameA: out.a === grads.a, a: values(out.a), b: values(out.b), n: metric(metrics, 'clipped_tensors'), c: metric(metrics, 'clip_coef_min') };
  });
  t.true(r.sameA);
  t.deepEqual(r.a, [3, 4]);
  t.deepEqual(r.b, [6]);
  t.is(r.n, 1);
  t.is(r.c, 0.5);
  disposeAll(grads);
});

test('Frobenius norm of a matrix: [[3,0],[0,4]] with maxNorm 1 → [[0.6,0],[0,0.8]]; default maxNorm is 40', (t) => {
  const grads = { w: tf.tensor2d([[3, 0], [0, 4]]) };
  const r = inTidy(() => values(clipByTensorNorm({ maxNorm: 1 }).update(grads, {}, stepContext(0)).grads.w));
  [0.6, 0, 0, 0.8].forEach((v, i) => t.true(Math.abs(r[i] - v) < 1e-7));
  const big = tensors({ a: [30, 40] }); // norm 50 > 40
  const s = inTidy(() => values(clipByTensorNorm().update(big, {}, stepContext(0)).grads.a));
  t.true(Math.abs(s[0] - 24) < 1e-5 && Math.abs(s[1] - 32) < 1e-5);
  disposeAll(grads);
  disposeAll(big);
});

test.serial('no tensor leak', (t) => {
  const grads = tensors({ a: [3, 4], b: [12] });
  const clip = clipByTensorNorm({ maxNorm: 1 });
  const before = tf.memory().numTensors;
  tf.tidy(() => void clip.update(grads, {}, stepContext(0)));
  t.is(tf.memory().numTensors, before);
  disposeAll(grads);
});
