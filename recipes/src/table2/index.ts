import type { Recipe } from '@anneal/core';
import { table2Recipe } from './table2-recipe.js';

export {
  table2Recipe,
  table2Phases,
  table2Quick,
  TABLE2_TASKS,
  TABLE2_CLIP,
  TABLE2_NOISE,
  TABLE2_PAPER,
  type Table2Protocol,
} from './table2-recipe.js';

/** Table 2: {one-stage, two-stage} × {no-noise, noise} (the noise arms are variants of each recipe). */
export const table2Recipes: Recipe[] = [table2Recipe('one-stage'), table2Recipe('two-stage')];
