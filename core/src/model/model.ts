import type * as tf from '@tensorflow/tfjs-core';
import type { Batch, DatasetInfo } from '../data/dataset.js';
import type { ForwardContext } from '../plugin/contexts.js';
import type { Rng } from '../random/rng.js';
import type { ParamMap } from './param-map.js';
import type { EvalSums, MetricSpec } from './metrics.js';

/**
 * Tensors a model carries from one batch to the next (the LSTM's hidden state across truncated-BPTT
 * windows). The trainer keeps them between steps (detached: they are inputs, not variables), resets
 * them with `initialCarry()` at each epoch start and each evaluation pass, and checkpoints them.
 */
export type CarriedState = Readonly<Record<string, tf.Tensor>>;

/** What a model's loss returns when it carries state: the loss and the state for the next batch. */
export interface LossWithCarry {
  readonly loss: tf.Scalar;
  readonly carry: CarriedState;
}

/** What a model's evaluate returns when it carries state. */
export interface EvalWithCarry {
  readonly sums: EvalSums;
  readonly carry: CarriedState;
}

/**
 * A built model: its parameters, its named forward sites, a loss and an evaluation. All methods are
 * synchronous tensor code; the trainer owns the tf.tidy around them.
 */
export interface Model {
  readonly params: ParamMap;
  /** Named activation sites where forward transforms (dropout) can attach, e.g. "hidden/1". */
  readonly sites: readonly string[];
  /** The evaluation metrics `evaluate` returns sums for (usually the family manifest's `metrics`). */
  readonly metrics: readonly MetricSpec[];
  /** Training loss (a scalar) for a batch. Forward sites must be routed through `ctx.site`. */
  loss(batch: Batch, ctx: ForwardContext): tf.Scalar | LossWithCarry;
  /** Evaluation sums for a batch, one per declared metric (ctx.training is false). */
  evaluate(batch: Batch, ctx: ForwardContext): EvalSums | EvalWithCarry;
  /** The state carried into the first batch of an epoch or an evaluation pass (absent: nothing carried). */
  initialCarry?(): CarriedState;
  /**
   * Why this model, as configured, cannot run its step as one captured graph, with the fix (its loss reads values
   * back to JS, say): "its hand-written backward pass reads values back to JS; set the model config gradient:
   * 'autodiff'". Present: `training.graphStep: 'on'` is refused at boot with it and 'auto' runs eager.
   */
  readonly graphStepUnsupported?: string;
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
