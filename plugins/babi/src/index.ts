/**
 * @anneal/dataset-babi: the bAbI v1.2 (English, 1k) question-answering tasks for End-To-End Memory
 * Networks (Neelakantan et al. 2015, §4.2, Table 2), and `anneal data fetch babi`.
 */
export { babiDataset, babiConfigSchema } from './plugin.js';
export {
  NIL_WORD,
  DEFAULT_BABI_OPTIONS,
  Vocabulary,
  encodeBabiTask,
  loadBabiTask,
  makeBabiDataset,
  babiInfo,
  buildBatchArrays,
  type BabiOptions,
  type EncodedBabiTask,
  type EncodedSplit,
  type BabiBatchArrays,
  type LoadBabiTaskOptions,
} from './dataset.js';
export { parseBabi, tokenize, normaliseWord, type BabiQuestion, type ParsedBabiFile } from './parse.js';
export { resolveBabiDir, findTaskFiles, BABI_TASK_NAMES, type BabiDirSources } from './paths.js';
export { randomTimeIndices, exactTimeIndices } from './random-time.js';
export { fetchBabi, runDataFetch, parseSha256Sums, readSha256SumsFile, DEFAULT_BABI_URL, DEFAULT_BABI_URLS, BABI_TAR_ROOT, type FetchBabiOptions, type FetchBabiResult } from './fetch.js';
export { readTar, TarFormatError, type TarEntry } from './tar.js';
export { BABI_SHA256 } from './checksums.js';

import { babiDataset } from './plugin.js';
/** The plugin definitions this package provides (for `load:` / `--plugin`). */
export const plugins = [babiDataset] as const;
export default babiDataset;
