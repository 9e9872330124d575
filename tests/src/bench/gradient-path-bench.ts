import * as tf from '@tensorflow/tfjs-core';
import { Rng, batchContext, type ExecutionPlan, type ForwardContext, type Recipe } from '@anneal/core';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { singleTaskMemn2nRecipe } from '../helpers/memn2n-recipe.js';
import { intervals, median } from './measure.js';
import { mlpBenchRecipe } from './mlp-step-bench.js';

export type GradientPath = 'manual' | 'autodiff';

/** ms/step of each gradient path and the median over rounds of the per-round ratio autodiff / manual. */
export interface GradientPathResult {
  readonly manualMs: number;
  readonly autodiffMs: number;
  readonly autodiffOverManual: number;
  readonly rounds: number;
}

const FORWARD: ForwardContext = { training: true, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x };

/**
 * `steps` training steps of the plan's model, read back each step: loss and gradients by
 * tf.variableGrads over model.loss (the model's own gradient path), SGD by assign. Returns ms/step of
 * the steps after `warmup`.
 */
function gradientSteps(plan: ExecutionPlan, recipe: Recipe, steps: number, warmup: number): number[] {
  const model = plan.model.instance;
  const train = plan.dataset.instance.splits.train;
  const vars = Object.values(model.params);
  const ctx = { ...FORWARD, phaseOptions: recipe.training.phases?.[0]?.modelOptions ?? {} };
  const batchSize = recipe.training.batchSize;
  const bctx = batchContext({ training: true, rng: new Rng(1) });
  const stamps = [performance.now()];
  for (let step = 0; step < steps; step++) {
    const indices = Int32Array.from({ length: batchSize }, (_, i) => (step * batchSize + i) % train.size);
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => model.loss(train.batch(indices, bctx), ctx) as tf.Scalar, vars);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 1e-3)));
      return value;
    });
    loss.dataSync();
    loss.dispose();
    stamps.push(performance.now());
  }
  return intervals(stamps, warmup);
}

function withGradient(recipe: Recipe, gradient: GradientPath): Recipe {
  return { ...recipe, model: { ...recipe.model, config: { ...recipe.model.config, gradient } } };
}

/** Interleaved rounds of the same recipe with model config gradient 'manual' and 'autodiff'. */
async function compare(catalog: PluginCatalog, backend: string, recipe: Recipe, o: { rounds: number; steps: number; warmup: number }): Promise<GradientPathResult> {
  const plan = (g: GradientPath) => buildPlan(catalog, { recipe: withGradient(recipe, g), seed: 1, runName: 'bench-gradient', backend });
  const manual = await plan('manual');
  const autodiff = await plan('autodiff');
  const per = { manual: [] as number[], autodiff: [] as number[] };
  for (let r = 0; r < o.rounds; r++) {
    per.manual.push(median(gradientSteps(manual, recipe, o.steps, o.warmup)));
    per.autodiff.push(median(gradientSteps(autodiff, recipe, o.steps, o.warmup)));
  }
  manual.model.instance.dispose();
  autodiff.model.instance.dispose();
  return {
    manualMs: median(per.manual),
    autodiffMs: median(per.autodiff),
    autodiffOverManual: median(per.autodiff.map((a, i) => a / per.manual[i])),
    rounds: o.rounds,
  };
}

/** The MLP 20×50 ReLU step (batch 128, MNIST): hand-written backward passes vs tfjs autodiff. */
export function benchMlpGradientPaths(catalog: PluginCatalog, backend: string): Promise<GradientPathResult> {
  return compare(catalog, backend, mlpBenchRecipe([]), { rounds: 6, steps: 24, warmup: 4 });
}

/** The MemN2N step (3 hops, d=20, batch 32, bAbI task `task`): hand-written backward pass vs tfjs autodiff. */
export function benchMemn2nGradientPaths(catalog: PluginCatalog, backend: string, task: number): Promise<GradientPathResult> {
  return compare(catalog, backend, singleTaskMemn2nRecipe(task, 1), { rounds: 2, steps: 6, warmup: 1 });
}
