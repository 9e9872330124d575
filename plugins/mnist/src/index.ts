export { DATA_FIX, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdxBytes, readIdxFile, type IdxFile, type IdxKind } from './idx.js';
export {
  MNIST_FILES,
  MNIST_NUM_CLASSES,
  MNIST_SUBSET_MODES,
  MnistSplit,
  clearMnistCache,
  loadMnist,
  mnistConfigSchema,
  mnistDataPackageDir,
  mnistDataset,
  readIdxCached,
  readMnistPart,
  resolveMnistSource,
  type MnistConfig,
  type MnistDataset,
  type MnistDirOrigin,
  type MnistFileKey,
  type MnistPart,
  type MnistSource,
  type MnistSubsetMode,
} from './mnist.js';
export { mnistDataset as default } from './mnist.js';
