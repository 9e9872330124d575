import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, definePlugin, defineSchema, type BatchContext, type ConfigOf, type DataSplit, type Dataset } from '@anneal/core';
import { OUTPUT_CELL, describeListK, generateListK, maxListLength, minMemorySize } from './generator.js';

export const listKConfigSchema = defineSchema({
  memorySize: { type: 'number', integer: true, min: 4, max: 64, default: 10, description: 'M: memory cells, and the integers are {0..M−1}' },
  length: { type: 'number', integer: true, min: 1, default: 3, description: 'list length of the test split, and the longest training list (the curriculum level is capped here)' },
  k: { type: 'number', integer: true, min: 0, optional: true, description: 'a fixed k for every example (default: k uniform in 0..n−1); a list shorter than k+1 is lengthened to k+1' },
  curriculumKey: { type: 'string', default: 'length', description: 'the curriculum level naming the training list length (ctx.curriculum.<key>); absent: every list has `length` nodes' },
  mixHarder: {
    type: 'number',
    min: 0,
    max: 1,
    default: 0.1,
    description: 'share of training examples drawn with a longer list, uniform in level+1..length (the curriculum’s “mix in harder examples”)',
  },
  trainSize: { type: 'number', integer: true, min: 1, default: 1000, description: 'training examples per epoch (fresh examples every epoch)' },
  testSize: { type: 'number', integer: true, min: 1, default: 500, description: 'test examples, all with `length` nodes unless testMinLength is set' },
  testMinLength: {
    type: 'number',
    integer: true,
    min: 1,
    optional: true,
    description: 'test lists of testMinLength..length nodes, cycling with the index (test example i has testMinLength + i mod (length − testMinLength + 1) nodes); default: all `length`',
  },
});
export type ListKConfig = ConfigOf<typeof listKConfigSchema>;

/** The cross-field checks (run at start, before any run is written). */
export function checkListKConfig(config: ListKConfig): void {
  if (config.length > maxListLength(config.memorySize)) {
    throw new AnnealError(
      'ANNEAL_ERR_CONFIG_VALUE',
      `memorySize = ${config.memorySize}: too small for lists of length ${config.length} (3 cells + 2 per node: at least ${minMemorySize(config.length)}). Raise memorySize or lower length to ≤ ${maxListLength(config.memorySize)}.`,
    );
  }
  if (config.k !== undefined && config.k >= config.length) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `k = ${config.k}: out of range for lists of at most ${config.length} nodes; k must be ≤ ${config.length - 1} (0 = the head).`);
  }
  if (config.testMinLength !== undefined && config.testMinLength > config.length) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `testMinLength = ${config.testMinLength}: must be ≤ length = ${config.length}.`);
  }
}

/** The list length of test example `index`: `length`, or testMinLength..length cycling with the index (never shorter than a fixed k + 1). */
export function testLength(config: ListKConfig, index: number): number {
  const min = config.testMinLength ?? config.length;
  return Math.max(min + (index % (config.length - min + 1)), (config.k ?? -1) + 1);
}

/** The list length of one training example: the curriculum level, sometimes a harder one. */
function trainLength(config: ListKConfig, ctx: BatchContext): number {
  const raw = ctx.curriculum[config.curriculumKey];
  const level = Math.max(1, Math.min(config.length, Math.round(raw ?? config.length)));
  const base = config.k !== undefined ? Math.max(level, config.k + 1) : level;
  if (ctx.training && base < config.length && config.mixHarder > 0 && ctx.rng.nextFloat() < config.mixHarder) {
    return base + 1 + ctx.rng.nextInt(config.length - base);
  }
  return base;
}

export function makeListKDataset(config: ListKConfig, seed: number): Dataset {
  checkListKConfig(config);
  const M = config.memorySize;
  const toBatch = (examples: { memory: Int32Array; answer: number }[]) => {
    const memory = new Int32Array(examples.length * M);
    examples.forEach((e, i) => memory.set(e.memory, i * M));
    return { memory: tf.tensor2d(memory, [examples.length, M], 'int32'), answer: tf.tensor1d(examples.map((e) => e.answer), 'int32') };
  };
  const train: DataSplit = {
    size: config.trainSize,
    batch(indices, ctx) {
      // Training batches draw fresh lists each epoch; evaluation of the train split sees epoch 0's at the current level.
      const tag = ctx.training ? `train-e${ctx.epoch}` : 'train';
      return toBatch(Array.from(indices, (i) => generateListK(seed, tag, i, trainLength(config, ctx), M, config.k)));
    },
    describe: (index) => describeListK(generateListK(seed, 'train', index, config.length, M, config.k)),
  };
  const test: DataSplit = {
    size: config.testSize,
    batch: (indices) => toBatch(Array.from(indices, (i) => generateListK(seed, 'test', i, testLength(config, i), M, config.k))),
    describe: (index) => describeListK(generateListK(seed, 'test', index, testLength(config, index), M, config.k)),
  };
  return { name: 'list-k', info: { memorySize: M, outputCell: OUTPUT_CELL, maxLength: config.length }, splits: { train, test } };
}

export const listKDataset = definePlugin.dataset({
  manifest: {
    name: 'list-k',
    version: '0.1.0',
    kind: 'dataset',
    configSchema: listKConfigSchema,
    card: {
      summary: 'ListK: write the value of the k-th node of a linked list (head pointer in cell 0, k in cell 1) to cell 2; seeded, generated on the fly.',
      paper: 'Neelakantan et al. 2015, §4.4 (Table 4); Kurach et al. 2016 (NRAM tasks)',
      details:
        'Batch: memory int32 [b, M] (cell values), answer int32 [b]. Nodes are (next, value) cell pairs at random slots from cell 3; the last points to 0. ' +
        'Training lists have ctx.curriculum.<curriculumKey> nodes (mixHarder of them longer), the test split `length` nodes (or testMinLength..length, cycling). Every example is a pure function of (seed, split, index, length).',
    },
  },
  async load(config, ctx) {
    return makeListKDataset(config, ctx.seed);
  },
});
