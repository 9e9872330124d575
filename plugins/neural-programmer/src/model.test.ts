import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, batchContext, validateConfig, type Batch, type ForwardContext } from '@anneal/core';
import { makeTableQaDataset, tableQaConfigSchema, type TableQaSplit } from '@anneal/dataset-table-qa';
import { NeuralProgrammer, huber, lookupBce, neuralProgrammerSchema, readNpDataInfo } from './index.js';

const fctx = (training: boolean): ForwardContext => ({ training, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x });

function setup(data: Record<string, unknown>, model: Record<string, unknown>, seed = 1) {
  const ds = makeTableQaDataset(validateConfig('test', tableQaConfigSchema, data), seed);
  const np = new NeuralProgrammer(validateConfig('test', neuralProgrammerSchema, model), readNpDataInfo(ds.info), new Rng(seed));
  return { ds, np };
}

test('Huber and lookup BCE by hand', (t) => {
  tf.tidy(() => {
    const h = Array.from(huber(tf.tensor1d([1, 10, -3]), tf.tensor1d([0, 0, 0]), 2).dataSync());
    t.deepEqual(h, [0.5, 2 * 10 - 2, 2 * 3 - 2]);
    const p = tf.tensor3d([[[0.5, 0.9]]]);
    const y = tf.tensor3d([[[1, 0]]]);
    const bce = lookupBce(p, y, tf.tensor3d([[[1, 1]]])).dataSync()[0];
    t.true(Math.abs(bce - (-Math.log(0.5) - Math.log(0.1)) / 2) < 1e-5);
    t.true(Math.abs(lookupBce(p, y, tf.tensor3d([[[1, 0]]])).dataSync()[0] - -Math.log(0.5)) < 1e-5, 'masked cells do not count');
  });
});

test('parameters: U[−0.1, 0.1], bidirectional question RNN for multi-column, text_match only with text columns', (t) => {
  const single = setup({ rowsMin: 3, rowsMax: 5 }, { hiddenSize: 8 });
  t.deepEqual(Object.keys(single.np.params), ['embed/words', 'question/forward', 'ops/embedding', 'history/W', 'selector/op', 'selector/column']);
  t.deepEqual(single.np.params['ops/embedding'].shape, [9, 8]);
  t.deepEqual(single.np.params['history/W'].shape, [24, 8]);
  const values = Object.values(single.np.params).flatMap((v) => Array.from(v.dataSync()));
  t.true(values.every((x) => Math.abs(x) <= 0.1) && Math.max(...values) > 0.09 && Math.min(...values) < -0.09);
  const multi = setup({ mode: 'multi-column', columns: 3, rowsMin: 3, rowsMax: 5 }, { hiddenSize: 8 });
  t.deepEqual(multi.np.params['question/backward'].shape, [16, 8]);
  t.deepEqual(multi.np.params['selector/op'].shape, [24, 8]);
  const text = setup({ mode: 'text-entries', rowsMin: 3, rowsMax: 5 }, { hiddenSize: 8 });
  t.deepEqual(text.np.params['ops/embedding'].shape, [10, 8]);
  for (const m of [single, multi, text]) m.np.dispose();
});

test('autodiff gradients match central finite differences along a random direction (tiny text-entries instance, float32)', (t) => {
  const { ds, np } = setup({ mode: 'text-entries', rowsMin: 3, rowsMax: 5, entryMin: -5, entryMax: 5 }, { hiddenSize: 4, lambda: 2, huberDelta: 50, initRange: 0.5 }, 3);
  const batch: Batch = ds.splits.train.batch(new Int32Array([0, 1, 2, 3, 4, 5]), batchContext({ training: true, rng: new Rng(1) }));
  const vars = Object.values(np.params);
  const rng = new Rng(9);
  const dirs = vars.map((v) => tf.tensor(Float32Array.from({ length: v.size }, () => rng.nextNormal()), v.shape));
  const loss = () => np.loss(batch, fctx(true));
  const { grads } = tf.variableGrads(loss as () => tf.Scalar);
  const analytic = vars.reduce((s, v, i) => s + tf.sum(tf.mul(grads[v.name], dirs[i])).dataSync()[0], 0);
  const eps = 1e-2;
  const shift = (sign: number) => vars.forEach((v, i) => v.assign(tf.add(v, tf.mul(dirs[i], sign * eps))));
  shift(1);
  const up = tf.tidy(loss).dataSync()[0];
  shift(-2);
  const down = tf.tidy(loss).dataSync()[0];
  shift(1);
  const numeric = (up - down) / (2 * eps);
  t.true(Math.abs(analytic - numeric) <= 1e-2 * Math.max(Math.abs(numeric), 1e-3), `analytic ${analytic} vs numeric ${numeric}`);
  t.true(Math.abs(numeric) > 1e-3, `the loss depends on the parameters (directional derivative ${numeric})`);
  // Every parameter gets a gradient (text_match's embeddings included).
  for (const v of vars) t.true(tf.sum(tf.abs(grads[v.name])).dataSync()[0] > 0, `${v.name} has a gradient`);
  tf.dispose([...dirs, ...Object.values(grads), ...Object.values(batch)]);
  np.dispose();
});

test('evaluation: hard selection, scalars right to the first decimal, lookups by exact cell set, per category; solved = all', (t) => {
  const { ds, np } = setup({ rowsMin: 3, rowsMax: 5 }, { hiddenSize: 8 });
  tf.tidy(() => {
    const batch = ds.splits.test!.batch(new Int32Array([0, 1, 2, 3, 4, 5, 6, 7]), batchContext({ training: false, rng: new Rng(1) }));
    const sums = np.evaluate(batch, fctx(false));
    const v = (k: string) => [sums[k].sum.dataSync()[0], sums[k].count.dataSync()[0]];
    t.is(v('accuracy')[1], 8);
    t.is(v('accuracy')[0] + v('error')[0], 8);
    t.deepEqual(v('solved'), v('accuracy'));
    const cats = (ds.info.categories as string[]).map((c) => v(`accuracy_${c}`));
    t.is(cats.reduce((s, [, n]) => s + n, 0), 8, 'every question in one category');
    t.is(cats.reduce((s, [r]) => s + r, 0), v('accuracy')[0]);
    t.deepEqual(np.metrics.map((m) => m.key), ['accuracy', 'error', 'solved', 'mean_loss', 'accuracy_aggregation', 'accuracy_comparison', 'accuracy_logic', 'accuracy_arithmetic']);
  });
  np.dispose();
});

test('a tiny single-column configuration learns sum and count to 100% test accuracy (Adam lr 0.03, ≤ 700 steps of 20)', (t) => {
  // Entries in [−9, 9], 3..6 rows in training, 8 at test; d = 16, T = 4; clip 5 by global norm.
  const data = { templates: ['sum', 'count'], rowsMin: 3, rowsMax: 6, testRows: 8, entryMin: -9, entryMax: 9, testEntryMin: -9, testEntryMax: 9, trainSize: 2000, testSize: 200 };
  const { ds, np } = setup(data, { hiddenSize: 16, huberDelta: 10 }, 2);
  // Both templates are asked at test, on 8-row tables (longer than any training table).
  const asked = new Set(Array.from({ length: 200 }, (_, i) => (ds.splits.test as TableQaSplit).example(i).template.name));
  t.deepEqual([...asked].sort(), ['count', 'sum']);
  const opt = tf.train.adam(0.03); // the paper's 0.001 needs thousands of steps; 0.03 solves it near step 500
  const rng = new Rng(5);
  const bctx = batchContext({ training: true, rng });
  const testAccuracy = () =>
    tf.tidy(() => {
      const b = ds.splits.test!.batch(Int32Array.from({ length: 200 }, (_, i) => i), bctx);
      return np.evaluate(b, fctx(false)).accuracy.sum.dataSync()[0] / 200;
    });
  let acc = 0;
  let step = 0;
  const started = Date.now();
  for (; step < 700 && acc < 1; step++) {
    tf.tidy(() => {
      const batch = ds.splits.train.batch(Int32Array.from({ length: 20 }, () => rng.nextInt(2000)), bctx);
      const { grads } = tf.variableGrads(() => np.loss(batch, fctx(true)));
      const norm = Math.sqrt(Object.values(grads).reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0], 0));
      const scale = norm > 5 ? 5 / norm : 1;
      opt.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])) as unknown as Parameters<typeof opt.applyGradients>[0]);
    });
    if ((step + 1) % 50 === 0) acc = testAccuracy();
  }
  t.log(`${step} steps, ${((Date.now() - started) / 1000).toFixed(1)} s, test accuracy ${(acc * 100).toFixed(1)}%`);
  t.is(acc, 1);
  opt.dispose();
  np.dispose();
});
