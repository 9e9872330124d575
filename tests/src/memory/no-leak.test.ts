import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, batchRng, createPluginStates, disposePluginStates, runStep, type ForwardContext, type StepContext, batchContext } from '@anneal/core';
import { planFor, testCatalog, tinyRecipe } from '../helpers/test-catalog.js';

/** Every step must leave tf.memory().numTensors unchanged (after the first step creates lazy state). */
test.serial('no tensor leak per step: clip + noise + dropout + adam + weight noise', async (t) => {
  const catalog = testCatalog();
  const recipe = tinyRecipe({
    optimizer: { name: 'adam', config: { learningRate: 0.01 } },
    plugins: [
      { plugin: 'dropout', config: { rate: 0.5, sites: ['hidden/*'] } },
      { plugin: 'clip-global-norm', config: { maxNorm: 1 } },
      { plugin: 'annealed-gaussian', config: { eta: 0.01 } },
      { plugin: 'weight-noise', config: { eta: 1e-6 } },
    ],
  });
  const plan = await planFor(catalog, recipe);
  const states = createPluginStates(plan);
  const train = plan.dataset.instance.splits.train;
  const counts: number[] = [];
  for (let step = 0; step < 8; step++) {
    const indices = Int32Array.from({ length: 16 }, (_, i) => (step * 16 + i) % train.size);
    const stepCtx: StepContext = { step, epoch: 0, phase: 'main', learningRate: 0.01, params: plan.model.instance.params };
    const fctx: ForwardContext = {
      training: true,
      step,
      phase: 'main',
      phaseOptions: {}, curriculum: {},
      site: (name, x) => {
        let out = x;
        for (const f of plan.forward) out = f.instance.apply(out, name, states.get(f.name), fctx);
        return out;
      },
    };
    const out = runStep(plan, states, () => train.batch(indices, batchContext({ training: true, rng: batchRng(1, step) })), stepCtx, fctx, { recordGradNorms: true });
    t.true(Number.isFinite(out.loss.dataSync()[0]));
    tf.dispose([out.loss, ...Object.values(out.metrics).filter((v): v is tf.Scalar => typeof v !== 'number')]);
    counts.push(tf.memory().numTensors);
  }
  t.deepEqual(counts.slice(1), new Array(counts.length - 1).fill(counts[1]), `numTensors per step: ${counts.join(', ')}`);
  const before = tf.memory().numTensors;
  disposePluginStates(plan, states);
  plan.model.instance.dispose();
  t.true(tf.memory().numTensors < before, 'disposing states and model frees their Variables');
  void Rng;
});

test.serial('a transform that returns a Promise is refused with ANNEAL_ERR_TRANSFORM_ASYNC', async (t) => {
  const { definePlugin, defineSchema, Trainer } = await import('@anneal/core');
  const asyncPlugin = definePlugin.gradientTransform({
    manifest: { name: 'async-bad', version: '0.0.0', kind: 'gradient-transform', hookPoint: 'pre-update', configSchema: defineSchema({}), card: { summary: 'returns a promise' } },
    create: () => ({ name: 'async-bad', init: () => ({}), update: (async (grads: unknown) => ({ grads, state: {} })) as never }),
  });
  const plan = await planFor(testCatalog([asyncPlugin]), tinyRecipe({ plugins: [{ plugin: 'async-bad' }] }));
  const trainer = new Trainer(plan, { runId: 'x' });
  const error = await t.throwsAsync(() => trainer.run());
  t.regex(error!.message, /^ANNEAL_ERR_TRANSFORM_ASYNC: plugin 'async-bad' at pre-update returned a Promise/);
  trainer.dispose();
  plan.model.instance.dispose();
});
