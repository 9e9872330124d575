import * as tf from '@tensorflow/tfjs-core';
import { Rng, type ForwardContext, type ForwardTransform, type InitContext } from '@anneal/core';
import { resolveConfig } from '../internal/plugin-config.js';
import { fillDropoutMask } from '../random/fill-dropout-mask.js';
import { dropoutSchema, type DropoutConfig } from './dropout.schema.js';

export interface DropoutState {
  readonly rng: Rng;
}

/**
 * Inverted dropout at the model's named sites: in training, x ← x·mask with mask entries 0 (probability
 * `rate`) or 1/(1 − rate), drawn from the plugin's own seeded stream; in evaluation (ctx.training
 * false) it is the identity. Not tf.dropout: the mask must come from the checkpointed Rng.
 *
 * Each call allocates a fresh mask array: the mask tensor is kept by the gradient tape for the backward
 * pass, and on the cpu backend it shares that array, so it must not be reused.
 */
export function invertedDropout(config: Partial<DropoutConfig> = {}): ForwardTransform<DropoutState> {
  const { rate, sites } = resolveConfig('dropout', dropoutSchema, config);
  return {
    name: 'dropout',
    sites,
    init: (ctx: InitContext) => ({ rng: new Rng(ctx.seed) }),
    apply(x: tf.Tensor, _site: string, state: DropoutState, ctx: ForwardContext): tf.Tensor {
      if (!ctx.training || rate === 0) return x;
      const mask = fillDropoutMask(state.rng, new Float32Array(x.size), rate);
      return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
    },
  };
}
