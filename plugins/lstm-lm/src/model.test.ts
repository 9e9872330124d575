import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs';
import { Rng, type ForwardContext } from '@anneal/core';
import { LstmLm, lmSites, matMulFast, summedSoftmaxNll } from './index.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const fctx = (carry?: Record<string, tf.Tensor>, training = true): ForwardContext => ({
  training,
  step: 0,
  phase: 'main',
  phaseOptions: {},
  curriculum: {},
  carry,
  site: (_n, x) => x,
});
const tiny = (V = 7, H = 3, E = 4, L = 2, B = 2, T = 3, seed = 5, initScale = 0.5) =>
  new LstmLm({ layers: L, hiddenSize: H, embeddingSize: E, initScale }, { vocabSize: V, streams: B, numSteps: T }, new Rng(seed));

test('parameters: shapes, U[−s, s] init, sites on the non-recurrent connections only', (t) => {
  const m = new LstmLm({ layers: 2, hiddenSize: 5, embeddingSize: 4, initScale: 0.1 }, { vocabSize: 9, streams: 2, numSteps: 3 }, new Rng(1));
  t.teardown(() => m.dispose());
  const shapes = Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, v.shape]));
  t.deepEqual(shapes, {
    embedding: [9, 4],
    'lstm/1/Wx': [4, 20],
    'lstm/1/Wh': [5, 20],
    'lstm/1/b': [20],
    'lstm/2/Wx': [5, 20],
    'lstm/2/Wh': [5, 20],
    'lstm/2/b': [20],
    'softmax/W': [5, 9],
    'softmax/b': [9],
  });
  const all = Object.values(m.params).flatMap((v) => Array.from(v.dataSync()));
  t.true(all.every((x) => x >= -0.1 && x <= 0.1));
  t.true(Math.max(...all) > 0.09 && Math.min(...all) < -0.09, 'fills the range');
  t.deepEqual(m.sites, ['embedding', 'lstm/1', 'lstm/2']);
  t.deepEqual(lmSites(1), ['embedding', 'lstm/1']);
});

test('one LSTM step by hand: H = E = 1, V = 2, known weights', (t) => {
  const m = tiny(2, 1, 1, 1, 1, 1);
  t.teardown(() => m.dispose());
  const set = (k: string, v: number[]) => m.params[k].assign(tf.tensor(v, m.params[k].shape));
  set('embedding', [0.5, -1]);
  set('lstm/1/Wx', [0.1, 0.2, 0.3, 0.4]); // i f g o
  set('lstm/1/Wh', [-0.2, 0.1, 0.5, 0.3]);
  set('lstm/1/b', [0.05, -0.05, 0.1, 0]);
  set('softmax/W', [1, -2]);
  set('softmax/b', [0.3, -0.1]);
  const h0 = 0.4, c0 = -0.3, x = -1; // token 1 → embedding −1
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const zi = 0.1 * x - 0.2 * h0 + 0.05, zf = 0.2 * x + 0.1 * h0 - 0.05, zg = 0.3 * x + 0.5 * h0 + 0.1, zo = 0.4 * x + 0.3 * h0;
  const c = sig(zf) * c0 + sig(zi) * Math.tanh(zg);
  const h = sig(zo) * Math.tanh(c);
  const l0 = h * 1 + 0.3, l1 = h * -2 - 0.1;
  const nll = Math.log(Math.exp(l0) + Math.exp(l1)) - l0; // target token 0
  const out = tf.tidy(() => {
    const r = m.evaluate({ x: tf.tensor2d([[1]], [1, 1], 'int32'), y: tf.tensor2d([[0]], [1, 1], 'int32') }, fctx({ h1: tf.tensor2d([[h0]]), c1: tf.tensor2d([[c0]]) }, false));
    return { sum: r.sums.perplexity.sum.dataSync()[0], count: r.sums.perplexity.count.dataSync()[0], h: r.carry.h1.dataSync()[0], c: r.carry.c1.dataSync()[0] };
  });
  t.true(Math.abs(out.c - c) < 1e-6 && Math.abs(out.h - h) < 1e-6, `c ${out.c} vs ${c}, h ${out.h} vs ${h}`);
  t.true(Math.abs(out.sum - nll) < 1e-5, `${out.sum} vs ${nll}`);
  t.is(out.count, 1);
});

test('gradients (autodiff through the custom-gradient matmul, lookup and softmax NLL) match central differences', (t) => {
  // Weights ~ U[−1.5, 1.5]: gradients large enough against float32 rounding of the loss (tiny ones drown in it).
  const m = tiny(7, 3, 4, 2, 2, 3, 5, 1.5);
  t.teardown(() => m.dispose());
  const rng = new Rng(9);
  const ids = (n: number) => Int32Array.from({ length: n }, () => rng.nextInt(7));
  const x = tf.tensor2d(ids(6), [2, 3], 'int32');
  const y = tf.tensor2d(ids(6), [2, 3], 'int32');
  const carry = { h1: tf.randomUniform([2, 3], -0.5, 0.5, 'float32', 1), c1: tf.randomUniform([2, 3], -0.5, 0.5, 'float32', 2), h2: tf.randomUniform([2, 3], -0.5, 0.5, 'float32', 3), c2: tf.randomUniform([2, 3], -0.5, 0.5, 'float32', 4) };
  t.teardown(() => tf.dispose([x, y, ...Object.values(carry)]));
  const lossValue = () => tf.tidy(() => (m.loss({ x, y }, fctx(carry)).loss as tf.Scalar).dataSync()[0]);
  const { grads } = tf.variableGrads(() => m.loss({ x, y }, fctx(carry)).loss);
  const byName = new Map(Object.entries(m.params).map(([k, v]) => [v.name, k]));
  const analytic = Object.fromEntries(Object.entries(grads).map(([k, g]) => [byName.get(k)!, Array.from(g.dataSync())]));
  tf.dispose(Object.values(grads));
  t.deepEqual(Object.keys(analytic).sort(), Object.keys(m.params).sort(), 'every parameter gets a gradient');
  const h = 2e-2;
  for (const [name, v] of Object.entries(m.params)) {
    const base = Float32Array.from(v.dataSync());
    const fd: number[] = [];
    for (let i = 0; i < base.length; i++) {
      const probe = (d: number) => {
        const p = Float32Array.from(base);
        p[i] += d;
        v.assign(tf.tensor(p, v.shape));
        return lossValue();
      };
      fd.push((probe(h) - probe(-h)) / (2 * h));
    }
    v.assign(tf.tensor(base, v.shape));
    const a = analytic[name];
    const diff = Math.hypot(...a.map((g, i) => g - fd[i]));
    const scale = Math.hypot(...a) + Math.hypot(...fd);
    t.log(name, (diff / scale).toExponential(2), Math.hypot(...a).toExponential(2));
    t.true(diff / scale < 5e-3, `${name}: relative difference ${(diff / scale).toExponential(2)}`);
  }
});

test('matMulFast and summedSoftmaxNll: the values and gradients of tf.matMul and log-softmax NLL', (t) => {
  tf.tidy(() => {
    const a = tf.randomNormal([3, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([4, 5], 0, 1, 'float32', 2) as tf.Tensor2D;
    const y = tf.tensor1d([0, 4, 2], 'int32');
    const ours = tf.grads((p: tf.Tensor, q: tf.Tensor) => summedSoftmaxNll(matMulFast(p as tf.Tensor2D, q as tf.Tensor2D), y))([a, b]);
    const ref = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D)), tf.oneHot(y, 5)))))([a, b]);
    for (let k = 0; k < 2; k++) {
      const d = tf.max(tf.abs(tf.sub(ours[k], ref[k]))).dataSync()[0];
      t.true(d < 1e-5, `grad ${k}: max |Δ| ${d}`);
    }
    const v1 = summedSoftmaxNll(tf.matMul(a, b), y).dataSync()[0];
    const v2 = tf.neg(tf.sum(tf.mul(tf.logSoftmax(tf.matMul(a, b)), tf.oneHot(y, 5)))).dataSync()[0];
    t.true(Math.abs(v1 - v2) < 1e-5);
  });
});

test('carried state: two windows of T steps with the state carried = one window of 2T steps', (t) => {
  const m1 = tiny(7, 3, 4, 2, 2, 3, 11);
  const m2 = tiny(7, 3, 4, 2, 2, 6, 11); // same seed → same parameters
  t.teardown(() => [m1, m2].forEach((m) => m.dispose()));
  tf.tidy(() => {
    const xs = tf.tensor2d([1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1], [2, 6], 'int32');
    const ys = tf.tensor2d([2, 3, 4, 5, 6, 0, 5, 4, 3, 2, 1, 0], [2, 6], 'int32');
    const w = (z: tf.Tensor, k: number) => tf.slice(z, [0, 3 * k], [2, 3]);
    const a = m1.evaluate({ x: w(xs, 0), y: w(ys, 0) }, fctx(m1.initialCarry(), false));
    const b = m1.evaluate({ x: w(xs, 1), y: w(ys, 1) }, fctx(a.carry, false));
    const whole = m2.evaluate({ x: xs, y: ys }, fctx(m2.initialCarry(), false));
    const split = a.sums.perplexity.sum.dataSync()[0] + b.sums.perplexity.sum.dataSync()[0];
    t.true(Math.abs(split - whole.sums.perplexity.sum.dataSync()[0]) < 1e-4);
    t.true(tf.max(tf.abs(tf.sub(b.carry.h2, whole.carry.h2))).dataSync()[0] < 1e-6);
  });
});

test("cell 'block' off the tensorflow backend: a config error naming the cell and the fix", (t) => {
  const m = new LstmLm({ layers: 1, hiddenSize: 3, embeddingSize: 3, initScale: 0.1, cell: 'block' }, { vocabSize: 5, streams: 2, numSteps: 2 }, new Rng(1));
  t.teardown(() => m.dispose());
  const x = tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32');
  t.teardown(() => x.dispose());
  const error = t.throws(() => tf.tidy(() => void m.forward(x, fctx())));
  t.regex(error!.message, /ANNEAL_ERR_CONFIG_VALUE.*cell 'block' needs the tensorflow backend.*'cpu'.*'auto' or 'step-by-step'/);
});
