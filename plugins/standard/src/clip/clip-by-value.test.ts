import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, inTidy, metric, stepContext, tensors, values } from '../testing/contexts.js';
import { clipByValue } from './clip-by-value.js';

test('clips entries to [-v, v]; in-range tensors pass through; reports the clipped fraction', (t) => {
  const grads = tensors({ a: [-3, 0.5, 2, -1], b: [0.1, -0.9] });
  const clip = clipByValue({ maxValue: 1 });
  const r = inTidy(() => {
    const { grads: out, metrics } = clip.update(grads, {}, stepContext(0));
    return { a: values(out.a), sameB: out.b === grads.b, f: metric(metrics, 'clipped_fraction') };
  });
  t.deepEqual(r.a, [-1, 0.5, 1, -1]);
  t.true(r.sameB);
  t.is(r.f, 2 / 6);
  disposeAll(grads);
});

test.serial('no tensor leak', (t) => {
  const grads = tensors({ a: [-3, 0.5, 2] });
  const clip = clipByValue({ maxValue: 1 });
  const before = tf.memory().numTensors;
  tf.tidy(() => void clip.update(grads, {}, stepContext(0)));
  t.is(tf.memory().numTensors, before);
  disposeAll(grads);
});
