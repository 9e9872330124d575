import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@anneal/core';
import { disposeAll, initContext, metric, stepContext } from '../testing/contexts.js';
import { meanAndVariance } from '../testing/statistics.js';
import { addWeightNoise } from './add-weight-noise.js';
import { referenceNoiseOps } from '../ops/index.js';

test.serial('weight noise adds N(0, η/(1+t)^γ) to every parameter entry in place, without leaking tensors', (t) => {
  const params = { w: tf.variable(tf.zeros([300, 400]), false), b: tf.variable(tf.fill([50000], 2), false) };
  const transform = addWeightNoise({ eta: 0.04 });
  const state = transform.init(initContext(8, params));
  const before = tf.memory().numTensors;
  const { metrics } = transform.apply(params, state, stepContext(9, params));
  t.is(tf.memory().numTensors, before);
  const expected = 0.04 / Math.pow(10, 0.55);
  t.true(Math.abs(metric(metrics, 'noise_std') - Math.sqrt(expected)) < 1e-12);
  const w = meanAndVariance(params.w.dataSync());
  const b = meanAndVariance(params.b.dataSync());
  t.true(Math.abs(w.variance / expected - 1) < 0.02, `w variance ${w.variance}`);
  t.true(Math.abs(b.variance / expected - 1) < 0.03, `b variance ${b.variance}`);
  t.true(Math.abs(b.mean - 2) < 5 * Math.sqrt(expected / 50000), `b mean ${b.mean}`);
  disposeAll(params);
});

test('weight noise defaults to η = 1e-6, γ = 0.55 and is seeded', (t) => {
  const run = (seed: number) => {
    const params = { w: tf.variable(tf.zeros([8]), false) };
    const transform = addWeightNoise();
    const state = transform.init(initContext(seed, params));
    const { metrics } = transform.apply(params, state, stepContext(0, params));
    const values = Array.from(params.w.dataSync());
    disposeAll(params);
    return { values, std: metric(metrics, 'noise_std') };
  };
  const a = run(1);
  t.is(a.std, 1e-3);
  t.deepEqual(a.values, Array.from(referenceNoiseOps.gaussianNoise(8, new Rng(1), 1e-3)));
  t.deepEqual(run(1).values, a.values);
  t.notDeepEqual(run(2).values, a.values);
});
