import * as tf from '@tensorflow/tfjs-core';
import { Trainer, type Batch, type ExecutionPlan, type ForwardContext, type Recipe } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { intervals, median } from './measure.js';

const STEPS = 60;
const WARMUP = 10;

export function mlpBenchRecipe(plugins: Recipe['plugins']): Recipe {
  return {
    name: 'bench-mlp',
    version: 1,
    description: 'benchmark',
    model: { name: 'mlp', config: { depth: 20, width: 50, activation: 'relu', init: 'he' } },
    dataset: { name: 'mnist', config: { trainSize: 128 * (STEPS + 2), testSize: 100 } },
    optimizer: { name: 'sgd', config: { learningRate: 0.01 } },
    plugins,
    training: { batchSize: 128, epochs: 1, maxSteps: STEPS, evalSplits: [] },
    seeds: [1],
  };
}

/** (a) A hand-written tfjs loop: same model loss and batches, plain SGD by assign, loss read back each step. */
export function handWrittenLoop(plan: ExecutionPlan): number[] {
  const model = plan.model.instance;
  const train = plan.dataset.instance.splits.train;
  const vars = Object.values(model.params);
  const lr = tf.scalar(0.01);
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, site: (_n, x) => x };
  const stamps: number[] = [performance.now()];
  const rng = { nextInt: () => 0 } as never;
  for (let step = 0; step < STEPS; step++) {
    const indices = Int32Array.from({ length: 128 }, (_, i) => step * 128 + i);
    const loss = tf.tidy(() => {
      const batch: Batch = train.batch(indices, { training: true, rng });
      const { value, grads } = tf.variableGrads(() => model.loss(batch, ctx), vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], lr)));
      return value;
    });
    loss.dataSync();
    loss.dispose();
    stamps.push(performance.now());
  }
  lr.dispose();
  return intervals(stamps, WARMUP);
}

/** (b)/(c) The trainer on the same plan: step-to-step wall time from step:end events. */
export async function trainerLoop(plan: ExecutionPlan): Promise<number[]> {
  const trainer = new Trainer(plan, { runId: 'bench' });
  const stamps: number[] = [];
  trainer.events.tap((event) => {
    if (event === 'step:end') stamps.push(performance.now());
  });
  await trainer.run();
  trainer.dispose();
  return intervals(stamps, WARMUP);
}

export interface MlpBenchResult {
  readonly handMs: number;
  readonly trainerMs: number;
  readonly trainerNoNormsMs: number;
  readonly clipNoiseMs: number;
}

/** Interleaves rounds of (a), (b), (b without grad norms) and (c) and reports medians (ms/step). */
export async function benchMlpStep(catalog: PluginCatalog, backend: string, rounds = 3): Promise<MlpBenchResult> {
  const samples = { hand: [] as number[], trainer: [] as number[], noNorms: [] as number[], clipNoise: [] as number[] };
  const plan = (r: Recipe) => buildPlan(catalog, { recipe: r, seed: 1, runName: 'bench', backend });
  for (let round = 0; round < rounds; round++) {
    const pa = await plan(mlpBenchRecipe([]));
    samples.hand.push(...handWrittenLoop(pa));
    pa.model.instance.dispose();
    const pb = await plan(mlpBenchRecipe([]));
    samples.trainer.push(...(await trainerLoop(pb)));
    pb.model.instance.dispose();
    const pn = await plan({ ...mlpBenchRecipe([]), training: { ...mlpBenchRecipe([]).training, recordGradNorms: false } });
    samples.noNorms.push(...(await trainerLoop(pn)));
    pn.model.instance.dispose();
    const pc = await plan(mlpBenchRecipe([{ plugin: 'clip-global-norm', config: { maxNorm: 10 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01 } }]));
    samples.clipNoise.push(...(await trainerLoop(pc)));
    pc.model.instance.dispose();
  }
  return { handMs: median(samples.hand), trainerMs: median(samples.trainer), trainerNoNormsMs: median(samples.noNorms), clipNoiseMs: median(samples.clipNoise) };
}
