import type { Recipe } from '@anneal/core';
import { ptbRecipe } from './ptb-recipe.js';
import { ptbDropoutSelectRecipe } from './ptb-dropout-select-recipe.js';

export { ptbDropoutSelectRecipe, PTB_DROPOUT_CANDIDATES } from './ptb-dropout-select-recipe.js';
export { ptbRecipe, ptbPhases, ptbQuick, ptbNoise, PTB_ARMS, PTB_CLIP, PTB_DROPOUT, PTB_DROPOUT_RATE, PTB_PAPER, PTB_QUICK_DATA, PTB_FULL_STEP } from './ptb-recipe.js';

/** §4.6: the PTB LSTM with dropout (the paper's setting), the same arms without dropout, and the dropout-rate selection. */
export const ptbRecipes: Recipe[] = [ptbRecipe(true), ptbRecipe(false), ptbDropoutSelectRecipe()];
