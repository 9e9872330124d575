import * as tf from '@tensorflow/tfjs-core';
import { defineSchema } from '../config/schema.js';
import { definePlugin } from '../plugin/definition.js';
import type { Model } from '../model/model.js';
import { CLASSIFICATION_METRICS, classificationSums } from '../model/metrics.js';

const schema = defineSchema({
  hidden: { type: 'number', integer: true, min: 1, default: 8, description: 'hidden units' },
  init: { type: 'string', default: 'normal', description: 'initializer name (resolved through the registry)' },
});

/**
 * A tiny one-hidden-layer ReLU classifier for fast framework tests (forward site 'hidden/1').
 * Not a paper model. The documented template for writing a family of one's own (plain autodiff, in its
 * own package) is README.md "Writing a model family" = tests/fixtures/anneal-model-one-hidden-layer.
 */
export const tinyClassifierFamily = definePlugin.modelFamily({
  manifest: {
    name: 'tiny-classifier',
    version: '0.1.0',
    kind: 'model-family',
    configSchema: schema,
    card: { summary: 'Test kit: one hidden ReLU layer classifier (not a paper model).' },
  },
  metrics: CLASSIFICATION_METRICS,
  create(config, ctx): Model {
    const inputSize = Number(ctx.dataset.inputSize);
    const numClasses = Number(ctx.dataset.numClasses);
    const init = ctx.initializer(config.init);
    const w1 = tf.variable(tf.tensor2d(init.sample([inputSize, config.hidden], ctx.rng), [inputSize, config.hidden]));
    const b1 = tf.variable(tf.zeros([config.hidden]));
    const w2 = tf.variable(tf.tensor2d(init.sample([config.hidden, numClasses], ctx.rng), [config.hidden, numClasses]));
    const b2 = tf.variable(tf.zeros([numClasses]));
    const params = { 'dense0/kernel': w1, 'dense0/bias': b1, 'output/kernel': w2, 'output/bias': b2 };
    const logits = (x: tf.Tensor, site: (n: string, t: tf.Tensor) => tf.Tensor) => tf.add(tf.matMul(site('hidden/1', tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1), b1))) as tf.Tensor2D, w2), b2);
    return {
      params,
      metrics: CLASSIFICATION_METRICS,
      sites: ['hidden/1'],
      loss(batch, fctx) {
        const l = logits(batch.x, fctx.site);
        return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(batch.y, 'int32') as tf.Tensor1D, numClasses), l) as tf.Scalar;
      },
      evaluate(batch, fctx) {
        const l = logits(batch.x, fctx.site);
        const y = tf.cast(batch.y, 'int32');
        const correct = tf.sum(tf.cast(tf.equal(tf.argMax(l, 1), y), 'float32')) as tf.Scalar;
        const lossSum = tf.mul(tf.losses.softmaxCrossEntropy(tf.oneHot(y as tf.Tensor1D, numClasses), l), batch.y.shape[0]) as tf.Scalar;
        return classificationSums(correct, batch.y.shape[0], lossSum);
      },
      describe: () => ({ inputSize, hidden: config.hidden, numClasses, paramCount: inputSize * config.hidden + config.hidden + config.hidden * numClasses + numClasses }),
      dispose: () => tf.dispose([w1, b1, w2, b2]),
    };
  },
});
