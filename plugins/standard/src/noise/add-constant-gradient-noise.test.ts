import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, inTidy, initContext, metric, stepContext } from '../testing/contexts.js';
import { meanAndVariance } from '../testing/statistics.js';
import { addConstantGradientNoise } from './add-constant-gradient-noise.js';

test('constant noise has variance η at every step (default η = 0.001 is a variance: std 0.0316)', (t) => {
  const grads = { w: tf.zeros([200000]) };
  const transform = addConstantGradientNoise();
  const state = transform.init(initContext(3));
  for (const step of [0, 1000, 1e6]) {
    const { variance, std } = inTidy(() => {
      const r = transform.update(grads, state, stepContext(step));
      return { variance: meanAndVariance(r.grads.w.dataSync()).variance, std: metric(r.metrics, 'noise_std') };
    });
    t.true(Math.abs(std - Math.sqrt(0.001)) < 1e-12);
    t.true(Math.abs(variance / 0.001 - 1) < 0.02, `variance ${variance} at t=${step}`);
  }
  disposeAll(grads);
});
