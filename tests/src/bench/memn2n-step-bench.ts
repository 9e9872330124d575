import { join } from 'node:path';
import type { Recipe } from '@anneal/core';
import { table2Recipe } from '@anneal/recipes';
import { buildPlan, type PluginCatalog } from '@anneal/registry';
import { SHARED_DATA } from '../helpers/run-cli.js';
import { median } from './measure.js';
import { trainerLoop } from './mlp-step-bench.js';

/** ms/step of MemN2N (batch 32, clip 40 + noise) through the trainer on bAbI task `task`. */
export async function benchMemn2nStep(catalog: PluginCatalog, backend: string, task: number, babiDir = join(SHARED_DATA, 'babi', 'en')): Promise<number> {
  const base = table2Recipe('one-stage');
  const recipe: Recipe = {
    ...base,
    grid: undefined,
    variants: undefined,
    restarts: undefined,
    quick: undefined,
    dataset: { name: 'babi', config: { ...base.dataset.config, task, dataDir: babiDir } },
    plugins: [{ plugin: 'clip-tensor-norm', config: { maxNorm: 40 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01 } }],
    training: { ...base.training, phases: [{ name: 'main', epochs: 3, learningRate: 0.01 }], evalSplits: [] },
  };
  const plan = await buildPlan(catalog, { recipe, seed: 1, runName: 'bench-memn2n', backend });
  const times = await trainerLoop(plan);
  plan.model.instance.dispose();
  return median(times);
}
