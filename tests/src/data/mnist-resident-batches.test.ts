import * as tf from '@tensorflow/tfjs-core';
import { prefersResidentBatches } from '@anneal/core';
import { loadMnist } from '@anneal/dataset-mnist';
import { tensorflowTests } from '../helpers/on-tensorflow.js';

const onTensorflow = tensorflowTests();

onTensorflow('MNIST on tensorflow: batches gathered from the resident split equal the host-built batches, add no tensors per batch, and dispose() frees them', (t) => {
  t.true(prefersResidentBatches('tensorflow'));
  t.false(prefersResidentBatches('wasm'));
  t.false(prefersResidentBatches('cpu'));
  const ds = loadMnist({ trainSize: 3000, testSize: 500 }, { seed: 7 });
  const split = ds.splits.train;
  const indices = Int32Array.of(0, 5, 2999, 17, 17, 1234);
  const hostX = (split as unknown as { hostImages(i: Int32Array): tf.Tensor2D }).hostImages(indices);
  const expected = hostX.dataSync().slice();
  hostX.dispose();
  const base = tf.memory().numTensors;
  const first = split.batch(indices);
  t.deepEqual(first.x.shape, [6, 784]);
  t.is(first.x.dtype, 'float32');
  t.deepEqual(Array.from(first.x.dataSync()), Array.from(expected), 'same values, bit for bit');
  const labels = split.labels();
  t.deepEqual(Array.from(first.y.dataSync()), Array.from(indices, (i) => labels[i]));
  tf.dispose([first.x, first.y]);
  t.is(tf.memory().numTensors, base + 1, 'the resident images: one kept tensor');
  for (let k = 0; k < 5; k++) tf.tidy(() => split.batch(Int32Array.of(k, k + 1)).x.dataSync());
  t.is(tf.memory().numTensors, base + 1, 'no tensor per batch');
  t.throws(() => split.batch(Int32Array.of(3000)), { message: /train index 3000 is out of range \[0, 3000\)/ });
  ds.dispose?.();
  t.is(tf.memory().numTensors, base, 'dispose frees them');
});
