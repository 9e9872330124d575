export {
  MLP_ACTIVATIONS,
  MLP_GRADIENTS,
  MlpModel,
  SIMPLE_INIT,
  buildMlp,
  mlpConfigSchema,
  mlpFamily,
  mlpLayerNames,
  mlpParamCount,
  type MlpActivation,
  type MlpConfig,
  type MlpConfigInput,
  type MlpDescription,
  type MlpLayerDescription,
} from './mlp.js';
export {
  defaultTransposeMode,
  dense,
  denseAutodiff,
  meanSoftmaxCrossEntropy,
  meanSoftmaxCrossEntropyAutodiff,
  summedSoftmaxCrossEntropy,
  toOneHot,
  type DenseActivation,
  type DenseOptions,
  type TransposeMode,
} from './ops.js';
export { mlpFamily as default } from './mlp.js';
