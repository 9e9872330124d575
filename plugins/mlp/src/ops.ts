import * as tf from '@tensorflow/tfjs-core';
import { prefersFusedMatMul, reluGradFromOutput, sigmoidGradFromOutput, tanhGradFromOutput, transposeModeFor, type TransposeMode } from '@anneal/core';

/**
 * Dense-layer and loss ops of the MLP, in two forms behind one signature:
 * - hand-written backward passes (tf.customGrad): `dense`, `meanSoftmaxCrossEntropy`;
 * - the plain tfjs reference, differentiated by tfjs autodiff: `denseAutodiff`, `meanSoftmaxCrossEntropyAutodiff`.
 * Both give the same gradients (plugins/mlp/src/mlp.test.ts); the model picks one with config `gradient`.
 *
 * Why the hand-written form stays (autodiff works: @tensorflow/tfjs registers every gradient):
 * it is faster on wasm, the default backend here. `npm run bench` ("Gradient paths", plugins/mlp/README.md)
 * measured the 20×50 ReLU step at batch 128 on wasm 2.3–3.4× faster hand-written than autodiff; on the
 * cpu backend autodiff is as fast or faster (0.89–1.0×), so there `gradient: 'autodiff'` costs nothing.
 * The reasons, both on wasm:
 * 1. The forward pass is one `_FusedMatMul` kernel (matmul + bias + activation) per layer;
 *    `tf.fused.matMul` refuses to fuse a non-linear activation while a gradient tape is recording.
 *    The backward pass is step/mul, two matmuls and a bias sum, and skips the input gradient of the
 *    first layer (the data).
 * 2. BatchMatMul with transposeA/transposeB (which tfjs's matMul gradient uses) runs a slow
 *    non-XNNPACK path on wasm; explicit `tf.transpose` + plain matmul is much faster there. On the cpu
 *    backend the flags are as fast or faster, so the transpose strategy depends on the backend.
 */

export type DenseActivation = 'relu' | 'tanh' | 'sigmoid' | 'linear';

/** How the backward matmuls handle transposes (core's TransposeMode: BatchMatMul flags, or explicit transposes). */
export type { TransposeMode };

/** The transpose strategy that is fastest on the active backend (core's transposeModeFor: explicit on wasm, flags elsewhere). */
export function defaultTransposeMode(): TransposeMode {
  return transposeModeFor();
}

const FUSABLE: ReadonlySet<DenseActivation> = new Set(['relu', 'sigmoid', 'linear']);


/** y = act(x · W + b): one _FusedMatMul where it pays (core's prefersFusedMatMul), else matMul, add, activation. */
function denseForward(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: DenseActivation): tf.Tensor2D {
  const [rows] = x.shape;
  const units = kernel.shape[1];
  const fusedAct = FUSABLE.has(activation) ? activation : 'linear';
  let z: tf.Tensor2D;
  if (prefersFusedMatMul()) {
    const a3 = tf.reshape(x, [1, rows, x.shape[1]]);
    const b3 = tf.reshape(kernel, [1, kernel.shape[0], units]);
    const out = tf.engine().runKernel('_FusedMatMul', { a: a3, b: b3, bias }, {
      transposeA: false,
      transposeB: false,
      activation: fusedAct,
      leakyreluAlpha: 0.2,
    }) as tf.Tensor3D;
    z = tf.reshape(out, [rows, units]);
  } else {
    const lin = tf.add(tf.matMul(x, kernel), bias);
    z = (fusedAct === 'relu' ? tf.relu(lin) : fusedAct === 'sigmoid' ? tf.sigmoid(lin) : lin) as tf.Tensor2D;
  }
  return activation === 'tanh' ? (tf.tanh(z) as tf.Tensor2D) : z;
}

/** dL/d(pre-activation) from dL/d(output) and the saved output y. */
function activationGrad(dy: tf.Tensor2D, y: tf.Tensor2D, activation: DenseActivation): tf.Tensor2D {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu':
      // relu'(z) = 1[z > 0] = 1[y > 0]; 1[0 > 0] = 0, so an all-zero layer passes no gradient.
      return reluGradFromOutput(dy, y);
    case 'tanh':
      return tanhGradFromOutput(dy, y);
    case 'sigmoid':
      return sigmoidGradFromOutput(dy, y);
  }
}

function kernelGrad(x: tf.Tensor2D, g: tf.Tensor2D, mode: TransposeMode): tf.Tensor2D {
  return mode === 'explicit' ? tf.matMul(tf.transpose(x), g) : tf.matMul(x, g, true, false);
}

function inputGrad(g: tf.Tensor2D, kernel: tf.Tensor2D, mode: TransposeMode): tf.Tensor2D {
  return mode === 'explicit' ? tf.matMul(g, tf.transpose(kernel)) : tf.matMul(g, kernel, false, true);
}

export interface DenseOptions {
  readonly activation: DenseActivation;
  /** False for the first layer: x is data, so its gradient (a [batch, 784] matmul) is skipped. */
  readonly inputNeedsGrad: boolean;
  readonly transposeMode?: TransposeMode;
}

/** A dense layer act(x · kernel + bias) with a hand-written backward pass. */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, options: DenseOptions): tf.Tensor2D {
  const { activation, inputNeedsGrad } = options;
  const mode = options.transposeMode ?? defaultTransposeMode();
  if (!inputNeedsGrad) {
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [w, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
      const y = denseForward(x, w, b, activation);
      // Closed-over tensors must be saved too: tf.variableGrads runs the forward pass in its own tidy,
      // so anything not saved (or an input) is disposed before the backward pass runs.
      save([x, y]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
          const [xs, ys] = saved as tf.Tensor2D[];
          const g = activationGrad(dy, ys, activation);
          return [kernelGrad(xs, g, mode), tf.sum(g, 0)];
        },
      };
    });
    return op(kernel, bias) as tf.Tensor2D;
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [h, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = denseForward(h, w, b, activation);
    save([h, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [hs, ws, ys] = saved as tf.Tensor2D[];
        const g = activationGrad(dy, ys, activation);
        return [inputGrad(g, ws, mode), kernelGrad(hs, g, mode), tf.sum(g, 0)];
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor2D;
}

/**
 * One-hot float32 targets from int32 labels [b] (or passes a [b, k] one-hot tensor through as float32).
 * Built as an int32 one-hot plus a cast: the wasm backend's OneHot kernel (tfjs 4.22) ignores
 * dtype 'float32' and writes int32 bit patterns (1 reads back as 1.4e-45).
 */
export function toOneHot(y: tf.Tensor, numClasses: number): tf.Tensor2D {
  if (y.rank === 2) return (y.dtype === 'float32' ? y : tf.cast(y, 'float32')) as tf.Tensor2D;
  const labels = y.dtype === 'int32' ? (y as tf.Tensor1D) : (tf.cast(y, 'int32') as tf.Tensor1D);
  return tf.cast(tf.oneHot(labels, numClasses), 'float32') as tf.Tensor2D;
}

/**
 * Mean softmax cross-entropy over the batch, −(1/b) Σ_i log softmax(z_i)[y_i], computed with a stable
 * log-softmax. Gradient (hand-written): (softmax(z) − onehot) / b.
 */
export function meanSoftmaxCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  const rows = logits.shape[0];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const logp = tf.logSoftmax(z);
    save([logp, oneHot]); // oneHot is closed over: save it so it survives until the backward pass
    const value = tf.div(tf.neg(tf.sum(tf.mul(logp, oneHot))), rows) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => tf.mul(tf.sub(tf.exp(saved[0]), saved[1]), tf.div(dy, rows)),
    };
  });
  return op(logits) as tf.Scalar;
}

/** Per-example cross-entropy summed over the batch, in plain tfjs ops (evaluation, and the autodiff loss). */
export function summedSoftmaxCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot))) as tf.Scalar;
}

/** Reference form of `dense`: act(x · kernel + bias) in plain tfjs ops; tfjs autodiff takes the gradient. */
export function denseAutodiff(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: DenseActivation): tf.Tensor2D {
  const z = tf.add(tf.matMul(x, kernel), bias) as tf.Tensor2D;
  switch (activation) {
    case 'linear':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
  }
}

/** Reference form of `meanSoftmaxCrossEntropy`, differentiated by tfjs autodiff. */
export function meanSoftmaxCrossEntropyAutodiff(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.div(summedSoftmaxCrossEntropy(logits, oneHot), logits.shape[0]) as tf.Scalar;
}
