import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { singleTaskMemn2nRecipe } from '../helpers/memn2n-recipe.js';
import { median } from './measure.js';
import { trainerLoop } from './mlp-step-bench.js';

/** ms/step of MemN2N (batch 32, clip 40 + noise) through the trainer on bAbI task `task`. */
export async function benchMemn2nStep(catalog: PluginCatalog, backend: string, task: number): Promise<number> {
  const plan = await buildPlan(catalog, { recipe: singleTaskMemn2nRecipe(task, 3), seed: 1, runName: 'bench-memn2n', backend });
  const times = await trainerLoop(plan);
  plan.model.instance.dispose();
  return median(times);
}
