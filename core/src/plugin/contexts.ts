import type * as tf from '@tensorflow/tfjs-core';
import type { GradMap, ParamMap } from '../model/param-map.js';

/** Read-only facts about the step, passed to every transform. */
export interface StepContext {
  /** t: number of completed updates before this one (0 on the first step; the noise schedule uses it). */
  readonly step: number;
  /** 0-based epoch (counted across phases). */
  readonly epoch: number;
  /** Name of the current training phase (e.g. "main", "linear-start"). */
  readonly phase: string;
  /** Learning rate in force for this step. */
  readonly learningRate: number;
  /** The parameters (do not assign to them outside the update/post-update stages). */
  readonly params: ParamMap;
  /**
   * Global L2 norm of a gradient map, memoised for this step (the trainer already computed the norm
   * of the map entering the clip stage). Absent outside the trainer; fall back to computing it.
   */
  readonly globalNorm?: (grads: GradMap) => number;
}

/** What a plugin gets when its state is created. */
export interface InitContext {
  /** Seed of this plugin's own RNG stream, derived from (run seed, plugin instance name). */
  readonly seed: number;
  readonly params: ParamMap;
}

/** Passed to forward transforms (dropout) at a model's named activation site. */
export interface ForwardContext {
  readonly training: boolean;
  readonly step: number;
  readonly phase: string;
  /** Phase-specific model options (e.g. { attention: 'linear' } during linear start). */
  readonly phaseOptions: Readonly<Record<string, unknown>>;
  /** Applies every forward transform attached to `site` (identity when none is, or in eval mode for dropout). */
  site(name: string, x: tf.Tensor): tf.Tensor;
}
