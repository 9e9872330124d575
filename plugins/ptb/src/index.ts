/**
 * @anneal/dataset-ptb: Mikolov's Penn Treebank (10k words) for the word-level LSTM of Neelakantan et al.
 * 2015 §4.6 (negative result), batched as parallel streams × unrolled windows; and `anneal data fetch ptb`.
 */
export { ptbDataset, ptbConfigSchema } from './plugin.js';
export { loadPtb, makePtbDataset, type PtbOptions, type EncodedPtb } from './dataset.js';
export { readPtbWords, PtbVocabulary, EOS, UNK } from './reader.js';
export { StreamWindows, windowSplit } from './windows.js';
export { resolvePtbDir, ptbFile, PTB_FILES, PTB_FIX_HINT, type PtbDirSources, type PtbSplitName } from './paths.js';
export { PTB_SHA256, parseSha256Sums } from './checksums.js';
export { fetchPtb, runDataFetch, DEFAULT_PTB_BASE_URLS, type FetchPtbOptions, type FetchPtbResult } from './fetch.js';

import { ptbDataset } from './plugin.js';
/** The plugin definitions this package provides (for `load:` / `--plugin`). */
export const plugins = [ptbDataset] as const;
export default ptbDataset;
export { realPtbDir } from './testing.js';
