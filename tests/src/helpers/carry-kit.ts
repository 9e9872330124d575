import * as tf from '@tensorflow/tfjs-core';
import { CLASSIFICATION_METRICS, Rng, classificationSums, defineSchema, definePlugin, type DataSplit, type Model } from '@anneal/core';

/**
 * Test kit for carried state and curricula (not paper models): a stream dataset whose every example
 * is one whole window of `rows` rows (fed in order, evalBatchSize 1) with the curriculum level as an
 * input column, and a tiny recurrent classifier that carries its hidden state h from window to window.
 */
export const streamBlobsDataset = definePlugin.dataset({
  manifest: {
    name: 'stream-blobs',
    version: '0.1.0',
    kind: 'dataset',
    configSchema: defineSchema({
      windows: { type: 'number', integer: true, min: 1, default: 12, description: 'training windows' },
      rows: { type: 'number', integer: true, min: 1, default: 4, description: 'rows per window (parallel streams)' },
    }),
    card: { summary: 'Test kit: windows of seeded blobs, with the curriculum level as an input column.' },
  },
  async load(config, ctx) {
    const inputSize = 5;
    const rng = new Rng(ctx.seed);
    const make = (windows: number): DataSplit => {
      const n = windows * config.rows;
      const x = rng.fillNormal(new Float32Array(n * (inputSize - 1)), 0, 1);
      const y = Int32Array.from({ length: n }, (_, i) => (x[i * (inputSize - 1)] > 0 ? 1 : 0));
      return {
        size: windows,
        evalBatchSize: 1,
        batch(indices, bctx) {
          const rows = indices.length * config.rows;
          const bx = new Float32Array(rows * inputSize);
          const by = new Int32Array(rows);
          let r = 0;
          for (const w of indices) {
            for (let k = 0; k < config.rows; k++, r++) {
              const i = w * config.rows + k;
              bx.set(x.subarray(i * (inputSize - 1), (i + 1) * (inputSize - 1)), r * inputSize);
              bx[r * inputSize + inputSize - 1] = bctx.curriculum.level ?? 0;
              by[r] = y[i];
            }
          }
          return { x: tf.tensor2d(bx, [rows, inputSize]), y: tf.tensor1d(by, 'int32') };
        },
      };
    };
    return { name: 'stream-blobs', info: { inputSize, numClasses: 2, rows: config.rows }, splits: { train: make(config.windows), test: make(4) } };
  },
});

export const carryRnnFamily = definePlugin.modelFamily({
  manifest: {
    name: 'carry-rnn',
    version: '0.1.0',
    kind: 'model-family',
    configSchema: defineSchema({ hidden: { type: 'number', integer: true, min: 1, default: 6, description: 'hidden units' } }),
    card: { summary: 'Test kit: h ← tanh(x W + h U) carried across windows; logits = h V.' },
  },
  metrics: CLASSIFICATION_METRICS,
  create(config, ctx): Model {
    const n = Number(ctx.dataset.inputSize);
    const rows = Number(ctx.dataset.rows);
    const H = config.hidden;
    const init = (shape: [number, number]) => tf.variable(tf.tensor2d(ctx.rng.fillNormal(new Float32Array(shape[0] * shape[1]), 0, 0.5), shape));
    const params = { W: init([n, H]), U: init([H, H]), V: init([H, 2]) };
    const step = (x: tf.Tensor, h: tf.Tensor) => tf.tanh(tf.add(tf.matMul(x as tf.Tensor2D, params.W), tf.matMul(h as tf.Tensor2D, params.U)));
    return {
      params,
      metrics: CLASSIFICATION_METRICS,
      sites: [],
      initialCarry: () => ({ h: tf.zeros([rows, H]) }),
      loss(batch, fctx) {
        const h = step(batch.x, fctx.carry!.h);
        const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y as tf.Tensor1D, 2), tf.matMul(h as tf.Tensor2D, params.V)) as tf.Scalar;
        return { loss, carry: { h } };
      },
      evaluate(batch, fctx) {
        const h = step(batch.x, fctx.carry!.h);
        const logits = tf.matMul(h as tf.Tensor2D, params.V);
        const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), batch.y), 'float32')) as tf.Scalar;
        const lossSum = tf.mul(tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y as tf.Tensor1D, 2), logits), rows) as tf.Scalar;
        return { sums: classificationSums(correct, rows, lossSum), carry: { h } };
      },
      describe: () => ({ paramCount: n * H + H * H + H * 2 }),
      dispose: () => tf.dispose(Object.values(params)),
    };
  },
});
