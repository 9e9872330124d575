import { definePlugin, defineSchema } from '@anneal/core';
import { LM_METRICS, LstmLm, readLmInfo } from './model.js';

export const lstmLmConfigSchema = defineSchema({
  layers: { type: 'number', integer: true, min: 1, max: 8, default: 2, description: 'LSTM layers L (paper: 2)' },
  hiddenSize: { type: 'number', integer: true, min: 1, default: 200, description: 'Units per LSTM layer H (paper: 200)' },
  embeddingSize: { type: 'number', integer: true, min: 0, default: 0, description: 'Word embedding size; 0 = hiddenSize (Zaremba)' },
  initScale: { type: 'number', min: 0, default: 0.1, description: 'Every parameter ~ U[−initScale, initScale] (Zaremba small: 0.1)' },
  cell: { type: 'string', oneOf: ['auto', 'step-by-step', 'block'] as const, default: 'auto', description: "How a layer runs over a window: 'auto' = one fused TensorFlow op per layer (core's blockLstm; same values) in eager steps on the tensorflow backend, step by step elsewhere and inside a captured graph step (faster there); 'step-by-step' always (the reference); 'block' always blockLstm (tensorflow only; for measuring)" },
});

export const lstmLmModel = definePlugin.modelFamily({
  manifest: {
    name: 'lstm-lm',
    version: '0.1.0',
    kind: 'model-family',
    configSchema: lstmLmConfigSchema,
    card: {
      summary: 'Word-level LSTM language model: embedding, L LSTM layers of H units, full softmax; state carried across truncated-BPTT windows; perplexity.',
      paper: 'Neelakantan et al. 2015, §4.6 (PTB, negative result); Zaremba et al. 2014 (small config: 2 × 200, U[−0.1, 0.1])',
      details:
        'Params embedding [V, E], lstm/<l>/{Wx [in, 4H], Wh [H, 4H], b [4H]} (gates i, f, g, o), softmax/{W [H, V], b [V]}. ' +
        'Forward sites: embedding, lstm/1..L (dropout on the non-recurrent connections). Loss = Σ_t mean_b token NLL per window. ' +
        'Carried state h<l>, c<l> [streams, H], reset to 0 at each epoch and evaluation pass. Needs dataset info vocabSize, streams, numSteps.',
    },
  },
  metrics: LM_METRICS,
  create(config, ctx) {
    return new LstmLm(
      { layers: config.layers, hiddenSize: config.hiddenSize, embeddingSize: config.embeddingSize || config.hiddenSize, initScale: config.initScale, cell: config.cell },
      readLmInfo(ctx.dataset),
      ctx.rng,
    );
  },
});
