import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng, validateConfig, type ForwardContext, type Initializer } from '@anneal/core';
import { NeuralGpuModel, neuralGpuSchema } from './neural-gpu.js';

/** bcopy batches as binary-arith encodes them: bits + 1, target = input, zero padding to width w. */
function copyBatch(rng: Rng, b: number, length: number, w: number) {
  const input = new Int32Array(b * w);
  const mask = new Float32Array(b * w);
  for (let i = 0; i < b; i++)
    for (let p = 0; p < length; p++) {
      input[i * w + p] = 1 + rng.nextInt(2);
      mask[i * w + p] = 1;
    }
  return {
    input: tf.tensor2d(input, [b, w], 'int32'),
    target: tf.tensor2d(input, [b, w], 'int32'),
    length: tf.tensor1d(new Int32Array(b).fill(length), 'int32'),
    mask: tf.tensor2d(mask, [b, w]),
  };
}

const fctx = (training: boolean, step = 0): ForwardContext => ({ training, step, phase: 'main', phaseOptions: {}, curriculum: {}, site: (_n, x) => x });

test('learns bcopy (lengths 2–5, m = 8) to 0 sequence error on 64 fresh length-5 examples', async (t) => {
  await tf.setBackend('cpu');
  const model = new NeuralGpuModel(validateConfig('neural-gpu', neuralGpuSchema, { m: 8 }), { dataset: { vocabSize: 14 }, rng: new Rng(7), initializer: (): Initializer => { throw new Error('unused'); } });
  const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-4);
  const data = new Rng(11);
  const t0 = performance.now();
  let steps = 0;
  let seqError = 1;
  for (; steps < 300 && seqError > 0; steps++) {
    tf.tidy(() => {
      const batch = copyBatch(data, 16, 2 + (steps % 4), 8);
      const { grads } = tf.variableGrads(() => model.loss(batch, fctx(true, steps)) as tf.Scalar);
      opt.applyGradients(grads as unknown as Parameters<typeof opt.applyGradients>[0]);
    });
    if (steps % 25 === 24) {
      seqError = tf.tidy(() => {
        const s = model.evaluate(copyBatch(new Rng(99), 64, 5, 8), fctx(false));
        return s.seq_error.sum.dataSync()[0] / 64;
      });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  t.log(`${steps} steps, ${seconds.toFixed(1)} s, test sequence error ${seqError}`);
  t.is(seqError, 0);
  opt.dispose();
  model.dispose();
});
