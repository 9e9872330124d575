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
 * The op carries its own gradient (tf.customGrad: dx = dy·mask), because tfjs-core's Node bundle
 * registers no gradient functions (see plugins/mlp/src/ops.ts). Each call allocates a fresh mask
 * array: the backward pass reads the mask tensor, which on the cpu backend shares that array.
 */
export function invertedDropout(config: Partial<DropoutConfig> = {}): ForwardTransform<DropoutState> {
  const { rate, sites } = resolveConfig('dropout', dropoutSchema, config);
  return {
    name: 'dropout',
    sites,
    init: (ctx: InitContext) => ({ rng: new Rng(ctx.seed) }),
    apply(x: tf.Tensor, _site: string, state: DropoutState, ctx: ForwardContext): tf.Tensor {
      if (!ctx.training || rate === 0) return x;
      const mask = tf.tensor(fillDropoutMask(state.rng, new Float32Array(x.size), rate), x.shape, 'float32');
      return applyMask(x, mask);
    },
    // For a captured step graph: the same mask, drawn on the host before the graph runs, goes in as an input.
    graph: {
      host(state: DropoutState, _site: string, shape: readonly number[], ctx: ForwardContext) {
        if (!ctx.training || rate === 0) return { state };
        return { input: fillDropoutMask(state.rng, new Float32Array(shape.reduce((a, b) => a * b, 1)), rate), state };
      },
      apply: (x: tf.Tensor, _site: string, mask: tf.Tensor | undefined) => (mask ? applyMask(x, mask) : x),
    },
  };
}

/**
 * x·mask with the backward pass dy·mask (mask is a constant). The mask goes through customGrad's `save`
 * so the tape keeps it: the forward pass runs in its own tidy scope, which would otherwise free it.
 */
function applyMask(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([mask]);
    return { value: tf.mul(input, mask), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  return op(x);
}
