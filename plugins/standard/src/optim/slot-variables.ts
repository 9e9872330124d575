import * as tf from '@tensorflow/tfjs-core';
import type { ParamMap } from '@anneal/core';

/** Per-parameter optimizer state (momentum, Adam moments, Adagrad sums), keyed like the ParamMap. */
export type Slots = Readonly<Record<string, tf.Variable>>;

/**
 * One non-trainable Variable per parameter, filled with `value` (created under tf.tidy, so the
 * temporary fill tensors are freed). Variables are left unnamed: tfjs names are global and would clash
 * across runs in one process.
 */
export function createSlots(params: ParamMap, value: number): Slots {
  return tf.tidy(() => {
    const slots: Record<string, tf.Variable> = {};
    for (const [name, p] of Object.entries(params)) slots[name] = tf.variable(tf.fill(p.shape, value, 'float32'), false);
    return slots;
  });
}

export function disposeSlots(slots: Slots): void {
  for (const v of Object.values(slots)) v.dispose();
}

/** The parameter a gradient belongs to; a gradient without a parameter is a wiring bug. */
export function paramFor(params: ParamMap, name: string, optimizer: string): tf.Variable {
  const p = params[name];
  if (p === undefined) throw new Error(`${optimizer}: got a gradient for '${name}', which is not a parameter (known: ${Object.keys(params).join(', ')})`);
  return p;
}

export function slotFor(slots: Slots, name: string, optimizer: string): tf.Variable {
  const s = slots[name];
  if (s === undefined) throw new Error(`${optimizer}: no state for parameter '${name}'; was init() called with the same parameters?`);
  return s;
}
