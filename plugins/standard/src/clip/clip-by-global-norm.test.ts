import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, inTidy, initContext, metric, stepContext, tensors, values } from '../testing/contexts.js';
import { clipByGlobalNorm } from './clip-by-global-norm.js';

// Hand-computed: ‖[3,4]‖² + ‖[12]‖² = 25 + 144 = 169 → global norm 13.

test('clips by the global norm: [3,4],[12] with maxNorm 6.5 → [1.5,2],[6] (coef 0.5)', (t) => {
  const grads = tensors({ a: [3, 4], b: [12] });
  const clip = clipByGlobalNorm({ maxNorm: 6.5 });
  const r = inTidy(() => {
    const { grads: out, metrics } = clip.update(grads, clip.init(initContext(0)), stepContext(0));
    return { a: values(out.a), b: values(out.b), norm: metric(metrics, 'grad_norm'), coef: metric(metrics, 'clip_coef') };
  });
  t.deepEqual(r.a, [1.5, 2]);
  t.deepEqual(r.b, [6]);
  t.is(r.norm, 13);
  t.is(r.coef, 0.5);
  disposeAll(grads);
});

test('no-op at or below the threshold: the same tensors pass through with clip_coef 1', (t) => {
  const grads = tensors({ a: [3, 4], b: [12] });
  for (const maxNorm of [13, 100]) {
    const clip = clipByGlobalNorm({ maxNorm });
    const { grads: out, metrics } = clip.update(grads, clip.init(initContext(0)), stepContext(0));
    t.is(out, grads, 'the input map itself, so the trainer\'s norm memo applies');
    t.is(metric(metrics, 'clip_coef'), 1);
  }
  disposeAll(grads);
});

test('scales every tensor by the same factor (direction preserved), 2-D included', (t) => {
  const grads = { w: tf.tensor2d([[1, -2], [2, 0]]), b: tf.tensor1d([-4]) }; // 1+4+4+16 = 25 → norm 5
  const clip = clipByGlobalNorm({ maxNorm: 1 });
  const r = inTidy(() => {
    const { grads: out } = clip.update(grads, {}, stepContext(0));
    return { w: values(out.w), b: values(out.b), shape: out.w.shape };
  });
  t.deepEqual(r.shape, [2, 2]);
  [0.2, -0.4, 0.4, 0].forEach((v, i) => t.true(Math.abs(r.w[i] - v) < 1e-7));
  t.true(Math.abs(r.b[0] + 0.8) < 1e-7);
  disposeAll(grads);
});

test('uses the trainer\'s memoised norm when the context provides one', (t) => {
  const grads = tensors({ a: [3, 4], b: [12] });
  const clip = clipByGlobalNorm({ maxNorm: 6.5 });
  let asked = 0;
  const ctx = { ...stepContext(0), globalNorm: () => (asked++, 26) }; // pretend N = 26 → coef 0.25
  const r = inTidy(() => {
    const { grads: out, metrics } = clip.update(grads, {}, ctx);
    return { a: values(out.a), coef: metric(metrics, 'clip_coef') };
  });
  t.is(asked, 1);
  t.is(r.coef, 0.25);
  t.deepEqual(r.a, [0.75, 1]);
  disposeAll(grads);
});

test('a non-finite norm passes the gradients through and reports clip_coef NaN', (t) => {
  const grads = tensors({ a: [Number.NaN, 1] });
  const clip = clipByGlobalNorm({ maxNorm: 1 });
  const { grads: out, metrics } = clip.update(grads, {}, stepContext(0));
  t.is(out.a, grads.a);
  t.true(Number.isNaN(metric(metrics, 'clip_coef')));
  disposeAll(grads);
});

test.serial('no tensor leak when clipping', (t) => {
  const grads = tensors({ a: [3, 4], b: [12] });
  const clip = clipByGlobalNorm({ maxNorm: 1 });
  const before = tf.memory().numTensors;
  tf.tidy(() => void clip.update(grads, {}, stepContext(0)));
  t.is(tf.memory().numTensors, before);
  const kept = tf.tidy(() => clip.update(grads, {}, stepContext(0)).grads);
  t.is(tf.memory().numTensors, before + 2);
  disposeAll(kept);
  disposeAll(grads);
});
