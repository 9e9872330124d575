import type * as tf from '@tensorflow/tfjs-core';
import type { GradMap, ParamMap } from '../model/param-map.js';
import type { CurriculumContext, ForwardContext, InitContext, StepContext } from './contexts.js';

/**
 * Plugin state: plain JSON-able data, tf.Variables, typed arrays, or objects with `toCheckpoint()`
 * (e.g. Rng). The checkpointer serialises all of these; nothing else may live in state.
 */
export type PluginState = unknown;

/**
 * Numbers a transform reports for the StepRecord (e.g. { noise_std: 0.05 }). A scalar tensor is
 * allowed too (e.g. a clip coefficient): the trainer keeps it out of the tidy and reads it after the step.
 */
export type TransformMetrics = Readonly<Record<string, number | tf.Scalar>>;

/**
 * Facts about the step that the StepRecord has a field for, reported by the plugin that knows them
 * (the noise plugin reports the std it used). Declared here, so the trainer never parses metric keys.
 */
export interface StepFacts {
  /** Std of the Gaussian noise added this step (gradient or weight noise). */
  readonly noiseStd?: number | tf.Scalar;
}
export const STEP_FACT_KEYS = ['noiseStd'] as const satisfies readonly (keyof StepFacts)[];

export interface GradientUpdate<S> {
  readonly grads: GradMap;
  readonly state: S;
  readonly metrics?: TransformMetrics;
  readonly facts?: StepFacts;
  /**
   * The global L2 norm of the returned `grads`, when the transform knows it for free (a global-norm
   * clip knows it is maxNorm); the trainer then does not recompute it for the StepRecord.
   */
  readonly globalNorm?: number;
}

/**
 * A synchronous gradient transform (optax style). Runs inside the step's tf.tidy, returns a NEW
 * gradient map (it never disposes or mutates its input) and never returns a Promise.
 */
export interface GradientTransform<S = PluginState> {
  readonly name: string;
  init(ctx: InitContext): S;
  update(grads: GradMap, state: S, ctx: StepContext): GradientUpdate<S>;
  dispose?(state: S): void;
}

/** The optimizer at the `update` hook point. It assigns new values to the parameters. */
export interface Optimizer<S = PluginState> {
  readonly name: string;
  init(ctx: InitContext): S;
  /** Applies `grads` to `params` with `assign`; returns the new state. Synchronous. */
  apply(params: ParamMap, grads: GradMap, state: S, ctx: StepContext): S;
  dispose?(state: S): void;
}

/** A parameter transform at `post-update` (weight noise, nil-word zeroing). Assigns to params. */
export interface ParamTransform<S = PluginState> {
  readonly name: string;
  init(ctx: InitContext): S;
  apply(params: ParamMap, state: S, ctx: StepContext): { state: S; metrics?: TransformMetrics; facts?: StepFacts };
  /**
   * Called once after the last training step, before the final evaluation (e.g. the Neural GPU's hard
   * averaging of its parameter copies at the end). Assigns to params; runs inside a tf.tidy.
   */
  finish?(params: ParamMap, state: S, ctx: StepContext): { state: S };
  dispose?(state: S): void;
}

/**
 * A forward transform attached to named activation sites of a model (dropout). It is called inside
 * the model's forward pass; `state` is its own (e.g. an Rng).
 */
export interface ForwardTransform<S = PluginState> {
  readonly name: string;
  /** Which sites it attaches to: exact names or globs with '*' (e.g. "hidden/*"). */
  readonly sites: readonly string[];
  init(ctx: InitContext): S;
  apply(x: tf.Tensor, site: string, state: S, ctx: ForwardContext): tf.Tensor;
  dispose?(state: S): void;
}

/**
 * A curriculum: before each training step (outside the tidy, plain numbers) it decides the difficulty
 * of the step's batch, e.g. { length: 7 }. Datasets read it as `BatchContext.curriculum`, models as
 * `ForwardContext.curriculum`; each key is tracked as the step metric `curriculum/<key>`. Its state
 * is checkpointed like any plugin's.
 */
export interface Curriculum<S = PluginState> {
  readonly name: string;
  init(ctx: InitContext): S;
  next(state: S, ctx: CurriculumContext): {
    readonly state: S;
    readonly level: Readonly<Record<string, number>>;
    /**
     * Multiplies the scheduled learning rate of this step (e.g. the Neural GPU's ×0.98 decays at its
     * checkpoints; keep it in the state so it is checkpointed). Absent: 1.
     */
    readonly learningRateScale?: number;
  };
  dispose?(state: S): void;
}
