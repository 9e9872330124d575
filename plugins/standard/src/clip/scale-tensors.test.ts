import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll, inTidy, tensors, values } from '../testing/contexts.js';
import { scaleTensors } from './scale-tensors.js';

test('scaleTensors: the host-arithmetic and tensor-op paths agree', (t) => {
  const grads: Record<string, tf.Tensor> = { ...tensors({ a: [3, 4] }), w: tf.tensor2d([[1, -2], [0.5, 8]]) };
  const r = inTidy(() => {
    const viaOps = scaleTensors(grads, 0.25);
    const viaHost = scaleTensors(grads, 0.25, { a: Float32Array.from(grads.a.dataSync()), w: Float32Array.from(grads.w.dataSync()) });
    return { ops: [values(viaOps.a), values(viaOps.w)], host: [values(viaHost.a), values(viaHost.w)], shape: viaHost.w.shape };
  });
  t.deepEqual(r.ops, [[0.75, 1], [0.25, -0.5, 0.125, 2]]);
  t.deepEqual(r.host, r.ops);
  t.deepEqual(r.shape, [2, 2]);
  disposeAll(grads);
});
