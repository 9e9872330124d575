import type { Recipe } from '@anneal/core';
import { PTB_CLIP, PTB_FULL_STEP, ptbPhases, ptbQuick } from './ptb-recipe.js';

/** The dropout rates the selection compares (Zaremba et al.: 0 for the small model, 0.5 medium, 0.65 large). */
export const PTB_DROPOUT_CANDIDATES: readonly number[] = Object.freeze([0, 0.1, 0.2, 0.3, 0.5]);

/**
 * Chooses the dropout rate of `ptb-lstm-noise` by validation, as the paper's protocol implies (it gives no rate):
 * the same 2 × 200 model and schedule without noise, one arm per rate in PTB_DROPOUT_CANDIDATES, compared on
 * validation perplexity (mean ± std over seeds, Welch against no dropout). The rate with the lowest validation
 * perplexity is the one to put in ptb-lstm-noise; the test split is not looked at for the choice.
 */
export function ptbDropoutSelectRecipe(): Recipe {
  const quick = ptbQuick();
  return {
    name: 'ptb-dropout-select',
    version: 1,
    description: `Chooses ptb-lstm-noise's dropout rate by validation: 2 × 200 LSTM LM on PTB, no noise, dropout ∈ {${PTB_DROPOUT_CANDIDATES.join(', ')}}, Zaremba small schedule (13 epochs), clip 5; validation perplexity per rate.`,
    model: { name: 'lstm-lm', config: { layers: 2, hiddenSize: 200, initScale: 0.1 } },
    dataset: { name: 'ptb', config: { batchSize: 20, numSteps: 20 } },
    optimizer: { name: 'sgd', config: { learningRate: 1 } },
    plugins: [PTB_CLIP],
    training: { batchSize: 1, sampling: 'sequential', phases: ptbPhases(), evalSplits: ['validation'], evalEveryEpochs: 13, ...PTB_FULL_STEP },
    seeds: [1, 2],
    variants: PTB_DROPOUT_CANDIDATES.map((rate) => ({
      name: `dropout-${rate}`,
      patch: rate === 0 ? {} : { plugins: [PTB_CLIP, { plugin: 'dropout', config: { rate, sites: ['embedding', 'lstm/*'] } }] },
    })),
    // Quick: the PTB quick scale (200k tokens, 2k words, 2 × 100, one epoch), 2 seeds per rate.
    quick: { ...quick, training: { ...quick.training, evalSplits: ['validation'] }, seeds: [1, 2] },
    report: { layout: 'mean-std', metric: 'validation/perplexity', metrics: ['validation/perplexity'], baseline: 'dropout-0' },
    tags: ['section-4.6', 'ptb', 'lstm', 'dropout-selection'],
  };
}
