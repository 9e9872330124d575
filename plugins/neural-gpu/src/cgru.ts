import * as tf from '@tensorflow/tfjs-core';

/**
 * The convolutional gated recurrent unit of the Neural GPU (paper-spec §5.2), on an NHWC mental image
 * s: [b, h, w, m] (h = 4 rows, w = padded input length, m = nmaps channels):
 *   u = σ'(U'∗s + B'),  r = σ'(U''∗s + B''),  s' = u ⊙ s + (1 − u) ⊙ tanh(U∗(r ⊙ s) + B)
 * with 3×3 SAME convolutions and the cutoff sigmoid σ'(x) = clip(cutoff·σ(x) − (cutoff − 1)/2, 0, 1)
 * (cutoff 1.2 → clip(1.2σ(x) − 0.1, 0, 1)). U' and U'' are one convolution with 2m output channels.
 */
export interface CgruParams {
  /** [3, 3, m, 2m]: update gate (first m outputs) and reset gate (last m). */
  readonly gateKernel: tf.Variable;
  /** [2m], initialised to the gate bias start (+1). */
  readonly gateBias: tf.Variable;
  /** [3, 3, m, m]: the candidate convolution. */
  readonly candKernel: tf.Variable;
  /** [m], initialised to 0. */
  readonly candBias: tf.Variable;
}

/** How a 3×3 SAME convolution is computed: the backend's Conv2D kernel, or 9 shifted slices + one matMul. */
export type ConvMode = 'conv2d' | 'im2col';

export function cutoffSigmoid(x: tf.Tensor, cutoff: number): tf.Tensor {
  return tf.clipByValue(tf.sub(tf.mul(tf.sigmoid(x), cutoff), (cutoff - 1) / 2), 0, 1);
}

/** 3×3 SAME convolution with bias, NHWC, stride 1. */
export function conv3x3(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D, mode: ConvMode): tf.Tensor4D {
  if (mode === 'conv2d') return tf.add(tf.conv2d(x, kernel, 1, 'same'), bias);
  const [b, h, w, c] = x.shape;
  const out = kernel.shape[3];
  const padded = tf.pad(x, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const patches: tf.Tensor4D[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) patches.push(tf.slice(padded, [0, dy, dx, 0], [b, h, w, c]));
  // Column order (dy, dx, channel) matches the kernel's [3, 3, c, out] layout flattened to [9c, out].
  const cols = tf.reshape(tf.concat(patches, 3), [b * h * w, 9 * c]);
  const y = tf.matMul(cols, tf.reshape(kernel, [9 * c, out]));
  return tf.reshape(tf.add(y, bias), [b, h, w, out]);
}

/** One CGRU step. */
export function cgru(s: tf.Tensor4D, p: CgruParams, cutoff: number, mode: ConvMode): tf.Tensor4D {
  const m = s.shape[3];
  const gates = cutoffSigmoid(conv3x3(s, p.gateKernel as tf.Tensor4D, p.gateBias as tf.Tensor1D, mode), cutoff);
  const [u, r] = tf.split(gates, [m, m], 3);
  const cand = tf.tanh(conv3x3(tf.mul(r, s) as tf.Tensor4D, p.candKernel as tf.Tensor4D, p.candBias as tf.Tensor1D, mode));
  return tf.add(tf.mul(u, s), tf.mul(tf.sub(1, u), cand)) as tf.Tensor4D;
}
