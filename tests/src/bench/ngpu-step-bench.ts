import * as tf from '@tensorflow/tfjs-core';
import { Rng, batchContext, type Batch, type ExecutionPlan, type ForwardContext, type Recipe } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { handVsTrainer, handWrittenOptimizerLoop, type HandVsTrainer } from './measure.js';

const STEPS = 16;
const WARMUP = 4;
const BATCH = 8;

/**
 * The quick configuration of ngpu-table5 (badd, m 8, 2 CGRUs per step, batch 8, Adam ε 1e-4) at its longest
 * training length, 9 (4-bit operands; bin width 12, 9 steps), every batch at that length, no plugins.
 */
export function ngpuBenchRecipe(): Recipe {
  return {
    name: 'bench-ngpu',
    version: 1,
    description: 'benchmark',
    model: { name: 'neural-gpu', config: { m: 8, copies: 1, dropout: 0 } },
    dataset: { name: 'binary-arith', config: { task: 'badd', trainMaxLength: 9, testLength: 9, trainSize: BATCH * (STEPS + 2), validationSize: 8, testSize: 8, bins: [8, 12, 16, 24] } },
    optimizer: { name: 'adam', config: { learningRate: 0.003, epsilon: 1e-4 } },
    plugins: [],
    training: { batchSize: BATCH, epochs: 1, maxSteps: STEPS, evalSplits: [], recordGradNorms: false },
    seeds: [1],
  };
}

const CTX: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };

function batchAt(plan: ExecutionPlan, step: number): Batch {
  const indices = Int32Array.from({ length: BATCH }, (_, i) => step * BATCH + i);
  return plan.dataset.instance.splits.train.batch(indices, batchContext({ training: true, rng: new Rng(step) }));
}


export interface NgpuStepProfile {
  readonly totalMs: number;
  /** Kernel time by op type, largest first. */
  readonly top: [string, number][];
  /** Whether the backend registers each convolution kernel (forward, input and filter gradients). */
  readonly convKernels: Readonly<Record<string, boolean>>;
  /** Kernel time of Conv2D* kernels in the default ('shift') step: 0 when the convolutions are row shifts + matMuls. */
  readonly conv2dMsInStep: number;
}

/** Kernel time of one training step (forward + backward) by op type, and which conv2d kernels the backend has. */
export async function ngpuStepProfile(plan: ExecutionPlan): Promise<NgpuStepProfile> {
  const model = plan.model.instance;
  const vars = Object.values(model.params);
  const batch = batchAt(plan, 0);
  const step = () => tf.tidy(() => void tf.variableGrads(() => model.loss(batch, CTX) as tf.Scalar, vars).value.dataSync());
  step();
  const info = await tf.profile(step);
  tf.dispose(Object.values(batch));
  const by = new Map<string, number>();
  let total = 0;
  for (const k of info.kernels) {
    if (k.name === 'forward') continue; // custom-gradient wrappers: their kernels are listed on their own
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    total += ms;
    by.set(k.name, (by.get(k.name) ?? 0) + ms);
  }
  const backend = tf.getBackend();
  const convKernels = Object.fromEntries(['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'].map((k) => [k, tf.getKernel(k, backend) !== undefined]));
  const conv2dMsInStep = [...by.entries()].filter(([k]) => k.startsWith('Conv2D')).reduce((s, [, v]) => s + v, 0);
  return { totalMs: total, top: [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6), convKernels, conv2dMsInStep };
}

export interface NgpuBenchResult extends HandVsTrainer {
  readonly profile: NgpuStepProfile;
}

/** Interleaved rounds of the hand-written loop and the trainer on plans built once, then one profiled step. */
export async function benchNgpuStep(catalog: PluginCatalog, backend: string, rounds = 4): Promise<NgpuBenchResult> {
  const plan = () => buildPlan(catalog, { recipe: ngpuBenchRecipe(), seed: 1, runName: 'bench-ngpu', backend });
  const pa = await plan();
  const pb = await plan();
  const adam = tf.train.adam(0.003, 0.9, 0.999, 1e-4);
  const result = await handVsTrainer(() => handWrittenOptimizerLoop(pa, adam, STEPS, BATCH, WARMUP), pb, rounds, WARMUP);
  adam.dispose();
  const profile = await ngpuStepProfile(pa);
  for (const p of [pa, pb]) p.model.instance.dispose();
  return { ...result, profile };
}
