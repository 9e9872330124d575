import * as tf from '@tensorflow/tfjs-core';
import { CLASSIFICATION_METRICS, definePlugin, defineSchema } from '@anneal/core';
import { readDataInfo } from './data-info.js';
import { MemN2N } from './model.js';

export const memn2nConfigSchema = defineSchema({
  hops: { type: 'number', integer: true, min: 1, max: 10, default: 3, description: 'Memory hops K' },
  embeddingDim: { type: 'number', integer: true, min: 1, default: 20, description: 'Embedding size d' },
  initStd: { type: 'number', min: 0, default: 0.1, description: 'Std of the N(0, std²) initialisation of every embedding entry' },
  positionEncoding: { type: 'boolean', default: true, description: 'Position encoding (reference-code form); false = bag of words' },
  maskEmptyMemories: {
    type: 'boolean',
    default: false,
    description: 'Exclude empty memory slots from the attention softmax (the reference code keeps them, with score 0)',
  },
  attention: {
    type: 'string',
    oneOf: ['softmax', 'linear'] as const,
    default: 'softmax',
    description: "Attention over memories when the phase sets none (phase option { attention: 'linear' } = linear start)",
  },
  gradient: {
    type: 'string',
    oneOf: ['manual', 'autodiff'] as const,
    default: 'manual',
    description: "How the loss gradient is computed: 'manual' (hand-written backward pass, 4.6–9× faster on wasm, ≈ 100× on cpu; no forward transforms at hop sites) or 'autodiff' (tfjs autodiff on every backend; allows forward transforms at hop sites)",
  },
});

export const memn2nModel = definePlugin.modelFamily({
  manifest: {
    name: 'memn2n',
    version: '0.1.0',
    kind: 'model-family',
    configSchema: memn2nConfigSchema,
    card: {
      summary: 'End-To-End Memory Network: 3 hops, d=20, adjacent tying, position + temporal encoding, nil word at 0, summed cross-entropy; linear start via phase option.',
      paper: 'Neelakantan et al. 2015, §4.2 / Table 2; Sukhbaatar et al. 2015 (reference MATLAB code)',
      details:
        "Params embed/A1 (=B), embed/C1 (=A2), embed/C2 (=A3), embed/C3 (=W^T), each [vocabSize, d] ~ N(0, 0.1²). Forward sites hop/1..hop/K (the internal state u after each hop). Phase option attention: 'linear' removes the softmax in all hops.",
    },
  },
  metrics: CLASSIFICATION_METRICS,
  create(config, ctx) {
    return new MemN2N(
      {
        hops: config.hops,
        embeddingDim: config.embeddingDim,
        initStd: config.initStd,
        positionEncoding: config.positionEncoding,
        maskEmptyMemories: config.maskEmptyMemories,
        attention: config.attention,
        gradient: config.gradient,
      },
      readDataInfo(ctx.dataset),
      ctx.rng,
    );
  },
});

/**
 * Optional post-update param transform: sets row `nilIndex` of every [V, d] embedding matrix (params
 * under "embed/") to 0, as the reference code does after each update. Not needed for correctness (the
 * model masks the nil row in its forward pass); it keeps the stored parameters identical to the reference.
 */
export const zeroNilTransform = definePlugin.paramTransform({
  manifest: {
    name: 'memn2n-zero-nil',
    version: '0.1.0',
    kind: 'param-transform',
    hookPoint: 'post-update',
    configSchema: defineSchema({
      nilIndex: { type: 'number', integer: true, min: 0, default: 0, description: 'Row of the nil word' },
      prefix: { type: 'string', default: 'embed/', description: 'Only parameters whose name starts with this are touched' },
    }),
    card: { summary: 'Zeroes the nil word row of MemN2N embedding matrices after every update (reference-code housekeeping).', paper: 'Sukhbaatar et al. 2015 (reference code)' },
  },
  create(config) {
    return {
      name: 'memn2n-zero-nil',
      init: () => null,
      apply(params, state) {
        for (const [name, v] of Object.entries(params)) {
          if (!name.startsWith(config.prefix) || v.rank !== 2) continue;
          const rows = v.shape[0];
          const keep = tf.tidy(() => {
            const mask = tf.buffer([rows, 1], 'float32');
            for (let i = 0; i < rows; i++) mask.set(i === config.nilIndex ? 0 : 1, i, 0);
            return tf.mul(v, mask.toTensor());
          });
          v.assign(keep);
          keep.dispose();
        }
        return { state };
      },
    };
  },
});
