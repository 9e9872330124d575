import test from 'ava';
import { TABLE2_PAPER, table2Recipes } from './index.js';

test('Table 2 recipes: {one-stage, two-stage} × {no-noise, noise}, full protocol', (t) => {
  t.deepEqual(table2Recipes.map((r) => r.name), ['memn2n-table2-one-stage', 'memn2n-table2-two-stage']);
  for (const r of table2Recipes) {
    t.is(r.model.name, 'memn2n');
    t.is(r.dataset.name, 'babi');
    t.is(r.optimizer.name, 'sgd');
    t.deepEqual(r.grid, { 'dataset.config.task': Array.from({ length: 20 }, (_, i) => i + 1) });
    t.deepEqual(r.restarts, { count: 10, selectBy: 'train/error', mode: 'min' });
    t.is(r.training.batchSize, 32);
    t.is(r.training.sampling, 'with-replacement');
    t.deepEqual(r.training.evalSplits, ['train', 'validation']);
    t.deepEqual(r.plugins, [{ plugin: 'clip-tensor-norm', config: { maxNorm: 40 } }]);
    t.deepEqual(r.variants?.map((v) => v.name), ['no-noise', 'noise']);
    const noise = r.variants![1].patch.plugins!;
    t.deepEqual(noise.map((p) => p.plugin), ['clip-tensor-norm', 'annealed-gaussian']);
    t.deepEqual(noise[1].config, { eta: 0.01, gamma: 0.55 });
    t.is(noise[1].at, 'post-clip');
    t.deepEqual(Object.keys(r.paper!.values), ['no-noise', 'noise']);
  }
  const [one, two] = table2Recipes;
  t.deepEqual(one.training.phases, [
    { name: 'main', epochs: 200, learningRate: 0.01, lrSchedule: { kind: 'step', everyEpochs: 25, factor: 0.5 }, modelOptions: { attention: 'softmax' } },
  ]);
  t.deepEqual(two.training.phases, [
    { name: 'linear-start', epochs: 20, learningRate: 0.005, lrSchedule: { kind: 'constant' }, modelOptions: { attention: 'linear' } },
    { name: 'main', epochs: 200, learningRate: 0.005, lrSchedule: { kind: 'step', everyEpochs: 25, factor: 0.5 }, modelOptions: { attention: 'softmax' } },
  ]);
  t.deepEqual(one.paper!.values, TABLE2_PAPER['one-stage']);
  t.is(one.paper!.values.noise['validation/error'], 16.6);
  t.is(two.paper!.values['no-noise']['train/error'], 6.2);
});

test('Table 2 quick patches: 3 tasks, 2 restarts, shorter phases with the same lr schedule', (t) => {
  for (const r of table2Recipes) {
    const q = r.quick!;
    t.deepEqual(q.grid, { 'dataset.config.task': [1, 2, 3] });
    t.is(q.restarts!.count, 2);
    const phases = q.training!.phases!;
    t.is(phases[phases.length - 1].epochs, 60);
    t.is(phases[phases.length - 1].modelOptions!.attention, 'softmax');
  }
  t.is(table2Recipes[1].quick!.training!.phases![0].modelOptions!.attention, 'linear');
});
