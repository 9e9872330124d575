import type { PaperComparison, PhaseSpec, PluginUse, Recipe, RecipePatch } from '@anneal/core';

/**
 * §4.6 of Neelakantan et al. (2015), the negative result: a 2-layer 200-unit LSTM language model with
 * dropout on Penn Treebank (Mikolov's 10k-word version), with and without annealed gradient noise.
 * The paper reports perplexity 95 without noise, 98 with η = 0.01 and 95 with η = 0.001 (it does not say
 * whether on validation or test: both are printed beside it), and "a similar lack of gain" without dropout.
 *
 * Protocol (paper-spec §6; Zaremba et al.'s small setup): embedding 200, 2 × 200 LSTM, full 10k softmax,
 * every parameter U[−0.1, 0.1]; 20 parallel streams × 20 unrolled steps per window, state carried across
 * windows (reset each epoch); loss Σ_t mean_b NLL per window; plain SGD lr 1 for 4 epochs, then halved after
 * every epoch (epochs 5..13: 0.5, 0.25, …), 13 epochs; global-norm clipping at 5, noise after clipping.
 * Dropout 0.2 on the non-recurrent connections (embedding → layer 1 → layer 2 → softmax): the paper gives no
 * rate; 0.2 was chosen by validation with `ptb-dropout-select` at the full protocol (seed 1, 2026-12-02):
 * validation perplexity 119.6 (no dropout), 103.5 (0.1), 101.3 (0.2), 103.3 (0.3), 122.3 (0.5).
 */
export const PTB_CLIP: PluginUse = { plugin: 'clip-global-norm', config: { maxNorm: 5 } };
export const PTB_DROPOUT_RATE = 0.2;
export const PTB_DROPOUT: PluginUse = { plugin: 'dropout', config: { rate: PTB_DROPOUT_RATE, sites: ['embedding', 'lstm/*'] } };
export const ptbNoise = (eta: number): PluginUse => ({ plugin: 'annealed-gaussian', config: { eta, gamma: 0.55 }, at: 'post-clip' });

/** The noise arms: none, η = 0.01 and η = 0.001 (variances), each after clipping. */
export const PTB_ARMS: readonly { readonly name: string; readonly eta?: number }[] = Object.freeze([{ name: 'no-noise' }, { name: 'eta-0.01', eta: 0.01 }, { name: 'eta-0.001', eta: 0.001 }]);

/** SGD lr 1 for `constantEpochs`, then halved after each further epoch (Zaremba: max_epoch 4, decay 2, 13 epochs). */
export function ptbPhases(epochs = 13, constantEpochs = 4): PhaseSpec[] {
  const phases: PhaseSpec[] = [{ name: 'lr-1', epochs: Math.min(epochs, constantEpochs), learningRate: 1, lrSchedule: { kind: 'constant' } }];
  if (epochs > constantEpochs) phases.push({ name: 'halving', epochs: epochs - constantEpochs, learningRate: 0.5, lrSchedule: { kind: 'step', everyEpochs: 1, factor: 0.5 } });
  return phases;
}

/** The paper's perplexities (§4.6), under both splits since it does not say which. */
export const PTB_PAPER: PaperComparison['values'] = Object.freeze({
  'no-noise': { 'validation/perplexity': 95, 'test/perplexity': 95 },
  'eta-0.01': { 'validation/perplexity': 98, 'test/perplexity': 98 },
  'eta-0.001': { 'validation/perplexity': 95, 'test/perplexity': 95 },
});

/**
 * The quick patch (2 shared cores, ≈10 minutes): the first 200k training tokens (of 929,589), one epoch at
 * lr 1, and a smaller model — 2 layers of 100 units over the 2,000 most frequent words (the rest become
 * <unk>) — evaluated on the first 20k validation / test tokens; 3 seeds per arm (the report's Welch test
 * needs n ≥ 3 per arm). Measured: 6 runs (2 seeds) in 294 s at load 1.6–4 (≈0.1 s per window), so 9 runs ≈ 7–8 min. Its
 * perplexities are NOT comparable to 95/98 (smaller vocabulary, 1/4 of an epoch of data); it can only show
 * whether the arms differ at this scale.
 */
export const PTB_QUICK_DATA = { maxTrainTokens: 200000, maxEvalTokens: 20000, vocabSize: 2000 } as const;

export function ptbQuick(): RecipePatch {
  return {
    model: { config: { layers: 2, hiddenSize: 100, initScale: 0.1 } },
    dataset: { config: { batchSize: 20, numSteps: 20, ...PTB_QUICK_DATA } },
    // One TensorFlow thread: this 2 × 100 model's steps are too small to gain from two (measured 2026-12-02, whole
    // quick run: graph step 9.2 s on one thread, 10.6 s on two; eager 10.5 / 14.9 s).
    training: { phases: ptbPhases(1), evalSplits: ['validation', 'test'], evalEveryEpochs: 1, tensorflowThreads: 1 },
    seeds: [1, 2, 3],
  };
}

/**
 * The full-size window's step settings on the tensorflow backend (other backends ignore both): the step as one
 * captured graph where the plan allows it, on two TensorFlow threads. Measured 2026-12-03 (2 × 200, dropout 0.2,
 * clip 5 + noise, 3 rounds of 40 windows): eager on one thread 109–112 ms, eager on two 99–107 ms, graph step on one
 * 99–102 ms, graph step on two 76–79 ms per window.
 */
export const PTB_FULL_STEP = { graphStep: 'auto', tensorflowThreads: 2 } as const;

export function ptbRecipe(dropout: boolean): Recipe {
  const base = dropout ? [PTB_CLIP, PTB_DROPOUT] : [PTB_CLIP];
  return {
    name: dropout ? 'ptb-lstm-noise' : 'ptb-lstm-noise-nodropout',
    version: 1,
    description:
      `§4.6 negative result: 2 × 200 LSTM language model on PTB${dropout ? ` with dropout ${PTB_DROPOUT_RATE}` : ' without dropout'}, ` +
      'SGD lr 1 (halved each epoch after 4), 13 epochs, clip 5; no noise vs annealed η = 0.01 / 0.001 after clipping; perplexity.',
    model: { name: 'lstm-lm', config: { layers: 2, hiddenSize: 200, initScale: 0.1 } },
    dataset: { name: 'ptb', config: { batchSize: 20, numSteps: 20 } },
    optimizer: { name: 'sgd', config: { learningRate: 1 } },
    plugins: base,
    training: { batchSize: 1, sampling: 'sequential', phases: ptbPhases(), evalSplits: ['train', 'validation', 'test'], evalEveryEpochs: 13, ...PTB_FULL_STEP },
    seeds: [1, 2, 3],
    variants: PTB_ARMS.map((a) => ({ name: a.name, patch: a.eta === undefined ? {} : { plugins: [...base, ptbNoise(a.eta)] } })),
    quick: ptbQuick(),
    report: { layout: 'mean-std', metric: 'test/perplexity', metrics: ['validation/perplexity', 'test/perplexity'], baseline: 'no-noise' },
    ...(dropout
      ? {
          paper: {
            table: '§4.6 "Negative results" (PTB word-level LSTM with dropout)',
            metric: 'test/perplexity',
            values: PTB_PAPER,
            note: 'paper: one perplexity per arm, split not stated (printed under both); ours: mean ± std over seeds (quick: 200k tokens, 2k words, 2 × 100 units, 1 epoch — not comparable in level)',
          },
        }
      : {}),
    tags: ['section-4.6', 'ptb', 'lstm', dropout ? 'dropout' : 'no-dropout'],
  };
}
