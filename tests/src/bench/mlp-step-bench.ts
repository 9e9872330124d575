import * as tf from '@tensorflow/tfjs-core';
import { Trainer, type Batch, type ExecutionPlan, type ForwardContext, type Recipe, batchContext } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { intervals, median, trainerLoop } from './measure.js';

const STEPS = 40;
const WARMUP = 8;

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
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };
  const stamps: number[] = [performance.now()];
  const rng = { nextInt: () => 0 } as never;
  for (let step = 0; step < STEPS; step++) {
    const indices = Int32Array.from({ length: 128 }, (_, i) => step * 128 + i);
    const loss = tf.tidy(() => {
      const batch: Batch = train.batch(indices, batchContext({ training: true, rng }));
      const { value, grads } = tf.variableGrads(() => model.loss(batch, ctx) as tf.Scalar, vars);
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

export interface MlpBenchResult {
  readonly handMs: number;
  readonly trainerMs: number;
  readonly trainerNoNormsMs: number;
  readonly clipNoiseMs: number;
  /** Medians over rounds of the per-round ratios (adjacent in time, so machine drift cancels). */
  readonly ratios: { readonly trainerOverHand: number; readonly noNormsOverHand: number; readonly clipNoiseOverTrainer: number };
  readonly rounds: number;
}

/**
 * Many short interleaved rounds of (a), (b), (b without grad norms) and (c) on plans built once; each
 * round yields a median ms/step per configuration, and the reported ratios are medians of the per-round
 * ratios, so slow drift of a shared machine affects both sides of each ratio alike.
 */
export async function benchMlpStep(catalog: PluginCatalog, backend: string, rounds = 12): Promise<MlpBenchResult> {
  const plan = (r: Recipe) => buildPlan(catalog, { recipe: r, seed: 1, runName: 'bench', backend });
  const base = mlpBenchRecipe([]);
  const pa = await plan(base);
  const pb = await plan(base);
  const pn = await plan({ ...base, training: { ...base.training, recordGradNorms: false } });
  const pc = await plan(mlpBenchRecipe([{ plugin: 'clip-global-norm', config: { maxNorm: 10 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01 } }]));
  const per = { hand: [] as number[], trainer: [] as number[], noNorms: [] as number[], clipNoise: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    per.hand.push(median(handWrittenLoop(pa)));
    per.trainer.push(median(await trainerLoop(pb, WARMUP)));
    per.noNorms.push(median(await trainerLoop(pn, WARMUP)));
    per.clipNoise.push(median(await trainerLoop(pc, WARMUP)));
  }
  for (const p of [pa, pb, pn, pc]) p.model.instance.dispose();
  const ratio = (x: number[], y: number[]) => median(x.map((v, i) => v / y[i]));
  return {
    handMs: median(per.hand),
    trainerMs: median(per.trainer),
    trainerNoNormsMs: median(per.noNorms),
    clipNoiseMs: median(per.clipNoise),
    ratios: { trainerOverHand: ratio(per.trainer, per.hand), noNormsOverHand: ratio(per.noNorms, per.hand), clipNoiseOverTrainer: ratio(per.clipNoise, per.trainer) },
    rounds,
  };
}

export { trainerLoop };
