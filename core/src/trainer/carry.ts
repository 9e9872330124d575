import * as tf from '@tensorflow/tfjs-core';
import type { CarriedState, Model } from '../model/model.js';

/** The carried state a model starts an epoch with (kept, owned by the caller), or undefined. */
export function initialCarry(model: Model): CarriedState | undefined {
  if (!model.initialCarry) return undefined;
  return tf.tidy(() => {
    const c = model.initialCarry!();
    return Object.fromEntries(Object.entries(c).map(([k, t]) => [k, tf.keep(t)]));
  });
}

export function disposeCarry(carry: CarriedState | undefined): void {
  if (carry) tf.dispose(Object.values(carry));
}
