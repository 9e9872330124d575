import type { Recipe } from '@anneal/core';
import { ptbRecipe } from './ptb-recipe.js';

export { ptbRecipe, ptbPhases, ptbQuick, ptbNoise, PTB_ARMS, PTB_CLIP, PTB_DROPOUT, PTB_DROPOUT_RATE, PTB_PAPER, PTB_QUICK_DATA } from './ptb-recipe.js';

/** §4.6: the PTB LSTM with dropout (the paper's setting) and the same arms without dropout. */
export const ptbRecipes: Recipe[] = [ptbRecipe(true), ptbRecipe(false)];
