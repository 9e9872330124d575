export * from './templates.js';
export * from './generator.js';
export { TableQaSplit, makeTableQaDataset, resolveSettings, tableQaConfigSchema, tableQaDataset, tableQaVocabulary, type TableQaConfig, type TableQaShapes } from './dataset.js';
export { tableQaDataset as default } from './dataset.js';
export * from './overlap.js';
