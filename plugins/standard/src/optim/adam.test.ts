import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, inTidy, initContext, stepContext, tensors, values, variables } from '../testing/contexts.js';
import { adam, type AdamState } from './adam.js';

// Hand computation (Kingma & Ba Algorithm 1), lr 0.1, β₁ 0.9, β₂ 0.999, ε 1e-8, θ₀ = 1:
// step 1, g = 0.5:  m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25 → θ = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.9000000020
// step 2, g = −0.2: m = 0.045 − 0.02 = 0.025, v = 0.00024975 + 0.00004 = 0.00028975,
//                   m̂ = 0.025/0.19 = 0.1315789, v̂ = 0.00028975/0.001999 = 0.1449475, sqrt = 0.3807197
//                   → θ = 0.9 − 0.1·0.1315789/0.3807197 = 0.9 − 0.0345605 = 0.8654395
test('adam with bias correction: two steps by hand', (t) => {
  const params = variables({ w: [1] });
  const opt = adam({ epsilon: 1e-8 });
  let state = opt.init(initContext(0, params));
  t.is(state.count, 0);
  const g1 = tensors({ w: [0.5] });
  state = opt.apply(params, g1, state, stepContext(0, params, 0.1));
  t.is(state.count, 1);
  t.true(Math.abs(values(params.w)[0] - 0.9) < 1e-6);
  t.true(Math.abs(values(state.m.w)[0] - 0.05) < 1e-8);
  t.true(Math.abs(values(state.v.w)[0] - 0.00025) < 1e-10);
  const g2 = tensors({ w: [-0.2] });
  state = opt.apply(params, g2, state, stepContext(1, params, 0.1));
  t.is(state.count, 2);
  t.true(Math.abs(values(params.w)[0] - 0.8654395) < 2e-6, `θ = ${values(params.w)[0]}`);
  opt.dispose!(state);
  disposeAll(params);
  disposeAll(g1);
  disposeAll(g2);
});

test('adam uses its own update counter, not ctx.step (bias correction starts fresh)', (t) => {
  const params = variables({ w: [1] });
  const g = tensors({ w: [0.5] });
  const opt = adam();
  const state = opt.init(initContext(0, params));
  opt.apply(params, g, state, stepContext(5000, params, 0.1));
  t.true(Math.abs(values(params.w)[0] - 0.9) < 1e-6);
  opt.dispose!(state);
  disposeAll(params);
  disposeAll(g);
});

test('adam state checkpoints exactly: copying m, v and count into a fresh state continues identically', (t) => {
  const gradsAt = (i: number) => tensors({ w: [0.3 * Math.sin(i + 1), -0.1 * i], b: [0.01 * (i - 1)] });
  const runA = variables({ w: [1, -1], b: [0.5] });
  const optA = adam({ beta1: 0.8, beta2: 0.99 });
  let a: AdamState = optA.init(initContext(0, runA));
  for (let i = 0; i < 4; i++) {
    const g = gradsAt(i);
    a = optA.apply(runA, g, a, stepContext(i, runA, 0.05));
    disposeAll(g);
  }

  const runB = variables({ w: [1, -1], b: [0.5] });
  const optB = adam({ beta1: 0.8, beta2: 0.99 });
  let b: AdamState = optB.init(initContext(0, runB));
  for (let i = 0; i < 2; i++) {
    const g = gradsAt(i);
    b = optB.apply(runB, g, b, stepContext(i, runB, 0.05));
    disposeAll(g);
  }
  // "checkpoint": plain numbers out, into the Variables of a brand-new optimizer instance
  const saved = { m: Object.fromEntries(Object.entries(b.m).map(([k, v]) => [k, values(v)])), v: Object.fromEntries(Object.entries(b.v).map(([k, v]) => [k, values(v)])), count: b.count };
  const optC = adam({ beta1: 0.8, beta2: 0.99 });
  let c: AdamState = optC.init(initContext(0, runB));
  tf.tidy(() => {
    for (const k of Object.keys(c.m)) {
      c.m[k].assign(tf.tensor(saved.m[k], c.m[k].shape));
      c.v[k].assign(tf.tensor(saved.v[k], c.v[k].shape));
    }
  });
  c = { ...c, count: saved.count };
  for (let i = 2; i < 4; i++) {
    const g = gradsAt(i);
    c = optC.apply(runB, g, c, stepContext(i, runB, 0.05));
    disposeAll(g);
  }
  t.deepEqual(values(runB.w), values(runA.w));
  t.deepEqual(values(runB.b), values(runA.b));
  for (const s of [a, b, c]) optA.dispose!(s);
  disposeAll(runA);
  disposeAll(runB);
});

test.serial('adam: apply leaks no tensors; dispose frees m and v', (t) => {
  const params = variables({ w: [1, 2], b: [3] });
  const grads = tensors({ w: [1, 1], b: [1] });
  const opt = adam();
  const base = tf.memory().numTensors;
  let state = opt.init(initContext(0, params));
  t.is(tf.memory().numTensors, base + 4);
  for (let i = 0; i < 3; i++) state = inTidy(() => opt.apply(params, grads, state, stepContext(i, params)));
  t.is(tf.memory().numTensors, base + 4);
  opt.dispose!(state);
  t.is(tf.memory().numTensors, base);
  disposeAll(params);
  disposeAll(grads);
});
