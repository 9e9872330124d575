/**
 * @anneal/plugins-standard: the paper's gradient noise, clipping, optimizers, initializers and dropout.
 * Each plugin is a PluginDefinition (manifest + create) over a pure factory usable without the registry.
 */
import type { PluginDefinition } from '@anneal/core';
import { clipGlobalNormPlugin } from './clip/clip-global-norm.plugin.js';
import { clipTensorNormPlugin } from './clip/clip-tensor-norm.plugin.js';
import { clipValuePlugin } from './clip/clip-value.plugin.js';
import { dropoutPlugin } from './dropout/dropout.plugin.js';
import { glorotInitPlugin } from './init/glorot.plugin.js';
import { heInitPlugin } from './init/he.plugin.js';
import { normalInitPlugin } from './init/normal.plugin.js';
import { sussilloInitPlugin } from './init/sussillo.plugin.js';
import { zeroInitPlugin } from './init/zero.plugin.js';
import { annealedGaussianPlugin } from './noise/annealed-gaussian.plugin.js';
import { constantGaussianPlugin } from './noise/constant-gaussian.plugin.js';
import { weightNoisePlugin } from './noise/weight-noise.plugin.js';
import { adagradPlugin } from './optim/adagrad.plugin.js';
import { adamPlugin } from './optim/adam.plugin.js';
import { momentumPlugin } from './optim/momentum.plugin.js';
import { sgdPlugin } from './optim/sgd.plugin.js';

// Noise
export { addGradientNoise } from './noise/add-gradient-noise.js';
export { addConstantGradientNoise } from './noise/add-constant-gradient-noise.js';
export { addWeightNoise } from './noise/add-weight-noise.js';
export { annealedNoiseVariance } from './noise/noise-schedule.js';
export type { NoiseState, GradientNoiseState } from './noise/noise-state.js';
export type { AnnealedGaussianConfig } from './noise/annealed-gaussian.schema.js';
export type { ConstantGaussianConfig } from './noise/constant-gaussian.schema.js';
export type { WeightNoiseConfig } from './noise/weight-noise.schema.js';
export { annealedGaussianPlugin, constantGaussianPlugin, weightNoisePlugin };

// Clipping
export { clipByGlobalNorm } from './clip/clip-by-global-norm.js';
export { clipByTensorNorm } from './clip/clip-by-tensor-norm.js';
export { clipByValue } from './clip/clip-by-value.js';
// The global-norm helpers live in core (the trainer records norms with them); re-exported for plugin users.
export { globalNorm, globalNormValue } from '@anneal/core';
export type { ClipGlobalNormConfig } from './clip/clip-global-norm.schema.js';
export type { ClipTensorNormConfig } from './clip/clip-tensor-norm.schema.js';
export type { ClipValueConfig } from './clip/clip-value.schema.js';
export { clipGlobalNormPlugin, clipTensorNormPlugin, clipValuePlugin };

// Optimizers
export { sgd, type SgdState } from './optim/sgd.js';
export { momentum, type MomentumState } from './optim/momentum.js';
export { adam, type AdamState } from './optim/adam.js';
export { adagrad, type AdagradState } from './optim/adagrad.js';
export type { SgdConfig } from './optim/sgd.schema.js';
export type { MomentumConfig } from './optim/momentum.schema.js';
export type { AdamConfig } from './optim/adam.schema.js';
export type { AdagradConfig } from './optim/adagrad.schema.js';
export { sgdPlugin, momentumPlugin, adamPlugin, adagradPlugin };

// Initializers
export { normalInitializer } from './init/normal-initializer.js';
export { zeroInitializer } from './init/zero-initializer.js';
export { heInitializer, heStd } from './init/he-initializer.js';
export { sussilloInitializer, sussilloStd, sussilloGain } from './init/sussillo-initializer.js';
export { glorotInitializer, glorotStd } from './init/glorot-initializer.js';
export { fans } from './init/fans.js';
export type { NormalInitConfig } from './init/normal.schema.js';
export type { GlorotConfig } from './init/glorot.schema.js';
export { normalInitPlugin, zeroInitPlugin, heInitPlugin, sussilloInitPlugin, glorotInitPlugin };

// Dropout
export { invertedDropout, type DropoutState } from './dropout/inverted-dropout.js';
export type { DropoutConfig } from './dropout/dropout.schema.js';
export { dropoutPlugin };

// Dropout's mask sampler: core's stream (thresholded Rng.fillUniform) with the generator state in locals.
export { fillDropoutMask } from './random/fill-dropout-mask.js';
// The noise ops layer: the sampler and the add the noise plugins use, fast and reference implementations
// with the same values (ops/).
export { addGaussianNoise, fastNoiseOps, FUSED_PREFETCH_MIN_SIZE, GraphNoise, prefetchingNoiseOps, referenceNoiseOps, simdNormalKernelAvailable, tensorflowLaneNoise, tensorflowLaneNoiseStatus, wasmHeapAddAvailable, type FusedNoiseKernel, type NoiseOps } from './ops/index.js';
export { fillLaneNormalReference } from './ops/internal/lane-normal-stream.js';

/** Every plugin definition of this package, for the registry. */
export const standardPlugins: readonly PluginDefinition[] = Object.freeze([
  annealedGaussianPlugin,
  constantGaussianPlugin,
  weightNoisePlugin,
  clipGlobalNormPlugin,
  clipTensorNormPlugin,
  clipValuePlugin,
  sgdPlugin,
  momentumPlugin,
  adamPlugin,
  adagradPlugin,
  normalInitPlugin,
  zeroInitPlugin,
  heInitPlugin,
  sussilloInitPlugin,
  glorotInitPlugin,
  dropoutPlugin,
]);
