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
  /**
   * Only when `ctx.mayLeaveScale`: the transform's result is `grads` times this number (as tf.mul by a float32
   * scalar), and the multiply is left to the next transform's own pass. `globalNorm` is then the result's.
   */
  readonly scale?: number;
}

/**
 * A synchronous gradient transform (optax style). Runs inside the step's tf.tidy, returns a NEW
 * gradient map (it never disposes or mutates its input) and never returns a Promise.
 */
export interface GradientTransform<S = PluginState> {
  readonly name: string;
  init(ctx: InitContext): S;
  update(grads: GradMap, state: S, ctx: StepContext): GradientUpdate<S>;
  /**
   * true (it may be a getter, read at every step): `update` takes `ctx.scale`, a number the gradients it gets are to be
   * multiplied by, and applies it in its own pass (rounded as tf.mul by a float32 scalar, before anything else). Then
   * the transform just before it (a global-norm clip) may leave its multiply to it (`ctx.mayLeaveScale`).
   */
  readonly foldsScale?: boolean;
  /** The same transform split for a captured step graph (`training.graphStep: 'on'`; see GraphGradientForm). */
  readonly graph?: GraphGradientForm<S>;
  dispose?(state: S): void;
}

/** What a plugin's host part sees in a captured-graph step: the step's numbers, and the parameters' shapes. */
export interface GraphHostContext extends Omit<StepContext, 'params' | 'globalNorm'> {
  /** Shape of every parameter (= of its gradient), in the model's parameter order. */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
}

/**
 * Host values a plugin passes into the step graph: float32 or int32 arrays (uploaded as 1-D tensors of that dtype)
 * or numbers (float32 scalars).
 * The step reads them before it calls any host part again, so a plugin may hand out the same array every step.
 */
export type GraphHostInputs = Readonly<Record<string, Float32Array | Int32Array | number>>;

/**
 * A gradient transform in two parts, for a step that runs as one captured TensorFlow graph
 * (core/src/ops/graph-capture): `host` does the step's JS work before the graph runs (σ_t, the noise draw),
 * `apply` is the tensor function inside it, pure in (grads, inputs). `apply` must give what `update` gives.
 */
export interface GraphGradientForm<S> {
  host(state: S, ctx: GraphHostContext): { readonly inputs: GraphHostInputs; readonly state: S; readonly metrics?: Readonly<Record<string, number>>; readonly facts?: { readonly noiseStd?: number } };
  /**
   * `inputs` are the host inputs as tensors. Metrics returned here are scalars computed in the graph. `known` holds
   * what the step has already computed of `grads` (their global norm, when it records norms). A returned `globalNorm`
   * is the global norm of the returned `grads`, when the transform knows it for free (a global-norm clip: N · c); the
   * step then does not sum over the gradients again for it. That sum would read every clipped gradient after the
   * transform's own use, and so keep the next transform from writing into them (as the fused noise op does).
   */
  apply(
    grads: GradMap,
    inputs: Readonly<Record<string, tf.Tensor>>,
    known?: GraphKnownOfGrads,
  ): {
    readonly grads: GradMap;
    readonly metrics?: Readonly<Record<string, tf.Scalar>>;
    readonly globalNorm?: tf.Scalar;
    /**
     * Only when `known.mayLeaveScale`: the transform's result is `grads` times this scalar, and the multiply is left to
     * the next transform (which folds it into its own pass over the gradients). `globalNorm` is then the result's.
     */
    readonly scale?: tf.Scalar;
  };
  /**
   * true: `apply` takes `known.scale`, a scalar the gradients it gets are to be multiplied by, and applies it in its
   * own pass (rounded as tf.mul before anything else). Then the transform just before it in the step (a global-norm
   * clip) may leave its multiply to it, and the step makes one pass over the gradients for both.
   */
  readonly foldsScale?: boolean;
}

/** What a captured step has already computed of the gradients it passes to a transform's graph form. */
export interface GraphKnownOfGrads {
  /** sqrt(Σ_i ‖g_i‖²) over the gradients passed (times `scale`, when there is one). */
  readonly globalNorm?: tf.Scalar;
  /** The gradients passed are `grads` times this scalar (given only to a form with `foldsScale`). */
  readonly scale?: tf.Scalar;
  /** The next transform folds a scale: this one may return `scale` instead of multiplying. */
  readonly mayLeaveScale?: boolean;
}

/** The optimizer at the `update` hook point. It assigns new values to the parameters. */
export interface Optimizer<S = PluginState> {
  readonly name: string;
  init(ctx: InitContext): S;
  /** Applies `grads` to `params` with `assign`; returns the new state. Synchronous. */
  apply(params: ParamMap, grads: GradMap, state: S, ctx: StepContext): S;
  /** The same update for a captured step graph: host inputs (lr_t), and new parameter (and slot) values as a pure function. */
  readonly graph?: GraphOptimizerForm<S>;
  dispose?(state: S): void;
}

/**
 * An optimizer in two parts for a captured step graph (see GraphGradientForm). Its state tensors (Adam's
 * moments) go through the graph: `slots` names them, `apply` gets their values and returns the new ones.
 */
export interface GraphOptimizerForm<S> {
  host(state: S, ctx: GraphHostContext): { readonly inputs: GraphHostInputs; readonly state: S };
  /** The state variables the graph reads and replaces (any keys); absent: none. */
  slots?(state: S): Readonly<Record<string, tf.Variable>>;
  /** New parameter values (same names and shapes as `params`) and new slot values, pure in its arguments. */
  apply(
    params: Readonly<Record<string, tf.Tensor>>,
    grads: GradMap,
    inputs: Readonly<Record<string, tf.Tensor>>,
    slots: Readonly<Record<string, tf.Tensor>>,
  ): { readonly params: Record<string, tf.Tensor>; readonly slots?: Record<string, tf.Tensor> };
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
  /** The same transform split for a captured step graph (`training.graphStep: 'on'`; see GraphForwardForm). */
  readonly graph?: GraphForwardForm<S>;
  dispose?(state: S): void;
}

/**
 * A forward transform in two parts for a captured step graph. `host` runs once per call at a site, before the
 * graph (or, at the capture, as the forward pass reaches the site), and gives the values that call reads — a
 * dropout mask for an activation of `shape` — or none when the call is the identity. `apply` is the tensor
 * function inside the graph, with those values as `input`. The calls at a kind of step (same phase and shapes)
 * come in the same order every step, so host draws what `apply` of the eager transform would draw, in its order.
 */
export interface GraphForwardForm<S> {
  host(state: S, site: string, shape: readonly number[], ctx: ForwardContext): { readonly input?: Float32Array; readonly state: S };
  apply(x: tf.Tensor, site: string, input: tf.Tensor | undefined): tf.Tensor;
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
