import { join } from 'node:path';
import { Trainer, isAnnealError, type Recipe, type StepRecord } from '@anneal/core';
import { bootAnneal, buildPlan } from '@anneal/registry';
import { singleTaskMemn2nRecipe } from '../helpers/memn2n-recipe.js';
import { tensorflowTests } from '../helpers/on-tensorflow.js';
import { SHARED_DATA } from '../helpers/run-cli.js';

/**
 * MemN2N through `training.graphStep: 'on'`: its per-tensor clip has a graph form and its embedding lookups (tf.gather)
 * no longer read to the host on tensorflow, so with gradient 'autodiff' the whole step is one graph. Its losses are the
 * eager step's (the hand-written backward pass, the default); with that hand-written pass (which reads host values)
 * the first step fails with an error that names the model and the fix.
 */
const onTensorflow = tensorflowTests();

function recipe(gradient: 'manual' | 'autodiff', graphStep: 'on' | 'off'): Recipe {
  const base = singleTaskMemn2nRecipe(1, 1);
  return { ...base, model: { ...base.model, config: { ...base.model.config, gradient } }, training: { ...base.training, maxSteps: 12, graphStep } };
}

async function losses(r: Recipe): Promise<number[]> {
  const booted = await bootAnneal({ env: { ANNEAL_HOME: join(SHARED_DATA, 'unused-home'), MLFLOW_TRACKING_URI: '' } });
  const plan = await buildPlan(booted.plugins, { recipe: r, seed: 3, runName: 'graph-step-memn2n', backend: 'tensorflow' });
  const trainer = new Trainer(plan, { runId: `graph-step-memn2n-${r.training.graphStep}` });
  const out: number[] = [];
  trainer.events.tap((event, payload) => {
    if (event === 'step:end') out.push((payload as StepRecord).loss);
  });
  try {
    await trainer.run();
  } finally {
    trainer.dispose();
    plan.model.instance.dispose();
  }
  return out;
}

onTensorflow('MemN2N (per-tensor clip 40 + annealed noise, gradient autodiff) as one graph per step: the losses of the eager hand-written step', async (t) => {
  const eager = await losses(recipe('manual', 'off'));
  const graph = await losses(recipe('autodiff', 'on'));
  t.is(graph.length, 12);
  t.is(eager.length, graph.length);
  eager.forEach((v, i) => t.true(Math.abs(v - graph[i]) <= 1e-4 * Math.max(1, Math.abs(v)), `loss[${i}]: eager ${v}, graph ${graph[i]}`));
  t.true(graph[graph.length - 1] !== graph[0], 'the weights move');
});

onTensorflow("MemN2N's hand-written backward pass under graphStep 'on': an error naming the model and the fix", async (t) => {
  const error = await t.throwsAsync(losses(recipe('manual', 'on')));
  t.true(isAnnealError(error, 'ANNEAL_ERR_GRAPH_CAPTURE'), String(error));
  t.regex(error!.message, /model 'memn2n'.*reads a tensor back.*gradient 'autodiff'.*graphStep to 'off'/);
});
