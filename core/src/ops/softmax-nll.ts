import * as tf from '@tensorflow/tfjs-core';

/**
 * The summed negative log-likelihood of integer targets under a softmax over the rows of `logits`:
 *
 *     L = Σ_r (logSumExp(z_r) − z_r[y_r]),     ∂L/∂z = softmax(z) − onehot(y)
 *
 * On tensorflow the value and ∂L/∂z come out of one TensorFlow kernel (SparseSoftmaxCrossEntropyWithLogits, the
 * op tf.nn.sparse_softmax_cross_entropy_with_logits and Keras use), and the backward pass is one multiply. Why:
 * for the PTB LSTM's 400 × 10,000 logits the written-out form below is ≈ 12 passes over 4 M entries (max, sub,
 * exp, sum, log, the one-hot, its product; then exp, sub, mul again in the backward pass), the largest share of a
 * window after the matmuls. Elsewhere (cpu, wasm) `summedSoftmaxNllReference` runs; tests/src/conformance checks
 * that both give the same value and gradient on every backend.
 */
export function summedSoftmaxNll(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return hasFusedSoftmaxNll() ? fusedSoftmaxNll(logits, labels) : summedSoftmaxNllReference(logits, labels);
}

/** Whether summedSoftmaxNll runs as one kernel on this backend (tensorflow). */
export function hasFusedSoftmaxNll(backend: string = tf.getBackend()): boolean {
  return backend === 'tensorflow';
}

/**
 * The plain form: the value through logSumExp, and its exact gradient dy · (softmax(z) − onehot(y)) written out
 * (autodiff through logSumExp spends a [rows, V] Equal and several [rows, V] temporaries in Max's gradient).
 */
export function summedSoftmaxNllReference(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const V = logits.shape[1];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const lse = tf.logSumExp(z, 1, true); // [rows, 1]
    const onehot = tf.oneHot(labels, V);
    const value = tf.sub(tf.sum(lse), tf.sum(tf.mul(z, onehot))) as tf.Scalar;
    save([z, lse, onehot]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [zs, l, oh] = saved;
        return [tf.mul(dy as tf.Tensor, tf.sub(tf.exp(tf.sub(zs, l)), oh))];
      },
    };
  });
  return f(logits) as tf.Scalar;
}

interface NodeKernelBackend {
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], outputs: number): tf.Tensor[];
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number; TF_INT32: number };
}

function fusedSoftmaxNll(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const node = tf.backend() as unknown as NodeKernelBackend;
  const b = node.binding;
  const attrs = [
    { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'Tlabels', type: b.TF_ATTR_TYPE, value: b.TF_INT32 },
  ];
  const ids = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const [rowLoss, dz] = node.executeMultipleOutputs('SparseSoftmaxCrossEntropyWithLogits', attrs, [z, ids], 2); // L_r, softmax(z) − onehot(y)
    save([dz]);
    return {
      value: tf.sum(rowLoss) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [tf.mul(dy as tf.Tensor, saved[0])],
    };
  });
  const value = f(logits) as tf.Scalar;
  if (ids !== labels) ids.dispose();
  return value;
}
