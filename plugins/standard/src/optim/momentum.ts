import * as tf from '@tensorflow/tfjs-core';
import type { GradMap, InitContext, Optimizer, ParamMap, StepContext } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { momentumSchema, type MomentumConfig } from './momentum.schema.js';
import { createSlots, disposeSlots, paramFor, slotFor, type Slots } from './slot-variables.js';

export interface MomentumState {
  /** v per parameter, starting at 0. */
  readonly velocity: Slots;
}

/**
 * Heavy-ball momentum in TF's form: v ← μ·v + g; θ ← θ − lr·v
 * (Nesterov: θ ← θ − lr·(g + μ·v) with the new v).
 */
export function momentum(config: Partial<MomentumConfig> = {}): Optimizer<MomentumState> {
  const { momentum: mu, nesterov } = resolveConfig('momentum', momentumSchema, config);
  return {
    name: 'momentum',
    init: (ctx: InitContext) => ({ velocity: createSlots(ctx.params, 0) }),
    apply(params: ParamMap, grads: GradMap, state: MomentumState, ctx: StepContext): MomentumState {
      tf.tidy(() => {
        const lr = tf.scalar(ctx.learningRate);
        const m = tf.scalar(mu);
        for (const [name, g] of Object.entries(grads)) {
          const p = paramFor(params, name, 'momentum');
          const v = slotFor(state.velocity, name, 'momentum');
          v.assign(tf.add(tf.mul(v, m), g));
          const step = nesterov ? tf.add(g, tf.mul(v, m)) : v;
          p.assign(tf.sub(p, tf.mul(step, lr)));
        }
      });
      return state;
    },
    dispose: (state: MomentumState) => disposeSlots(state.velocity),
  };
}
