import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, defineSchema, definePlugin, deriveSeed, hostNumber, type BatchContext, type ConfigOf, type DataSplit, type Dataset } from '@anneal/core';
import { BINARY_TASKS, MIN_LENGTH, VOCAB_SIZE, bitsString, generateExample, paddedWidth, trueLength, type BinaryExample, type BinaryTask } from './encoding.js';

/** NGPU-0's length bins (the test length is its own bin). */
export const NGPU_BINS: readonly number[] = Object.freeze([8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 64, 128]);

export const binaryArithSchema = defineSchema({
  task: { type: 'string', oneOf: BINARY_TASKS, default: 'bmul', description: "'bmul' (binary multiplication, Table 5), 'badd' (addition) or 'bcopy' (copy; a sanity task)" },
  trainMaxLength: { type: 'number', integer: true, min: 1, default: 41, description: 'longest training length budget (41 → 20-bit operands); without a curriculum every training batch has this length' },
  testLength: { type: 'number', integer: true, min: 1, default: 401, description: 'length budget of every test example (401 → 200-bit operands); must be ≥ trainMaxLength' },
  trainSize: { type: 'number', integer: true, min: 1, default: 6400, description: 'training examples per length and per epoch (6400 = 200 steps of 32: one NGPU checkpoint)' },
  validationSize: { type: 'number', integer: true, min: 1, default: 128, description: 'training examples of every length ≤ the current maximum, evaluated for the curriculum (the training sequence error)' },
  testSize: { type: 'number', integer: true, min: 1, default: 1024, description: 'test examples at testLength (NGPU: 1,024)' },
  bins: { type: 'number[]', default: NGPU_BINS, description: 'a batch is zero-padded to the smallest bin ≥ its longest example (else to that length)' },
  padTo: { type: 'number', integer: true, min: 1, optional: true, description: 'pad every batch to this fixed width instead of bins (must fit the test examples)' },
});
export type BinaryArithConfig = ConfigOf<typeof binaryArithSchema>;

const OWNER = "dataset 'binary-arith'";

function configError(key: string, value: unknown, why: string): AnnealError {
  return new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `${OWNER}: ${key} = ${JSON.stringify(value)}: ${why}`, { owner: OWNER, key, value });
}

/** Cross-field checks (run at start, before any run is written). */
export function checkBinaryArithConfig(c: BinaryArithConfig): void {
  const min = MIN_LENGTH[c.task];
  if (c.trainMaxLength < min) throw configError('trainMaxLength', c.trainMaxLength, `task ${c.task} needs a length of at least ${min} (one bit per operand and the operator); set trainMaxLength ≥ ${min}.`);
  if (c.testLength < c.trainMaxLength)
    throw configError('testLength', c.testLength, `the test length is below the training length (trainMaxLength = ${c.trainMaxLength}); the test must be at least as long (the paper: train 41, test 401). Set testLength ≥ ${c.trainMaxLength}.`);
  const testWidth = trueLength(c.task, c.testLength);
  if (c.padTo !== undefined && c.padTo < testWidth)
    throw configError('padTo', c.padTo, `test examples of length ${c.testLength} (${describeLength(c.task, c.testLength)}) need ${testWidth} positions and do not fit the padded width; set padTo ≥ ${testWidth}, or leave it unset to pad to length bins.`);
}

function describeLength(task: BinaryTask, length: number): string {
  const k = Math.floor((length - 1) / 2);
  return task === 'bcopy' ? `${length} bits` : `two ${k}-bit operands and the operator`;
}

/**
 * Packs examples into { input, target: int32 [b, W], length: int32 [b], mask: float32 [b, W], steps }, where
 * `steps` is the longest length as a host number (core's `hostNumber`): how many steps a model unrolls.
 */
export function packExamples(examples: readonly BinaryExample[], bins: readonly number[], padTo?: number) {
  const longest = examples.reduce((m, e) => Math.max(m, e.input.length), 1);
  const w = paddedWidth(longest, bins, padTo);
  const b = examples.length;
  const input = new Int32Array(b * w);
  const target = new Int32Array(b * w);
  const length = new Int32Array(b);
  const mask = new Float32Array(b * w);
  examples.forEach((e, i) => {
    length[i] = e.input.length;
    for (let p = 0; p < e.input.length; p++) {
      input[i * w + p] = e.input[p];
      target[i * w + p] = e.target[p];
      mask[i * w + p] = 1;
    }
  });
  return {
    input: tf.tensor2d(input, [b, w], 'int32'),
    target: tf.tensor2d(target, [b, w], 'int32'),
    length: tf.tensor1d(length, 'int32'),
    mask: tf.tensor2d(mask, [b, w], 'float32'),
    steps: hostNumber(longest),
  };
}

function describeExample(e: BinaryExample, index: number, length: number): Readonly<Record<string, unknown>> {
  const op = e.task === 'bmul' ? '*' : e.task === 'badd' ? '+' : 'copy';
  const shown =
    e.task === 'bcopy'
      ? { bits: bitsString(e.a) }
      : { a: `${bitsString(e.a)} (${BigIntString(e.a)})`, b: `${bitsString(e.b)} (${BigIntString(e.b)})`, result: `${bitsString(e.result)} (${BigIntString(e.result)})` };
  return { index, length, task: e.task, operator: op, ...shown, inputTokens: e.input.join(' '), targetTokens: e.target.join(' '), note: 'bits shown most significant first; tokens are little-endian (bit + 1, 11 = +, 12 = *, 0 = padding)' };
}

function BigIntString(bits: readonly number[]): string {
  let v = 0n;
  for (let i = bits.length - 1; i >= 0; i--) v = (v << 1n) | BigInt(bits[i]);
  return v.toString();
}

/** The dataset: train (one length per batch, from the curriculum), validation (lengths ≤ cur), test (testLength). */
export function makeBinaryArith(c: BinaryArithConfig, seed: number): Dataset {
  checkBinaryArithConfig(c);
  const trainSeed = deriveSeed(seed, 'binary-arith/train');
  const testSeed = deriveSeed(seed, 'binary-arith/test');
  const min = MIN_LENGTH[c.task];
  const clampTrain = (l: number) => Math.max(min, Math.min(c.trainMaxLength, Math.round(l)));
  const trainLength = (ctx: BatchContext) => clampTrain(ctx.curriculum.length ?? c.trainMaxLength);
  const curMax = (ctx: BatchContext) => clampTrain(ctx.curriculum.maxLength ?? ctx.curriculum.length ?? c.trainMaxLength);
  const validationLength = (i: number, cur: number) => min + (i % (cur - min + 1));
  const pack = (ex: BinaryExample[]) => packExamples(ex, c.bins, c.padTo);
  const train: DataSplit = {
    size: c.trainSize,
    batch(indices, ctx) {
      const l = trainLength(ctx);
      return pack(Array.from(indices, (i) => generateExample(c.task, trainSeed, i, l)));
    },
    describe: (i) => describeExample(generateExample(c.task, trainSeed, i, c.trainMaxLength), i, c.trainMaxLength),
  };
  const validation: DataSplit = {
    size: c.validationSize,
    batch(indices, ctx) {
      const cur = curMax(ctx);
      return pack(Array.from(indices, (i) => generateExample(c.task, trainSeed, i, validationLength(i, cur))));
    },
    describe: (i) => {
      const l = validationLength(i, c.trainMaxLength);
      return describeExample(generateExample(c.task, trainSeed, i, l), i, l);
    },
  };
  const test: DataSplit = {
    size: c.testSize,
    batch: (indices) => pack(Array.from(indices, (i) => generateExample(c.task, testSeed, i, c.testLength))),
    describe: (i) => describeExample(generateExample(c.task, testSeed, i, c.testLength), i, c.testLength),
  };
  return {
    name: 'binary-arith',
    info: Object.freeze({ task: c.task, vocabSize: VOCAB_SIZE, numClasses: VOCAB_SIZE, trainMaxLength: c.trainMaxLength, testLength: c.testLength, testWidth: trueLength(c.task, c.testLength) }),
    splits: { train, validation, test },
  };
}

export const binaryArithDataset = definePlugin.dataset({
  manifest: {
    name: 'binary-arith',
    version: '0.1.0',
    kind: 'dataset',
    configSchema: binaryArithSchema,
    card: {
      summary: 'Binary multiplication / addition / copy, encoded as in the Neural GPU: little-endian bits, operator token, zero padding, length bins; train up to trainMaxLength, test at testLength.',
      paper: 'Neelakantan et al. 2015 §4.5 (Table 5); Kaiser & Sutskever 2016 — paper-spec §5.1',
      details:
        'Every example is a pure function of (seed, index, length). Train batches have one length (curriculum level `length`, else trainMaxLength); validation spreads its examples over [3, maxLength] (the curriculum’s training sequence error); test is all at testLength. ' +
        'Batch: input, target int32 [b, W]; length int32 [b] (true length = steps); mask float32 [b, W] (positions < length).',
    },
  },
  load: async (config, ctx) => makeBinaryArith(config, ctx.seed),
});
