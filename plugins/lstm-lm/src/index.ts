/**
 * @anneal/model-lstm-lm: the word-level LSTM language model of Neelakantan et al. 2015 §4.6 (Zaremba et
 * al.'s small PTB setup), with the hidden state carried across truncated-BPTT windows; metric perplexity.
 */
export { lstmLmModel, lstmLmConfigSchema } from './plugin.js';
export { LstmLm, LM_METRICS, embeddingLookup, summedSoftmaxNll, lmSites, readLmInfo, type LstmLmOptions, type LstmLmDataInfo } from './model.js';

import { lstmLmModel } from './plugin.js';
/** The plugin definitions this package provides (for `load:` / `--plugin`). */
export const plugins = [lstmLmModel] as const;
export default lstmLmModel;
export { matMulFast } from './ops.js';
