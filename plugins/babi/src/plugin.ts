import { definePlugin, defineSchema } from '@anneal/core';
import { loadBabiTask, makeBabiDataset } from './dataset.js';

export const babiConfigSchema = defineSchema({
  task: { type: 'number', integer: true, min: 1, max: 20, default: 1, description: 'bAbI task number (1..20); each task is trained separately' },
  dataDir: {
    type: 'string',
    optional: true,
    description: 'Folder holding qa<N>_*_{train,test}.txt (bAbI v1.2 en, 1k); default ANNEAL_BABI_DIR, else <ANNEAL_DATA_DIR or ./.anneal/data>/babi/en',
  },
  maxMemory: { type: 'number', integer: true, min: 1, max: 1000, default: 50, description: 'Most recent story sentences kept as memories' },
  validationFraction: {
    type: 'number',
    min: 0,
    max: 1,
    exclusiveMax: true,
    default: 0.1,
    description: 'Fraction of training questions (the last ones, in file order) held out as the validation split',
  },
  timeEncoding: { type: 'boolean', default: true, description: 'Append a time word (1 = most recent) to every memory sentence (temporal encoding, TE)' },
  randomTime: {
    type: 'number',
    min: 0,
    max: 1,
    default: 0.1,
    description: 'Random-noise empty memories (RN) in training batches: up to ceil(randomTime·n) blank time slots; 0 = off',
  },
});

export const babiDataset = definePlugin.dataset({
  manifest: {
    name: 'babi',
    version: '0.1.0',
    kind: 'dataset',
    configSchema: babiConfigSchema,
    card: {
      summary:
        'bAbI v1.2 (English, 1k) question answering: one task per run, nil-padded stories of the 50 most recent sentences, time words, random empty memories in training batches.',
      paper: 'Neelakantan et al. 2015, §4.2 (End-To-End Memory Networks on bAbI); Weston et al. 2015; Sukhbaatar et al. 2015',
      details:
        'Vocabulary from the task\'s train+test files (nil = 0, then time words). Validation = last 10% of training questions. ' +
        'Batch: stories int32 [b, memorySize, sentenceSize] (last column = time word), queries int32 [b, sentenceSize], answers int32 [b], ' +
        'times int32 [b, memorySize] (0 = empty slot), memoryMask float32 [b, memorySize].',
    },
  },
  async load(config, ctx) {
    const data = await loadBabiTask(config.task, {
      dataDir: config.dataDir,
      contextDir: ctx.dataDir,
      maxMemory: config.maxMemory,
      validationFraction: config.validationFraction,
      timeEncoding: config.timeEncoding,
      randomTime: config.randomTime,
    });
    return makeBabiDataset(data);
  },
});
