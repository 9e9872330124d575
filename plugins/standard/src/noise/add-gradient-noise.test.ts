import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, deriveSeed, isAnnealError, type GradMap } from '@anneal/core';
import { disposeAll, inTidy, initContext, metric, stepContext } from '../testing/contexts.js';
import { meanAndVariance } from '../testing/statistics.js';
import { fastNoiseOps, referenceNoiseOps, type NoiseOps } from '../ops/index.js';
import { addGradientNoise } from './add-gradient-noise.js';

/** Runs one noise update on `grads` at step t and returns (output − input) per tensor, as arrays. */
function injectedNoise(grads: GradMap, eta: number, t: number, seed = 1): { noise: Float32Array[]; std: number } {
  const transform = addGradientNoise({ eta });
  const state = transform.init(initContext(seed));
  return inTidy(() => {
    const { grads: out, metrics } = transform.update(grads, state, stepContext(t));
    const noise = Object.keys(grads).map((k) => Float32Array.from(tf.sub(out[k], grads[k]).dataSync()));
    return { noise, std: metric(metrics, 'noise_std') };
  });
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// 240k draws: the relative standard error of the variance is sqrt(2/n) ≈ 0.29%, so a 1.5% tolerance is
// 5 standard errors, while the wrong schedules differ by ≥ 5.6% (t^γ instead of (1+t)^γ at t = 9),
// ∞ (t^γ at t = 0) or a factor 100 (η used as a std with η = 0.01).
const SHAPES: readonly number[][] = [[400, 500], [40000]];
const REL_TOL = 0.015;

for (const eta of [0.01, 1]) {
  for (const step of [0, 9, 99, 9999]) {
    test(`empirical noise variance is η/(1+t)^γ for η=${eta}, t=${step}, with mean 0`, (t) => {
      const grads = { w: tf.zeros(SHAPES[0]), b: tf.fill(SHAPES[1], 3) };
      const { noise, std } = injectedNoise(grads, eta, step);
      const expectedVariance = eta / Math.pow(1 + step, 0.55);
      t.true(Math.abs(std - Math.sqrt(expectedVariance)) < 1e-12, `reported noise_std ${std}`);
      const all = concat(noise);
      const { mean, variance } = meanAndVariance(all);
      t.true(Math.abs(variance / expectedVariance - 1) < REL_TOL, `variance ${variance} vs ${expectedVariance}`);
      t.true(Math.abs(mean) < 5 * Math.sqrt(expectedVariance / all.length), `mean ${mean}`);
      // every tensor is perturbed, not just the first
      for (const part of noise) t.true(Math.abs(meanAndVariance(part).variance / expectedVariance - 1) < 0.05);
      disposeAll(grads);
    });
  }
}

test('the variance falls between steps as (1+t)^-γ: ratio at t=0 vs t=99 is 100^0.55 = 12.59', (t) => {
  const grads = { w: tf.zeros([240000]) };
  const v0 = meanAndVariance(injectedNoise(grads, 1, 0).noise[0]).variance;
  const v99 = meanAndVariance(injectedNoise(grads, 1, 99).noise[0]).variance;
  t.true(Math.abs(v0 / v99 / 12.589 - 1) < 0.03, `ratio ${v0 / v99}`);
  disposeAll(grads);
});

test('same seed ⇒ identical noise; different seed ⇒ different noise; the noise is a function of the step, not of the call count', (t) => {
  const grads = { a: tf.zeros([3, 4]), b: tf.zeros([5]) };
  const a = concat(injectedNoise(grads, 0.01, 5, 123).noise);
  const b = concat(injectedNoise(grads, 0.01, 5, 123).noise);
  const c = concat(injectedNoise(grads, 0.01, 5, 124).noise);
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);

  const transform = addGradientNoise();
  const state = transform.init(initContext(9));
  const at = (step: number) => inTidy(() => Array.from(transform.update(grads, state, stepContext(step)).grads.a.dataSync()));
  const first = at(0);
  const next = at(1);
  t.notDeepEqual(first, next, 'successive steps draw different noise');
  t.deepEqual(at(0), first, 'step 0 again: the same noise (counter-based, no hidden stream position)');
  disposeAll(grads);
});

test("the noise of step t is the lane-ziggurat stream of an Rng seeded with deriveSeed(ctx.seed, 'noise/t') (σ_t · z), walked over tensors in map order", (t) => {
  const grads = { a: tf.zeros([2, 3]), b: tf.zeros([4]) };
  const { noise, std } = injectedNoise(grads, 0.5, 3, 77);
  const expected = referenceNoiseOps.gaussianNoise(10, new Rng(deriveSeed(77, 'noise/3')), std);
  t.deepEqual(concat(noise), expected);
  disposeAll(grads);
});

test('the fast and the reference ops give the same gradients', (t) => {
  const grads = { w: tf.randomNormal([30, 20]), b: tf.randomNormal([20]) };
  const run = (ops: NoiseOps) => {
    const transform = addGradientNoise({ eta: 0.25 }, ops);
    const state = transform.init(initContext(12));
    return [0, 1, 7].map((step) => inTidy(() => Object.values(transform.update(grads, state, stepContext(step)).grads).map((g) => Array.from(g.dataSync()))));
  };
  t.deepEqual(run(fastNoiseOps), run(referenceNoiseOps));
  disposeAll(grads);
});

test('the StepRecord gets σ_t as the declared fact noiseStd, and the metric noise_std is the same number', (t) => {
  const grads = { w: tf.zeros([4]) };
  const transform = addGradientNoise({ eta: 1, gamma: 0.55 });
  const state = transform.init(initContext(1));
  const r = inTidy(() => {
    const { facts, metrics } = transform.update(grads, state, stepContext(99));
    return { facts, std: metric(metrics, 'noise_std') };
  });
  t.is(r.std, Math.sqrt(1 / Math.pow(100, 0.55)));
  t.deepEqual(r.facts, { noiseStd: r.std });
  disposeAll(grads);
});

test('the gradient values are kept: output = input + noise, same shapes and dtypes, inputs untouched', (t) => {
  const grads = { w: tf.tensor2d([[1, 2], [3, 4]]), b: tf.tensor1d([10, -10]) };
  const transform = addGradientNoise({ eta: 1e-6 });
  const state = transform.init(initContext(1));
  tf.tidy(() => {
    const { grads: out } = transform.update(grads, state, stepContext(0));
    t.deepEqual(out.w.shape, [2, 2]);
    t.is(out.w.dtype, 'float32');
    const w = out.w.dataSync();
    [1, 2, 3, 4].forEach((v, i) => t.true(Math.abs(w[i] - v) < 0.01));
    t.deepEqual(Array.from(grads.w.dataSync()), [1, 2, 3, 4]);
    t.false(grads.w.isDisposed);
  });
  disposeAll(grads);
});

test.serial('no tensor leak: after tf.tidy(update) only the kept outputs remain', (t) => {
  const grads = { w: tf.zeros([50, 50]), b: tf.zeros([50]) };
  const transform = addGradientNoise();
  const state = transform.init(initContext(1));
  const before = tf.memory().numTensors;
  for (let step = 0; step < 5; step++) tf.tidy(() => void transform.update(grads, state, stepContext(step)));
  t.is(tf.memory().numTensors, before);
  const kept = tf.tidy(() => transform.update(grads, state, stepContext(5)).grads);
  t.is(tf.memory().numTensors, before + 2, 'exactly one new tensor per gradient');
  disposeAll(kept);
  disposeAll(grads);
});

test('state is the plain object { seed }; a JSON copy of it replays the noise of any step', (t) => {
  const grads = { w: tf.zeros([6]) };
  const transform = addGradientNoise();
  const state = transform.init(initContext(5));
  t.deepEqual(state, { seed: 5 });
  const a = inTidy(() => Array.from(transform.update(grads, state, stepContext(2)).grads.w.dataSync()));
  const other = addGradientNoise();
  const restored = JSON.parse(JSON.stringify(state)) as typeof state;
  const b = inTidy(() => Array.from(other.update(grads, restored, stepContext(2)).grads.w.dataSync()));
  t.deepEqual(a, b);
  disposeAll(grads);
});

test('bad config is rejected by the factory with a coded error naming the key', (t) => {
  const error = t.throws(() => addGradientNoise({ eta: 0 }));
  t.true(isAnnealError(error, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(error!.message, /'eta' = 0/);
  t.true(isAnnealError(t.throws(() => addGradientNoise({ gamma: -0.5 })), 'ANNEAL_ERR_CONFIG_VALUE'));
  t.true(isAnnealError(t.throws(() => addGradientNoise({ sigma: 1 } as never)), 'ANNEAL_ERR_CONFIG_KEY'));
});
