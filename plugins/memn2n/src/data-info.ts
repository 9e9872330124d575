import { AnnealError, type DatasetInfo } from '@anneal/core';

/** Facts the model needs from the dataset (published by @anneal/dataset-babi). */
export interface MemN2NDataInfo {
  /** Embedding rows: nil + words + time words. */
  readonly vocabSize: number;
  /** Columns of a memory row (words + time column). */
  readonly sentenceSize: number;
  readonly memorySize: number;
  readonly nilIndex: number;
}

export function readDataInfo(info: DatasetInfo): MemN2NDataInfo {
  const num = (key: string, fallback?: number): number => {
    const v = info[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new AnnealError(
        'ANNEAL_ERR_CONFIG_VALUE',
        `model 'memn2n' needs dataset info '${key}' (a non-negative integer), got ${JSON.stringify(v)}; use it with the 'babi' dataset (or one publishing vocabSize, sentenceSize, memorySize).`,
        { key, value: v },
      );
    }
    return v;
  };
  return { vocabSize: num('vocabSize'), sentenceSize: num('sentenceSize'), memorySize: num('memorySize'), nilIndex: num('nilIndex', 0) };
}
