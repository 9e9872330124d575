import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer, definePlugin, defineSchema, formatPlan, isAnnealError, type Recipe } from '@anneal/core';
import { syntheticBlobsDataset, tinyClassifierFamily } from '@anneal/core/testing';
import { selectBackend } from '@anneal/registry';
import { tensorflowTests } from '../helpers/on-tensorflow.js';
import { launcherIn, planFor, testCatalog, tinyRecipe } from '../helpers/test-catalog.js';

/**
 * `training.graphStep: 'on'` (core/src/trainer/graph-step.ts): the trainer's step as one captured TensorFlow
 * graph. Checked on tensorflow through the real trainer: the same losses, noise and weights as the eager step
 * (to float32 rounding: the graph sums the clip norm in float32), a resumed run bit-identical to an uninterrupted
 * one, no tensor growth per step, and boot errors for plans it cannot run.
 */
const onTensorflow = tensorflowTests();

const quiet = { backend: 'tensorflow', log: () => undefined, tty: false, progressStream: { write: () => true } as unknown as NodeJS.WriteStream };

function recipe(graphStep: 'on' | 'off' | 'auto', name: string, optimizer: Recipe['optimizer'] = { name: 'sgd', config: { learningRate: 0.1 } }): Recipe {
  return tinyRecipe({
    name,
    optimizer,
    plugins: [
      { plugin: 'clip-global-norm', config: { maxNorm: 0.5 } },
      { plugin: 'annealed-gaussian', config: { eta: 0.01 } },
    ],
    training: { batchSize: 16, epochs: 3, graphStep },
  });
}

function home(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-graph-step-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

for (const optimizer of [
  { name: 'sgd', config: { learningRate: 0.1 } },
  { name: 'adam', config: { learningRate: 0.01 } },
  { name: 'momentum', config: { learningRate: 0.05, momentum: 0.9, nesterov: true } },
  { name: 'adagrad', config: { learningRate: 0.1 } },
]) {
onTensorflow(`graph step = eager step through the trainer (${optimizer.name}): per-step losses, clip metrics and noise std, and the final weights`, async (t) => {
  const { launcher, store } = launcherIn(home(t), [tinyClassifierFamily, syntheticBlobsDataset]);
  const eager = (await launcher.launch(recipe('off', `graph-step-eager-${optimizer.name}`, optimizer), quiet)).outcomes[0];
  const graph = (await launcher.launch(recipe('on', `graph-step-graph-${optimizer.name}`, optimizer), quiet)).outcomes[0];
  t.is(graph.status, 'FINISHED');
  const series = (id: string, key: string) => store.readMetrics(id).filter((p) => p.key === key).map((p) => p.value);
  const close = (a: number[], b: number[], rel: number, what: string) => {
    t.is(a.length, b.length, what);
    t.true(a.length > 0, what);
    a.forEach((v, i) => t.true(Math.abs(v - b[i]) <= rel * Math.max(1, Math.abs(v)), `${what}[${i}]: eager ${v}, graph ${b[i]}`));
  };
  close(series(eager.runId, 'train/loss'), series(graph.runId, 'train/loss'), 1e-4, 'train/loss');
  close(series(eager.runId, 'plugin/clip-global-norm/grad_norm'), series(graph.runId, 'plugin/clip-global-norm/grad_norm'), 1e-4, 'grad_norm');
  close(series(eager.runId, 'plugin/clip-global-norm/clip_coef'), series(graph.runId, 'plugin/clip-global-norm/clip_coef'), 1e-4, 'clip_coef');
  // The graph takes the norm after the clip as the clip's N · c (the eager step's memo does the same), so no second sum
  // reads the clipped gradients: the recorded norms still agree with the eager step's.
  close(series(eager.runId, 'grad/norm_pre_clip'), series(graph.runId, 'grad/norm_pre_clip'), 1e-4, 'grad/norm_pre_clip');
  close(series(eager.runId, 'grad/norm_post_clip'), series(graph.runId, 'grad/norm_post_clip'), 1e-4, 'grad/norm_post_clip');
  t.true(series(graph.runId, 'grad/norm_post_clip').some((v) => Math.abs(v - 0.5) < 1e-6), 'a clipped step records maxNorm after the clip');
  t.deepEqual(series(graph.runId, 'plugin/annealed-gaussian/noise_std'), series(eager.runId, 'plugin/annealed-gaussian/noise_std'), 'σ_t is the same number');
  t.true(series(eager.runId, 'plugin/clip-global-norm/clip_coef').some((c) => c < 1), 'the clip is active on some steps');
  const weights = (id: string) => new Float32Array(new Uint8Array(readFileSync(join(store.artifactsDir(id), 'model', 'weights.bin'))).buffer);
  const [we, wg] = [weights(eager.runId), weights(graph.runId)];
  t.is(we.length, wg.length);
  let worst = 0;
  we.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - wg[i]))));
  t.true(worst < 1e-4, `max |Δw| = ${worst}`);
  t.log(`12 steps: max |Δw| eager vs graph = ${worst.toExponential(2)}`);
});
}

onTensorflow('graph step = eager step with the per-tensor clip (clip-tensor-norm): losses, clipped-tensor counts and smallest coefficients', async (t) => {
  const { launcher, store } = launcherIn(home(t), [tinyClassifierFamily, syntheticBlobsDataset]);
  const perTensor = (graphStep: 'on' | 'off') => ({ ...recipe(graphStep, `graph-step-tensor-clip-${graphStep}`), plugins: [{ plugin: 'clip-tensor-norm', config: { maxNorm: 0.2 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01 } }] });
  const eager = (await launcher.launch(perTensor('off'), quiet)).outcomes[0];
  const graph = (await launcher.launch(perTensor('on'), quiet)).outcomes[0];
  t.is(graph.status, 'FINISHED');
  const series = (id: string, key: string) => store.readMetrics(id).filter((p) => p.key === key).map((p) => p.value);
  for (const key of ['train/loss', 'plugin/clip-tensor-norm/clip_coef_min']) {
    const [a, b] = [series(eager.runId, key), series(graph.runId, key)];
    t.is(a.length, b.length, key);
    t.true(a.length > 0, key);
    a.forEach((v, i) => t.true(Math.abs(v - b[i]) <= 1e-4 * Math.max(1, Math.abs(v)), `${key}[${i}]: eager ${v}, graph ${b[i]}`));
  }
  const counts = series(eager.runId, 'plugin/clip-tensor-norm/clipped_tensors');
  t.deepEqual(series(graph.runId, 'plugin/clip-tensor-norm/clipped_tensors'), counts, 'the same tensors are clipped on every step');
  t.true(counts.some((c) => c > 0), `some tensors are clipped: ${counts.join(' ')}`);
});

onTensorflow('a graph-step run (Adam: its moments go through the graph) stopped mid-way and resumed ends with bit-identical weights', async (t) => {
  const { launcher, store } = launcherIn(home(t), [tinyClassifierFamily, syntheticBlobsDataset]);
  const r = recipe('on', 'graph-step-resume', { name: 'adam', config: { learningRate: 0.01 } });
  const full = await launcher.launch(r, quiet);
  const stopped = await launcher.launch(r, { ...quiet, stopAfterSteps: 5 });
  const resumed = await launcher.resume(stopped.outcomes[0].runId, quiet, store);
  t.is(resumed.status, 'FINISHED');
  const weights = (id: string) => readFileSync(join(store.artifactsDir(id), 'model', 'weights.bin'));
  t.true(weights(full.outcomes[0].runId).equals(weights(stopped.outcomes[0].runId)));
});

onTensorflow('no tensor growth per graph step (tfjs tensors and TensorFlow handles after each step)', async (t) => {
  const plan = await planFor(testCatalog(), { ...recipe('on', 'graph-step-leak'), training: { batchSize: 16, epochs: 4, graphStep: 'on', evalSplits: [] } }, { backend: 'tensorflow' });
  const binding = (tf.backend() as unknown as { binding: { getNumOfTensors(): number } }).binding;
  const counts: string[] = [];
  const trainer = new Trainer(plan, { runId: 'graph-step-leak' });
  trainer.events.tap((event) => {
    if (event === 'step:end') counts.push(`${tf.memory().numTensors}/${binding.getNumOfTensors()}`);
  });
  await trainer.run();
  trainer.dispose();
  plan.model.instance.dispose();
  t.is(counts.length, 16);
  t.deepEqual(new Set(counts.slice(2)).size, 1, counts.join(' '));
});

/** A user's forward transform written without a graph form (it scales its site by 2). */
const doubling = definePlugin.forwardTransform({
  manifest: { name: 'test-doubling', version: '0.1.0', kind: 'forward-transform', configSchema: defineSchema({ sites: { type: 'string[]', default: ['hidden/*'], description: 'sites' } }), card: { summary: 'test' } },
  create: (config) => ({ name: 'test-doubling', sites: config.sites, init: () => ({}), apply: (x) => tf.mul(x, 2) }),
});

onTensorflow('boot errors: a plugin without a graph form, a forward transform without one, another backend — each named, with the fix; dropout has one', async (t) => {
  const catalog = testCatalog([doubling]);
  const refused = async (r: Recipe, backend: string, fragment: string) => {
    if (backend !== 'tensorflow') await selectBackend(backend);
    try {
      const error = await t.throwsAsync(planFor(catalog, r, { backend }));
      t.true(isAnnealError(error, 'ANNEAL_ERR_CONFIG_VALUE'), String(error));
      t.true(error!.message.includes('training.graphStep') && error!.message.includes(fragment), error!.message);
      t.true(error!.message.includes("Set training.graphStep to 'off'"), error!.message);
    } finally {
      await selectBackend('tensorflow');
    }
  };
  const on = recipe('on', 'graph-step-refused');
  await refused({ ...on, plugins: [{ plugin: 'clip-value', config: { maxValue: 0.5 } }] }, 'tensorflow', "plugin 'clip-value' has no graph form");
  await refused({ ...on, plugins: [...on.plugins, { plugin: 'test-doubling', config: {} }] }, 'tensorflow', "forward transform 'test-doubling' has no graph form");
  const withDropout = await planFor(catalog, { ...on, plugins: [...on.plugins, { plugin: 'dropout', config: { rate: 0.2, sites: ['hidden/*'] } }] }, { backend: 'tensorflow' });
  t.is(withDropout.training.graphStep, 'on');
  withDropout.model.instance.dispose();
  await refused(on, 'cpu', "graph steps need 'tensorflow'");
});

onTensorflow("graphStep 'auto': the graph where the plan allows it, else eager with the reason in the plan and the recorded config", async (t) => {
  const catalog = testCatalog();
  const auto = recipe('auto', 'graph-step-auto');
  const yes = await planFor(catalog, auto, { backend: 'tensorflow' });
  t.is(yes.training.graphStep, 'on');
  t.regex(formatPlan(yes), /one captured TensorFlow graph/);
  t.is((yes.resolvedConfig.training as { graphStep?: string }).graphStep, 'on', 'the run records what ran');
  yes.model.instance.dispose();
  const noForm = await planFor(catalog, { ...auto, plugins: [{ plugin: 'clip-value', config: { maxValue: 0.5 } }] }, { backend: 'tensorflow' });
  t.is(noForm.training.graphStep, undefined);
  t.regex(noForm.training.graphStepAutoOff ?? '', /plugin 'clip-value' has no graph form/);
  t.regex(formatPlan(noForm), /eager: training.graphStep auto, but plugin 'clip-value' has no graph form/);
  noForm.model.instance.dispose();
  await selectBackend('cpu');
  try {
    const cpu = await planFor(catalog, auto, { backend: 'cpu' });
    t.is(cpu.training.graphStep, undefined);
    t.regex(cpu.training.graphStepAutoOff ?? '', /the backend is 'cpu'/);
    cpu.model.instance.dispose();
  } finally {
    await selectBackend('tensorflow');
  }
  // And it trains: the auto plan runs its steps through the graph.
  const { launcher } = launcherIn(home(t), [tinyClassifierFamily, syntheticBlobsDataset]);
  t.is((await launcher.launch(auto, quiet)).outcomes[0].status, 'FINISHED');
});
