import * as tf from '@tensorflow/tfjs-core';
import { Trainer, batchContext, type Batch, type ExecutionPlan, type ForwardContext, type Recipe, Rng } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { intervals, median, trainerLoop } from './measure.js';

const STEPS = 30;
const WARMUP = 6;
const BATCH = 50;

/** The quick NP configuration (single column, d = 64, tables of 10–30 rows, batch 50, Adam). */
export function npBenchRecipe(plugins: Recipe['plugins']): Recipe {
  return {
    name: 'bench-np',
    version: 1,
    description: 'benchmark',
    model: { name: 'neural-programmer', config: { hiddenSize: 64, steps: 4 } },
    dataset: { name: 'table-qa', config: { trainSize: BATCH * (STEPS + 2), testSize: 10, rowsMin: 10, rowsMax: 30, testRows: 40 } },
    optimizer: { name: 'adam', config: { learningRate: 0.001, epsilon: 1e-6 } },
    plugins,
    training: { batchSize: BATCH, epochs: 1, maxSteps: STEPS, evalSplits: [], sampling: 'sequential' },
    seeds: [1],
  };
}

/** (a) A hand-written tfjs loop: the same model loss and batches, tfjs's own Adam, loss read back each step. */
export function npHandWrittenLoop(plan: ExecutionPlan): number[] {
  const model = plan.model.instance;
  const train = plan.dataset.instance.splits.train;
  const vars = Object.values(model.params);
  const opt = tf.train.adam(0.001, 0.9, 0.999, 1e-6);
  const ctx: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };
  const rng = new Rng(1);
  const stamps: number[] = [performance.now()];
  for (let step = 0; step < STEPS; step++) {
    const indices = Int32Array.from({ length: BATCH }, (_, i) => step * BATCH + i);
    const loss = tf.tidy(() => {
      const batch: Batch = train.batch(indices, batchContext({ training: true, rng }));
      const { value, grads } = tf.variableGrads(() => model.loss(batch, ctx) as tf.Scalar, vars);
      opt.applyGradients(grads as Parameters<typeof opt.applyGradients>[0]);
      return value;
    });
    loss.dataSync();
    loss.dispose();
    stamps.push(performance.now());
  }
  opt.dispose();
  return intervals(stamps, WARMUP);
}

export interface NpBenchResult {
  readonly handMs: number;
  readonly trainerMs: number;
  readonly clipNoiseMs: number;
  readonly ratios: { readonly trainerOverHand: number; readonly clipNoiseOverTrainer: number };
  readonly rounds: number;
}

/** Interleaved rounds of (a) hand-written Adam loop, (b) the trainer with Adam only, (c) the trainer with clip 5 + noise η = 1. */
export async function benchNpStep(catalog: PluginCatalog, backend: string, rounds = 5): Promise<NpBenchResult> {
  const plan = (r: Recipe) => buildPlan(catalog, { recipe: r, seed: 1, runName: 'bench-np', backend });
  const base = npBenchRecipe([]);
  const pa = await plan(base);
  const pb = await plan({ ...base, training: { ...base.training, recordGradNorms: false } });
  const pc = await plan(npBenchRecipe([{ plugin: 'clip-global-norm', config: { maxNorm: 5 } }, { plugin: 'annealed-gaussian', config: { eta: 1, gamma: 0.55 }, at: 'post-clip' }]));
  const per = { hand: [] as number[], trainer: [] as number[], clipNoise: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    per.hand.push(median(npHandWrittenLoop(pa)));
    per.trainer.push(median(await trainerLoop(pb, WARMUP)));
    per.clipNoise.push(median(await trainerLoop(pc, WARMUP)));
  }
  for (const p of [pa, pb, pc]) p.model.instance.dispose();
  const ratio = (x: number[], y: number[]) => median(x.map((v, i) => v / y[i]));
  return {
    handMs: median(per.hand),
    trainerMs: median(per.trainer),
    clipNoiseMs: median(per.clipNoise),
    ratios: { trainerOverHand: ratio(per.trainer, per.hand), clipNoiseOverTrainer: ratio(per.clipNoise, per.trainer) },
    rounds,
  };
}
