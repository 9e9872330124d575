import * as tf from '@tensorflow/tfjs-core';
import { Rng, batchContext, type Batch, type ExecutionPlan, type ForwardContext, type Recipe } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { intervals, median } from './measure.js';
import { trainerLoop } from './mlp-step-bench.js';

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

/** A hand-written tfjs loop of the same model and batches: tf.variableGrads + tfjs Adam, loss read back each step. */
function handWrittenAdamLoop(plan: ExecutionPlan, optimizer: tf.Optimizer): number[] {
  const model = plan.model.instance;
  const train = plan.dataset.instance.splits.train;
  const vars = Object.values(model.params);
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };
  const stamps: number[] = [performance.now()];
  for (let step = 0; step < STEPS; step++) {
    const indices = Int32Array.from({ length: 50 }, (_, i) => step * 50 + i);
    const loss = tf.tidy(() => {
      const batch: Batch = train.batch(indices, batchContext({ training: true, rng: new Rng(step) }));
      const { value, grads } = tf.variableGrads(() => model.loss(batch, ctx) as tf.Scalar, vars);
      optimizer.applyGradients(grads);
      return value;
    });
    loss.dataSync();
    loss.dispose();
    stamps.push(performance.now());
  }
  return intervals(stamps, WARMUP);
}

export interface NramBenchResult {
  readonly handMs: number;
  readonly trainerMs: number;
  /** Median of per-round trainer/hand ratios (interleaved rounds). */
  readonly ratio: number;
  readonly rounds: number;
}

/** Interleaved rounds of the hand-written loop and the trainer on plans built once. */
export async function benchNramStep(catalog: PluginCatalog, backend: string, rounds = 4): Promise<NramBenchResult> {
  const plan = () => buildPlan(catalog, { recipe: nramBenchRecipe(), seed: 1, runName: 'bench-nram', backend });
  const pa = await plan();
  const pb = await plan();
  const adam = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  const hand: number[] = [];
  const trainer: number[] = [];
  for (let round = 0; round < rounds; round++) {
    hand.push(median(handWrittenAdamLoop(pa, adam)));
    trainer.push(median(await trainerLoop(pb)));
  }
  adam.dispose();
  for (const p of [pa, pb]) p.model.instance.dispose();
  return { handMs: median(hand), trainerMs: median(trainer), ratio: median(trainer.map((v, i) => v / hand[i])), rounds };
}
