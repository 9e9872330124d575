import type { Dataset } from '@anneal/core';
import { ptbFile, resolvePtbDir, type PtbSplitName } from './paths.js';
import { PtbVocabulary, readPtbWords } from './reader.js';
import { StreamWindows, windowSplit } from './windows.js';

export interface PtbOptions {
  readonly dataDir?: string;
  /** The run's data root (DatasetLoadContext.dataDir). */
  readonly contextDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Parallel streams per window (Zaremba: 20). */
  readonly batchSize: number;
  /** Unrolled steps per window (Zaremba small: 20). */
  readonly numSteps: number;
  /** Keep only the first N training tokens (quick variants); 0 = all. */
  readonly maxTrainTokens: number;
  /** Keep only the first N validation / test tokens; 0 = all. */
  readonly maxEvalTokens: number;
  /** Keep the N most frequent training words (rest → <unk>); 0 = all (10,000 for PTB). */
  readonly vocabSize: number;
  readonly verifyChecksums: boolean;
}

export interface EncodedPtb {
  readonly dir: string;
  readonly vocab: PtbVocabulary;
  readonly tokens: Readonly<Record<PtbSplitName, Int32Array>>;
  /** Token counts of the files before any truncation. */
  readonly fileTokens: Readonly<Record<PtbSplitName, number>>;
}

/** Reads the three files, builds the vocabulary from (all of) train and encodes every split. */
export function loadPtb(o: PtbOptions): EncodedPtb {
  const { dir, source } = resolvePtbDir({ configDir: o.dataDir, contextDir: o.contextDir, env: o.env });
  const words = {
    train: readPtbWords(ptbFile(dir, 'train', source), o.verifyChecksums),
    validation: readPtbWords(ptbFile(dir, 'validation', source), o.verifyChecksums),
    test: readPtbWords(ptbFile(dir, 'test', source), o.verifyChecksums),
  };
  const vocab = PtbVocabulary.fromWords(words.train, o.vocabSize > 0 ? o.vocabSize : undefined);
  const cut = (w: string[], n: number) => (n > 0 && w.length > n ? w.slice(0, n) : w);
  return {
    dir,
    vocab,
    fileTokens: { train: words.train.length, validation: words.validation.length, test: words.test.length },
    tokens: {
      train: vocab.encode(cut(words.train, o.maxTrainTokens)),
      validation: vocab.encode(cut(words.validation, o.maxEvalTokens)),
      test: vocab.encode(cut(words.test, o.maxEvalTokens)),
    },
  };
}

export function makePtbDataset(data: EncodedPtb, batchSize: number, numSteps: number): Dataset {
  const w = {
    train: new StreamWindows(data.tokens.train, batchSize, numSteps),
    validation: new StreamWindows(data.tokens.validation, batchSize, numSteps),
    test: new StreamWindows(data.tokens.test, batchSize, numSteps),
  };
  return {
    name: 'ptb',
    info: {
      vocabSize: data.vocab.size,
      streams: batchSize,
      numSteps,
      eosId: data.vocab.eosId,
      unkId: data.vocab.unkId,
      trainTokens: data.tokens.train.length,
      trainWindows: w.train.windows,
      validationWindows: w.validation.windows,
      testWindows: w.test.windows,
      dir: data.dir,
    },
    splits: {
      train: windowSplit('train', w.train, data.vocab),
      validation: windowSplit('validation', w.validation, data.vocab),
      test: windowSplit('test', w.test, data.vocab),
    },
  };
}
