/**
 * @anneal/model-memn2n: End-To-End Memory Networks for bAbI (Neelakantan et al. 2015, §4.2, Table 2).
 */
export { MemN2N, attentionMode, type MemN2NOptions } from './model.js';
export { readDataInfo, type MemN2NDataInfo } from './data-info.js';
export { positionEncoding } from './position-encoding.js';
export { autodiffBags, embeddingRows } from './autodiff-bags.js';
export { memn2nModel, memn2nConfigSchema, zeroNilTransform } from './plugin.js';

import { memn2nModel, zeroNilTransform } from './plugin.js';
/** The plugin definitions this package provides. */
export const plugins = [memn2nModel, zeroNilTransform] as const;
export default memn2nModel;
