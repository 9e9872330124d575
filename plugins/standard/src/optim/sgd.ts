import * as tf from '@tensorflow/tfjs-core';
import type { GradMap, Optimizer, ParamMap, StepContext } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { sgdSchema, type SgdConfig } from './sgd.schema.js';
import { paramFor } from './slot-variables.js';

/** SGD state: none (kept as an empty object so every optimizer has object state). */
export type SgdState = Readonly<Record<string, never>>;

/**
 * Plain SGD: θ ← θ − lr·g with lr = ctx.learningRate. One mul and one sub per parameter.
 * `config.learningRate` is the recipe default the trainer reads; `apply` always uses ctx.learningRate.
 * Graph form: lr_t comes in as a host input; the graph returns θ − lr·g.
 */
export function sgd(config: Partial<SgdConfig> = {}): Optimizer<SgdState> {
  resolveConfig('sgd', sgdSchema, config);
  return {
    name: 'sgd',
    init: () => ({}),
    apply(params: ParamMap, grads: GradMap, state: SgdState, ctx: StepContext): SgdState {
      tf.tidy(() => {
        const lr = tf.scalar(ctx.learningRate);
        for (const [name, g] of Object.entries(grads)) {
          const p = paramFor(params, name, 'sgd');
          p.assign(tf.sub(p, tf.mul(g, lr)));
        }
      });
      return state;
    },
    graph: {
      host: (state, ctx) => ({ inputs: { learningRate: ctx.learningRate }, state }),
      apply: (params, grads, inputs) => ({ params: Object.fromEntries(Object.entries(params).map(([name, p]) => [name, tf.sub(p, tf.mul(grads[name], inputs.learningRate))])) }),
    },
  };
}
