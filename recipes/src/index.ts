export { table1Recipes } from './table1/index.js';
export { table1Recipe, ANNEALED_NOISE, type Table1Experiment } from './table1/table1-recipe.js';
export { smokeRecipe } from './smoke.js';
export { table2Recipes, table2Recipe, table2Phases, TABLE2_PAPER } from './table2/index.js';
export { npRecipes, NP_GRID, NP_NOISE, NP_CLIP, NP_DROPOUT } from './np/index.js';
export { ptbRecipes, ptbRecipe, ptbPhases, PTB_PAPER, PTB_FULL_STEP } from './ptb/index.js';
export { nramRecipes, nramTable4Recipe, NRAM_TABLE4_PAPER, NRAM_CLIP, NRAM_NOISE } from './nram/index.js';
export { ngpuTable5Recipe, NGPU_GRID, NGPU_CLIP, NGPU_NOISE } from './ngpu/index.js';
