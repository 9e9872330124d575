import * as tf from '@tensorflow/tfjs-core';
import { matMulForBackend } from '@anneal/core';

/**
 * The convolutional gated recurrent unit of the Neural GPU (paper-spec §5.2):
 *   u = σ'(U'∗s + B'),  r = σ'(U''∗s + B''),  s' = u ⊙ s + (1 − u) ⊙ tanh(U∗(r ⊙ s) + B)
 * with 3×3 SAME convolutions over (height, width) and the cutoff sigmoid
 * σ'(x) = clip(cutoff·σ(x) − (cutoff − 1)/2, 0, 1) (cutoff 1.2 → clip(1.2σ(x) − 0.1, 0, 1)).
 *
 * Layout. The mental image is a 2-D tensor [h·w·b, m] whose rows are ordered (row y, column x, example).
 * A 3×3 convolution is then 9 matMuls [N, m]·[m, out] of row-shifted copies of the image: the tap (dy, dx)
 * reads row index + (dy·w + dx)·b, zero outside, and a column mask zeroes the taps that would wrap from
 * one image row into the next (x + dx outside [0, w)). Every shift is a contiguous slice + concat along
 * the leading axis, with a custom gradient (the opposite shift). Why: tfjs-backend-cpu's Conv2D and its
 * two backprop kernels are naive loops, and its Slice/SplitV over an inner axis copy element by element
 * (measured: Slice + SplitV were 79 % of an im2col step in NHWC); wasm has no Conv2DBackpropFilter at all.
 */
export interface CgruParams {
  /** [3, 3, m, m] update-gate kernel and its bias [m] (starts at the gate bias, +1). */
  readonly updateKernel: tf.Variable;
  readonly updateBias: tf.Variable;
  /** [3, 3, m, m] reset-gate kernel and its bias [m] (+1). */
  readonly resetKernel: tf.Variable;
  readonly resetBias: tf.Variable;
  /** [3, 3, m, m] candidate kernel and its bias [m] (0). */
  readonly candKernel: tf.Variable;
  readonly candBias: tf.Variable;
}

/** How a 3×3 SAME convolution is computed: 9 row shifts + matMuls (fast), or the backend's Conv2D (reference). */
export type ConvMode = 'shift' | 'conv2d';

/**
 * The image's geometry and the two column masks (x − 1 ≥ 0, x + 1 < w), built once per forward pass at the
 * image's full shape [N, m]: tfjs-backend-cpu multiplies same-shape tensors in a flat loop but broadcasts
 * an [N, 1] operand element by element through index arithmetic (measured ~10× slower).
 */
export interface ImageGeometry {
  readonly h: number;
  readonly w: number;
  readonly b: number;
  readonly m: number;
  readonly leftOk: tf.Tensor2D;
  readonly rightOk: tf.Tensor2D;
}

/** A constant [h·w·b, m] tensor whose row (y, x, i) is filled with f(y, x, i). */
export function fullRows(h: number, w: number, b: number, m: number, f: (y: number, x: number, i: number) => number): tf.Tensor2D {
  const v = new Float32Array(h * w * b * m);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let i = 0; i < b; i++) {
        const value = f(y, x, i);
        if (value !== 0) v.fill(value, ((y * w + x) * b + i) * m, ((y * w + x) * b + i + 1) * m);
      }
  return tf.tensor2d(v, [h * w * b, m]);
}

export function imageGeometry(h: number, w: number, b: number, m: number): ImageGeometry {
  return { h, w, b, m, leftOk: fullRows(h, w, b, m, (_y, x) => (x > 0 ? 1 : 0)), rightOk: fullRows(h, w, b, m, (_y, x) => (x < w - 1 ? 1 : 0)) };
}

function shiftForward(x: tf.Tensor2D, k: number): tf.Tensor2D {
  const [n, c] = x.shape;
  if (k === 0) return x;
  if (Math.abs(k) >= n) return tf.zeros([n, c]);
  return k > 0 ? tf.concat([tf.slice(x, [k, 0], [n - k, c]), tf.zeros([k, c])], 0) : tf.concat([tf.zeros([-k, c]), tf.slice(x, [0, 0], [n + k, c])], 0);
}

/** out[i] = x[i + k] (0 outside [0, N)); its gradient is the opposite shift (no Pad kernel). */
export function shiftRows(x: tf.Tensor2D, k: number): tf.Tensor2D {
  if (k === 0) return x;
  const f = tf.customGrad(((input: tf.Tensor) => ({
    value: shiftForward(input as tf.Tensor2D, k),
    gradFunc: (dy: tf.Tensor) => shiftForward(dy as tf.Tensor2D, -k),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor2D;
}

/**
 * The 9 shifted, masked copies of x, in kernel tap order (dy, dx) = (−1, −1), (−1, 0), … (1, 1): first the
 * column shifts (dx = ±1, masked so nothing wraps between image rows), then row shifts of those by ±w·b
 * (which never wrap: outside the image they read zeros). 8 shifts and 2 masks per call.
 */
export function shiftedTaps(x: tf.Tensor2D, g: ImageGeometry, shift: (x: tf.Tensor2D, k: number) => tf.Tensor2D = shiftRows): tf.Tensor2D[] {
  const cols = [tf.mul(shift(x, -g.b), g.leftOk) as tf.Tensor2D, x, tf.mul(shift(x, g.b), g.rightOk) as tf.Tensor2D];
  const taps: tf.Tensor2D[] = [];
  for (let dy = -1; dy <= 1; dy++) for (const c of cols) taps.push(dy === 0 ? c : shift(c, dy * g.w * g.b));
  return taps;
}

/** A [3, 3, c, out] kernel as its 9 taps [c, out] (slice once per forward pass and reuse them every step). */
export function kernelTaps(kernel: tf.Tensor): tf.Tensor2D[] {
  const [, , c, out] = kernel.shape as [number, number, number, number];
  const k9 = tf.reshape(kernel, [9 * c, out]);
  return Array.from({ length: 9 }, (_, i) => tf.slice(k9, [i * c, 0], [c, out]) as tf.Tensor2D);
}

const tapCache = new WeakMap<tf.Tensor, { id: number; taps: tf.Tensor2D[] }>();
let forwardId = 0;

/** Starts a new forward pass: kernel taps sliced from now on are cached for this pass only. */
export function beginForward(): void {
  forwardId++;
}

function tapsOf(kernel: tf.Tensor): tf.Tensor2D[] {
  const hit = tapCache.get(kernel);
  if (hit && hit.id === forwardId) return hit.taps;
  const taps = kernelTaps(kernel);
  tapCache.set(kernel, { id: forwardId, taps });
  return taps;
}

/** Σ_taps tap · K[dy, dx] + bias, for a [3, 3, c, out] kernel. */
function convFromTaps(taps: readonly tf.Tensor2D[], kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  const k = tapsOf(kernel);
  return tf.add(tf.addN(taps.map((t, i) => matMulForBackend(t, k[i] as tf.Tensor2D))), bias) as tf.Tensor2D;
}

/** Reference path: the same convolution through tf.conv2d on an NHWC view of the image. */
function convReference(x: tf.Tensor2D, g: ImageGeometry, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  const c = x.shape[1];
  const out = kernel.shape[3] as number;
  const nhwc = tf.transpose(tf.reshape(x, [g.h, g.w, g.b, c]), [2, 0, 1, 3]) as tf.Tensor4D;
  const y = tf.add(tf.conv2d(nhwc, kernel as tf.Tensor4D, 1, 'same'), bias);
  return tf.reshape(tf.transpose(y, [1, 2, 0, 3]), [g.h * g.w * g.b, out]) as tf.Tensor2D;
}

/** A 3×3 SAME convolution of the image x [h·w·b, c] with a [3, 3, c, out] kernel and bias [out]. */
export function conv3x3(x: tf.Tensor2D, g: ImageGeometry, kernel: tf.Tensor, bias: tf.Tensor, mode: ConvMode): tf.Tensor2D {
  return mode === 'conv2d' ? convReference(x, g, kernel, bias) : convFromTaps(shiftedTaps(x, g), kernel, bias);
}

export function cutoffSigmoid(x: tf.Tensor, cutoff: number): tf.Tensor {
  return tf.clipByValue(tf.sub(tf.mul(tf.sigmoid(x), cutoff), (cutoff - 1) / 2), 0, 1);
}

/** One CGRU step on the image s [h·w·b, m]. */
export function cgru(s: tf.Tensor2D, g: ImageGeometry, p: CgruParams, cutoff: number, mode: ConvMode): tf.Tensor2D {
  let u: tf.Tensor;
  let r: tf.Tensor;
  if (mode === 'conv2d') {
    u = cutoffSigmoid(convReference(s, g, p.updateKernel, p.updateBias), cutoff);
    r = cutoffSigmoid(convReference(s, g, p.resetKernel, p.resetBias), cutoff);
  } else {
    const taps = shiftedTaps(s, g); // shared by both gates
    u = cutoffSigmoid(convFromTaps(taps, p.updateKernel, p.updateBias), cutoff);
    r = cutoffSigmoid(convFromTaps(taps, p.resetKernel, p.resetBias), cutoff);
  }
  const cand = tf.tanh(conv3x3(tf.mul(r, s) as tf.Tensor2D, g, p.candKernel, p.candBias, mode));
  return tf.add(tf.mul(u, s), tf.mul(tf.sub(1, u), cand)) as tf.Tensor2D;
}
