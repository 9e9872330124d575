import * as tf from '@tensorflow/tfjs-core';
import type { GradMap, InitContext, Optimizer, ParamMap, StepContext } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { adagradSchema, type AdagradConfig } from './adagrad.schema.js';
import { createSlots, disposeSlots, paramFor, slotFor, type Slots } from './slot-variables.js';

export interface AdagradState {
  /** Running sum of squared gradients per parameter (starts at initialAccumulator). */
  readonly accumulator: Slots;
}

/**
 * Adagrad (Duchi et al. 2011), TF form: a ← a + g²; θ ← θ − lr·g/(sqrt(a) + ε).
 * Graph form: lr_t comes in as a host input; a goes through the graph as slots.
 */
export function adagrad(config: Partial<AdagradConfig> = {}): Optimizer<AdagradState> {
  const { initialAccumulator, epsilon } = resolveConfig('adagrad', adagradSchema, config);
  return {
    name: 'adagrad',
    init: (ctx: InitContext) => ({ accumulator: createSlots(ctx.params, initialAccumulator) }),
    apply(params: ParamMap, grads: GradMap, state: AdagradState, ctx: StepContext): AdagradState {
      tf.tidy(() => {
        const lr = tf.scalar(ctx.learningRate);
        const eps = epsilon > 0 ? tf.scalar(epsilon) : null;
        for (const [name, g] of Object.entries(grads)) {
          const p = paramFor(params, name, 'adagrad');
          const a = slotFor(state.accumulator, name, 'adagrad');
          a.assign(tf.add(a, tf.square(g)));
          const root = eps === null ? tf.sqrt(a) : tf.add(tf.sqrt(a), eps);
          p.assign(tf.sub(p, tf.div(tf.mul(g, lr), root)));
        }
      });
      return state;
    },
    graph: {
      host: (state, ctx) => ({ inputs: { learningRate: ctx.learningRate }, state }),
      slots: (state) => state.accumulator,
      apply(params, grads, inputs, slots) {
        const next: Record<string, tf.Tensor> = {};
        const accumulator: Record<string, tf.Tensor> = {};
        for (const [name, p] of Object.entries(params)) {
          const g = grads[name];
          const a = tf.add(slots[name], tf.square(g)); // a ← a + g²
          const root = epsilon > 0 ? tf.add(tf.sqrt(a), epsilon) : tf.sqrt(a);
          next[name] = tf.sub(p, tf.div(tf.mul(g, inputs.learningRate), root)); // θ ← θ − lr·g/(sqrt(a) + ε)
          accumulator[name] = a;
        }
        return { params: next, slots: accumulator };
      },
    },
    dispose: (state: AdagradState) => disposeSlots(state.accumulator),
  };
}
