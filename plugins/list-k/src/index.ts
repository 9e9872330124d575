/** @anneal/dataset-list-k: the seeded ListK generator of the paper's NRAM experiment (§4.4). */
export { FIRST_NODE_CELL, OUTPUT_CELL, describeListK, generateListK, layoutListK, maxListLength, minMemorySize, type ListKExample, type ListKNode } from './generator.js';
export { checkListKConfig, listKConfigSchema, listKDataset, makeListKDataset, type ListKConfig } from './dataset.js';
export { listKDataset as default } from './dataset.js';
