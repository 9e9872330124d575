import type * as tf from '@tensorflow/tfjs-core';

/** Trainable parameters by logical name (e.g. "layer03/kernel"); insertion order is the canonical order. */
export type ParamMap = Readonly<Record<string, tf.Variable>>;
/** Gradients (or updates) keyed like the ParamMap. */
export type GradMap = Readonly<Record<string, tf.Tensor>>;
