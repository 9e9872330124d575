import type * as tf from '@tensorflow/tfjs-core';
import type { Batch, DatasetInfo } from '../data/dataset.js';
import type { ForwardContext } from '../plugin/contexts.js';
import type { Rng } from '../random/rng.js';
import type { ParamMap } from './param-map.js';

/** Sum-type evaluation quantities for one batch; the trainer adds them over batches. */
export interface EvalSums {
  /** Number of correct predictions in the batch. */
  readonly correct: tf.Scalar;
  /** Number of examples in the batch. */
  readonly count: tf.Scalar;
  /** Summed loss over the batch's examples. */
  readonly lossSum: tf.Scalar;
}

/**
 * A built model: its parameters, its named forward sites, a loss and an evaluation. All methods are
 * synchronous tensor code; the trainer owns the tf.tidy around them.
 */
export interface Model {
  readonly params: ParamMap;
  /** Named activation sites where forward transforms (dropout) can attach, e.g. "hidden/1". */
  readonly sites: readonly string[];
  /** Training loss (a scalar) for a batch. Forward sites must be routed through `ctx.site`. */
  loss(batch: Batch, ctx: ForwardContext): tf.Scalar;
  /** Evaluation sums for a batch (ctx.training is false). */
  evaluate(batch: Batch, ctx: ForwardContext): EvalSums;
  /** A short description for the plan (shapes, parameter count). */
  describe(): Readonly<Record<string, unknown>>;
  dispose(): void;
}

/** Weight initializer: fills a tensor of `shape` ([fanIn, fanOut] for a dense kernel). */
export interface Initializer {
  readonly name: string;
  /** The std it would use for this shape (for the plan and for tests), or null when not Gaussian. */
  stdFor(shape: readonly number[]): number | null;
  sample(shape: readonly number[], rng: Rng): Float32Array;
}

/** What a model family's factory gets at boot. */
export interface ModelBuildContext {
  readonly dataset: DatasetInfo;
  /** RNG stream for parameter initialization. */
  readonly rng: Rng;
  /** Resolves an initializer spec (name + config) through the registry, at boot. */
  initializer(spec: InitializerSpec): Initializer;
}

export type InitializerSpec = string | Readonly<{ name: string; config?: Readonly<Record<string, unknown>> }>;
