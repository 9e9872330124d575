import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, batchContext, isAnnealError, validateConfig, type ForwardContext } from '@anneal/core';
import { listKConfigSchema, makeListKDataset } from '@anneal/dataset-list-k';
import { NramModel, choiceRows, controllerOutputSize, readNramInfo, type NramOptions } from './nram.js';
import { nramConfigSchema, nramModel } from './plugin.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const fctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };
const tiny: NramOptions = { registers: 2, timesteps: 3, hidden: 4, initStd: 0.5, logFloor: 1e-20 };

function tinyBatch(M = 7, n = 2, b = 3) {
  const ds = makeListKDataset(validateConfig('list-k', listKConfigSchema, { memorySize: M, length: n, mixHarder: 0 }), 4);
  return ds.splits.test!.batch(Int32Array.from({ length: b }, (_, i) => i), batchContext({ training: false, rng: new Rng(1) }));
}

test('controller choices: one row per module argument and per register, masked to r_1..r_R, o_1..o_{i−1}', (t) => {
  const rows = choiceRows(2);
  t.is(rows.length, 19 + 2); // READ, INC, DEC take 1 argument, the 8 others 2: 19 arguments, then 2 registers
  t.deepEqual(rows[0], { name: 'READ/1', available: 2 });
  t.deepEqual(rows[1], { name: 'INC/1', available: 2 + 4 });
  t.deepEqual(rows.at(-3), { name: 'WRITE/2', available: 2 + 13 });
  t.deepEqual(rows.at(-1), { name: 'r2', available: 2 + 14 });
  t.is(controllerOutputSize(2), 21 * 16 + 1);
});

test('parameters, halting distribution sums to 1, memory rows stay stochastic', (t) => {
  const model = new NramModel(tiny, { memorySize: 7, outputCell: 2 }, new Rng(3));
  t.teardown(() => model.dispose());
  t.deepEqual(Object.keys(model.params), ['controller/kernel', 'controller/bias', 'choices/kernel', 'choices/bias', 'finish/kernel', 'finish/bias']);
  t.deepEqual(model.params['controller/kernel'].shape, [2 + 4, 16]);
  t.deepEqual(model.params['choices/kernel'].shape, [4, 21 * 16]);
  t.is(model.describe().paramCount, 6 * 16 + 16 + 4 * 336 + 336 + 4 + 1);
  tf.tidy(() => {
    const batch = tinyBatch();
    const { halt, output } = model.run(batch.memory, fctx);
    t.is(halt.length, 3);
    const total = Array.from(tf.addN(halt).dataSync());
    for (const v of total) t.true(Math.abs(v - 1) < 1e-5, `Σ p_t = ${v}`);
    for (const o of output) for (const s of Array.from(tf.sum(o, 1).dataSync())) t.true(Math.abs(s - 1) < 1e-4, `row sum ${s}`);
  });
});

test('same seed ⇒ same parameters and loss; another seed differs', (t) => {
  const [a, b, c] = [3, 3, 4].map((s) => new NramModel(tiny, { memorySize: 7, outputCell: 2 }, new Rng(s)));
  t.teardown(() => [a, b, c].forEach((m) => m.dispose()));
  tf.tidy(() => {
    const batch = tinyBatch();
    t.is(a.loss(batch, fctx).dataSync()[0], b.loss(batch, fctx).dataSync()[0]);
    t.not(a.loss(batch, fctx).dataSync()[0], c.loss(batch, fctx).dataSync()[0]);
  });
});

test('autodiff gradients match central finite differences (a random direction, and the largest entries)', (t) => {
  const model = new NramModel(tiny, { memorySize: 7, outputCell: 2 }, new Rng(5));
  t.teardown(() => model.dispose());
  const batch = tf.tidy(() => { const b = tinyBatch(); return { memory: tf.keep(b.memory), answer: tf.keep(b.answer) }; });
  t.teardown(() => tf.dispose(Object.values(batch)));
  const names = Object.keys(model.params);
  const lossAt = () => tf.tidy(() => model.loss(batch, fctx).dataSync()[0]);
  const grads: Record<string, Float32Array> = {};
  tf.tidy(() => {
    const { grads: g } = tf.variableGrads(() => model.loss(batch, fctx));
    for (const n of names) grads[n] = Float32Array.from(g[model.params[n].name].dataSync());
  });
  const shift = (name: string, i: number, d: number) => {
    const v = model.params[name];
    const data = v.dataSync().slice();
    data[i] += d;
    v.assign(tf.tensor(data, v.shape));
  };
  // A random unit direction over every parameter: (L(θ + εv) − L(θ − εv)) / 2ε vs g·v.
  const rng = new Rng(9);
  const dir = Object.fromEntries(names.map((n) => [n, rng.fillNormal(new Float32Array(model.params[n].size))]));
  const norm = Math.sqrt(names.reduce((s, n) => s + dir[n].reduce((a, x) => a + x * x, 0), 0));
  const eps = 1e-2;
  const move = (sign: number) => {
    for (const n of names) {
      const v = model.params[n];
      const data = v.dataSync().slice();
      for (let i = 0; i < data.length; i++) data[i] += (sign * eps * dir[n][i]) / norm;
      v.assign(tf.tensor(data, v.shape));
    }
  };
  const base = names.map((n) => model.params[n].dataSync().slice());
  const restore = () => names.forEach((n, k) => model.params[n].assign(tf.tensor(base[k], model.params[n].shape)));
  move(1);
  const up = lossAt();
  restore();
  move(-1);
  const down = lossAt();
  restore();
  const numeric = (up - down) / (2 * eps);
  const analytic = names.reduce((s, n) => s + grads[n].reduce((a: number, g: number, i: number) => a + (g * dir[n][i]) / norm, 0), 0);
  t.true(Math.abs(numeric - analytic) <= 1e-2 * Math.max(Math.abs(analytic), 1e-3) + 1e-4, `directional: numeric ${numeric} vs autodiff ${analytic}`);
  // The three largest gradient entries of each parameter tensor.
  for (const n of names) {
    const order = Array.from(grads[n].keys()).sort((a, b) => Math.abs(grads[n][b]) - Math.abs(grads[n][a])).slice(0, 3);
    for (const i of order) {
      shift(n, i, eps);
      const lu = lossAt();
      shift(n, i, -2 * eps);
      const ld = lossAt();
      shift(n, i, eps);
      const fd = (lu - ld) / (2 * eps);
      const g = grads[n][i];
      t.true(Math.abs(fd - g) <= 2e-2 * Math.abs(g) + 1e-4, `${n}[${i}]: numeric ${fd} vs autodiff ${g}`);
    }
  }
});

test('evaluate: error, solved (all right) and mean_loss sums per batch', (t) => {
  const model = new NramModel(tiny, { memorySize: 7, outputCell: 2 }, new Rng(3));
  t.teardown(() => model.dispose());
  tf.tidy(() => {
    const sums = model.evaluate(tinyBatch(), { ...fctx, training: false }) as Record<string, { sum: tf.Scalar; count: tf.Scalar }>;
    t.deepEqual(Object.keys(sums), ['error', 'solved', 'mean_loss']);
    const err = sums.error.sum.dataSync()[0];
    const right = sums.solved.sum.dataSync()[0];
    t.is(sums.error.count.dataSync()[0], 3);
    t.is(err + right, 3);
    t.true(sums.mean_loss.sum.dataSync()[0] > 0);
  });
});

test('bad input: T < 1 and R < 1 name the key; a dataset without memorySize is refused', (t) => {
  const T0 = t.throws(() => validateConfig('nram', nramConfigSchema, { timesteps: 0 }));
  t.true(isAnnealError(T0, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(T0!.message, /timesteps/);
  const R0 = t.throws(() => validateConfig('nram', nramConfigSchema, { registers: 0 }));
  t.regex(R0!.message, /registers/);
  const info = t.throws(() => readNramInfo({ numClasses: 3 }));
  t.true(isAnnealError(info, 'ANNEAL_ERR_CONFIG_VALUE'));
  t.regex(info!.message, /memorySize/);
  t.is(nramModel.manifest.name, 'nram');
  t.deepEqual(nramModel.metrics?.map((m) => `${m.key}:${m.combine}`), ['error:mean', 'solved:all', 'mean_loss:mean']);
});
