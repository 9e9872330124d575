import * as tf from '@tensorflow/tfjs-core';
import type { GradMap, InitContext, Optimizer, ParamMap, StepContext } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { adamSchema, type AdamConfig } from './adam.schema.js';
import { createSlots, disposeSlots, paramFor, slotFor, type Slots } from './slot-variables.js';

export interface AdamState {
  /** First-moment estimates m per parameter. */
  readonly m: Slots;
  /** Second-moment estimates v per parameter. */
  readonly v: Slots;
  /** Number of Adam updates applied so far (its own counter, used for bias correction). */
  readonly count: number;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with bias correction:
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − α·m̂/(sqrt(v̂) + ε),  m̂ = m/(1−β₁ᵏ), v̂ = v/(1−β₂ᵏ)
 * with k the 1-based count of Adam updates. It is evaluated in the algebraically identical form
 * θ ← θ − α_k·m/(sqrt(v) + ε_k), α_k = α·sqrt(1−β₂ᵏ)/(1−β₁ᵏ), ε_k = ε·sqrt(1−β₂ᵏ), which needs no
 * per-tensor bias-correction ops. With gradient noise, the noise enters m and v (the paper's point).
 * Graph form: α_k and ε_k come in as host inputs; m and v go through the graph as slots.
 */
export function adam(config: Partial<AdamConfig> = {}): Optimizer<AdamState> {
  const { beta1, beta2, epsilon } = resolveConfig('adam', adamSchema, config);
  const corrected = (learningRate: number, k: number) => {
    const correction2 = Math.sqrt(1 - Math.pow(beta2, k));
    return { correction2, stepSize: (learningRate * correction2) / (1 - Math.pow(beta1, k)) }; // α_k; ε_k = ε·correction2
  };
  return {
    name: 'adam',
    init: (ctx: InitContext) => ({ m: createSlots(ctx.params, 0), v: createSlots(ctx.params, 0), count: 0 }),
    apply(params: ParamMap, grads: GradMap, state: AdamState, ctx: StepContext): AdamState {
      const k = state.count + 1;
      const { stepSize, correction2 } = corrected(ctx.learningRate, k);
      tf.tidy(() => {
        const b1 = tf.scalar(beta1);
        const oneMinusB1 = tf.scalar(1 - beta1);
        const b2 = tf.scalar(beta2);
        const oneMinusB2 = tf.scalar(1 - beta2);
        const lrK = tf.scalar(stepSize);
        const epsK = tf.scalar(epsilon * correction2);
        for (const [name, g] of Object.entries(grads)) {
          const p = paramFor(params, name, 'adam');
          const m = slotFor(state.m, name, 'adam');
          const v = slotFor(state.v, name, 'adam');
          m.assign(tf.add(tf.mul(m, b1), tf.mul(g, oneMinusB1)));
          v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), oneMinusB2)));
          p.assign(tf.sub(p, tf.div(tf.mul(m, lrK), tf.add(tf.sqrt(v), epsK))));
        }
      });
      return { m: state.m, v: state.v, count: k };
    },
    graph: {
      host(state, ctx) {
        const k = state.count + 1;
        const { stepSize, correction2 } = corrected(ctx.learningRate, k);
        return { inputs: { stepSize, epsilon: epsilon * correction2 }, state: { m: state.m, v: state.v, count: k } };
      },
      slots: (state) => ({ ...prefixed('m/', state.m), ...prefixed('v/', state.v) }),
      apply(params, grads, inputs, slots) {
        const next: Record<string, tf.Tensor> = {};
        const nextSlots: Record<string, tf.Tensor> = {};
        for (const [name, p] of Object.entries(params)) {
          const g = grads[name];
          const m = tf.add(tf.mul(slots[`m/${name}`], beta1), tf.mul(g, 1 - beta1));
          const v = tf.add(tf.mul(slots[`v/${name}`], beta2), tf.mul(tf.square(g), 1 - beta2));
          next[name] = tf.sub(p, tf.div(tf.mul(m, inputs.stepSize), tf.add(tf.sqrt(v), inputs.epsilon)));
          nextSlots[`m/${name}`] = m;
          nextSlots[`v/${name}`] = v;
        }
        return { params: next, slots: nextSlots };
      },
    },
    dispose(state: AdamState) {
      disposeSlots(state.m);
      disposeSlots(state.v);
    },
  };
}

function prefixed(prefix: string, slots: Slots): Record<string, tf.Variable> {
  return Object.fromEntries(Object.entries(slots).map(([k, v]) => [`${prefix}${k}`, v]));
}
