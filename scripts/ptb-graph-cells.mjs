// PTB window through the trainer: fused BlockLSTM (cell auto, eager only) vs the written-out cell, eager vs graph step,
// with and without noise; 3 rounds, median ms/step. Run: npm run build, then
//   ANNEAL_DATA_DIR=../shared/data ANNEAL_TF_THREADS=2 node scripts/ptb-graph-cells.mjs
// (tensorflow backend: anneal backend install tensorflow). cell 'block' = BlockLSTM everywhere; 'auto' is block in
// eager steps and step-by-step in graph steps.
import { Trainer } from '@anneal/core';
import { bootAnneal, buildPlan, selectBackend } from '@anneal/registry';
import { realPtbDir } from '@anneal/dataset-ptb';
await selectBackend('tensorflow');
const booted = await bootAnneal({ env: { ANNEAL_HOME: '/tmp/ptbcells', MLFLOW_TRACKING_URI: '' } });
const STEPS = Number(process.env.STEPS ?? 40); // timed: the median step after the first 5
const recipe = (cell, graphStep, noise) => ({
  name: 'cells', version: 1, description: 'x',
  model: { name: 'lstm-lm', config: { layers: 2, hiddenSize: 200, initScale: 0.1, cell } },
  dataset: { name: 'ptb', config: { dataDir: realPtbDir(), batchSize: 20, numSteps: 20, maxTrainTokens: 20 * 20 * (STEPS + 2) + 20, maxEvalTokens: 1000 } },
  optimizer: { name: 'sgd', config: { learningRate: 1 } },
  plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 5 } }, ...(noise ? [{ plugin: 'annealed-gaussian', config: { eta: 0.01, gamma: 0.55 }, at: 'post-clip' }] : [])],
  training: { batchSize: 1, epochs: 1, maxSteps: STEPS, sampling: 'sequential', evalSplits: [], graphStep },
  seeds: [1],
});
async function time(cell, graphStep, noise) {
  const plan = await buildPlan(booted.plugins, { recipe: recipe(cell, graphStep, noise), seed: 1, runName: 'x', backend: 'tensorflow' });
  const tr = new Trainer(plan, { runId: `x-${cell}-${graphStep}-${noise}` });
  const stamps = [];
  tr.events.tap((e) => { if (e === 'step:end') stamps.push(performance.now()); });
  await tr.run(); tr.dispose(); plan.model.instance.dispose();
  const d = stamps.slice(5).map((s, i) => s - stamps[4 + i]).sort((a, b) => a - b);
  return d[d.length >> 1];
}
const rows = {};
for (let r = 0; r < 3; r++) for (const cell of ['block', 'step-by-step']) for (const g of ['off', 'on']) for (const noise of [false, true]) {
  const k = `${cell}/${g}/${noise ? 'noise' : 'quiet'}`; (rows[k] ??= []).push(await time(cell, g, noise));
}
for (const [k, v] of Object.entries(rows)) console.log(k.padEnd(28), v.map((x) => x.toFixed(1)).join(' '));
