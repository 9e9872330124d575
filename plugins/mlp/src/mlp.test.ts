import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, isAnnealError, type ForwardContext, type InitializerSpec, batchContext } from '@anneal/core';
import { loadMnist } from '@anneal/dataset-mnist';
import { buildMlp, mlpFamily, mlpLayerNames, mlpParamCount, type MlpConfigInput } from './mlp.js';
import { meanSoftmaxCrossEntropy, toOneHot } from './ops.js';
import { build, buildCtx, forwardCtx } from './test-kit.test.helpers.js';

// ---------------------------------------------------------------------------------------------

test('default model: 784 → 20×50 → 10 has exactly 88,210 parameters with the expected shapes and names', (t) => {
  const model = build();
  t.teardown(() => model.dispose());
  const names = Object.keys(model.params);
  t.is(names.length, 42);
  t.deepEqual(names.slice(0, 4), ['dense00/kernel', 'dense00/bias', 'dense01/kernel', 'dense01/bias']);
  t.deepEqual(names.slice(-4), ['dense19/kernel', 'dense19/bias', 'output/kernel', 'output/bias']);
  t.deepEqual(model.params['dense00/kernel'].shape, [784, 50]);
  t.deepEqual(model.params['dense00/bias'].shape, [50]);
  for (let i = 1; i < 20; i++) t.deepEqual(model.params[`dense${String(i).padStart(2, '0')}/kernel`].shape, [50, 50]);
  t.deepEqual(model.params['output/kernel'].shape, [50, 10]);
  t.deepEqual(model.params['output/bias'].shape, [10]);
  const total = Object.values(model.params).reduce((n, v) => n + v.size, 0);
  t.is(total, 88210);
  t.is(model.describe().paramCount, 88210);
  t.is(mlpParamCount(784, 20, 50, 10), 88210);
  for (const v of Object.values(model.params)) {
    t.true(v.trainable);
    t.is(v.dtype, 'float32');
  }
});

test('sites are hidden/1..hidden/20 and ctx.site is called once per hidden layer per forward, in order', (t) => {
  const model = build();
  t.teardown(() => model.dispose());
  const expected = Array.from({ length: 20 }, (_, i) => `hidden/${i + 1}`);
  t.deepEqual([...model.sites], expected);
  const visits: string[] = [];
  tf.tidy(() => {
    const x = tf.randomUniform([5, 784]);
    const logits = model.logits(x, forwardCtx(true, visits));
    t.deepEqual(logits.shape, [5, 10]);
    t.is(logits.dtype, 'float32');
    model.loss({ x, y: tf.tensor1d([0, 1, 2, 3, 4], 'int32') }, forwardCtx(true, visits));
  });
  t.deepEqual(visits, [...expected, ...expected]);
});

test('the site return value is what the next layer consumes (a forward transform can change activations)', (t) => {
  const model = build({ depth: 2, width: 6 });
  t.teardown(() => model.dispose());
  tf.tidy(() => {
    const x = tf.randomUniform([3, 784]);
    const zeroed: ForwardContext = { ...forwardCtx(true), site: (_n, h) => tf.zerosLike(h) };
    const logits = model.logits(x, zeroed);
    // With every hidden activation replaced by 0, the logits are the output bias (0) for every row.
    t.deepEqual(Array.from(logits.dataSync()), new Array(30).fill(0));
  });
});

test('same seed ⇒ same initial weights; another seed ⇒ different weights; kernels use the initializer std', (t) => {
  const a = build({}, 7);
  const b = build({}, 7);
  const c = build({}, 8);
  t.teardown(() => [a, b, c].forEach((m) => m.dispose()));
  for (const key of Object.keys(a.params)) t.deepEqual(a.params[key].dataSync(), b.params[key].dataSync(), key);
  t.notDeepEqual(a.params['dense00/kernel'].dataSync(), c.params['dense00/kernel'].dataSync());
  t.notDeepEqual(a.params['output/kernel'].dataSync(), c.params['output/kernel'].dataSync());
  const k = a.params['dense00/kernel'].dataSync();
  let ss = 0;
  for (const v of k) ss += v * v;
  t.true(Math.abs(Math.sqrt(ss / k.length) - 0.1) < 0.003, `empirical std ${Math.sqrt(ss / k.length)}`);
  t.deepEqual(Array.from(a.params['dense00/bias'].dataSync()), new Array(50).fill(0));
});

test('kernels are drawn from ctx.rng in layer order (dense00 first, output last) and biases draw nothing', (t) => {
  const model = build({ depth: 2, width: 4, inputSize: 3, numClasses: 2 }, 11);
  t.teardown(() => model.dispose());
  const rng = new Rng(11);
  const expect = (n: number) => rng.fillNormal(new Float32Array(n), 0, 0.1);
  t.deepEqual(model.params['dense00/kernel'].dataSync(), expect(12));
  t.deepEqual(model.params['dense01/kernel'].dataSync(), expect(16));
  t.deepEqual(model.params['output/kernel'].dataSync(), expect(8));
});

test('describe() reports depth, width, activation, paramCount and the initializer with per-layer std', (t) => {
  const ctx = buildCtx(1);
  const model = buildMlp({ depth: 3, width: 8, activation: 'tanh', init: { name: 'normal', config: { std: 0.2 } } }, ctx);
  t.teardown(() => model.dispose());
  const d = model.describe();
  t.is(d.depth, 3);
  t.is(d.width, 8);
  t.is(d.activation, 'tanh');
  t.is(d.paramCount, 784 * 8 + 8 + 2 * (8 * 8 + 8) + 8 * 10 + 10);
  t.is(d.init.name, 'test-normal');
  t.deepEqual(d.init.spec, { name: 'normal', config: { std: 0.2 } });
  t.deepEqual(d.init.stdPerLayer, [0.2, 0.2, 0.2, 0.2]);
  t.deepEqual(d.layers.map((l) => l.name), ['dense00', 'dense01', 'dense02', 'output']);
  t.deepEqual(ctx.specs, [{ name: 'normal', config: { std: 0.2 } }]);
});

test('default init is Simple Init { name: normal, config: { std: 0.1 } }; buildMlp also accepts a bare name', (t) => {
  const ctx = buildCtx(1);
  const m1 = buildMlp({ depth: 1, width: 2 }, ctx);
  const m2 = buildMlp({ depth: 1, width: 2, init: 'zero' }, ctx);
  t.teardown(() => [m1, m2].forEach((m) => m.dispose()));
  t.deepEqual(ctx.specs, [{ name: 'normal', config: { std: 0.1 } }, { name: 'zero' }]);
  t.deepEqual(m2.describe().init.spec, { name: 'zero' });
});

test('config errors are coded: unknown key, bad activation, malformed init, no inputSize anywhere', (t) => {
  const unknown = t.throws(() => build({ dept: 3 } as MlpConfigInput));
  t.true(isAnnealError(unknown, 'ANNEAL_ERR_CONFIG_KEY'));
  t.regex(unknown!.message, /depth/);
  const act = t.throws(() => build({ activation: 'gelu' as 'relu' }));
  t.true(isAnnealError(act, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(act!.message, /'relu', 'tanh', 'sigmoid'/);
  const init = t.throws(() => build({ init: { nme: 'he' } as unknown as InitializerSpec }));
  t.true(isAnnealError(init, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(init!.message, /init/);
  const size = t.throws(() => build({}, 1, { numClasses: 10 }));
  t.true(isAnnealError(size, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(size!.message, /inputSize/);
  // explicit sizes override the dataset info
  const m = build({ depth: 1, width: 3, inputSize: 5, numClasses: 4 }, 1, {});
  t.teardown(() => m.dispose());
  t.is(m.describe().paramCount, 5 * 3 + 3 + 3 * 4 + 4);
});

test('the plugin definition: manifest and create()', (t) => {
  t.is(mlpFamily.manifest.name, 'mlp');
  t.is(mlpFamily.manifest.kind, 'model-family');
  t.is(mlpFamily.manifest.version, '0.1.0');
  t.truthy(mlpFamily.manifest.card.summary);
  t.deepEqual(Object.keys(mlpFamily.manifest.configSchema).sort(), ['activation', 'biasInit', 'depth', 'gradient', 'init', 'inputSize', 'numClasses', 'width']);
  const model = mlpFamily.create(
    { depth: 2, width: 4, activation: 'relu', init: { name: 'normal', config: { std: 0.1 } }, biasInit: 0, inputSize: undefined, numClasses: undefined, gradient: 'manual' },
    buildCtx(3),
  );
  t.teardown(() => model.dispose());
  t.deepEqual([...model.sites], ['hidden/1', 'hidden/2']);
});

test('layer names are zero-padded to the depth', (t) => {
  t.deepEqual(mlpLayerNames(2), ['dense00', 'dense01', 'output']);
  t.is(mlpLayerNames(150)[0], 'dense000');
  t.deepEqual(mlpLayerNames(0), ['output']);
});

test('evaluate(): correct/count/lossSum agree with the logits and with loss() × count', (t) => {
  const model = build({ depth: 2, width: 8, init: { name: 'normal', config: { std: 0.5 } } }, 4);
  t.teardown(() => model.dispose());
  tf.tidy(() => {
    const x = tf.randomUniform([16, 784], 0, 1, 'float32', 3);
    const labels = Int32Array.from({ length: 16 }, (_, i) => i % 10);
    const y = tf.tensor1d(labels, 'int32');
    const sums = model.evaluate({ x, y }, forwardCtx(false));
    const pred = tf.argMax(model.logits(x, forwardCtx(false)), 1).dataSync();
    const expected = labels.reduce((n, l, i) => n + (pred[i] === l ? 1 : 0), 0);
    t.is(sums.accuracy.sum.dataSync()[0], expected);
    t.is(sums.accuracy.count.dataSync()[0], 16);
    const loss = model.loss({ x, y }, forwardCtx(true)).dataSync()[0];
    t.true(Math.abs(sums.mean_loss.sum.dataSync()[0] - 16 * loss) < 1e-3);
    t.deepEqual(sums.accuracy.sum.shape, []);
    t.deepEqual(sums.mean_loss.sum.shape, []);
    // one-hot labels give the same sums
    const sums2 = model.evaluate({ x, y: tf.oneHot(y, 10) }, forwardCtx(false));
    t.is(sums2.accuracy.sum.dataSync()[0], expected);
    t.true(Math.abs(sums2.mean_loss.sum.dataSync()[0] - sums.mean_loss.sum.dataSync()[0]) < 1e-4);
  });
});

test('the loss is finite for huge logits (stable log-softmax)', (t) => {
  tf.tidy(() => {
    const z = tf.tensor2d([[1e4, -1e4, 0], [-5e3, 5e3, 1]]);
    const loss = meanSoftmaxCrossEntropy(z, toOneHot(tf.tensor1d([1, 0], 'int32'), 3)).dataSync()[0];
    t.true(Number.isFinite(loss));
    t.true(Math.abs(loss - (2e4 + 1e4) / 2) < 1);
  });
});

test('a training step leaks no tensors and dispose() frees every variable', (t) => {
  const before = tf.memory().numTensors;
  const model = build({ depth: 4, width: 10 });
  t.is(tf.memory().numTensors, before + 10);
  const vars = Object.values(model.params);
  const x = tf.randomUniform([8, 784]);
  const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
  const mid = tf.memory().numTensors;
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => model.loss({ x, y }, forwardCtx(true)), vars);
    for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.1)));
  });
  tf.tidy(() => {
    model.evaluate({ x, y }, forwardCtx(false));
  });
  t.is(tf.memory().numTensors, mid);
  x.dispose();
  y.dispose();
  model.dispose();
  model.dispose(); // idempotent
  t.is(tf.memory().numTensors, before);
  t.throws(() => model.logits(tf.zeros([1, 784]), forwardCtx(false)), { message: /disposed/ });
});

test('bad batches get a clear message', (t) => {
  const model = build({ depth: 1, width: 2 });
  t.teardown(() => model.dispose());
  tf.tidy(() => {
    t.throws(() => model.loss({ x: tf.zeros([2, 784]) }, forwardCtx(true)), { message: /needs tensors 'x'.*'y'/ });
    t.throws(() => model.loss({ x: tf.zeros([2, 100]), y: tf.zeros([2], 'int32') }, forwardCtx(true)), { message: /expected \[b, 784\]/ });
    t.throws(() => model.loss({ x: tf.zeros([2, 784]), y: tf.zeros([3], 'int32') }, forwardCtx(true)), { message: /has 2 rows/ });
    // [b, 28, 28] images are flattened
    t.deepEqual(model.logits(tf.zeros([2, 28, 28]), forwardCtx(false)).shape, [2, 10]);
  });
});

// ---------------------------------------------------------------------------------------------
// Zero init (the paper's "Bad Init", Table 1 Exp. 6): no noise ⇒ stuck at chance.

test('zero init on a real MNIST batch: every gradient except the output bias is exactly 0; SGD stays at chance', (t) => {
  const data = loadMnist({ trainSize: 60000 }, { seed: 1 });
  const model = build({ depth: 3, width: 8, init: { name: 'zero' } }, 1, data.info);
  t.teardown(() => model.dispose());
  const vars = Object.values(model.params);
  const bctx = batchContext({ training: true, rng: new Rng(1) });
  const lr = 0.1;
  for (let step = 0; step < 5; step++) {
    const indices = Int32Array.from({ length: 64 }, (_, i) => step * 64 + i);
    tf.tidy(() => {
      const batch = data.splits.train.batch(indices, bctx);
      const { value, grads } = tf.variableGrads(() => model.loss(batch, forwardCtx(true)), vars);
      t.true(Number.isFinite(value.dataSync()[0]));
      for (const [key, v] of Object.entries(model.params)) {
        const g = grads[v.name].dataSync();
        if (key === 'output/bias') {
          t.true(g.some((e) => e !== 0), 'the output bias does get a gradient');
        } else {
          t.true(g.every((e) => e === 0), `${key} gradient is exactly 0 at step ${step}`);
        }
      }
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], lr)));
    });
  }
  for (const [key, v] of Object.entries(model.params)) {
    if (key !== 'output/bias') t.true(v.dataSync().every((e) => e === 0), `${key} is still all zero`);
  }
  // Evaluate on the whole test set: with all hidden activations 0 the prediction is one class everywhere.
  const test = data.splits.test;
  const all = Int32Array.from({ length: test.size }, (_, i) => i);
  const [correct, count, preds] = tf.tidy(() => {
    const batch = test.batch(all, batchContext({ training: false, rng: new Rng(0) }));
    const sums = model.evaluate(batch, forwardCtx(false));
    const p = tf.argMax(model.logits(batch.x, forwardCtx(false)), 1).dataSync();
    return [sums.accuracy.sum.dataSync()[0], sums.accuracy.count.dataSync()[0], p];
  });
  t.is(count, 10000);
  t.true(preds.every((p) => p === preds[0]), 'a single predicted class');
  const freq = test.labels().filter((l) => l === preds[0]).length;
  t.is(correct, freq);
  t.true(correct / count <= 0.1135 + 1e-9, `accuracy ${correct / count} is at chance`);
});
