import * as tf from '@tensorflow/tfjs-core';
import type { Recipe } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { handVsTrainer, handWrittenOptimizerLoop, type HandVsTrainer } from './measure.js';

const STEPS = 16;
const WARMUP = 4;

/** The quick NRAM configuration of nram-table4 (M 8, lists ≤ 2, T 5, R 3, LSTM 20), batch 50, Adam, no plugins. */
export function nramBenchRecipe(): Recipe {
  return {
    name: 'bench-nram',
    version: 1,
    description: 'benchmark',
    model: { name: 'nram', config: { registers: 3, timesteps: 5, hidden: 20 } },
    dataset: { name: 'list-k', config: { memorySize: 8, length: 2, trainSize: 50 * (STEPS + 2), testSize: 50 } },
    optimizer: { name: 'adam', config: { learningRate: 0.01, epsilon: 1e-8 } },
    plugins: [],
    training: { batchSize: 50, epochs: 1, maxSteps: STEPS, evalSplits: [], recordGradNorms: false },
    seeds: [1],
  };
}


export type NramBenchResult = HandVsTrainer;

/** Interleaved rounds of the hand-written loop and the trainer on plans built once. */
export async function benchNramStep(catalog: PluginCatalog, backend: string, rounds = 4): Promise<NramBenchResult> {
  const plan = () => buildPlan(catalog, { recipe: nramBenchRecipe(), seed: 1, runName: 'bench-nram', backend });
  const pa = await plan();
  const pb = await plan();
  const adam = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  const result = await handVsTrainer(() => handWrittenOptimizerLoop(pa, adam, STEPS, 50, WARMUP), pb, rounds);
  adam.dispose();
  for (const p of [pa, pb]) p.model.instance.dispose();
  return result;
}
