import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, batchContext, validateConfig, type ForwardContext } from '@anneal/core';
import { listKConfigSchema, makeListKDataset } from '@anneal/dataset-list-k';
import { NRAM_MODULES } from './modules.js';
import { NramModel, choiceRows } from './nram.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const fctx: ForwardContext = { training: false, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };

/**
 * A hand-wired circuit solves ListK for one-node lists at any M (the head sits at a random slot, so a
 * fixed address cannot): with the controller kernels 0 every timestep runs the same program
 *   o_READ = READ(r1);  o_INC = INC(o_READ);  WRITE(TWO, o_READ);  r1 ← o_INC;  finish gate ≈ 0
 * t = 1: READ(0) = head pointer, r1 = head + 1;  t = 2: READ(head + 1) = the head's value → cell 2.
 * With T = 2 the halting mass is on t = 2, so the loss is ≈ 0 and every answer is right.
 */
test('a hand-wired program (controller kernels 0, chosen biases) solves one-node lists at M = 11', (t) => {
  const R = 2;
  const M = 11;
  const model = new NramModel({ registers: R, timesteps: 2, hidden: 3, initStd: 0, logFloor: 1e-20 }, { memorySize: M, outputCell: 2 }, new Rng(1));
  t.teardown(() => model.dispose());
  const rows = choiceRows(R);
  const K = R + NRAM_MODULES.length;
  const cand = (name: string) => R + NRAM_MODULES.findIndex((m) => m.name === name);
  const chosen: Record<string, number> = { 'READ/1': 0, 'INC/1': cand('READ'), 'WRITE/1': cand('TWO'), 'WRITE/2': cand('READ'), r1: cand('INC'), r2: 1 };
  const bias = new Float32Array(rows.length * K);
  rows.forEach((row, i) => {
    if (row.name in chosen) bias[i * K + chosen[row.name]] = 30;
  });
  model.params['choices/bias'].assign(tf.tensor1d(bias));
  model.params['finish/bias'].assign(tf.tensor1d([-30]));
  const ds = makeListKDataset(validateConfig('list-k', listKConfigSchema, { memorySize: M, length: 1, testSize: 40 }), 3);
  tf.tidy(() => {
    const batch = ds.splits.test!.batch(Int32Array.from({ length: 40 }, (_, i) => i), batchContext({ training: false, rng: new Rng(1) }));
    const heads = new Set((batch.memory.arraySync() as number[][]).map((row) => row[0]));
    t.true(heads.size >= 3, 'the head sits at several addresses');
    const sums = model.evaluate(batch, fctx) as Record<string, { sum: tf.Scalar; count: tf.Scalar }>;
    t.is(sums.error.sum.dataSync()[0], 0);
    t.is(sums.solved.sum.dataSync()[0], 40);
    t.true(model.loss(batch, fctx).dataSync()[0] < 1e-3);
  });
});
