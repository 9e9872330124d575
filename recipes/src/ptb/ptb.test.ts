import test from 'ava';
import { PTB_DROPOUT_CANDIDATES, PTB_PAPER, ptbDropoutSelectRecipe, ptbPhases, ptbRecipes } from './index.js';

test('PTB recipes: with / without dropout × {no-noise, η = 0.01, η = 0.001}, Zaremba small protocol', (t) => {
  t.deepEqual(ptbRecipes.map((r) => r.name), ['ptb-lstm-noise', 'ptb-lstm-noise-nodropout', 'ptb-dropout-select']);
  for (const r of ptbRecipes.slice(0, 2)) {
    t.is(r.model.name, 'lstm-lm');
    t.deepEqual(r.model.config, { layers: 2, hiddenSize: 200, initScale: 0.1 });
    t.deepEqual(r.dataset, { name: 'ptb', config: { batchSize: 20, numSteps: 20 } });
    t.deepEqual(r.optimizer, { name: 'sgd', config: { learningRate: 1 } });
    t.is(r.training.batchSize, 1);
    t.is(r.training.sampling, 'sequential');
    t.deepEqual(r.variants?.map((v) => v.name), ['no-noise', 'eta-0.01', 'eta-0.001']);
    t.deepEqual(r.variants?.map((v) => v.patch.plugins?.at(-1)?.config), [undefined, { eta: 0.01, gamma: 0.55 }, { eta: 0.001, gamma: 0.55 }]);
    t.true(r.variants!.slice(1).every((v) => v.patch.plugins!.at(-1)!.at === 'post-clip' && v.patch.plugins![0].plugin === 'clip-global-norm'));
    t.deepEqual(r.report, { layout: 'mean-std', metric: 'test/perplexity', metrics: ['validation/perplexity', 'test/perplexity'], baseline: 'no-noise' });
  }
  t.deepEqual(ptbRecipes[0].plugins.map((p) => p.plugin), ['clip-global-norm', 'dropout']);
  t.deepEqual(ptbRecipes[1].plugins.map((p) => p.plugin), ['clip-global-norm']);
  t.deepEqual(ptbRecipes[0].paper!.values, PTB_PAPER);
});

test('learning rate: 1 for epochs 1–4, then halved after every epoch up to 13', (t) => {
  const phases = ptbPhases();
  t.deepEqual(phases, [
    { name: 'lr-1', epochs: 4, learningRate: 1, lrSchedule: { kind: 'constant' } },
    { name: 'halving', epochs: 9, learningRate: 0.5, lrSchedule: { kind: 'step', everyEpochs: 1, factor: 0.5 } },
  ]);
  // Per epoch (the trainer: lr · factor^⌊epochInPhase / everyEpochs⌋).
  const lrs = phases.flatMap((p) => Array.from({ length: p.epochs }, (_, e) => (p.lrSchedule!.kind === 'step' ? p.learningRate! * 0.5 ** e : p.learningRate!)));
  t.deepEqual(lrs, [1, 1, 1, 1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.001953125]);
  t.deepEqual(ptbPhases(1), [{ name: 'lr-1', epochs: 1, learningRate: 1, lrSchedule: { kind: 'constant' } }]);
});

test('ptb-dropout-select: no noise, one arm per dropout rate, chosen on validation perplexity only', (t) => {
  const r = ptbDropoutSelectRecipe();
  t.deepEqual(r.variants?.map((v) => v.name), PTB_DROPOUT_CANDIDATES.map((rate) => `dropout-${rate}`));
  t.deepEqual(r.variants?.map((v) => v.patch.plugins?.find((p) => p.plugin === 'dropout')?.config?.rate ?? 0), [...PTB_DROPOUT_CANDIDATES]);
  t.false(JSON.stringify(r).includes('annealed-gaussian'), 'no noise arm');
  t.deepEqual(r.training.evalSplits, ['validation']);
  t.deepEqual(r.quick?.training?.evalSplits, ['validation'], 'the test split is not looked at for the choice');
  t.deepEqual(r.report, { layout: 'mean-std', metric: 'validation/perplexity', metrics: ['validation/perplexity'], baseline: 'dropout-0' });
});

test('step settings: the full protocols use the graph step where it can run and two TensorFlow threads; the quick variants one thread', (t) => {
  for (const r of ptbRecipes) {
    t.is(r.training.graphStep, 'auto', r.name);
    t.is(r.training.tensorflowThreads, 2, r.name);
    t.is(r.quick?.training?.tensorflowThreads, 1, `${r.name} --quick`);
    t.is(r.quick?.training?.graphStep, undefined, `${r.name} --quick keeps the graph step of the full recipe`);
  }
});
