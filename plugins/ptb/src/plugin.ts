import { AnnealError, definePlugin, defineSchema } from '@anneal/core';
import { loadPtb, makePtbDataset } from './dataset.js';

export const ptbConfigSchema = defineSchema({
  dataDir: {
    type: 'string',
    optional: true,
    description: 'Folder holding ptb.train.txt / ptb.valid.txt / ptb.test.txt; default ANNEAL_PTB_DIR, else <ANNEAL_DATA_DIR or ./.anneal/data>/ptb',
  },
  batchSize: { type: 'number', integer: true, min: 1, max: 10000, default: 20, description: 'Parallel token streams per window (Zaremba et al.: 20)' },
  numSteps: { type: 'number', integer: true, min: 1, max: 10000, default: 20, description: 'Unrolled steps per window (truncated BPTT length; Zaremba small: 20)' },
  maxTrainTokens: { type: 'number', integer: true, min: 0, default: 0, description: 'Use only the first N training tokens (quick runs); 0 = all 929,589' },
  maxEvalTokens: { type: 'number', integer: true, min: 0, default: 0, description: 'Use only the first N validation and test tokens; 0 = all (73,760 / 82,430)' },
  vocabSize: { type: 'number', integer: true, min: 0, default: 0, description: 'Keep the N most frequent training words, the rest become <unk>; 0 = all (10,000 for PTB)' },
  verifyChecksums: { type: 'boolean', default: true, description: 'Check the SHA-256 of ptb.{train,valid,test}.txt against the published sums' },
});

export const ptbDataset = definePlugin.dataset({
  manifest: {
    name: 'ptb',
    version: '0.1.0',
    kind: 'dataset',
    configSchema: ptbConfigSchema,
    card: {
      summary: "Penn Treebank (Mikolov's 10k-word version): newline → <eos>, vocabulary from train, 20 parallel streams × 20 unrolled steps per window, fed in order.",
      paper: 'Neelakantan et al. 2015, §4.6 (negative result); Zaremba et al. 2014; Mikolov et al. 2011',
      details:
        'One example = one window: x, y int32 [batchSize, numSteps] (y = x shifted by one token). Streams: the split cut into batchSize equal rows; ' +
        'windows ⌊(row − 1) / numSteps⌋, in order (use training.sampling: sequential, training.batchSize: 1; evalBatchSize 1). ' +
        'info: vocabSize, streams, numSteps, eosId, unkId.',
    },
  },
  async load(config, ctx) {
    const data = loadPtb({
      dataDir: config.dataDir,
      contextDir: ctx.dataDir,
      batchSize: config.batchSize,
      numSteps: config.numSteps,
      maxTrainTokens: config.maxTrainTokens,
      maxEvalTokens: config.maxEvalTokens,
      vocabSize: config.vocabSize,
      verifyChecksums: config.verifyChecksums,
    });
    const need = config.batchSize * (config.numSteps + 1);
    for (const [split, tokens] of Object.entries(data.tokens)) {
      if (tokens.length < need) {
        const key = split === 'train' && config.maxTrainTokens > 0 ? 'maxTrainTokens' : split !== 'train' && config.maxEvalTokens > 0 ? 'maxEvalTokens' : 'batchSize';
        const value = key === 'maxTrainTokens' ? config.maxTrainTokens : key === 'maxEvalTokens' ? config.maxEvalTokens : config.batchSize;
        throw new AnnealError(
          'ANNEAL_ERR_CONFIG_VALUE',
          `${key} = ${value}: the ${split} split has ${tokens.length} tokens, fewer than batchSize × (numSteps + 1) = ${need}, so it holds no window; ` +
            `raise ${key === 'batchSize' ? 'the data' : key} or lower batchSize / numSteps.`,
          { key, value, split, tokens: tokens.length },
        );
      }
    }
    return makePtbDataset(data, config.batchSize, config.numSteps);
  },
});
