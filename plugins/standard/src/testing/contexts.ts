import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext, GradMap, InitContext, ParamMap, StepContext, TransformMetrics } from '@anneal/core';

/** A StepContext for unit tests. */
export function stepContext(step: number, params: ParamMap = {}, learningRate = 0.1): StepContext {
  return { step, epoch: 0, phase: 'main', learningRate, params };
}

export function initContext(seed: number, params: ParamMap = {}): InitContext {
  return { seed, params };
}

export function forwardContext(training: boolean): ForwardContext {
  return { training, step: 0, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_name: string, x: tf.Tensor) => x };
}

/** Non-trainable test parameters from plain arrays (shape inferred as 1-D unless given). */
export function variables(values: Readonly<Record<string, number[] | { values: number[]; shape: number[] }>>): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const [k, v] of Object.entries(values)) {
    const t = Array.isArray(v) ? tf.tensor1d(v) : tf.tensor(v.values, v.shape);
    out[k] = tf.variable(t, false);
    t.dispose();
  }
  return out;
}

export function tensors(values: Readonly<Record<string, readonly number[]>>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(values)) out[k] = tf.tensor1d(v as number[]);
  return out;
}

export function disposeAll(map: GradMap | ParamMap): void {
  for (const t of Object.values(map)) t.dispose();
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** A metric that the transform reports as a plain number. */
export function metric(metrics: TransformMetrics | undefined, key: string): number {
  const v = metrics?.[key];
  if (typeof v !== 'number') throw new Error(`metric '${key}' is not a number: ${String(v)}`);
  return v;
}

/** Runs `fn` inside a tf.tidy and returns its plain (tensor-free) result. */
export function inTidy<T>(fn: () => T): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = fn();
  });
  return result as T;
}
