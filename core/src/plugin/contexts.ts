import type * as tf from '@tensorflow/tfjs-core';
import type { GradMap, ParamMap } from '../model/param-map.js';
import type { CarriedState } from '../model/model.js';

/** Read-only facts about the step, passed to every transform. */
export interface StepContext {
  /** t: number of completed updates before this one (0 on the first step; the noise schedule uses it). */
  readonly step: number;
  /** 0-based epoch (counted across phases). */
  readonly epoch: number;
  /** Name of the current training phase (e.g. "main", "linear-start"). */
  readonly phase: string;
  /** Learning rate in force for this step (the phase's schedule × any curriculum's learningRateScale). */
  readonly learningRate: number;
  /** The curriculum's level for this step (e.g. { length: 7, averagings: 2 }); absent or empty without a curriculum. */
  readonly curriculum?: Readonly<Record<string, number>>;
  /** The parameters (do not assign to them outside the update/post-update stages). */
  readonly params: ParamMap;
  /**
   * Global L2 norm of a gradient map, memoised for this step (the trainer already computed the norm
   * of the map entering the clip stage). Absent outside the trainer; fall back to computing it.
   */
  readonly globalNorm?: (grads: GradMap) => number;
  /** The gradients passed are `grads` times this (a clip's c left to this transform; only for one with `foldsScale`). */
  readonly scale?: number;
  /** The next transform folds a scale: this one may return `scale` instead of multiplying. */
  readonly mayLeaveScale?: boolean;
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
  /** The curriculum's difficulty for this batch (e.g. { length: 7 }); empty without a curriculum. */
  readonly curriculum: Readonly<Record<string, number>>;
  /** State carried from the previous batch (present when the model has `initialCarry`). */
  readonly carry?: CarriedState;
  /** Applies every forward transform attached to `site` (identity when none is, or in eval mode for dropout). */
  site(name: string, x: tf.Tensor): tf.Tensor;
}

/** What a curriculum sees before each training step (plain numbers, outside the step's tidy). */
export interface CurriculumContext {
  /** Completed updates before this step. */
  readonly step: number;
  readonly epoch: number;
  /** Latest evaluation results ("train/error", "validation/sequence_error", …); empty before the first. */
  readonly evaluation: Readonly<Record<string, number>>;
  /** The previous step's training loss (NaN on the first step). */
  readonly lastLoss: number;
}
