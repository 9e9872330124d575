import * as tf from '@tensorflow/tfjs-core';

/** How backward matmuls take their transposes: BatchMatMul's transpose flags, or explicit tf.transpose + a plain product. */
export type TransposeMode = 'flags' | 'explicit';

/**
 * The transpose strategy that is fastest on a backend: explicit on wasm, whose BatchMatMul with transposeA/B is a
 * slow non-XNNPACK path (10–30× slower for the shapes of the paper's models; ../shared/docs/performance-notes.md),
 * and the flags everywhere else (tensorflow and cpu take them natively, and a Transpose is one more kernel).
 */
export function transposeModeFor(backend: string = tf.getBackend()): TransposeMode {
  return backend === 'wasm' ? 'explicit' : 'flags';
}

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

const explicitMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b] = args as [tf.Tensor, tf.Tensor];
  const save = args[2] as tf.GradSaveFunc;
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    // da = dy · bᵀ, db = aᵀ · dy, as plain products of explicitly transposed operands.
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor, swapLastTwo(saved[1])), tf.matMul(swapLastTwo(saved[0]), dy as tf.Tensor)],
  };
});

/**
 * a · b (rank 2, or rank 3 with equal batch sizes) with the value and gradient of tf.matMul, its backward
 * products shaped for the active backend (transposeModeFor). Every family's matmuls can go through it.
 */
export function matMulForBackend<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  return (transposeModeFor() === 'flags' ? tf.matMul(a, b) : explicitMatMul(a, b)) as T;
}
