import * as tf from '@tensorflow/tfjs-core';

/**
 * Activation gradients from the saved output y (or input, for relu), each in one kernel where the backend has
 * one, with the plain tfjs formula as the reference (and the path on cpu and wasm, so their values are unchanged):
 *
 *   relu:    dy · 1[y > 0]          reference mul(dy, step(y))        tensorflow: ReluGrad(dy, y)
 *   sigmoid: dy · y · (1 − y)       reference mul(dy, mul(y, 1 − y))  tensorflow: SigmoidGrad(y, dy)
 *   tanh:    dy · (1 − y²)          reference mul(dy, 1 − y²)         tensorflow: TanhGrad(y, dy)
 *
 * Why: on tensorflow every tfjs kernel is one TensorFlow eager call (≈ 6 µs of dispatch each here), and the
 * references are 3 calls (relu: tfjs-node's Step alone is seven, ≈ 88 µs for a 128×50 tensor). The gradients
 * tfjs registers for Relu, Sigmoid and Tanh are replaced (register-activation-grads.ts) by these, so every model
 * that uses autodiff gets them. tests/src/conformance checks each against its reference on every backend.
 */

interface NodeKernelBackend {
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
}

const KERNELS = { relu: 'AnnealReluGrad', sigmoid: 'AnnealSigmoidGrad', tanh: 'AnnealTanhGrad' } as const;

function registerTensorflowKernel(kernelName: string, tfOp: string, order: (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor[]): void {
  tf.registerKernel({
    kernelName,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const node = backend as unknown as NodeKernelBackend;
      const { dy, y } = inputs as { dy: tf.Tensor; y: tf.Tensor };
      const attrs = [{ name: 'T', type: node.binding.TF_ATTR_TYPE, value: node.binding.TF_FLOAT }];
      return node.executeSingleOutput(tfOp, attrs, order(dy, y)) as unknown as tf.TensorInfo;
    },
  });
}

registerTensorflowKernel(KERNELS.relu, 'ReluGrad', (dy, y) => [dy, y]); // ReluGrad(gradients, features)
registerTensorflowKernel(KERNELS.sigmoid, 'SigmoidGrad', (dy, y) => [y, dy]); // SigmoidGrad(y, dy)
registerTensorflowKernel(KERNELS.tanh, 'TanhGrad', (dy, y) => [y, dy]); // TanhGrad(y, dy)

function fused<T extends tf.Tensor>(kernel: string, dy: T, y: T): T | undefined {
  if (dy.dtype !== 'float32' || y.dtype !== 'float32' || tf.getKernel(kernel, tf.getBackend()) === undefined) return undefined;
  return tf.engine().runKernel(kernel, { dy, y } as unknown as tf.NamedTensorMap) as T;
}

/** The plain forms (tfjs's own gradient formulas). */
export const activationGradReference = {
  relu: <T extends tf.Tensor>(dy: T, y: T): T => tf.mul(dy, tf.step(y)),
  sigmoid: <T extends tf.Tensor>(dy: T, y: T): T => tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y))),
  tanh: <T extends tf.Tensor>(dy: T, y: T): T => tf.mul(dy, tf.sub(tf.scalar(1), tf.square(y))),
};

/** dL/dz of y = relu(z) from dL/dy and y (or z: 1[y > 0] = 1[z > 0]). */
export function reluGradFromOutput<T extends tf.Tensor>(dy: T, y: T): T {
  return fused(KERNELS.relu, dy, y) ?? activationGradReference.relu(dy, y);
}

/** dL/dz of y = σ(z) from dL/dy and y. */
export function sigmoidGradFromOutput<T extends tf.Tensor>(dy: T, y: T): T {
  return fused(KERNELS.sigmoid, dy, y) ?? activationGradReference.sigmoid(dy, y);
}

/** dL/dz of y = tanh(z) from dL/dy and y. */
export function tanhGradFromOutput<T extends tf.Tensor>(dy: T, y: T): T {
  return fused(KERNELS.tanh, dy, y) ?? activationGradReference.tanh(dy, y);
}

/** Whether `activation`'s gradient runs as one fused kernel on this backend (for reports and tests). */
export function hasFusedActivationGrad(activation: keyof typeof KERNELS, backend: string = tf.getBackend()): boolean {
  return tf.getKernel(KERNELS[activation], backend) !== undefined;
}
