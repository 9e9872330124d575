import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, validateConfig, type Initializer, type StepContext } from '@anneal/core';
import { averageCopies, averageCopiesSchema, copyGroups } from './average-copies.js';
import { NeuralGpuModel, neuralGpuSchema } from './neural-gpu.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const build = (c: Record<string, unknown>) =>
  new NeuralGpuModel(validateConfig('neural-gpu', neuralGpuSchema, c), { dataset: { vocabSize: 14 }, rng: new Rng(1), initializer: (): Initializer => { throw new Error('unused'); } });
const stepAt = (model: NeuralGpuModel, curriculum: Record<string, number>): StepContext => ({ step: 0, epoch: 0, phase: 'main', learningRate: 0.001, params: model.params, curriculum });
const bias = (model: NeuralGpuModel, name: string) => Array.from(model.params[name].dataSync());

test('copy groups: one group per (layer, parameter) with the copies in order; 3 copies × 2 layers × 6 tensors', (t) => {
  const model = build({ m: 2, copies: 3 });
  const groups = copyGroups(model.params);
  t.is(groups.size, 12);
  t.deepEqual(groups.get('1/update/bias'), [0, 1, 2].map((c) => model.params[`cgru${c}.1/update/bias`]));
  t.false([...groups.keys()].some((k) => k.includes('embedding') || k.includes('output')));
  model.dispose();
});

test('ngpu-average-copies by hand: averages once per increase of the curriculum count, and once at the end', (t) => {
  const model = build({ m: 2, height: 2, copies: 3 });
  const p = averageCopies(validateConfig('ngpu-average-copies', averageCopiesSchema, {}));
  const set = (values: number[]) => values.forEach((v, c) => model.params[`cgru${c}.0/reset/bias`].assign(tf.fill([2], v)));
  let state = p.init({ seed: 0, params: model.params });
  set([1, 2, 6]);
  state = p.apply(model.params, state, stepAt(model, { averagings: 0 })).state;
  t.deepEqual(bias(model, 'cgru2.0/reset/bias'), [6, 6], 'count 0: nothing averaged');
  state = p.apply(model.params, state, stepAt(model, { averagings: 1 })).state;
  // (1 + 2 + 6) / 3 = 3 in every copy.
  for (const c of [0, 1, 2]) t.deepEqual(bias(model, `cgru${c}.0/reset/bias`), [3, 3]);
  t.deepEqual(state, { done: 1 });
  set([0, 0, 3]);
  state = p.apply(model.params, state, stepAt(model, { averagings: 1 })).state;
  t.deepEqual(bias(model, 'cgru2.0/reset/bias'), [3, 3], 'the same count again: no second averaging');
  state = p.finish!(model.params, state, stepAt(model, { averagings: 1 })).state;
  for (const c of [0, 1, 2]) t.deepEqual(bias(model, `cgru${c}.0/reset/bias`), [1, 1], 'at the end: (0 + 0 + 3) / 3');
  t.true(model.pullTerm().dataSync()[0] < 1e-10, 'all copies equal afterwards');
  t.deepEqual(JSON.parse(JSON.stringify(state)), state, 'plain JSON state (checkpointed)');
  model.dispose();
});

test('ngpu-average-copies with atEnd false leaves the copies at the end; with copies = 1 it changes nothing', (t) => {
  const model = build({ m: 2, copies: 2 });
  model.params['cgru1.0/candidate/bias'].assign(tf.fill([2], 4));
  const p = averageCopies(validateConfig('ngpu-average-copies', averageCopiesSchema, { atEnd: false }));
  p.finish!(model.params, { done: 0 }, stepAt(model, {}));
  t.deepEqual(bias(model, 'cgru1.0/candidate/bias'), [4, 4]);
  model.dispose();
  const single = build({ m: 2, copies: 1 });
  const before = bias(single, 'cgru0.0/update/bias');
  averageCopies(validateConfig('ngpu-average-copies', averageCopiesSchema, {})).finish!(single.params, { done: 0 }, stepAt(single, {}));
  t.deepEqual(bias(single, 'cgru0.0/update/bias'), before);
  single.dispose();
});
