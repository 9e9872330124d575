import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AnnealError, Rng, validateConfig, type ForwardContext, type Initializer } from '@anneal/core';
import { conv3x3, cutoffSigmoid, imageGeometry } from './cgru.js';
import { NeuralGpuModel, neuralGpuSchema } from './neural-gpu.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const fctx = (training = true, curriculum: Record<string, number> = {}): ForwardContext => ({ training, step: 0, phase: 'main', phaseOptions: {}, curriculum, site: (_n, x) => x });
const build = (c: Record<string, unknown>, seed = 1) =>
  new NeuralGpuModel(validateConfig('neural-gpu', neuralGpuSchema, c), { dataset: { vocabSize: 14 }, rng: new Rng(seed), initializer: (): Initializer => { throw new Error('unused'); } });

test('cutoff sigmoid by hand: clip(1.2σ(x) − 0.1, 0, 1)', (t) => {
  const v = Array.from(cutoffSigmoid(tf.tensor1d([0, 10, -10, 1]), 1.2).dataSync());
  t.true(Math.abs(v[0] - 0.5) < 1e-6);
  t.is(v[1], 1);
  t.is(v[2], 0);
  t.true(Math.abs(v[3] - (1.2 / (1 + Math.exp(-1)) - 0.1)) < 1e-6);
});

test('3×3 SAME convolution by row shifts, by hand: an all-ones kernel sums each neighbourhood; equals tf.conv2d', (t) => {
  // Image h = 2, w = 3, b = 1, c = 1: rows [1 2 3] and [4 5 6].
  const g = imageGeometry(2, 3, 1, 1);
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [6, 1]);
  const ones = tf.ones([3, 3, 1, 1]);
  const y = Array.from(conv3x3(x, g, ones, tf.zeros([1]), 'shift').dataSync());
  t.deepEqual(y, [12, 21, 16, 12, 21, 16]);
  // Random case, 2 examples, 3 → 2 channels: shift path equals the backend's Conv2D.
  const rng = new Rng(4);
  const g2 = imageGeometry(3, 4, 2, 3);
  const x2 = tf.tensor2d(rng.fillNormal(new Float32Array(3 * 4 * 2 * 3)), [24, 3]);
  const k = tf.tensor4d(rng.fillNormal(new Float32Array(9 * 3 * 2)), [3, 3, 3, 2]);
  const bias = tf.tensor1d([0.5, -1]);
  const a = conv3x3(x2, g2, k, bias, 'shift').dataSync();
  const b = conv3x3(x2, g2, k, bias, 'conv2d').dataSync();
  t.true(a.every((v, i) => Math.abs(v - b[i]) < 1e-4));
});

/** One 1-step example pair (length 1) padded to width 3, tokens as binary-arith makes them. */
function tinyBatch() {
  return {
    input: tf.tensor2d([[2, 0, 0], [1, 0, 0]], [2, 3], 'int32'),
    target: tf.tensor2d([[2, 0, 0], [1, 0, 0]], [2, 3], 'int32'),
    length: tf.tensor1d([1, 1], 'int32'),
    mask: tf.tensor2d([[1, 0, 0], [1, 0, 0]], [2, 3]),
  };
}

test('gradients by autodiff equal central finite differences on a 1-step, m = 2 instance', (t) => {
  const model = build({ m: 2, height: 2 }, 3);
  const batch = tinyBatch();
  const lossOf = () => model.loss(batch, fctx()) as tf.Scalar;
  const { grads } = tf.variableGrads(lossOf);
  const eps = 1e-2;
  let checked = 0;
  for (const [name, v] of Object.entries(model.params)) {
    const g = grads[v.name].dataSync();
    const values = v.dataSync().slice();
    for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
      const at = (delta: number) => {
        const copy = values.slice();
        copy[i] += delta;
        v.assign(tf.tensor(copy, v.shape));
        return tf.tidy(() => lossOf().dataSync()[0]);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(values, v.shape));
      const scale = Math.max(Math.abs(numeric), Math.abs(g[i]), 1e-2);
      t.true(Math.abs(numeric - g[i]) / scale < 2e-2, `${name}[${i}]: autodiff ${g[i]} vs numeric ${numeric}`);
      checked++;
    }
  }
  t.true(checked >= 30, `${checked} entries checked`);
  model.dispose();
});

test('pull term by hand: two copies whose biases differ by 2 give Σ‖θ − mean‖² = m·2·1²; averaging makes it 0', (t) => {
  const model = build({ m: 3, height: 2, copies: 2 });
  t.is(model.pullTerm().dataSync()[0], 0, 'copies start equal');
  model.params['cgru1.0/update/bias'].assign(tf.fill([3], 3)); // copy 0 has the gate bias 1
  t.true(Math.abs(model.pullTerm().dataSync()[0] - 6) < 1e-5);
  const plain = tf.tidy(() => (model.loss(tinyBatch(), fctx(true, { pull: 0 })) as tf.Scalar).dataSync()[0]);
  const pulled = tf.tidy(() => (model.loss(tinyBatch(), fctx(true, { pull: 0.5 })) as tf.Scalar).dataSync()[0]);
  t.true(Math.abs(pulled - plain - 3) < 1e-4, "the loss adds pull · term, pull read from the curriculum's level");
  model.averageCopies();
  t.true(model.pullTerm().dataSync()[0] < 1e-10);
  t.deepEqual(Array.from(model.params['cgru0.0/update/bias'].dataSync()), [2, 2, 2]);
  model.dispose();
});

test('m < 1 and unknown settings fail with ANNEAL_ERR_CONFIG_VALUE naming the key', (t) => {
  const e = t.throws(() => build({ m: 0 }), { instanceOf: AnnealError });
  t.is(e!.code, 'ANNEAL_ERR_CONFIG_VALUE');
  t.regex(e!.message, /\bm\b/);
  t.regex(t.throws(() => build({ conv: 'fft' }))!.message, /conv/);
});

test('evaluation: per-bit and sequence error from argmax at the true-length positions; no tensor leaks', (t) => {
  const model = build({ m: 4, height: 2 });
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const s = model.evaluate(tinyBatch(), fctx(false));
    return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, [v.sum.dataSync()[0], v.count.dataSync()[0]]]));
  });
  t.is(tf.memory().numTensors, before);
  t.is(out.seq_error[1], 2);
  t.is(out.bit_error[1], 2, 'two true-length positions (padding does not count)');
  t.is(out.seq_error[0], out.bit_error[0], 'one position per example: a wrong bit is a wrong sequence');
  model.dispose();
});
