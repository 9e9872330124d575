/** @anneal/model-nram: the Neural Random-Access Machine of the paper's Table 4 (§4.4). */
export { NRAM_MODULES, applyBinary, applyUnary, fuzzyRead, fuzzyWrite, moduleFunction, moduleTable, type ModuleName, type ModuleSpec } from './modules.js';
export { NRAM_METRICS, NramModel, choiceRows, controllerOutputSize, readNramInfo, type NramDataInfo, type NramOptions, type NramTrace } from './nram.js';
export { nramConfigSchema, nramModel } from './plugin.js';
export { nramModel as default } from './plugin.js';
