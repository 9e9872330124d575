import type { Recipe, RecipePatch } from '@anneal/core';
import { table1Recipe } from './table1-recipe.js';

const SIMPLE_INIT = { name: 'normal', config: { std: 0.1 } };

/**
 * Quick variants (2-core CPU, minutes): paper-spec §1.6–1.7 says escaping Simple Init needs ≳10k
 * noisy updates, so the Simple-Init quick runs take 20k training images × 16 epochs at batch 32
 * (10k updates), lr 0.1 only, 3 seeds per arm; the good-init controls need only 2 epochs; zero init
 * needs ~20k updates.
 */
const escapeQuick: RecipePatch = {
  dataset: { config: { trainSize: 20000 } },
  training: { batchSize: 32, epochs: 16, evalEveryEpochs: 4 },
  seeds: [1, 2, 3],
  grid: { 'optimizer.config.learningRate': [0.1] },
};
const controlQuick: RecipePatch = {
  dataset: { config: { trainSize: 20000 } },
  training: { batchSize: 32, epochs: 2, evalEveryEpochs: 1 },
  seeds: [1, 2, 3],
  grid: { 'optimizer.config.learningRate': [0.1] },
};
const zeroQuick: RecipePatch = {
  dataset: { config: { trainSize: 60000 } },
  training: { batchSize: 32, epochs: 11, evalEveryEpochs: 4 },
  seeds: [1, 2],
  grid: { 'optimizer.config.learningRate': [0.1] },
};

export const table1Recipes: Recipe[] = [
  table1Recipe({
    experiment: 1,
    title: 'Simple Init, no gradient clipping',
    init: SIMPLE_INIT,
    clip: null,
    withDropoutArm: true,
    paper: { 'no-noise': { best: 89.9, average: 43.1 }, noise: { best: 96.7, average: 52.7 }, 'no-noise+dropout': { best: 11.3, average: 10.8 } },
    quick: escapeQuick,
  }),
  table1Recipe({
    experiment: 2,
    title: 'Simple Init, gradient clip 100',
    init: SIMPLE_INIT,
    clip: 100,
    withDropoutArm: false,
    paper: { 'no-noise': { best: 90.0, average: 46.3 }, noise: { best: 96.7, average: 52.3 } },
    quick: escapeQuick,
  }),
  table1Recipe({
    experiment: 3,
    title: 'Simple Init, gradient clip 10',
    init: SIMPLE_INIT,
    clip: 10,
    withDropoutArm: false,
    paper: { 'no-noise': { best: 95.7, average: 51.6 }, noise: { best: 97.0, average: 53.6 } },
    quick: escapeQuick,
  }),
  table1Recipe({
    experiment: 4,
    title: 'Good Init 1 (Sussillo) + gradient clip 10',
    init: 'sussillo',
    clip: 10,
    withDropoutArm: false,
    paper: { 'no-noise': { best: 97.4, average: 92.1 }, noise: { best: 97.5, average: 92.2 } },
    quick: controlQuick,
  }),
  table1Recipe({
    experiment: 5,
    title: 'Good Init 2 (He) + gradient clip 10',
    init: 'he',
    clip: 10,
    withDropoutArm: false,
    paper: { 'no-noise': { best: 97.4, average: 91.7 }, noise: { best: 97.2, average: 91.7 } },
    quick: controlQuick,
  }),
  table1Recipe({
    experiment: 6,
    title: 'Bad Init (zero) + gradient clip 10',
    init: 'zero',
    clip: 10,
    withDropoutArm: false,
    paper: { 'no-noise': { best: 11.4, average: 10.1 }, noise: { best: 94.5, average: 49.7 } },
    quick: zeroQuick,
  }),
];
