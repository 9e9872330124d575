import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer, isAnnealError, type Recipe, type StepRecord } from '@anneal/core';
import { bootAnneal, buildPlan } from '@anneal/registry';
import { singleTaskMemn2nRecipe } from '../helpers/memn2n-recipe.js';
import { tensorflowTests } from '../helpers/on-tensorflow.js';
import { SHARED_DATA } from '../helpers/run-cli.js';
import { realPtbDir } from '@anneal/dataset-ptb';

/**
 * Paper families through `training.graphStep: 'on'`, each against its eager step (same seed, same noise):
 * - MemN2N: its per-tensor clip has a graph form and its embedding lookups (tf.gather) no longer read to the host on
 *   tensorflow, so with gradient 'autodiff' the whole step is one graph; its losses are those of the eager step with
 *   the hand-written backward pass (the default). With that hand-written pass, which reads host values, the first
 *   step fails with an error that names the model and the fix.
 * - Neural Programmer (Adam, clip 5 + noise): its step has ExpandDims, which tfjs-node runs without type attributes
 *   (the capture adds them).
 * - Neural GPU (2 copies, length curriculum, clip 1 + noise, Adam, weight noise): the unroll length is the batch's
 *   `steps` host number and the masks are built from the lengths on the backend, so one graph per batch length; the
 *   post-update plugins (weight noise, copy averaging) run eagerly after each graph.
 * - PTB LSTM (dropout at the embedding and after each layer, clip 5 + noise, SGD): the carried h and c go in and come
 *   out of the graph, and the dropout masks, drawn on the host as in the eager step, are late inputs. The eager step
 *   runs the fused BlockLSTM op, the graph the written-out cell (useBlockLstm): the same values.
 */
const onTensorflow = tensorflowTests();

function npRecipe(graphStep: 'on' | 'off'): Recipe {
  return {
    name: `graph-step-np-${graphStep}`,
    version: 1,
    description: 'graph step test',
    model: { name: 'neural-programmer', config: { hiddenSize: 16, steps: 4 } },
    dataset: { name: 'table-qa', config: { trainSize: 10 * 14, testSize: 10, rowsMin: 10, rowsMax: 30, testRows: 40 } },
    optimizer: { name: 'adam', config: { learningRate: 0.001, epsilon: 1e-6 } },
    plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 5 } }, { plugin: 'annealed-gaussian', config: { eta: 1 } }],
    training: { batchSize: 10, epochs: 1, maxSteps: 12, evalSplits: [], sampling: 'sequential', graphStep },
    seeds: [1],
  };
}

function ptbRecipe(graphStep: 'on' | 'off', dropoutRate = 0.2): Recipe {
  return {
    name: `graph-step-ptb-${graphStep}`,
    version: 1,
    description: 'graph step test',
    model: { name: 'lstm-lm', config: { layers: 2, hiddenSize: 16, initScale: 0.1 } },
    dataset: { name: 'ptb', config: { dataDir: realPtbDir()!, batchSize: 4, numSteps: 5, maxTrainTokens: 4 * 5 * 6 + 4, maxEvalTokens: 100, vocabSize: 300 } },
    optimizer: { name: 'sgd', config: { learningRate: 1 } },
    plugins: [
      { plugin: 'clip-global-norm', config: { maxNorm: 5 } },
      { plugin: 'dropout', config: { rate: dropoutRate, sites: ['embedding', 'lstm/*'] } },
      { plugin: 'annealed-gaussian', config: { eta: 0.01, gamma: 0.55 }, at: 'post-clip' },
    ],
    training: { batchSize: 1, epochs: 2, maxSteps: 12, sampling: 'sequential', evalSplits: [], graphStep },
    seeds: [1],
  };
}

function ngpuRecipe(graphStep: 'on' | 'off' | 'auto', dropout = 0): Recipe {
  return {
    name: `graph-step-ngpu-${graphStep}`,
    version: 1,
    description: 'graph step test',
    model: { name: 'neural-gpu', config: { m: 8, copies: 2, dropout } },
    dataset: { name: 'binary-arith', config: { task: 'badd', trainMaxLength: 9, testLength: 9, trainSize: 8 * 12, validationSize: 8, testSize: 8, bins: [8, 12, 16, 24] } },
    optimizer: { name: 'adam', config: { learningRate: 0.003, epsilon: 1e-4 } },
    plugins: [
      { plugin: 'ngpu-curriculum', config: { start: 9, min: 3, max: 9, minSteps: 50 } },
      { plugin: 'clip-global-norm', config: { maxNorm: 1 } },
      { plugin: 'annealed-gaussian', config: { eta: 1, gamma: 0.55 }, at: 'post-clip' },
      { plugin: 'weight-noise', config: { eta: 1e-4 } },
      { plugin: 'ngpu-average-copies', config: { atEnd: false } },
    ],
    training: { batchSize: 8, epochs: 1, maxSteps: 12, sampling: 'sequential', evalSplits: [], graphStep },
    seeds: [1],
  };
}

function recipe(gradient: 'manual' | 'autodiff', graphStep: 'on' | 'off' | 'auto'): Recipe {
  const base = singleTaskMemn2nRecipe(1, 1);
  return { ...base, model: { ...base.model, config: { ...base.model.config, gradient } }, training: { ...base.training, maxSteps: 12, graphStep } };
}

async function losses(r: Recipe, tensorCounts: number[] = [], records: StepRecord[] = []): Promise<number[]> {
  const booted = await bootAnneal({ env: { ANNEAL_HOME: join(SHARED_DATA, 'unused-home'), MLFLOW_TRACKING_URI: '' } });
  const plan = await buildPlan(booted.plugins, { recipe: r, seed: 3, runName: r.name, backend: 'tensorflow' });
  const trainer = new Trainer(plan, { runId: `${r.name}-${r.training.graphStep}` });
  const out: number[] = [];
  trainer.events.tap((event, payload) => {
    if (event === 'step:end') {
      out.push((payload as StepRecord).loss);
      records.push(payload as StepRecord);
      tensorCounts.push(tf.memory().numTensors);
    }
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

onTensorflow('Neural Programmer (Adam, clip 5 + annealed noise η = 1) as one graph per step: the losses of the eager step', async (t) => {
  const eager = await losses(npRecipe('off'));
  const graph = await losses(npRecipe('on'));
  t.is(graph.length, 12);
  t.is(eager.length, graph.length);
  eager.forEach((v, i) => t.true(Math.abs(v - graph[i]) <= 1e-4 * Math.max(1, Math.abs(v)), `loss[${i}]: eager ${v}, graph ${graph[i]}`));
  t.true(graph[graph.length - 1] !== graph[0], 'the weights move');
});

onTensorflow('Neural GPU (2 copies, length curriculum, clip 1 + noise, Adam, weight noise after the update) as one graph per batch length: the losses of the eager step', async (t) => {
  const eager = await losses(ngpuRecipe('off'));
  const counts: number[] = [];
  const records: StepRecord[] = [];
  const graph = await losses(ngpuRecipe('on'), counts, records);
  t.is(graph.length, 12);
  t.is(eager.length, graph.length);
  eager.forEach((v, i) => t.true(Math.abs(v - graph[i]) <= 1e-4 * Math.max(1, Math.abs(v)), `loss[${i}]: eager ${v}, graph ${graph[i]}`));
  const lengths = new Set(records.map((r) => r.metrics['curriculum/length']));
  t.true(lengths.size >= 3, `batch lengths seen: ${[...lengths].join(', ')} (each its own graph)`);
  t.true(records.every((r) => r.metrics['plugin/weight-noise/weight_noise_std'] !== undefined || Object.keys(r.metrics).some((k) => k.startsWith('plugin/weight-noise/'))), 'the post-update plugin ran and reported at every step');
  t.deepEqual(counts.slice(4), counts.slice(4).map(() => counts[4]), `no tensor growth per step: ${counts.join(' ')}`);
  // Without the weight noise after the update the losses differ: it is applied in the graph-step run.
  const plain = ngpuRecipe('on');
  const withoutWeightNoise = await losses({ ...plain, plugins: plain.plugins.filter((p) => p.plugin !== 'weight-noise') });
  t.true(withoutWeightNoise.some((v, i) => Math.abs(v - graph[i]) > 1e-6 * Math.max(1, Math.abs(v))), 'weight noise changes the losses');
  t.true(graph[graph.length - 1] !== graph[0], 'the weights move');
});

onTensorflow('Neural GPU: a curriculum level the model reads (the pull weight, with 2 copies) selects the graph, so a step never runs with a stale one', async (t) => {
  const pulling = (graphStep: 'on' | 'off'): Recipe => ({
    ...ngpuRecipe(graphStep),
    dataset: { name: 'binary-arith', config: { task: 'badd', trainMaxLength: 9, testLength: 9, trainSize: 16, validationSize: 8, testSize: 8, bins: [8, 12, 16, 24] } },
    // Every checkpoint passes (threshold above any error), so the pull weight grows × 10 every 2 steps.
    plugins: [{ plugin: 'ngpu-curriculum', config: { start: 5, min: 3, max: 9, minSteps: 2, threshold: 1.01, pull: 1, pullIncrease: 10, pullMax: 1e6 } }],
    training: { batchSize: 8, epochs: 4, evalSplits: ['validation'], evalEveryEpochs: 1, graphStep },
  });
  const records: StepRecord[] = [];
  const eager = await losses(pulling('off'));
  const graph = await losses(pulling('on'), [], records);
  t.is(graph.length, 8);
  t.true(new Set(records.map((r) => r.metrics['curriculum/pull'])).size >= 3, 'the pull weight changes');
  eager.forEach((v, i) => t.true(Math.abs(v - graph[i]) <= 1e-4 * Math.max(1, Math.abs(v)), `loss[${i}]: eager ${v}, graph ${graph[i]}`));
});

onTensorflow("Neural GPU with dropout > 0: graphStep 'on' refused at boot naming the model and the fix; 'auto' runs it eager", async (t) => {
  const error = await t.throwsAsync(losses(ngpuRecipe('on', 0.1)));
  t.true(isAnnealError(error, 'ANNEAL_ERR_CONFIG_VALUE'), String(error));
  t.regex(error!.message, /model 'neural-gpu'.*dropout 0\.1.*random masks.*dropout 0/);
  const booted = await bootAnneal({ env: { ANNEAL_HOME: join(SHARED_DATA, 'unused-home'), MLFLOW_TRACKING_URI: '' } });
  const plan = await buildPlan(booted.plugins, { recipe: ngpuRecipe('auto', 0.1), seed: 3, runName: 'auto', backend: 'tensorflow' });
  t.is(plan.training.graphStep, undefined);
  t.regex(plan.training.graphStepAutoOff ?? '', /model 'neural-gpu'/);
  plan.model.instance.dispose();
});

onTensorflow('PTB LSTM (dropout 0.2, carried state, clip 5 + noise) as one graph per step: the losses of the eager step', async (t) => {
  if (!realPtbDir()) {
    t.pass('skipped: PTB not found (set ANNEAL_PTB_DIR)');
    return;
  }
  const eager = await losses(ptbRecipe('off'));
  const counts: number[] = [];
  const graph = await losses(ptbRecipe('on'), counts);
  // No tensor growth per step: the carried state is replaced, the masks and the graph's outputs are freed.
  t.deepEqual(counts.slice(2), counts.slice(2).map(() => counts[2]), `tfjs tensors after each step: ${counts.join(' ')}`);
  t.is(graph.length, 12);
  t.is(eager.length, graph.length);
  eager.forEach((v, i) => t.true(Math.abs(v - graph[i]) <= 1e-4 * Math.max(1, Math.abs(v)), `loss[${i}]: eager ${v}, graph ${graph[i]}`));
  // Two epochs of 6 windows: the state is carried, then reset. Equal losses at every step mean the masks are drawn
  // each step (baked ones would match only the first); dropout must change the losses for that to say anything.
  const plain = await losses(ptbRecipe('on', 0));
  t.true(plain.some((v, i) => Math.abs(v - graph[i]) > 1e-3 * Math.max(1, Math.abs(v))), 'dropout changes the losses');
  t.true(graph[graph.length - 1] !== graph[0], 'the weights move');
});

onTensorflow("MemN2N's hand-written backward pass: graphStep 'on' refused at boot naming the model and the fix; 'auto' runs it eager", async (t) => {
  const error = await t.throwsAsync(losses(recipe('manual', 'on')));
  t.true(isAnnealError(error, 'ANNEAL_ERR_CONFIG_VALUE'), String(error));
  t.regex(error!.message, /model 'memn2n'.*reads values back to JS.*gradient: 'autodiff'.*graphStep to 'off'/);
  const booted = await bootAnneal({ env: { ANNEAL_HOME: join(SHARED_DATA, 'unused-home'), MLFLOW_TRACKING_URI: '' } });
  const auto = recipe('manual', 'off');
  const plan = await buildPlan(booted.plugins, { recipe: { ...auto, training: { ...auto.training, graphStep: 'auto' } }, seed: 3, runName: 'auto', backend: 'tensorflow' });
  t.is(plan.training.graphStep, undefined);
  t.regex(plan.training.graphStepAutoOff ?? '', /model 'memn2n'/);
  plan.model.instance.dispose();
});
