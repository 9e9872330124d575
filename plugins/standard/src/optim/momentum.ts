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
 * Graph form: lr_t comes in as a host input; v goes through the graph as slots.
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
    graph: {
      host: (state, ctx) => ({ inputs: { learningRate: ctx.learningRate }, state }),
      slots: (state) => state.velocity,
      apply(params, grads, inputs, slots) {
        const next: Record<string, tf.Tensor> = {};
        const velocity: Record<string, tf.Tensor> = {};
        for (const [name, p] of Object.entries(params)) {
          const g = grads[name];
          const v = tf.add(tf.mul(slots[name], mu), g); // v ← μ·v + g
          const step = nesterov ? tf.add(g, tf.mul(v, mu)) : v;
          next[name] = tf.sub(p, tf.mul(step, inputs.learningRate)); // θ ← θ − lr·step
          velocity[name] = v;
        }
        return { params: next, slots: velocity };
      },
    },
    dispose: (state: MomentumState) => disposeSlots(state.velocity),
  };
}
