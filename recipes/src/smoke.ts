import type { Recipe } from '@anneal/core';
import { ANNEALED_NOISE } from './table1/table1-recipe.js';

/** A seconds-long installation check: a small MLP on 2,000 MNIST images, noise vs no noise. */
export const smokeRecipe: Recipe = {
  name: 'mlp-smoke',
  version: 1,
  description: 'Seconds-long check that training, noise, clipping and tracking work: 3×32 MLP on 2k MNIST images.',
  model: { name: 'mlp', config: { depth: 3, width: 32, activation: 'relu', init: 'he' } },
  dataset: { name: 'mnist', config: { trainSize: 2000, testSize: 1000 } },
  optimizer: { name: 'sgd', config: { learningRate: 0.1 } },
  plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 10 } }],
  training: { batchSize: 50, epochs: 2, evalSplits: ['test'] },
  seeds: [1],
  variants: [
    { name: 'no-noise', patch: {} },
    { name: 'noise', patch: { plugins: [{ plugin: 'clip-global-norm', config: { maxNorm: 10 } }, ANNEALED_NOISE] } },
  ],
  tags: ['smoke'],
};
