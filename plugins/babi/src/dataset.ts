import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AnnealError, type Batch, type BatchContext, type DataSplit, type Dataset, type DatasetInfo } from '@anneal/core';
import { parseBabi, type BabiQuestion, type ParsedBabiFile } from './parse.js';
import { BABI_TASK_NAMES, findTaskFiles, resolveBabiDir } from './paths.js';
import { exactTimeIndices, randomTimeIndices } from './random-time.js';

/** The padding word: index 0 in every vocabulary; its embedding is held at 0 by the model. */
export const NIL_WORD = 'nil';

export interface BabiOptions {
  readonly task: number;
  /** Most recent story sentences kept as memories (the reference uses 50). */
  readonly maxMemory: number;
  /** Fraction of the training file's questions (the last ones, in file order) held out for validation. */
  readonly validationFraction: number;
  /** Add the time word τ as an extra last column of every memory sentence (temporal encoding). */
  readonly timeEncoding: boolean;
  /** RN: at most ceil(randomTime·n) empty memories are inserted into training batches; 0 turns RN off. */
  readonly randomTime: number;
}

export const DEFAULT_BABI_OPTIONS: Omit<BabiOptions, 'task'> = Object.freeze({
  maxMemory: 50,
  validationFraction: 0.1,
  timeEncoding: true,
  randomTime: 0.1,
});

/** A vocabulary: nil at 0, then words in order of first appearance (train file, then test file). */
export class Vocabulary {
  readonly words: string[] = [NIL_WORD];
  private readonly index = new Map<string, number>([[NIL_WORD, 0]]);
  add(word: string): number {
    let i = this.index.get(word);
    if (i === undefined) {
      i = this.words.length;
      this.words.push(word);
      this.index.set(word, i);
    }
    return i;
  }
  get(word: string): number | undefined {
    return this.index.get(word);
  }
  get size(): number {
    return this.words.length;
  }
}

/** A split in array form. Memory slots hold the most recent sentences, oldest first, then empty (nil) slots. */
export interface EncodedSplit {
  readonly size: number;
  /** [size, memorySize, sentenceSize] word ids (time column left nil; it is filled per batch). */
  readonly memories: Int32Array;
  /** [size] number of filled memory slots. */
  readonly counts: Int32Array;
  /** [size, sentenceSize] question word ids. */
  readonly queries: Int32Array;
  /** [size] answer ids. */
  readonly answers: Int32Array;
  /** 1-based source line of each question (for messages). */
  readonly lines: Int32Array;
  readonly file: string;
}

export interface EncodedBabiTask {
  readonly task: number;
  readonly options: BabiOptions;
  readonly vocabulary: Vocabulary;
  /** Number of memory slots = min(maxMemory, longest story before a question, over train and test). */
  readonly memorySize: number;
  /** Longest sentence or question (words), over train and test. */
  readonly maxWords: number;
  /** Columns of a memory row: maxWords + 1 when timeEncoding (the last column is the time word), else maxWords. */
  readonly sentenceSize: number;
  /** Embedding rows: words (incl. nil) + memorySize time words when timeEncoding. */
  readonly vocabSize: number;
  /** Time word for τ (1-based) is `timeWordOffset + τ - 1`. */
  readonly timeWordOffset: number;
  readonly longestStory: number;
  readonly train: EncodedSplit;
  readonly validation: EncodedSplit | undefined;
  readonly test: EncodedSplit;
  readonly files: { readonly train: string; readonly test: string };
}

function encodeQuestions(
  parsed: ParsedBabiFile,
  questions: readonly BabiQuestion[],
  vocab: Vocabulary,
  memorySize: number,
  sentenceSize: number,
): EncodedSplit {
  const n = questions.length;
  const memories = new Int32Array(n * memorySize * sentenceSize);
  const counts = new Int32Array(n);
  const queries = new Int32Array(n * sentenceSize);
  const answers = new Int32Array(n);
  const lines = new Int32Array(n);
  const id = (w: string): number => {
    const i = vocab.get(w);
    if (i === undefined) throw new Error(`internal: word '${w}' missing from the vocabulary`);
    return i;
  };
  for (let q = 0; q < n; q++) {
    const question = questions[q];
    const story = parsed.stories[question.story];
    const first = Math.max(0, question.sentenceCount - memorySize);
    const count = question.sentenceCount - first;
    counts[q] = count;
    for (let s = 0; s < count; s++) {
      const words = story[first + s];
      const base = (q * memorySize + s) * sentenceSize;
      for (let j = 0; j < words.length; j++) memories[base + j] = id(words[j]);
    }
    for (let j = 0; j < question.tokens.length; j++) queries[q * sentenceSize + j] = id(question.tokens[j]);
    answers[q] = id(question.answer);
    lines[q] = question.line;
  }
  return { size: n, memories, counts, queries, answers, lines, file: parsed.file };
}

/**
 * Builds vocabulary and arrays for one task from the parsed train and test files. The vocabulary is
 * built from both files (as the reference code does), nil first; the time words follow the words.
 */
export function encodeBabiTask(
  task: number,
  trainFile: ParsedBabiFile,
  testFile: ParsedBabiFile,
  options: Partial<Omit<BabiOptions, 'task'>> = {},
): EncodedBabiTask {
  const opts: BabiOptions = { ...DEFAULT_BABI_OPTIONS, ...options, task };
  const vocab = new Vocabulary();
  let maxWords = 0;
  let longestStory = 0;
  for (const file of [trainFile, testFile]) {
    // Words in file order: sentences and questions interleaved as they appear.
    const byStory = new Map<number, BabiQuestion[]>();
    for (const q of file.questions) {
      const list = byStory.get(q.story) ?? [];
      list.push(q);
      byStory.set(q.story, list);
      longestStory = Math.max(longestStory, q.sentenceCount);
    }
    file.stories.forEach((story, si) => {
      const qs = byStory.get(si) ?? [];
      let qi = 0;
      for (let s = 0; s <= story.length; s++) {
        while (qi < qs.length && qs[qi].sentenceCount === s) {
          for (const w of qs[qi].tokens) vocab.add(w);
          vocab.add(qs[qi].answer);
          maxWords = Math.max(maxWords, qs[qi].tokens.length);
          qi++;
        }
        if (s < story.length) {
          for (const w of story[s]) vocab.add(w);
          maxWords = Math.max(maxWords, story[s].length);
        }
      }
    });
  }
  if (trainFile.questions.length === 0) {
    throw new AnnealError('ANNEAL_ERR_DATA_CORRUPT', `${trainFile.file}: no questions found; is this a bAbI training file?`, { file: trainFile.file });
  }
  const memorySize = Math.max(1, Math.min(opts.maxMemory, longestStory));
  const sentenceSize = maxWords + (opts.timeEncoding ? 1 : 0);
  const wordCount = vocab.size;
  const vocabSize = wordCount + (opts.timeEncoding ? memorySize : 0);
  const nTrainAll = trainFile.questions.length;
  const nTrain = opts.validationFraction > 0 ? Math.floor((1 - opts.validationFraction) * nTrainAll + 1e-9) : nTrainAll;
  const train = encodeQuestions(trainFile, trainFile.questions.slice(0, nTrain), vocab, memorySize, sentenceSize);
  const validation = nTrain < nTrainAll ? encodeQuestions(trainFile, trainFile.questions.slice(nTrain), vocab, memorySize, sentenceSize) : undefined;
  const test = encodeQuestions(testFile, testFile.questions, vocab, memorySize, sentenceSize);
  return {
    task,
    options: opts,
    vocabulary: vocab,
    memorySize,
    maxWords,
    sentenceSize,
    vocabSize,
    timeWordOffset: wordCount,
    longestStory,
    train,
    validation,
    test,
    files: { train: trainFile.file, test: testFile.file },
  };
}

/** The batch a bAbI split produces. */
export interface BabiBatchArrays {
  readonly stories: Int32Array;
  readonly queries: Int32Array;
  readonly answers: Int32Array;
  readonly times: Int32Array;
  readonly memoryMask: Float32Array;
}

/**
 * Fills the batch arrays for `indices`. With `training` and randomTime > 0 the time words follow the RN
 * procedure (random empty memories, drawn from `rng`); otherwise they are exact (1 = most recent).
 */
export function buildBatchArrays(data: EncodedBabiTask, split: EncodedSplit, indices: Int32Array, ctx: BatchContext): BabiBatchArrays {
  const { memorySize: M, sentenceSize: J } = data;
  const b = indices.length;
  const stories = new Int32Array(b * M * J);
  const queries = new Int32Array(b * J);
  const answers = new Int32Array(b);
  const times = new Int32Array(b * M);
  const memoryMask = new Float32Array(b * M);
  const rn = ctx.training && data.options.randomTime > 0 && data.options.timeEncoding;
  const tmp = new Int32Array(M);
  for (let k = 0; k < b; k++) {
    const q = indices[k];
    if (!(q >= 0 && q < split.size)) throw new RangeError(`bAbI batch index ${q} is outside the split (size ${split.size})`);
    stories.set(split.memories.subarray(q * M * J, (q + 1) * M * J), k * M * J);
    queries.set(split.queries.subarray(q * J, (q + 1) * J), k * J);
    answers[k] = split.answers[q];
    const n = split.counts[q];
    const t = rn ? randomTimeIndices(n, M, data.options.randomTime, ctx.rng, tmp) : exactTimeIndices(n, tmp);
    for (let s = 0; s < n; s++) {
      times[k * M + s] = t[s];
      memoryMask[k * M + s] = 1;
      if (data.options.timeEncoding) stories[(k * M + s) * J + (J - 1)] = data.timeWordOffset + t[s] - 1;
    }
  }
  return { stories, queries, answers, times, memoryMask };
}

class BabiSplit implements DataSplit {
  readonly size: number;
  constructor(
    private readonly data: EncodedBabiTask,
    private readonly split: EncodedSplit,
  ) {
    this.size = split.size;
  }
  /** The story (memory sentences, oldest first), the question and the answer, as words. */
  describe(index: number): Readonly<Record<string, unknown>> {
    const { memorySize: M, sentenceSize: J, vocabulary } = this.data;
    const words = (ids: Int32Array) => [...ids].filter((id) => id !== 0 && id < vocabulary.size).map((id) => vocabulary.words[id]).join(' ');
    const s = this.split;
    const story = Array.from({ length: s.counts[index] }, (_, k) => words(s.memories.subarray((index * M + k) * J, (index * M + k + 1) * J)));
    return {
      task: this.data.task,
      source: `${path.basename(s.file)}:${s.lines[index]}`,
      story: story.map((line, k) => `${k + 1}. ${line}`).join('\n'),
      question: words(s.queries.subarray(index * J, (index + 1) * J)),
      answer: vocabulary.words[s.answers[index]],
    };
  }
  batch(indices: Int32Array, ctx: BatchContext): Batch {
    const a = buildBatchArrays(this.data, this.split, indices, ctx);
    const { memorySize: M, sentenceSize: J } = this.data;
    const b = indices.length;
    return {
      stories: tf.tensor3d(a.stories, [b, M, J], 'int32'),
      queries: tf.tensor2d(a.queries, [b, J], 'int32'),
      answers: tf.tensor1d(a.answers, 'int32'),
      times: tf.tensor2d(a.times, [b, M], 'int32'),
      memoryMask: tf.tensor2d(a.memoryMask, [b, M], 'float32'),
    };
  }
}

/** DatasetInfo published by the bAbI dataset (what the memn2n model family reads). */
export function babiInfo(data: EncodedBabiTask): DatasetInfo {
  return Object.freeze({
    task: data.task,
    taskName: BABI_TASK_NAMES[data.task - 1],
    vocabSize: data.vocabSize,
    wordVocabSize: data.timeWordOffset,
    nilIndex: 0,
    timeEncoding: data.options.timeEncoding,
    timeWordOffset: data.timeWordOffset,
    sentenceSize: data.sentenceSize,
    maxWords: data.maxWords,
    memorySize: data.memorySize,
    longestStory: data.longestStory,
    randomTime: data.options.randomTime,
    numClasses: data.vocabSize,
    trainSize: data.train.size,
    validationSize: data.validation?.size ?? 0,
    testSize: data.test.size,
    vocabulary: Object.freeze([...data.vocabulary.words]),
    files: Object.freeze({ train: path.basename(data.files.train), test: path.basename(data.files.test) }),
  });
}

export function makeBabiDataset(data: EncodedBabiTask): Dataset {
  return {
    name: 'babi',
    info: babiInfo(data),
    splits: Object.freeze({
      train: new BabiSplit(data, data.train),
      ...(data.validation ? { validation: new BabiSplit(data, data.validation) } : {}),
      test: new BabiSplit(data, data.test),
    }),
  };
}

export interface LoadBabiTaskOptions extends Partial<Omit<BabiOptions, 'task'>> {
  /** Dataset config dataDir. */
  readonly dataDir?: string;
  /** DatasetLoadContext.dataDir (the run's data root). */
  readonly contextDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

async function readDataFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new AnnealError('ANNEAL_ERR_DATA_MISSING', `cannot read bAbI file ${file}: ${(e as Error).message}`, { path: file });
  }
}

/** Reads, parses and encodes one task from disk (no tensors are created). */
export async function loadBabiTask(task: number, options: LoadBabiTaskOptions = {}): Promise<EncodedBabiTask> {
  if (!Number.isInteger(task) || task < 1 || task > 20) {
    throw new AnnealError('ANNEAL_ERR_CONFIG_VALUE', `bAbI task must be an integer 1..20, got ${JSON.stringify(task)}`, { task });
  }
  const { dir, source } = resolveBabiDir({ configDir: options.dataDir, contextDir: options.contextDir, env: options.env });
  const files = findTaskFiles(dir, task, source);
  const [trainText, testText] = await Promise.all([readDataFile(files.train), readDataFile(files.test)]);
  const train = parseBabi(trainText, path.basename(files.train));
  const test = parseBabi(testText, path.basename(files.test));
  const { dataDir: _d, contextDir: _c, env: _e, ...rest } = options;
  return encodeBabiTask(task, { ...train, file: files.train }, { ...test, file: files.test }, rest);
}
