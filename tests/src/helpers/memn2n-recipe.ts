import { join } from 'node:path';
import type { Recipe } from '@anneal/core';
import { table2Recipe } from '@anneal/recipes';
import { SHARED_DATA } from './run-cli.js';

/** The Table 2 one-stage recipe reduced to one bAbI task, one seed, no restarts, clip 40 + noise η=0.01. */
export function singleTaskMemn2nRecipe(task: number, epochs: number, evalSplits: Recipe['training']['evalSplits'] = []): Recipe {
  const base = table2Recipe('one-stage');
  return {
    ...base,
    grid: undefined,
    variants: undefined,
    restarts: undefined,
    quick: undefined,
    seeds: [1],
    dataset: { name: 'babi', config: { ...base.dataset.config, task, dataDir: join(SHARED_DATA, 'babi', 'en') } },
    plugins: [{ plugin: 'clip-tensor-norm', config: { maxNorm: 40 } }, { plugin: 'annealed-gaussian', config: { eta: 0.01 } }],
    training: { ...base.training, phases: [{ name: 'main', epochs, learningRate: 0.01, modelOptions: { attention: 'softmax' } }], evalSplits },
  };
}
