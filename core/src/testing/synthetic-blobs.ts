import * as tf from '@tensorflow/tfjs-core';
import { defineSchema } from '../config/schema.js';
import { definePlugin } from '../plugin/definition.js';
import { Rng } from '../random/rng.js';
import type { DataSplit } from '../data/dataset.js';

const schema = defineSchema({
  trainSize: { type: 'number', integer: true, min: 1, default: 256, description: 'training examples' },
  testSize: { type: 'number', integer: true, min: 1, default: 128, description: 'test examples' },
  inputSize: { type: 'number', integer: true, min: 1, default: 10, description: 'input dimension' },
  numClasses: { type: 'number', integer: true, min: 2, default: 3, description: 'classes' },
});

/** Test kit: Gaussian blobs around seeded class centres (not a paper dataset). */
export const syntheticBlobsDataset = definePlugin.dataset({
  manifest: { name: 'synthetic-blobs', version: '0.1.0', kind: 'dataset', configSchema: schema, card: { summary: 'Test kit: seeded Gaussian blobs (not a paper dataset).' } },
  async load(config, ctx) {
    const rng = new Rng(ctx.seed);
    const centres = rng.fillNormal(new Float32Array(config.numClasses * config.inputSize), 0, 2);
    const make = (n: number): DataSplit => {
      const x = new Float32Array(n * config.inputSize);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = rng.nextInt(config.numClasses);
        for (let j = 0; j < config.inputSize; j++) x[i * config.inputSize + j] = centres[y[i] * config.inputSize + j] + rng.nextNormal();
      }
      return {
        size: n,
        batch(indices) {
          const bx = new Float32Array(indices.length * config.inputSize);
          const by = new Int32Array(indices.length);
          indices.forEach((idx, k) => {
            bx.set(x.subarray(idx * config.inputSize, (idx + 1) * config.inputSize), k * config.inputSize);
            by[k] = y[idx];
          });
          return { x: tf.tensor2d(bx, [indices.length, config.inputSize]), y: tf.tensor1d(by, 'int32') };
        },
      };
    };
    return { name: 'synthetic-blobs', info: { inputSize: config.inputSize, numClasses: config.numClasses }, splits: { train: make(config.trainSize), test: make(config.testSize) } };
  },
});
