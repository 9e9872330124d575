import * as tf from '@tensorflow/tfjs-core';

/**
 * tf.gather on the tensorflow backend without a host read. tfjs-node's GatherV2 kernel reads the indices back to JS
 * to check their bounds, then calls TensorFlow's GatherV2, which checks them again itself (an index out of range
 * fails with TensorFlow's "indices[i] = v is not in [0, d)"). That read is a device → host sync on every gather
 * (every embedding lookup), and it makes a step with a gather impossible to capture as one graph
 * (ops/graph-capture refuses host reads). This registers the same kernel without the read: the same op, attributes
 * and values, and still an error for a bad index. selectBackend calls it once tfjs-node has registered its own kernel.
 * tests/src/conformance checks values and the bad-index error against the cpu backend.
 */
export function replaceTensorflowGather(): void {
  if (tf.getKernel('GatherV2', 'tensorflow')?.kernelFunc === gatherKernel) return;
  tf.unregisterKernel('GatherV2', 'tensorflow');
  tf.registerKernel({ kernelName: 'GatherV2', backendName: 'tensorflow', kernelFunc: gatherKernel });
}

interface NodeKernelBackend {
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
  binding: { TF_ATTR_INT: number; TF_ATTR_TYPE: number; TF_FLOAT: number; TF_INT32: number; TF_BOOL: number };
}

const gatherKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const node = backend as unknown as NodeKernelBackend;
  const b = node.binding;
  const { x, indices } = inputs as { x: tf.Tensor; indices: tf.Tensor };
  const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
  const dtype = (d: tf.DataType) => ({ float32: b.TF_FLOAT, int32: b.TF_INT32, bool: b.TF_BOOL } as Record<string, number>)[d];
  if (dtype(x.dtype) === undefined || dtype(indices.dtype) === undefined) throw new Error(`gather: dtype ${x.dtype} of x or ${indices.dtype} of the indices is not supported on tensorflow`);
  const axisTensor = tf.scalar(axis, 'int32');
  try {
    const opAttrs = [
      { name: 'batch_dims', type: b.TF_ATTR_INT, value: batchDims },
      { name: 'Tparams', type: b.TF_ATTR_TYPE, value: dtype(x.dtype) },
      { name: 'Tindices', type: b.TF_ATTR_TYPE, value: dtype(indices.dtype) },
      { name: 'Taxis', type: b.TF_ATTR_TYPE, value: b.TF_INT32 },
    ];
    return node.executeSingleOutput('GatherV2', opAttrs, [x, indices, axisTensor]) as unknown as tf.TensorInfo;
  } finally {
    axisTensor.dispose();
  }
};
